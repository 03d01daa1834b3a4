"""Tumor-only calling: a tumor BAM, a germline resource and a panel of normals, no normal.

Flow per chunk (as in matched mode, :mod:`onco_genomics.caller.calling`): the tumor is
scanned alone (:func:`onco_genomics.pileup.scan.scan_region` with no normal; workers open
their own handles), the candidates' alleles are looked up in the germline resource
(population AF) and the panel of normals, the context inputs are computed
(:func:`~onco_genomics.caller.tumor_only_model.context_features`: population AF, VAF against
the nearby heterozygous germline sites), the tumor-only network gives
``P(artefact), P(germline), P(somatic)``, and the filters of
:mod:`onco_genomics.caller.tumor_only_records` are applied. The VCF is written atomically
at the end; ``--threads N`` writes the same records as ``--threads 1``.

Without ``--germline-resource`` the network sees every allele as absent from the
population, so inherited variants are told apart by VAF alone and many pass; a warning
says so.

Examples
--------
>>> import onco_genomics as og
>>> result = og.call_tumor_only("tumor.bam", reference="ref.fa", output="calls.vcf.gz",
...                             germline_resource="af-only-gnomad.vcf.gz",
...                             panel_of_normals="pon.vcf.gz")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from onco_genomics.caller.call_regions import DEFAULT_CHUNK_SIZE, check_run_settings
from onco_genomics.caller.records import FilterOptions
from onco_genomics.caller.tumor_only_records import (
    TumorOnlyCall,
    tumor_only_filters,
    tumor_only_header,
)
from onco_genomics.errors import InputFileError, OptionsError
from onco_genomics.io.atomic import check_output_path
from onco_genomics.progress import Progress
from onco_genomics.regions import Region

if TYPE_CHECKING:
    from onco_genomics.caller.tumor_only_model import TumorOnlyModel
    from onco_genomics.io.site_sets import GermlineResource, PanelOfNormalsSites
    from onco_genomics.pileup.encode import PileupBatch

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class TumorOnlyOptions:
    """Everything tumor-only ``oncogen call`` needs, checked field by field.

    Attributes
    ----------
    tumor, reference, output
        Indexed tumor BAM/CRAM, indexed FASTA, output VCF (``.vcf.gz`` or ``.vcf``).
    germline_resource
        Bgzipped, indexed VCF with INFO/AF (gnomAD); None: none (a warning).
    panel_of_normals
        ``oncogen pon`` output; None: none.
    regions, bed, threads, model, min_af, device, chunk_size, tumor_sample, filters
        As in matched mode (:class:`~onco_genomics.caller.calling.CallOptions`); ``model``
        None: the shipped tumor-only model.
    """

    tumor: Path
    reference: Path
    output: Path
    germline_resource: Path | None = None
    panel_of_normals: Path | None = None
    regions: tuple[str, ...] = ()
    bed: Path | None = None
    threads: int = 1
    model: Path | None = None
    min_af: float = 0.02
    device: str = "auto"
    chunk_size: int = DEFAULT_CHUNK_SIZE
    tumor_sample: str | None = None
    filters: FilterOptions = field(default_factory=FilterOptions)

    def __post_init__(self) -> None:
        check_run_settings(threads=self.threads, min_af=self.min_af, device=self.device,
                           chunk_size=self.chunk_size, output=self.output)
        defaults = FilterOptions()
        for name, why in (("min_normal_depth", "it sets the LowNormalDepth floor on the "
                           "normal's reads"),
                          ("indel_rescue_min_alt_reads", "the indel rescue needs the normal's "
                           "reads"),
                          ("indel_rescue_min_af", "the indel rescue needs the normal's reads")):
            if getattr(self.filters, name) != getattr(defaults, name):
                raise OptionsError(
                    f"filters.{name} is not used without a matched normal: found "
                    f"{getattr(self.filters, name)}, but {why}; leave it at "
                    f"{getattr(defaults, name)} (or call against a matched normal)")


@dataclass(frozen=True)
class TumorOnlyResult:
    """What :func:`call_tumor_only` wrote: the VCF, its calls and the candidates scored."""

    output: Path
    calls: tuple[TumorOnlyCall, ...]
    candidates: int

    @property
    def n_pass(self) -> int:
        return sum(call.is_pass for call in self.calls)

    def __repr__(self) -> str:
        return (f"TumorOnlyResult(output={str(self.output)!r}, calls={len(self.calls)} "
                f"({self.n_pass} PASS), candidates={self.candidates})")


def _check_inputs(options: TumorOnlyOptions) -> tuple[str, list[tuple[str, int]], list[Region]]:
    """Tumor sample name, reference contigs and the regions; refuses bad inputs early."""
    from onco_genomics.caller.call_regions import resolve_call_regions
    from onco_genomics.io.alignments import (
        bam_contigs,
        check_contigs,
        check_index_matches,
        open_alignments,
        sample_name,
    )
    from onco_genomics.io.reference import Reference

    for label, path in (("tumor BAM", options.tumor), ("reference FASTA", options.reference)):
        if not path.is_file():
            raise InputFileError(f"{label} {path} does not exist; check the path")
    if options.bed is not None and not options.bed.is_file():
        raise InputFileError(f"BED {options.bed} does not exist; check the path")
    check_output_path(options.output, what="-o/--output")
    tumor_sample = sample_name(options.tumor, override=options.tumor_sample,
                               option="--tumor-sample")
    with Reference(options.reference) as reference:
        contigs = list(reference.contigs)
    check_index_matches(options.tumor)
    with open_alignments(options.tumor, reference=options.reference) as bam:
        check_contigs(bam_contigs(bam), contigs, bam_path=options.tumor,
                      ref_path=options.reference)
    return tumor_sample, contigs, resolve_call_regions(options, contigs)


def _open_site_sets(options: TumorOnlyOptions
                    ) -> tuple[GermlineResource | None, PanelOfNormalsSites | None]:
    from onco_genomics.io.site_sets import GermlineResource, PanelOfNormalsSites

    resource = (GermlineResource(options.germline_resource)
                if options.germline_resource is not None else None)
    try:
        pon = (PanelOfNormalsSites(options.panel_of_normals)
               if options.panel_of_normals is not None else None)
    except Exception:
        if resource is not None:
            resource.close()
        raise
    if resource is None:
        log.warning("no --germline-resource: inherited variants can only be told from their "
                    "VAF and many will be called somatic; pass a population AF VCF (gnomAD)")
    return resource, pon


def chunk_annotations(batch: PileupBatch, region: Region,
                      resource: GermlineResource | None,
                      pon: PanelOfNormalsSites | None) -> tuple[np.ndarray, np.ndarray]:
    """Population AF (NaN: not in the resource) and PoN hit per candidate of a chunk."""
    keys = [(c.pos, c.ref, c.alt) for c in batch.candidates]
    afs = resource.allele_frequencies(region) if resource is not None else {}
    pon_sites = pon.alleles(region) if pon is not None else set()
    population_af = np.array([afs.get(key, np.nan) for key in keys], dtype=np.float64)
    pon_hit = np.array([key in pon_sites for key in keys], dtype=bool)
    return population_af, pon_hit


def score_tumor_only_batch(batch: PileupBatch, region: Region, model: TumorOnlyModel, *,
                           resource: GermlineResource | None,
                           pon: PanelOfNormalsSites | None,
                           filters: FilterOptions | None = None) -> list[TumorOnlyCall]:
    """Score one chunk's candidates and keep those worth writing.

    Candidates with PROB below ``filters.min_prob_to_report`` are not written.
    """
    from onco_genomics.caller.inference import phred_quality
    from onco_genomics.caller.tumor_only_model import context_features

    filters = filters or FilterOptions()
    candidates = batch.candidates
    population_af, pon_hit = chunk_annotations(batch, region, resource, pon)
    context = context_features(candidates, population_af)
    probs = model.predict(batch.tensors, context)
    somatic, germline = probs[:, 2], probs[:, 1]
    quals = phred_quality(somatic)
    calls = []
    for i, cand in enumerate(candidates):
        prob = float(somatic[i])
        if prob < filters.min_prob_to_report:
            continue
        af = float(population_af[i])
        calls.append(TumorOnlyCall(
            chrom=cand.chrom, pos=cand.pos, ref=cand.ref, alt=cand.alt, vartype=cand.vartype,
            tumor_ref=cand.tumor.ref, tumor_alt=cand.tumor.alt, tumor_depth=cand.tumor.depth,
            tumor_ref_f1r2=cand.tumor.ref_f1r2, tumor_alt_f1r2=cand.tumor.alt_f1r2,
            prob=prob, germline_prob=float(germline[i]), qual=float(quals[i]),
            population_af=None if np.isnan(af) else af, pon=bool(pon_hit[i]),
            filters=tumor_only_filters(
                prob, float(germline[i]), pon=bool(pon_hit[i]), threshold=model.threshold,
                germline_threshold=model.germline_threshold, vartype=cand.vartype,
                ref=cand.ref, alt=cand.alt, tumor_alt=cand.tumor.alt,
                tumor_alt_f1r2=cand.tumor.alt_f1r2, options=filters)))
    if batch.mnvs:
        calls = _merge_mnvs(calls, batch, somatic, germline, model, resource=resource,
                            pon=pon, region=region, filters=filters)
    return calls


def _merge_mnvs(calls: list[TumorOnlyCall], batch: PileupBatch, somatic: np.ndarray,
                germline: np.ndarray, model: TumorOnlyModel, *,
                resource: GermlineResource | None, pon: PanelOfNormalsSites | None,
                region: Region, filters: FilterOptions) -> list[TumorOnlyCall]:
    """Replace the SNVs of each phased MNV by one record, as in matched mode
    (:mod:`onco_genomics.caller.mnv`): PROB and GERMLINE_PROB are the means of its SNVs'."""
    from onco_genomics.caller.inference import phred_quality
    from onco_genomics.caller.mnv import mnv_probability

    index = {(c.pos, c.ref, c.alt): i for i, c in enumerate(batch.candidates)
             if c.vartype == "SNV"}
    afs = resource.allele_frequencies(region) if resource is not None else {}
    pon_sites = pon.alleles(region) if pon is not None else set()
    members: set[tuple[int, str, str]] = set()
    merged: list[TumorOnlyCall] = []
    for mnv in batch.mnvs:
        keys = [key for key in mnv.members if key in index]
        if len(keys) != len(mnv.members):
            raise ValueError(f"MNV {mnv.chrom}:{mnv.pos + 1}: its SNVs were not all scored")
        members.update(keys)
        prob = mnv_probability([float(somatic[index[k]]) for k in keys])
        germline_prob = mnv_probability([float(germline[index[k]]) for k in keys])
        if prob < filters.min_prob_to_report:
            continue
        key = (mnv.pos, mnv.ref, mnv.alt)
        hit = key in pon_sites
        merged.append(TumorOnlyCall(
            chrom=mnv.chrom, pos=mnv.pos, ref=mnv.ref, alt=mnv.alt, vartype="MNV",
            tumor_ref=mnv.tumor.ref, tumor_alt=mnv.tumor.alt, tumor_depth=mnv.tumor.depth,
            tumor_ref_f1r2=mnv.tumor.ref_f1r2, tumor_alt_f1r2=mnv.tumor.alt_f1r2,
            prob=prob, germline_prob=germline_prob,
            qual=float(phred_quality(np.array([prob]))[0]), population_af=afs.get(key),
            pon=hit, filters=tumor_only_filters(
                prob, germline_prob, pon=hit, threshold=model.threshold,
                germline_threshold=model.germline_threshold, vartype="MNV", ref=mnv.ref,
                alt=mnv.alt, tumor_alt=mnv.tumor.alt, tumor_alt_f1r2=mnv.tumor.alt_f1r2,
                options=filters)))
    kept = [c for c in calls if c.vartype != "SNV" or (c.pos, c.ref, c.alt) not in members]
    return sorted(kept + merged, key=lambda c: (c.pos, c.ref, c.alt))


