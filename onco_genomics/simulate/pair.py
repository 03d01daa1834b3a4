"""Simulate a matched tumor/normal pair: the one API function behind ``oncogen simulate``.

Steps: validate options and regions against the reference; per window, plant somatic
variants (real SNVs from a mutation table, random indels), germline variants and the
tumor's 8-oxoG (and FFPE) hotspots; build the two germline haplotypes; draw reads chunk by chunk for
each sample (the tumor spikes the somatic alleles in at their VAFs, the normal only at the
contamination level); align with minimap2 or bwa mem; sort and index; write the truth
files.

Every random draw comes from a stream seeded by ``(seed, stage, window, chunk, ...)``, so
the output does not depend on the number of threads.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from onco_genomics.errors import OptionsError
from onco_genomics.io.bed import read_bed
from onco_genomics.io.reference import Reference
from onco_genomics.progress import Progress
from onco_genomics.regions import Region
from onco_genomics.simulate.align import (
    PairAligner,
    ReadGroup,
    SamSpool,
    WindowIndex,
    mappy_version,
    read_names,
    sam_header,
)
from onco_genomics.simulate.bwa import BwaIndex, BwaPairAligner, bwa_version
from onco_genomics.simulate.genome import Haplotype, Window, make_windows
from onco_genomics.simulate.mutations import load_mutations
from onco_genomics.simulate.options import SimulationOptions, resolve_regions
from onco_genomics.simulate.plant import (
    ArtefactSite,
    Occupancy,
    PlantedVariant,
    assign_vafs,
    plant_dbs,
    plant_germline,
    plant_oxog_sites,
    plant_somatic,
)
from onco_genomics.simulate.population import (
    PopulationSite,
    plant_population,
    plant_recurrent_artefacts,
    sample_individual,
    write_population,
    write_recurrent,
)
from onco_genomics.simulate.reads import ReadPairs, ReadSettings, SpikeIn, simulate_reads
from onco_genomics.simulate.spectra import SnvSpectrum
from onco_genomics.simulate.truth import write_params, write_truth

log = logging.getLogger(__name__)

#: reference bases per read-simulation chunk (memory and progress granularity)
CHUNK = 100_000

#: stage numbers of the random streams
_PLANT, _TUMOR, _NORMAL = 1, 2, 3
_POPULATION, _INDIVIDUAL, _RECURRENT = 4, 5, 6
#: stage of panel normal k (1-based) is _PON_NORMAL + k
_PON_NORMAL = 100

#: how PCR duplicates are represented (recorded in params.json)
DUPLICATE_POLICY = ("PCR duplicates are extra copies of a fragment (same ends and template, "
                    "independent sequencing errors); all copies but one per family carry "
                    "the 0x400 flag when mark_duplicates is on, as samtools markdup leaves "
                    "them")


@dataclass(frozen=True)
class SimulationResult:
    """What :func:`simulate_pair` wrote and planted.

    Attributes
    ----------
    out_dir
        Output folder.
    files
        Output name -> path (tumor_bam, normal_bam, truth, germline, artefacts,
        confident, params).
    somatic, germline
        Planted variants.
    artefacts
        Recurrent 8-oxoG and FFPE sites of the tumor.
    confident
        Confident intervals.
    read_pairs
        Pairs written per sample.
    population
        Population sites (with ``population_sites``; else empty).
    recurrent
        Recurrent artefact sites of every library (``vaf`` = share of fragments).
    """

    out_dir: Path
    files: dict[str, Path]
    somatic: tuple[PlantedVariant, ...]
    germline: tuple[PlantedVariant, ...]
    artefacts: tuple[ArtefactSite, ...]
    confident: tuple[Region, ...]
    read_pairs: dict[str, int]
    population: tuple[PopulationSite, ...] = ()
    recurrent: tuple[PlantedVariant, ...] = ()

    def __post_init__(self) -> None:
        if any(v.vaf <= 0 for v in self.somatic):
            raise ValueError("every somatic variant needs a positive expected VAF")


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *keys])))


def _split_count(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` proportionally to ``weights`` (largest remainders)."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0] * len(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])
    for i in order[:total - sum(counts)]:
        counts[i] += 1
    return counts


def _mutation_table(options: SimulationOptions) -> tuple[pd.DataFrame | None, str]:
    """The SNV table of ``--mutations`` (None for random) and the name truth records use."""
    if options.mutations == "random":
        return None, "random"
    table = load_mutations(options.mutations)
    if options.mutations == "brca-chr20":
        return table, "brca-chr20"
    return table, Path(options.mutations).name.replace(" ", "_").replace(";", "_")


@dataclass(frozen=True)
class PlantedSet:
    """Everything :func:`plant_variants` placed.

    Attributes
    ----------
    somatic
        Somatic variants with VAF and clone.
    germline
        Germline variants of the tumor/normal individual.
    artefacts
        Tumor 8-oxoG, then FFPE hotspots.
    population
        Population sites (empty unless ``population_sites``).
    recurrent
        Recurrent artefact sites of every library.
    """

    somatic: list[PlantedVariant]
    germline: list[PlantedVariant]
    artefacts: list[ArtefactSite]
    population: list[PopulationSite]
    recurrent: list[PlantedVariant]


def plant_variants(options: SimulationOptions, windows: Sequence[Window], *,
                   mutations: pd.DataFrame | None = None, mutation_source: str = "random",
                   spectrum: SnvSpectrum | None = None) -> PlantedSet:
    """Choose somatic and germline variants and tumor 8-oxoG hotspots for all windows.

    Parameters
    ----------
    options
        Rates/counts, VAFs, purity, clones and the seed.
    windows
        Simulated windows.
    mutations
        SNV table (:func:`~onco_genomics.simulate.mutations.load_mutations`), or None to
        draw SNVs at random.
    mutation_source
        Name of the table, recorded in the truth (INFO ``SOURCE``).
    spectrum
        COSMIC signature mixture that randomly drawn SNVs follow (None: any context).

    Returns
    -------
    PlantedSet
        Somatic variants (with VAF and clone), germline variants, artefact sites (8-oxoG,
        then FFPE), and with a population its sites and the recurrent artefacts.
    """
    sizes = [sum(len(c) for c in w.confident) for w in windows]
    n_snv = (_split_count(options.snv_count, sizes) if options.snv_count is not None
             else [round(options.snv_rate * s / 1e6) for s in sizes])
    n_indel = (_split_count(options.indel_count, sizes) if options.indel_count is not None
               else [round(options.indel_rate * s / 1e6) for s in sizes])
    planted = PlantedSet([], [], [], [], [])
    for window, snv, indel, size in zip(windows, n_snv, n_indel, sizes, strict=True):
        rng = _rng(options.seed, _PLANT, window.index)
        occupancy = Occupancy(window)
        chosen = plant_somatic(window, occupancy, rng, n_snv=snv, n_indel=indel,
                               mutations=mutations, mutation_source=mutation_source,
                               spectrum=spectrum)
        n_dbs = round(options.dbs_rate * size / 1e6)
        if n_dbs:  # drawn after the rest, so a seed without DBS gives the same variants
            chosen = sorted(chosen + plant_dbs(window, occupancy, rng, n_dbs=n_dbs),
                            key=lambda v: v.pos)
        planted.somatic.extend(assign_vafs(
            chosen, rng, vaf_low=options.vaf.low, vaf_high=options.vaf.high,
            vaf_values=options.vaf.values, purity=options.purity,
            clone_fractions=options.clone_fractions))
        if options.population_sites:
            private_rate = options.private_germline_rate / 1e3  # per kb
            germline = plant_germline(window, occupancy, rng, snv_rate=0.9 * private_rate,
                                      indel_rate=0.1 * private_rate, hom_fraction=0.0)
            sites = plant_population(window, occupancy,
                                     _rng(options.seed, _POPULATION, window.index),
                                     sites_per_kb=options.population_sites)
            planted.population.extend(sites)
            germline += sample_individual(sites, _rng(options.seed, _INDIVIDUAL, 0, window.index))
            planted.germline.extend(sorted(germline, key=lambda v: v.pos))
        else:
            planted.germline.extend(plant_germline(
                window, occupancy, rng, snv_rate=options.germline_snv_rate,
                indel_rate=options.germline_indel_rate,
                hom_fraction=options.germline_hom_fraction))
        planted.artefacts.extend(plant_oxog_sites(window, occupancy, rng,
                                                  n_sites=round(options.oxog_sites * size / 1e6)))
        n_ffpe = round(options.ffpe_sites * size / 1e6)
        if n_ffpe:
            planted.artefacts.extend(plant_oxog_sites(window, occupancy, rng, n_sites=n_ffpe,
                                                      fraction_range=(0.05, 0.25), kind="FFPE"))
        n_recurrent = round(options.recurrent_artefacts * size / 1e6)
        if n_recurrent:
            planted.recurrent.extend(plant_recurrent_artefacts(
                window, occupancy, _rng(options.seed, _RECURRENT, window.index),
                n_sites=n_recurrent))
    return planted


@dataclass(frozen=True)
class _Sample:
    """One sample of the pair: its BAM name, read group, depth and what it carries."""

    label: str
    name: str
    depth: float
    stage: int
    spikes: tuple[SpikeIn, ...]
    oxog_sites: tuple[ArtefactSite, ...]
    ffpe_rate: float = 0.0

    @property
    def read_group(self) -> ReadGroup:
        return ReadGroup(self.name, self.name, f"{self.name}-lib1")


def _simulate_sample(sample: _Sample, options: SimulationOptions, windows: Sequence[Window],
                     haplotypes: dict[int, tuple[Haplotype, Haplotype]],
                     index: WindowIndex | BwaIndex, header: str, out: Path) -> tuple[Path, int]:
    """Draw, align, sort and index the reads of one sample; returns (BAM, read pairs)."""
    settings = ReadSettings(depth=sample.depth, read_length=options.read_length,
                            fragment_mean=options.fragment_mean,
                            fragment_sd=options.fragment_sd, dup_rate=options.dup_rate,
                            pcr_error_fraction=options.pcr_error_fraction,
                            oxog_rate=options.oxog_rate, ffpe_rate=sample.ffpe_rate,
                            binned_qualities=options.qualities == "binned")
    aligner: PairAligner | BwaPairAligner
    if isinstance(index, BwaIndex):
        aligner = BwaPairAligner(index, sample.read_group,
                                 mark_duplicates=options.mark_duplicates, threads=options.threads)
    else:
        aligner = PairAligner(index, sample.read_group, mark_duplicates=options.mark_duplicates,
                              threads=options.threads)
    spool = SamSpool(out / f"{sample.label}.bam", header)
    chunks = [(window, chunk, lo, min(lo + CHUNK, window.end - window.start))
              for window in windows
              for chunk, lo in enumerate(range(0, window.end - window.start, CHUNK))]

    def draw(task: tuple[Window, int, int, int]) -> ReadPairs:
        window, chunk, lo, hi = task
        return simulate_reads(haplotypes[window.index], lo, hi, settings=settings,
                              spikes=sample.spikes, oxog_sites=sample.oxog_sites,
                              rng=_rng(options.seed, sample.stage, window.index, chunk))

    total = 0
    try:
        # with threads, the next chunk's reads are drawn while this one is aligned (each
        # chunk has its own random stream, so the output does not change)
        with Progress(len(chunks), f"{sample.label} chunks", rate_label="read pairs") as bar, \
                ThreadPoolExecutor(1) as prefetch:
            pending: Future[ReadPairs] | None = None
            for position, task in enumerate(chunks):
                if options.threads > 1:
                    pairs = (pending or prefetch.submit(draw, task)).result()
                    if position + 1 < len(chunks):
                        pending = prefetch.submit(draw, chunks[position + 1])
                else:
                    pairs = draw(task)
                window, chunk = task[0], task[1]
                prefix = f"{sample.label[0].upper()}{window.index}_{chunk}_"
                spool.write(aligner.sam_lines(pairs, list(read_names(prefix, len(pairs)))))
                total += len(pairs)
                bar.update(1, extra=len(pairs))
        return spool.finish(threads=options.threads), total
    except BaseException:
        spool.abort()
        raise


def _haplotype(window: Window, germline: Sequence[PlantedVariant], hap: int) -> Haplotype:
    """The window's sequence with the germline alleles of haplotype ``hap``."""
    return Haplotype.build(window, [v.edit() for v in germline if v.chrom == window.chrom
                                    and window.start <= v.pos < window.end
                                    and hap in v.haplotypes])


