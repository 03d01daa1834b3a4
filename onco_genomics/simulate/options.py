"""Options of the tumor/normal simulator, validated together before any work starts.

:class:`SimulationOptions` holds every setting of
:func:`~onco_genomics.simulate.pair.simulate_pair`. It checks each value and the
combinations (identical sample names, fragments shorter than reads) in ``__post_init__``;
checks that need the reference (regions inside contigs) are done by
:func:`resolve_regions`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onco_genomics.errors import OptionsError
from onco_genomics.regions import Region, merge_regions, parse_region, sort_by_contig_order
from onco_genomics.simulate.spectra import parse_spectrum

log = logging.getLogger(__name__)

#: names of the built-in mutation sources accepted by ``--mutations``
BUILTIN_MUTATION_SOURCES = ("random", "brca-chr20")

#: what the aligner's index holds (``--align-to``)
ALIGN_SCOPES = ("contigs", "regions")

#: read aligners (``--aligner``): minimap2 through mappy, or the ``bwa`` program (bwa mem)
ALIGNERS = ("minimap2", "bwa")

#: base-quality models (``--qualities``): continuous Phred values, or Illumina's 8 bins
QUALITY_MODELS = ("continuous", "binned")

_RANGE_RE = re.compile(r"^\s*([0-9.eE+-]+)\s*-\s*([0-9.eE+-]+)\s*$")


@dataclass(frozen=True)
class VafSpec:
    """How somatic variant allele fractions are drawn.

    Either a range ``low-high`` sampled log-uniformly, or a list of values drawn with
    equal probability. The values are allele fractions in a pure tumor (clonal, purity 1);
    the expected VAF in the tumor BAM is this value times purity times the clone's cancer
    cell fraction.

    Attributes
    ----------
    low, high
        Bounds of the log-uniform range (equal when ``values`` is given).
    values
        Explicit values, or empty for a range.
    """

    low: float
    high: float
    values: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for value in (self.low, self.high, *self.values):
            if not 0.0 < value <= 1.0:
                raise OptionsError(
                    f"--vaf: expected allele fractions in (0, 1], found {value}; "
                    "give a range such as 0.02-0.5 or a list such as 0.05,0.1,0.3"
                )
        if self.low > self.high:
            raise OptionsError(
                f"--vaf: expected LOW <= HIGH, found {self.low}-{self.high}; swap the bounds"
            )

    @classmethod
    def parse(cls, text: str) -> VafSpec:
        """Parse ``"0.02-0.5"`` (log-uniform range), ``"0.1"`` or ``"0.05,0.1,0.3"``.

        Examples
        --------
        >>> VafSpec.parse("0.02-0.5")
        VafSpec(low=0.02, high=0.5, values=())
        >>> VafSpec.parse("0.1,0.3").values
        (0.1, 0.3)
        """
        try:
            match = _RANGE_RE.match(text)
            if match:
                return cls(float(match[1]), float(match[2]))
            values = tuple(float(part) for part in text.split(",") if part.strip())
        except ValueError:
            values = ()
        if not values:
            raise OptionsError(
                f"--vaf: cannot parse {text!r}; expected a range such as 0.02-0.5 or a "
                "comma-separated list such as 0.05,0.1,0.3"
            )
        return cls(min(values), max(values), values)

    def __str__(self) -> str:
        if self.values:
            return ",".join(f"{v:g}" for v in self.values)
        return f"{self.low:g}-{self.high:g}"


@dataclass(frozen=True)
class SimulationOptions:
    """Every setting of one tumor/normal simulation.

    Rates of somatic variants are per megabase of confident sequence, germline rates per
    kilobase; a count (``snv_count``, ``indel_count``) overrides the rate. Depths are read
    depths (both mates counted).

    Attributes
    ----------
    reference
        FASTA (plain or bgzipped, with ``.fai``).
    regions
        User regions, 1-based inclusive text (``20:1000001-2000000``).
    bed
        Optional BED of regions (added to ``regions``).
    seed
        Seed of every random draw; the same seed and inputs give identical BAM records.
    tumor_depth, normal_depth
        Mean read depth of each sample.
    purity
        Fraction of tumor cells in the tumor sample.
    vaf
        Allele fractions of somatic variants in a pure clonal tumor (see :class:`VafSpec`).
    snv_rate, indel_rate
        Somatic SNVs and indels per Mb.
    snv_count, indel_count
        Exact numbers of somatic SNVs and indels (override the rates).
    dbs_rate
        Somatic doublet base substitutions (two adjacent bases changed on one molecule,
        truth TYPE ``MNV``) per Mb; 0 by default, so older seeds give the same variants.
    germline_snv_rate, germline_indel_rate
        Germline SNPs and indels per kb.
    germline_hom_fraction
        Fraction of germline variants that are homozygous.
    subclones
        Cancer cell fractions of subclones, each in (0, 1); somatic variants are assigned
        to the clonal founder or one subclone with equal probability.
    contamination
        Fraction of tumor material in the normal sample.
    read_length, fragment_mean, fragment_sd
        Paired-end read length and fragment-size distribution (normal, truncated).
    dup_rate
        Fraction of read pairs that are PCR duplicates.
    mark_duplicates
        Set the 0x400 flag on duplicates (all copies but one per family), as
        ``samtools markdup`` would.
    pcr_error_fraction
        Fraction of duplicate families whose molecule carries one PCR substitution, seen in
        every copy.
    oxog_rate
        Background 8-oxoG rate: probability that a G on the strand read 1 sequences reads
        as T (G>T on F1R2 pairs, C>A on F2R1 pairs), in both samples.
    oxog_sites
        Recurrent 8-oxoG hotspots per Mb in the tumor only, each affecting 10-40% of the
        pairs of the susceptible orientation (a naive caller calls them).
    ffpe_rate
        Background FFPE deamination rate in the tumor only: probability that a C on the
        strand read 1 sequences reads as T (C>T on F1R2 pairs, G>A on F2R1 pairs).
    ffpe_sites
        Recurrent tumor-only deamination sites per Mb, each affecting 5-25% of the pairs
        of the susceptible orientation (listed in ``artefacts.vcf.gz``, TYPE FFPE).
    qualities
        ``continuous`` Phred qualities, or ``binned`` to Illumina's 8 levels (errors still
        follow the unbinned values).
    mutations
        ``"random"``, ``"brca-chr20"`` (real breast-cancer SNVs shipped with oncogen) or a
        path to a table / VCF / MAF of SNVs.
    snv_spectrum
        COSMIC SBS signatures (``SBS4:0.6,SBS5:0.4``) that randomly drawn SNVs follow in
        trinucleotide context (:mod:`.spectra`); empty: transitions 2:1, any context.
    threads
        Alignment and sorting threads.
    align_to
        ``contigs`` (index the whole contigs holding the regions: realistic mapping) or
        ``regions`` (index the regions and flanks only: faster, no mis-mapping).
    aligner
        ``minimap2`` (mappy, ``sr`` preset) or ``bwa`` (``bwa mem``, the Debian program).
    tumor_sample, normal_sample
        Sample names (``SM`` of the read groups and VCF columns).
    population_sites
        Population variant sites per kb (:mod:`.population`); 0: off. When on, the
        germline of tumor and normal is one individual drawn from the population
        (``population.vcf.gz``, the germline resource) plus ``private_germline_rate``
        variants per Mb absent from it; ``germline_snv_rate``, ``germline_indel_rate`` and
        ``germline_hom_fraction`` are then not used.
    private_germline_rate
        The individual's germline variants per Mb that are not in the population (with
        ``population_sites``; heterozygous).
    recurrent_artefacts
        Sites per Mb where every library (tumor, normal, panel normals) shows a non-reference
        base in 4-15% of fragments (``recurrent.vcf.gz``).
    pon_normals
        Extra normal BAMs (``pon_normal_NN.bam``, other individuals of the population at
        ``normal_depth``) for a panel of normals; needs ``population_sites``.
    """

    reference: Path
    regions: tuple[str, ...] = ()
    bed: Path | None = None
    seed: int = 1
    tumor_depth: float = 60.0
    normal_depth: float = 30.0
    purity: float = 1.0
    vaf: VafSpec = field(default_factory=lambda: VafSpec(0.02, 0.5))
    snv_rate: float = 100.0
    indel_rate: float = 20.0
    snv_count: int | None = None
    indel_count: int | None = None
    dbs_rate: float = 0.0
    germline_snv_rate: float = 1.0
    germline_indel_rate: float = 0.12
    germline_hom_fraction: float = 0.35
    subclones: tuple[float, ...] = ()
    contamination: float = 0.0
    read_length: int = 150
    fragment_mean: float = 350.0
    fragment_sd: float = 60.0
    dup_rate: float = 0.08
    mark_duplicates: bool = True
    pcr_error_fraction: float = 0.3
    oxog_rate: float = 2e-4
    oxog_sites: float = 20.0
    ffpe_rate: float = 0.0
    ffpe_sites: float = 0.0
    qualities: str = "continuous"
    mutations: str = "brca-chr20"
    snv_spectrum: str = ""
    threads: int = 1
    align_to: str = "contigs"
    aligner: str = "minimap2"
    tumor_sample: str = "TUMOR"
    normal_sample: str = "NORMAL"
    population_sites: float = 0.0
    private_germline_rate: float = 20.0
    recurrent_artefacts: float = 0.0
    pon_normals: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "reference", Path(self.reference))
        if self.bed is not None:
            object.__setattr__(self, "bed", Path(self.bed))
        object.__setattr__(self, "regions", tuple(self.regions))
        object.__setattr__(self, "subclones", tuple(float(c) for c in self.subclones))
        self._check()

    # -- validation -----------------------------------------------------------------------

    def _check(self) -> None:
        if not self.regions and self.bed is None:
            raise OptionsError(
                "expected at least one --region or a --bed, found neither; e.g. "
                "--region 20:10000001-11000000"
            )
        _positive("--tumor-depth", self.tumor_depth)
        _positive("--normal-depth", self.normal_depth)
        _fraction("--purity", self.purity, low_open=True)
        _fraction("--contamination", self.contamination, high_open=True)
        _fraction("--germline-hom-fraction", self.germline_hom_fraction)
        _fraction("--dup-rate", self.dup_rate, high_open=True)
        _fraction("--pcr-error-fraction", self.pcr_error_fraction)
        _fraction("--oxog-rate", self.oxog_rate, high_open=True)
        _fraction("--ffpe-rate", self.ffpe_rate, high_open=True)
        for name, value in (("--snv-rate", self.snv_rate), ("--indel-rate", self.indel_rate),
                            ("--dbs-rate", self.dbs_rate),
                            ("--germline-snv-rate", self.germline_snv_rate),
                            ("--germline-indel-rate", self.germline_indel_rate),
                            ("--oxog-sites", self.oxog_sites),
                            ("--ffpe-sites", self.ffpe_sites),
                            ("--population-sites", self.population_sites),
                            ("--private-germline-rate", self.private_germline_rate),
                            ("--recurrent-artefacts", self.recurrent_artefacts)):
            if not (math.isfinite(value) and value >= 0):
                raise OptionsError(f"{name}: expected a rate >= 0, found {value}")
        for name, count in (("--snv-count", self.snv_count), ("--indel-count", self.indel_count)):
            if count is not None and count < 0:
                raise OptionsError(f"{name}: expected a count >= 0, found {count}")
        if self.germline_snv_rate + self.germline_indel_rate > 20:
            raise OptionsError(
                "germline rates: expected at most 20 variants per kb in all, found "
                f"{self.germline_snv_rate + self.germline_indel_rate:g}; lower "
                "--germline-snv-rate / --germline-indel-rate"
            )
        if self.population_sites > 50:
            raise OptionsError(f"--population-sites: expected at most 50 sites per kb, found "
                               f"{self.population_sites:g}")
        if not 0 <= self.pon_normals <= 100:
            raise OptionsError(f"--pon-normals: expected 0-100 normals, found {self.pon_normals}")
        if self.pon_normals and not self.population_sites:
            raise OptionsError("--pon-normals: the panel normals are other individuals of the "
                               "population; add --population-sites (e.g. 10)")
        for ccf in self.subclones:
            if not 0.0 < ccf < 1.0:
                raise OptionsError(
                    f"--subclones: expected cancer cell fractions in (0, 1), found {ccf}; "
                    "the clonal founder (fraction 1) is always present, e.g. --subclones 0.4,0.15"
                )
        if self.read_length < 30 or self.read_length > 500:
            raise OptionsError(
                f"--read-length: expected 30-500 bases, found {self.read_length}"
            )
        _positive("--fragment-mean", self.fragment_mean)
        if self.fragment_sd < 0:
            raise OptionsError(f"--fragment-sd: expected >= 0, found {self.fragment_sd}")
        if self.fragment_mean < self.read_length:
            raise OptionsError(
                f"--fragment-mean: expected at least the read length ({self.read_length}), "
                f"found {self.fragment_mean:g}; reads longer than their fragment (adapter "
                "read-through) are not simulated"
            )
        if self.fragment_mean + 4 * self.fragment_sd > 5000:
            raise OptionsError(
                "--fragment-mean/--fragment-sd: expected fragments shorter than 5 kb, found "
                f"mean {self.fragment_mean:g} sd {self.fragment_sd:g}"
            )
        if self.align_to not in ALIGN_SCOPES:
            raise OptionsError(
                f"--align-to: expected one of {', '.join(ALIGN_SCOPES)}, found {self.align_to!r}"
            )
        if self.aligner not in ALIGNERS:
            raise OptionsError(
                f"--aligner: expected one of {', '.join(ALIGNERS)}, found {self.aligner!r}")
        if self.aligner == "bwa" and shutil.which("bwa") is None:
            raise OptionsError("--aligner bwa: the bwa program is not on PATH; install it "
                               "(Debian/Ubuntu: apt-get install bwa; conda: bioconda::bwa) "
                               "or use --aligner minimap2")
        if self.qualities not in QUALITY_MODELS:
            raise OptionsError(f"--qualities: expected one of {', '.join(QUALITY_MODELS)}, "
                               f"found {self.qualities!r}")
        if self.snv_spectrum:
            parse_spectrum(self.snv_spectrum)
        if self.threads < 1:
            raise OptionsError(f"--threads: expected >= 1, found {self.threads}")
        for flag, name in (("--tumor-sample", self.tumor_sample),
                           ("--normal-sample", self.normal_sample)):
            if not name or any(ch.isspace() for ch in name):
                raise OptionsError(
                    f"{flag}: expected a non-empty name without spaces, found {name!r}"
                )
        if self.tumor_sample == self.normal_sample:
            raise OptionsError(
                f"expected different tumor and normal sample names, found {self.tumor_sample!r} "
                "for both; change --tumor-sample or --normal-sample"
            )
        if self.mutations not in BUILTIN_MUTATION_SOURCES and not Path(self.mutations).is_file():
            raise OptionsError(
                f"--mutations: expected one of {', '.join(BUILTIN_MUTATION_SOURCES)} or an "
                f"existing table/VCF/MAF file, found {self.mutations!r}"
            )
        if not self.reference.is_file():
            raise OptionsError(
                f"--ref: expected a FASTA file, found no file at {self.reference}"
            )
        if self.bed is not None and not self.bed.is_file():
            raise OptionsError(f"--bed: expected a BED file, found no file at {self.bed}")

    # -- derived values -------------------------------------------------------------------

    @property
    def clone_fractions(self) -> tuple[float, ...]:
        """Cancer cell fraction of each clone: the founder (1.0), then the subclones."""
        return (1.0, *self.subclones)

    @property
    def padding(self) -> int:
        """Bases simulated beyond each region so its edges get full depth."""
        return math.ceil(self.fragment_mean + 4 * self.fragment_sd)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view of all options (for ``params.json``)."""
        out: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, VafSpec):
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[item.name] = value
        return out


