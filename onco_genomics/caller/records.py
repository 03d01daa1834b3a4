"""Scored candidates (:class:`SomaticCall`), their filters, and their VCF representation.

FILTER values written by the caller:

``PASS``
    Probability at or above the model's threshold and no other filter.
``LowQual``
    Probability below the model's threshold.
``NormalSupport``
    The normal shows the allele clearly (at least ``normal_max_alt + 1`` reads and an
    allele fraction of at least ``normal_max_af``): a germline variant or a tumor-in-normal
    contaminated site that the network still scored high.
``LowAltReads``
    An SNV with fewer than ``min_snv_alt_reads`` (3) tumor ALT reads. Two coincident
    sequencing errors at one position are far more common than true 2-read variants
    (about 8 noise alleles per true one at 60x, benchmarks/caller_lowvaf_ceiling.py), and
    the network's probabilities do not separate them; the record is kept so that a user
    with a dense truth or a high-depth panel can take them back (``--min-snv-alt-reads 2``).
``LowNormalDepth``
    Fewer than ``min_normal_depth`` (1) normal reads cover the site: with no normal
    evidence a germline variant cannot be told from a somatic one, so the call is not PASS
    however high the network scores it (a normal without coverage there, or an empty one).
``panel_of_normals``
    The allele is in the panel of normals given with ``--panel-of-normals`` (``oncogen pon``;
    declared in the header, with INFO ``PON``, only when a panel is given).
``OrientationBias``
    An SNV of the damage classes (:data:`DAMAGE_CLASSES`: C>A/G>T, C>T/G>A, by default)
    whose tumor ALT reads come from one pair orientation (F1R2 or F2R1): the one-sided
    binomial probability of seeing at least the larger of the two orientation counts of
    ``n`` ALT reads when each orientation has probability 0.5 is below
    ``orientation_bias_p``, *and* at most ``orientation_bias_max_minor`` (10%) of the ALT
    reads are in the other orientation. Oxidative damage of G (8-oxoG, G>T/C>A) and deamination of C
    (C>T/G>A) during library preparation put the artefact on one strand of the original
    molecule, so all its reads share one pair orientation; true variants are seen in both.
    The second condition separates "one-sided" from "unbalanced": at every 8-oxoG site of
    four training pairs the ALT reads were 100% one-sided, while true SNVs that the p value
    alone flags (about 1% of true C>A/C>T at p < 0.01, by chance) had 18-29% of their
    reads in the minor orientation.
    Mutect2 reports the same F1R2/F2R1 counts and filters on them with a learnt model.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from onco_genomics.io.variants import HeaderField, Variant, VcfHeader

log = logging.getLogger(__name__)

CallType = Literal["SNV", "MNV", "INS", "DEL"]
#: default OrientationBias threshold, chosen on training pairs of the shipped model (t04,
#: t01, t06, t08): at p < 0.01 it flags 16 of 31 calls at simulated 8-oxoG sites and 2 of
#: 1,023 true SNVs, and none with the minor-orientation condition (docs/caller.md,
#: "Orientation bias")
DEFAULT_ORIENTATION_BIAS_P = 0.01
#: OrientationBias needs at most this share of the ALT reads in the minor orientation
DEFAULT_ORIENTATION_BIAS_MAX_MINOR = 0.1

#: the FILTER LowAltReads line of both modes' headers
LOW_ALT_READS_DESCRIPTION = ("SNV or indel with fewer tumor ALT reads than the caller's floor "
                             "(--min-snv-alt-reads, default 3; --min-indel-alt-reads, default 2 "
                             "= every indel candidate): coincident sequencing errors dominate "
                             "there")
#: default indel ALT-read floor: 2, the candidate floor, so no indel candidate is flagged. A
#: floor of 3 was measured on the tuning pair heldout_60x and loses in both modes (PASS
#: indels with 2 ALT reads: 29 true / 1 false matched, 29 true / 14 false tumor-only;
#: docs/caller.md, "Indel read floor")
DEFAULT_MIN_INDEL_ALT_READS = 2

#: the indel rescue (:func:`strong_indel_evidence`): tumor ALT reads and AF. Chosen on the
#: tuning pair heldout_60x among 4-10 reads x AF 0.1-0.2 (the setting rescuing most true
#: indels there with no false one, the stricter on a tie); docs/caller.md "Indel rescue"
DEFAULT_INDEL_RESCUE_READS = 5
DEFAULT_INDEL_RESCUE_AF = 0.1
#: depth both samples need for the rescue, as the allele-count rule's
RESCUE_MIN_DEPTH = 10

FILTERS: tuple[tuple[str, str], ...] = (
    ("LowQual", "Somatic probability (PROB) below the model's threshold"),
    ("NormalSupport", "The normal sample shows the alternate allele (likely germline or "
                      "tumor-in-normal contamination)"),
    ("LowAltReads", LOW_ALT_READS_DESCRIPTION),
    ("LowNormalDepth", "Fewer normal reads than the caller's --min-normal-depth (default 1): "
                       "without normal evidence the call cannot be told somatic"),
    ("OrientationBias", "C>A/G>T or C>T/G>A SNV whose tumor ALT reads come from one pair "
                        "orientation (F1R2 or F2R1; one-sided binomial p below the caller's "
                        "--orientation-bias-p and at most --orientation-bias-max-minor of "
                        "them in the other orientation): likely an 8-oxoG or deamination "
                        "artefact"),
)

#: FILTER and INFO of a call whose allele is in the panel of normals (``--panel-of-normals``;
#: declared in the header only when a panel is given, so runs without one are unchanged)
PON_FILTER = ("panel_of_normals", "The allele is in the panel of normals (--panel-of-normals): "
              "a recurrent artefact of the pipeline or a common germline allele")
PON_INFO = HeaderField("PON", "0", "Flag", "The allele is in the panel of normals")

INFO_FIELDS: tuple[HeaderField, ...] = (
    HeaderField("SOMATIC", "0", "Flag", "Somatic variant candidate (tumor vs matched normal)"),
    HeaderField("TYPE", "1", "String", "Variant type: SNV, MNV (adjacent substitutions carried "
                "by the same reads), INS or DEL"),
    HeaderField("PROB", "1", "Float", "CNN probability that this allele is somatic"),
    HeaderField("RESCUED", "0", "Flag", "Indel passed on its read evidence although PROB is "
                "below the threshold (tumor ALT reads and AF at or above the caller's "
                "--indel-rescue-reads/--indel-rescue-af, the allele-count rule's normal "
                "conditions)"),
)

FORMAT_FIELDS: tuple[HeaderField, ...] = (
    HeaderField("GT", "1", "String", "Genotype"),
    HeaderField("AD", "R", "Integer", "Read depth of the REF and ALT alleles (filtered reads)"),
    HeaderField("DP", "1", "Integer", "Read depth at the site (filtered reads)"),
    HeaderField("AF", "A", "Float", "Allele fraction of the ALT allele (ALT reads / DP)"),
    HeaderField("F1R2", "R", "Integer",
                "Count of reads in F1R2 pair orientation supporting each allele"),
    HeaderField("F2R1", "R", "Integer",
                "Count of reads in F2R1 pair orientation supporting each allele"),
)


#: the six pyrimidine-centred SNV classes
SUBSTITUTION_CLASSES: tuple[str, ...] = ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G")
#: classes made by library-preparation damage on one strand: 8-oxoG (G>T, seen as C>A
#: on the other strand) and cytosine deamination (C>T)
DAMAGE_CLASSES: tuple[str, ...] = ("C>A", "C>T")
_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def substitution_class(ref: str, alt: str) -> str:
    """The pyrimidine-centred class of an SNV: ``G>T`` and ``C>A`` are both ``C>A``."""
    if ref in ("G", "A"):
        ref, alt = ref.translate(_COMPLEMENT), alt.translate(_COMPLEMENT)
    return f"{ref}>{alt}"


def orientation_bias_pvalue(alt_f1r2: int, alt_f2r1: int) -> float:
    """One-sided binomial p that the larger orientation count is this large by chance.

    ``P(X >= max(alt_f1r2, alt_f2r1))`` for ``X ~ Binomial(alt_f1r2 + alt_f2r1, 0.5)``;
    1.0 without ALT reads. Six ALT reads all in one orientation give 0.5**6 = 0.016.
    """
    n = alt_f1r2 + alt_f2r1
    if n <= 0:
        return 1.0
    # exact, in integers: sum_{k >= m} C(n, k) / 2**n (scipy.stats.binom.sf gives the same,
    # but importing scipy.stats costs ~1 s of the caller's serial start-up)
    m = max(alt_f1r2, alt_f2r1)
    return float(Fraction(sum(math.comb(n, k) for k in range(m, n + 1)), 2 ** n))


@dataclass(frozen=True)
class FilterOptions:
    """Thresholds of the hand filters applied after the network.

    Attributes
    ----------
    min_prob_to_report
        Candidates scoring below this are not written at all (above it and below the
        model threshold they are written as LowQual).
    normal_max_alt, normal_max_af
        NormalSupport when the normal has more than ``normal_max_alt`` ALT reads and an
        ALT fraction of at least ``normal_max_af``.
    min_snv_alt_reads
        LowAltReads for an SNV with fewer tumor ALT reads.
    min_indel_alt_reads
        LowAltReads for an indel (INS/DEL) with fewer tumor ALT reads; the default, 2, is
        the candidate floor, so no indel is flagged (:data:`DEFAULT_MIN_INDEL_ALT_READS`).
    min_normal_depth
        LowNormalDepth for a call with fewer normal reads (DP) than this.
    orientation_bias_p
        OrientationBias for an SNV of ``orientation_bias_classes`` whose tumor ALT reads'
        :func:`orientation_bias_pvalue` is below this; 0 turns the filter off.
    orientation_bias_max_minor
        ... and at most this fraction of those reads in the minor orientation (1 drops the
        condition).
    orientation_bias_classes
        Pyrimidine-centred substitution classes (:data:`SUBSTITUTION_CLASSES`) the
        OrientationBias filter applies to.
    indel_rescue_min_alt_reads, indel_rescue_min_af
        An indel with at least this many tumor ALT reads and this tumor allele fraction,
        whose normal meets the allele-count rule (:func:`strong_indel_evidence`), is not
        LowQual whatever its PROB; 0 reads turns the rescue off.
    """

    min_prob_to_report: float = 0.1
    normal_max_alt: int = 2
    normal_max_af: float = 0.1
    min_snv_alt_reads: int = 3
    min_indel_alt_reads: int = DEFAULT_MIN_INDEL_ALT_READS
    min_normal_depth: int = 1
    orientation_bias_p: float = DEFAULT_ORIENTATION_BIAS_P
    orientation_bias_max_minor: float = DEFAULT_ORIENTATION_BIAS_MAX_MINOR
    orientation_bias_classes: tuple[str, ...] = DAMAGE_CLASSES
    indel_rescue_min_alt_reads: int = DEFAULT_INDEL_RESCUE_READS
    indel_rescue_min_af: float = DEFAULT_INDEL_RESCUE_AF

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_prob_to_report < 1.0:
            raise ValueError(f"min_prob_to_report must be in [0, 1), got {self.min_prob_to_report}")
        if self.normal_max_alt < 0 or not 0.0 <= self.normal_max_af <= 1.0:
            raise ValueError("normal_max_alt must be >= 0 and normal_max_af in [0, 1]")
        if self.min_snv_alt_reads < 1:
            raise ValueError(f"min_snv_alt_reads must be >= 1, got {self.min_snv_alt_reads}")
        if self.min_indel_alt_reads < 1:
            raise ValueError(f"min_indel_alt_reads must be >= 1, got {self.min_indel_alt_reads}")
        if self.min_normal_depth < 0:
            raise ValueError(f"min_normal_depth must be >= 0, got {self.min_normal_depth}")
        if not 0.0 <= self.orientation_bias_p < 1.0:
            raise ValueError(f"orientation_bias_p must be in [0, 1) (0: off), got "
                             f"{self.orientation_bias_p}")
        if not 0.0 <= self.orientation_bias_max_minor <= 1.0:
            raise ValueError(f"orientation_bias_max_minor must be in [0, 1], got "
                             f"{self.orientation_bias_max_minor}")
        if self.indel_rescue_min_alt_reads < 0:
            raise ValueError(f"indel_rescue_min_alt_reads must be >= 0 (0: off), got "
                             f"{self.indel_rescue_min_alt_reads}")
        if not 0.0 <= self.indel_rescue_min_af <= 1.0:
            raise ValueError(f"indel_rescue_min_af must be in [0, 1], got "
                             f"{self.indel_rescue_min_af}")
        unknown = set(self.orientation_bias_classes) - set(SUBSTITUTION_CLASSES)
        if unknown:
            raise ValueError(f"orientation_bias_classes: expected classes among "
                             f"{', '.join(SUBSTITUTION_CLASSES)}, got {sorted(unknown)}")


@dataclass(frozen=True)
class SomaticCall:
    """One scored candidate allele.

    Attributes
    ----------
    chrom, pos, ref, alt, vartype
        The allele: ``pos`` is **0-based** (the coordinate convention inside oncogen), so
        the VCF's 1-based POS is ``pos + 1`` (:attr:`vcf_pos`); VCF alleles.
    tumor_ref, tumor_alt, tumor_depth, normal_ref, normal_alt, normal_depth
        Read counts after the pileup's read filters.
    prob
        Network probability that the allele is somatic.
    qual
        Phred-scaled ``prob`` (-10 log10(1 - prob)).
    filters
        Empty for PASS, else FILTER ids from :data:`FILTERS`.
    tumor_ref_f1r2, tumor_alt_f1r2, normal_ref_f1r2, normal_alt_f1r2
        The part of the REF and ALT read counts in F1R2 pair orientation (read 1 forward
        or read 2 reverse); the rest are F2R1 (``tumor_alt_f2r1`` ...).
    rescued
        An indel that PROB alone would have left LowQual (or unwritten) but whose read
        evidence meets the rescue rule (:func:`strong_indel_evidence`); INFO ``RESCUED``.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    vartype: CallType
    tumor_ref: int
    tumor_alt: int
    tumor_depth: int
    normal_ref: int
    normal_alt: int
    normal_depth: int
    prob: float
    qual: float
    filters: tuple[str, ...] = ()
    tumor_ref_f1r2: int = 0
    tumor_alt_f1r2: int = 0
    normal_ref_f1r2: int = 0
    normal_alt_f1r2: int = 0
    rescued: bool = False

    @property
    def vcf_pos(self) -> int:
        """1-based position, as in the VCF's POS column (``pos + 1``)."""
        return self.pos + 1

    def __post_init__(self) -> None:
        if self.pos < 0 or not self.ref or not self.alt:
            raise ValueError(f"invalid allele {self.chrom}:{self.pos} {self.ref}>{self.alt}")
        if self.vartype not in ("SNV", "MNV", "INS", "DEL"):
            raise ValueError(f"vartype must be SNV, MNV, INS or DEL, got {self.vartype!r}")
        if not 0.0 <= self.prob <= 1.0:
            raise ValueError(f"prob must be in [0, 1], got {self.prob}")
        known = {name for name, _ in FILTERS} | {PON_FILTER[0]}
        if any(f not in known for f in self.filters):
            raise ValueError(f"unknown filter in {self.filters}; known: {sorted(known)}")
        for name in ("tumor_ref", "tumor_alt", "tumor_depth", "normal_ref", "normal_alt",
                     "normal_depth"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        for sample in ("tumor", "normal"):
            for allele in ("ref", "alt"):
                f1r2 = getattr(self, f"{sample}_{allele}_f1r2")
                total = getattr(self, f"{sample}_{allele}")
                if not 0 <= f1r2 <= total:
                    raise ValueError(f"{sample}_{allele}_f1r2 must be in 0..{sample}_{allele} "
                                     f"({total}), got {f1r2}")

    @property
    def is_pass(self) -> bool:
        return not self.filters

    @property
    def tumor_af(self) -> float:
        return self.tumor_alt / self.tumor_depth if self.tumor_depth else 0.0

    @property
    def normal_af(self) -> float:
        return self.normal_alt / self.normal_depth if self.normal_depth else 0.0

    @property
    def tumor_alt_f2r1(self) -> int:
        return self.tumor_alt - self.tumor_alt_f1r2

    @property
    def orientation_bias_p(self) -> float:
        """:func:`orientation_bias_pvalue` of the tumor ALT reads."""
        return orientation_bias_pvalue(self.tumor_alt_f1r2, self.tumor_alt_f2r1)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (per-chunk result files used by ``--resume``)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SomaticCall:
        """Inverse of :meth:`to_json`; every field must be present (no silent zeros)."""
        values = dict(data)
        missing = sorted(set(cls.__dataclass_fields__) - set(values))
        if missing:
            raise ValueError(f"SomaticCall record lacks {', '.join(missing)}; it was written "
                             "by an older oncogen")
        values["filters"] = tuple(values["filters"])
        return cls(**values)

    def to_variant(self, *, normal_sample: str, tumor_sample: str) -> Variant:
        """The VCF record: GT 0/0 in the normal, 0/1 in the tumor."""

        def sample(ref: int, alt: int, depth: int, ref_f1r2: int, alt_f1r2: int,
                   genotype: str) -> dict[str, Any]:
            return {"GT": genotype, "AD": [ref, alt], "DP": depth,
                    "AF": round(alt / depth, 4) if depth else 0.0,
                    "F1R2": [ref_f1r2, alt_f1r2],
                    "F2R1": [ref - ref_f1r2, alt - alt_f1r2]}

        return Variant(
            chrom=self.chrom, pos=self.pos, ref=self.ref, alt=self.alt, qual=self.qual,
            filters=self.filters or ("PASS",),
            info={"SOMATIC": True, "TYPE": self.vartype, "PROB": round(self.prob, 4),
                  **({"RESCUED": True} if self.rescued else {}),
                  **({"PON": True} if PON_FILTER[0] in self.filters else {})},
            sample_data={
                normal_sample: sample(self.normal_ref, self.normal_alt, self.normal_depth,
                                      self.normal_ref_f1r2, self.normal_alt_f1r2, "0/0"),
                tumor_sample: sample(self.tumor_ref, self.tumor_alt, self.tumor_depth,
                                     self.tumor_ref_f1r2, self.tumor_alt_f1r2, "0/1"),
            },
        )


def orientation_biased(ref: str, alt: str, alt_f1r2: int, alt_f2r1: int, *,
                       options: FilterOptions) -> bool:
    """Whether an SNV gets FILTER OrientationBias (see :class:`FilterOptions`)."""
    if options.orientation_bias_p <= 0.0 or len(ref) != 1 or len(alt) != 1:
        return False
    if substitution_class(ref, alt) not in options.orientation_bias_classes:
        return False
    n = alt_f1r2 + alt_f2r1
    if n == 0 or min(alt_f1r2, alt_f2r1) > options.orientation_bias_max_minor * n:
        return False
    return orientation_bias_pvalue(alt_f1r2, alt_f2r1) < options.orientation_bias_p


def too_few_alt_reads(vartype: str, tumor_alt: int, options: FilterOptions) -> bool:
    """Whether a call of ``vartype`` with ``tumor_alt`` tumor ALT reads is under its
    LowAltReads floor (SNV: ``min_snv_alt_reads``; INS/DEL: ``min_indel_alt_reads``; MNVs
    are never flagged, docs/caller.md "MNVs")."""
    if vartype == "SNV":
        return tumor_alt < options.min_snv_alt_reads
    if vartype in ("INS", "DEL"):
        return tumor_alt < options.min_indel_alt_reads
    return False


def strong_indel_evidence(vartype: str, tumor_alt: int, tumor_depth: int, normal_alt: int,
                          normal_depth: int, options: FilterOptions) -> bool:
    """Whether an indel's reads alone make the case: at least
    ``options.indel_rescue_min_alt_reads`` tumor ALT reads and ``indel_rescue_min_af`` tumor
    allele fraction, and the allele-count rule's conditions on the normal (depth >= 10 in
    both, at most 1 normal ALT read, normal AF x 5 < tumor AF).

    Such an indel is not marked LowQual whatever its PROB: out of the simulator's
    distribution the network scores some one-base homopolymer extensions with tens of
    clean reads near 0 (docs/benchmarks/caller_ood.md).
    """
    if (options.indel_rescue_min_alt_reads == 0 or vartype not in ("INS", "DEL")
            or tumor_depth < RESCUE_MIN_DEPTH or normal_depth < RESCUE_MIN_DEPTH):
        return False
    tumor_af = tumor_alt / tumor_depth
    return (tumor_alt >= options.indel_rescue_min_alt_reads
            and tumor_af >= options.indel_rescue_min_af and normal_alt <= 1
            and 5 * normal_alt / normal_depth < tumor_af)


def call_filters(prob: float, normal_alt: int, normal_depth: int, *, threshold: float,
                 options: FilterOptions, vartype: str | None = None,
                 tumor_alt: int | None = None, ref: str | None = None,
                 alt: str | None = None, tumor_alt_f1r2: int | None = None,
                 rescued: bool = False) -> tuple[str, ...]:
    """FILTER ids for a scored candidate (empty tuple means PASS).

    ``vartype`` and ``tumor_alt`` enable the LowAltReads floors; with ``ref``,
    ``alt`` and ``tumor_alt_f1r2`` as well, the OrientationBias filter. ``rescued`` (see
    :func:`strong_indel_evidence`) drops LowQual.
    """
    filters = []
    if prob < threshold and not rescued:
        filters.append("LowQual")
    normal_af = normal_alt / normal_depth if normal_depth else 0.0
    if normal_alt > options.normal_max_alt and normal_af >= options.normal_max_af:
        filters.append("NormalSupport")
    if vartype is not None and tumor_alt is not None and too_few_alt_reads(vartype, tumor_alt,
                                                                           options):
        filters.append("LowAltReads")
    if normal_depth < options.min_normal_depth:
        filters.append("LowNormalDepth")
    if (vartype == "SNV" and tumor_alt is not None and tumor_alt_f1r2 is not None
            and ref is not None and alt is not None
            and orientation_biased(ref, alt, tumor_alt_f1r2, tumor_alt - tumor_alt_f1r2,
                                   options=options)):
        filters.append("OrientationBias")
    return tuple(filters)


def vcf_header(contigs: Sequence[tuple[str, int]], *, normal_sample: str, tumor_sample: str,
               reference: str | None, command_line: str | None,
               extra_lines: Sequence[str] = (), panel_of_normals: bool = False) -> VcfHeader:
    """The caller's VCF header: samples NORMAL then TUMOR, its INFO/FORMAT/FILTER lines
    (with ``panel_of_normals``, also FILTER panel_of_normals and INFO PON)."""
    return VcfHeader(
        contigs=list(contigs),
        samples=[normal_sample, tumor_sample],
        reference=reference,
        info=INFO_FIELDS + ((PON_INFO,) if panel_of_normals else ()),
        formats=FORMAT_FIELDS,
        filters=FILTERS + ((PON_FILTER,) if panel_of_normals else ()),
        command_line=command_line,
        extra_lines=[f"##normal_sample={normal_sample}", f"##tumor_sample={tumor_sample}",
                     *extra_lines],
    )