def _spikes(somatic: Sequence[PlantedVariant], scale: float) -> list[SpikeIn]:
    """Per-fragment probabilities that give each variant ``scale * VAF`` in the sample."""
    spikes = []
    for variant in somatic:
        vaf = variant.vaf * scale
        probability = vaf if variant.is_hom else min(1.0, 2.0 * vaf)
        spikes.append(SpikeIn(variant, probability))
    return spikes


def simulate_pair(options: SimulationOptions, out_dir: str | Path, *,
                  command_line: str = "oncogen simulate") -> SimulationResult:
    """Simulate a tumor/normal BAM pair with its truth.

    Parameters
    ----------
    options
        All settings (validated on construction).
    out_dir
        Folder for tumor.bam, normal.bam (+ .bai), truth.vcf.gz, germline.vcf.gz,
        artefacts.vcf.gz (+ .tbi), confident.bed and params.json.
    command_line
        Recorded in the BAM ``@PG`` and VCF headers.

    Returns
    -------
    SimulationResult
        Paths and the planted variants.

    Raises
    ------
    OptionsError, RegionError, InputFileError
        Bad options, regions outside the reference, unreadable inputs.

    Examples
    --------
    >>> opts = SimulationOptions("ref.fa", regions=("20:10000001-10020000",),
    ...                          tumor_depth=20, normal_depth=10)  # doctest: +SKIP
    >>> result = simulate_pair(opts, "sim/")  # doctest: +SKIP
    """
    from onco_genomics import __version__

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OptionsError(f"--out-dir: expected a folder, found a file at {out}")
    reference = Reference(options.reference)
    contigs = list(reference.contigs)
    bed_regions = read_bed(options.bed) if options.bed is not None else []
    regions = resolve_regions(options, dict(contigs), bed_regions)
    mutations, mutation_source = _mutation_table(options)
    windows = make_windows(reference, regions, padding=options.padding,
                           margin=options.read_length, edge_margin=options.padding)
    confident = tuple(c for w in windows for c in w.confident)
    if not confident:
        raise OptionsError(
            "the regions have no confident sequence (they are N runs or too close to N runs); "
            "choose regions with real sequence"
        )
    out.mkdir(parents=True, exist_ok=True)
    spectrum = SnvSpectrum.load(options.snv_spectrum) if options.snv_spectrum else None
    planted = plant_variants(options, windows, mutations=mutations,
                             mutation_source=mutation_source, spectrum=spectrum)
    somatic, germline, sites = planted.somatic, planted.germline, planted.artefacts
    haplotypes = {w.index: (_haplotype(w, germline, 0), _haplotype(w, germline, 1))
                  for w in windows}
    recurrent = tuple(_spikes(planted.recurrent, 1.0))
    index: WindowIndex | BwaIndex
    if options.aligner == "bwa":
        index = BwaIndex(windows, reference.fetch, dict(contigs), scope=options.align_to)
    else:
        index = WindowIndex(windows, reference.fetch, dict(contigs), scope=options.align_to)
    samples = [
        _Sample("tumor", options.tumor_sample, options.tumor_depth, _TUMOR,
                tuple(_spikes(somatic, 1.0)) + recurrent, tuple(sites), options.ffpe_rate),
        _Sample("normal", options.normal_sample, options.normal_depth, _NORMAL,
                (tuple(_spikes(somatic, options.contamination)) if options.contamination
                 else ()) + recurrent, ()),
    ]
    sample_haplotypes = [haplotypes, haplotypes]
    for k in range(1, options.pon_normals + 1):
        # another person of the population, sequenced by the same pipeline
        person = [v for w in windows for v in sorted(sample_individual(
            [s for s in planted.population if s.variant.chrom == w.chrom
             and w.start <= s.variant.pos < w.end],
            _rng(options.seed, _INDIVIDUAL, k, w.index)), key=lambda v: v.pos)]
        samples.append(_Sample(f"pon_normal_{k:02d}", f"PON{k:02d}", options.normal_depth,
                               _PON_NORMAL + k, recurrent, ()))
        sample_haplotypes.append({w.index: (_haplotype(w, person, 0), _haplotype(w, person, 1))
                                  for w in windows})
    files: dict[str, Path] = {}
    pairs_written: dict[str, int] = {}
    try:
        for sample, sample_haps in zip(samples, sample_haplotypes, strict=True):
            header = sam_header(contigs, sample.read_group, command_line, __version__)
            files[f"{sample.label}_bam"], pairs_written[sample.label] = _simulate_sample(
                sample, options, windows, sample_haps, index, header, out)
    finally:
        if isinstance(index, BwaIndex):
            index.close()
    files.update(write_truth(out, contigs=contigs, reference=str(options.reference),
                             command_line=command_line, somatic=somatic, germline=germline,
                             artefacts=sites, confident=confident,
                             clone_fractions=options.clone_fractions,
                             samples=(options.tumor_sample, options.normal_sample)))
    if options.population_sites:
        files["population"] = write_population(out / "population.vcf.gz", planted.population,
                                               contigs=contigs,
                                               reference=str(options.reference),
                                               command_line=command_line)
    if options.recurrent_artefacts:
        files["recurrent"] = write_recurrent(out / "recurrent.vcf.gz", planted.recurrent,
                                             contigs=contigs, reference=str(options.reference),
                                             command_line=command_line)
    params = {
        "oncogen_version": __version__,
        "command_line": command_line,
        "options": options.to_dict(),
        "regions": [str(r) for r in regions],
        "confident_bases": sum(len(c) for c in confident),
        "counts": {
            "somatic_snv": sum(v.kind == "SNV" for v in somatic),
            "somatic_indel": sum(v.kind in ("INS", "DEL") for v in somatic),
            "somatic_mnv": sum(v.kind == "MNV" for v in somatic),
            "germline": len(germline),
            "oxog_sites": sum(s.kind == "OXOG" for s in sites),
            "ffpe_sites": sum(s.kind == "FFPE" for s in sites),
            "population_sites": len(planted.population),
            "recurrent_artefacts": len(planted.recurrent),
            "pon_normals": options.pon_normals,
            "read_pairs": pairs_written,
        },
        "duplicates": DUPLICATE_POLICY,
        "aligner": (f"bwa mem {bwa_version()}" if options.aligner == "bwa" else
                    f"minimap2 {mappy_version()} (mappy) sr preset")
                   + f", index of the simulated {options.align_to}",
    }
    files["params"] = write_params(out / "params.json", params)
    log.info("simulated %d somatic and %d germline variants; %s", len(somatic), len(germline),
             ", ".join(f"{k}: {v:,} pairs" for k, v in pairs_written.items()))
    return SimulationResult(out, files, tuple(somatic), tuple(germline), tuple(sites),
                            confident, pairs_written, tuple(planted.population),
                            tuple(planted.recurrent))