def call_tumor_only(tumor: str | os.PathLike[str], *, reference: str | os.PathLike[str],
                    output: str | os.PathLike[str],
                    germline_resource: str | os.PathLike[str] | None = None,
                    panel_of_normals: str | os.PathLike[str] | None = None,
                    regions: Sequence[str] = (), bed: str | os.PathLike[str] | None = None,
                    threads: int = 1, model: str | os.PathLike[str] | None = None,
                    min_af: float = 0.02, device: str = "auto",
                    chunk_size: int = DEFAULT_CHUNK_SIZE, tumor_sample: str | None = None,
                    filters: FilterOptions | None = None,
                    command_line: str | None = None) -> TumorOnlyResult:
    """Call somatic SNVs and indels in a tumor without a matched normal.

    Parameters
    ----------
    tumor
        Indexed, coordinate-sorted BAM/CRAM of the tumor.
    reference
        FASTA the reads were aligned to.
    output
        Output VCF (``.vcf.gz``: bgzipped and tabix-indexed), written atomically.
    germline_resource
        Bgzipped, tabix-indexed VCF with INFO/AF (gnomAD, or ``population.vcf.gz`` of
        ``oncogen simulate --population-sites``).
    panel_of_normals
        ``oncogen pon`` output (FILTER panel_of_normals, INFO PON).
    regions, bed, threads, min_af, device, chunk_size, tumor_sample, filters
        As :func:`~onco_genomics.caller.calling.call_somatic`.
    model
        Tumor-only model folder; None: the shipped one. A matched model is refused.
    command_line
        Recorded in the VCF header.

    Returns
    -------
    TumorOnlyResult
        Output path, the calls written, candidates scored.
    """
    from onco_genomics.caller.inference import resolve_device
    from onco_genomics.caller.scanning import ChunkScanner
    from onco_genomics.caller.tumor_only_model import (
        load_tumor_only_model,
        read_tumor_only_metadata,
    )
    from onco_genomics.io.variants import write_vcf
    from onco_genomics.pileup.candidates import PileupOptions

    options = TumorOnlyOptions(
        tumor=Path(tumor), reference=Path(reference), output=Path(output),
        germline_resource=None if germline_resource is None else Path(germline_resource),
        panel_of_normals=None if panel_of_normals is None else Path(panel_of_normals),
        regions=tuple(regions), bed=None if bed is None else Path(bed), threads=threads,
        model=None if model is None else Path(model), min_af=min_af, device=device,
        chunk_size=chunk_size, tumor_sample=tumor_sample, filters=filters or FilterOptions())
    _, metadata = read_tumor_only_metadata(options.model)  # wrong mode: refused before work
    tumor_name, contigs, selected = _check_inputs(options)
    resource, pon = _open_site_sets(options)
    with contextlib.ExitStack() as stack:
        for handle in (resource, pon):
            if handle is not None:
                stack.callback(handle.close)
        chunks = [chunk for region in selected for chunk in region.chunks(options.chunk_size)]
        pileup = PileupOptions(min_af=options.min_af,
                               encoder_version=str(metadata["encoder"]["version"]))
        calls: list[TumorOnlyCall] = []
        n_candidates = 0
        with ChunkScanner(options.tumor, None, options.reference, chunks, options=pileup,
                          threads=options.threads) as scanner:
            loaded = load_tumor_only_model(options.model, device=resolve_device(options.device))
            with Progress(len(chunks), "chunks", rate_label="sites") as bar:
                for index, batch in scanner:
                    calls += score_tumor_only_batch(batch, chunks[index], loaded,
                                                    resource=resource, pon=pon,
                                                    filters=options.filters)
                    n_candidates += len(batch.candidates)
                    bar.update(1, extra=len(batch.candidates))
    extra = [f"##oncogenModel={loaded.path}"]
    for label, path in (("GermlineResource", options.germline_resource),
                        ("PanelOfNormals", options.panel_of_normals)):
        if path is not None:
            extra.append(f"##oncogen{label}={path}")
    header = tumor_only_header(contigs, tumor_sample=tumor_name,
                               reference=str(options.reference), command_line=command_line,
                               extra_lines=extra)
    write_vcf(options.output, header, [c.to_variant(tumor_sample=tumor_name) for c in calls])
    result = TumorOnlyResult(output=options.output, calls=tuple(calls),
                             candidates=n_candidates)
    log.info("wrote %s: %d records, %d PASS (%d candidates scored)", options.output,
             len(calls), result.n_pass, n_candidates)
    return result