def _positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise OptionsError(f"{name}: expected a number > 0, found {value}")


def _fraction(name: str, value: float, *, low_open: bool = False,
              high_open: bool = False) -> None:
    low_ok = value > 0 if low_open else value >= 0
    high_ok = value < 1 if high_open else value <= 1
    if not (math.isfinite(value) and low_ok and high_ok):
        interval = ("(" if low_open else "[") + "0, 1" + (")" if high_open else "]")
        raise OptionsError(f"{name}: expected a fraction in {interval}, found {value}")


def resolve_regions(options: SimulationOptions, contig_lengths: Mapping[str, int],
                    bed_regions: Sequence[Region] = ()) -> list[Region]:
    """Parse, check and merge the regions of ``options`` against the reference.

    Parameters
    ----------
    options
        The simulation options (``regions`` text).
    contig_lengths
        Reference contig name -> length, in reference order.
    bed_regions
        Regions already read from ``options.bed``.

    Returns
    -------
    list of Region
        Sorted (reference order), merged, 0-based half-open regions.
    """
    regions = [parse_region(text, contig_lengths) for text in options.regions]
    for region in bed_regions:
        if region.chrom not in contig_lengths or region.end > contig_lengths[region.chrom]:
            raise OptionsError(
                f"--bed: interval {region} is outside the reference contigs; use a BED made "
                "for this reference"
            )
        regions.append(region)
    merged = sort_by_contig_order(merge_regions(regions), contig_lengths)
    total = sum(len(r) for r in merged)
    min_len = 2 * options.padding
    short = [r for r in merged if len(r) < min_len]
    if short:
        raise OptionsError(
            f"expected regions of at least {min_len} bases (two fragment lengths), found "
            f"{short[0]} ({len(short[0])} bases); use larger regions"
        )
    log.info("simulating %d region(s), %s bases", len(merged), f"{total:,}")
    return merged
