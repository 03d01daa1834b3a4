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
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from onco_genomics.io.variants import HeaderField, Variant, VcfHeader

log = logging.getLogger(__name__)

CallType = Literal["SNV", "INS", "DEL"]

FILTERS: tuple[tuple[str, str], ...] = (
    ("LowQual", "Somatic probability (PROB) below the model's threshold"),
    ("NormalSupport", "The normal sample shows the alternate allele (likely germline or "
                      "tumor-in-normal contamination)"),
    ("LowAltReads", "SNV with fewer tumor ALT reads than the caller's floor (default 3): "
                    "coincident sequencing errors dominate there"),
)

INFO_FIELDS: tuple[HeaderField, ...] = (
    HeaderField("SOMATIC", "0", "Flag", "Somatic variant candidate (tumor vs matched normal)"),
    HeaderField("TYPE", "1", "String", "Variant type: SNV, INS or DEL"),
    HeaderField("PROB", "1", "Float", "CNN probability that this allele is somatic"),
)

FORMAT_FIELDS: tuple[HeaderField, ...] = (
    HeaderField("GT", "1", "String", "Genotype"),
    HeaderField("AD", "R", "Integer", "Read depth of the REF and ALT alleles (filtered reads)"),
    HeaderField("DP", "1", "Integer", "Read depth at the site (filtered reads)"),
    HeaderField("AF", "A", "Float", "Allele fraction of the ALT allele (ALT reads / DP)"),
)


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
        LowAltReads for an SNV with fewer tumor ALT reads (indels are not affected: indel
        errors are rare outside homopolymers, which the network sees).
    """

    min_prob_to_report: float = 0.1
    normal_max_alt: int = 2
    normal_max_af: float = 0.1
    min_snv_alt_reads: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_prob_to_report < 1.0:
            raise ValueError(f"min_prob_to_report must be in [0, 1), got {self.min_prob_to_report}")
        if self.normal_max_alt < 0 or not 0.0 <= self.normal_max_af <= 1.0:
            raise ValueError("normal_max_alt must be >= 0 and normal_max_af in [0, 1]")
        if self.min_snv_alt_reads < 1:
            raise ValueError(f"min_snv_alt_reads must be >= 1, got {self.min_snv_alt_reads}")


@dataclass(frozen=True)
class SomaticCall:
    """One scored candidate allele.

    Attributes
    ----------
    chrom, pos, ref, alt, vartype
        The allele (0-based anchor position, VCF alleles).
    tumor_ref, tumor_alt, tumor_depth, normal_ref, normal_alt, normal_depth
        Read counts after the pileup's read filters.
    prob
        Network probability that the allele is somatic.
    qual
        Phred-scaled ``prob`` (-10 log10(1 - prob)).
    filters
        Empty for PASS, else FILTER ids from :data:`FILTERS`.
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

    def __post_init__(self) -> None:
        if self.pos < 0 or not self.ref or not self.alt:
            raise ValueError(f"invalid allele {self.chrom}:{self.pos} {self.ref}>{self.alt}")
        if self.vartype not in ("SNV", "INS", "DEL"):
            raise ValueError(f"vartype must be SNV, INS or DEL, got {self.vartype!r}")
        if not 0.0 <= self.prob <= 1.0:
            raise ValueError(f"prob must be in [0, 1], got {self.prob}")
        known = {name for name, _ in FILTERS}
        if any(f not in known for f in self.filters):
            raise ValueError(f"unknown filter in {self.filters}; known: {sorted(known)}")
        for name in ("tumor_ref", "tumor_alt", "tumor_depth", "normal_ref", "normal_alt",
                     "normal_depth"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")

    @property
    def is_pass(self) -> bool:
        return not self.filters

    @property
    def tumor_af(self) -> float:
        return self.tumor_alt / self.tumor_depth if self.tumor_depth else 0.0

    @property
    def normal_af(self) -> float:
        return self.normal_alt / self.normal_depth if self.normal_depth else 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (per-chunk result files used by ``--resume``)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SomaticCall:
        values = dict(data)
        values["filters"] = tuple(values.get("filters", ()))
        return cls(**values)

    def to_variant(self, *, normal_sample: str, tumor_sample: str) -> Variant:
        """The VCF record: GT 0/0 in the normal, 0/1 in the tumor."""

        def sample(ref: int, alt: int, depth: int, genotype: str) -> dict[str, Any]:
            return {"GT": genotype, "AD": [ref, alt], "DP": depth,
                    "AF": round(alt / depth, 4) if depth else 0.0}

        return Variant(
            chrom=self.chrom, pos=self.pos, ref=self.ref, alt=self.alt, qual=self.qual,
            filters=self.filters or ("PASS",),
            info={"SOMATIC": True, "TYPE": self.vartype, "PROB": round(self.prob, 4)},
            sample_data={
                normal_sample: sample(self.normal_ref, self.normal_alt, self.normal_depth, "0/0"),
                tumor_sample: sample(self.tumor_ref, self.tumor_alt, self.tumor_depth, "0/1"),
            },
        )


def call_filters(prob: float, normal_alt: int, normal_depth: int, *, threshold: float,
                 options: FilterOptions, vartype: str | None = None,
                 tumor_alt: int | None = None) -> tuple[str, ...]:
    """FILTER ids for a scored candidate (empty tuple means PASS).

    ``vartype`` and ``tumor_alt`` enable the LowAltReads floor for SNVs.
    """
    filters = []
    if prob < threshold:
        filters.append("LowQual")
    normal_af = normal_alt / normal_depth if normal_depth else 0.0
    if normal_alt > options.normal_max_alt and normal_af >= options.normal_max_af:
        filters.append("NormalSupport")
    if vartype == "SNV" and tumor_alt is not None and tumor_alt < options.min_snv_alt_reads:
        filters.append("LowAltReads")
    return tuple(filters)


def vcf_header(contigs: Sequence[tuple[str, int]], *, normal_sample: str, tumor_sample: str,
               reference: str | None, command_line: str | None,
               extra_lines: Sequence[str] = ()) -> VcfHeader:
    """The caller's VCF header: samples NORMAL then TUMOR, its INFO/FORMAT/FILTER lines."""
    return VcfHeader(
        contigs=list(contigs),
        samples=[normal_sample, tumor_sample],
        reference=reference,
        info=INFO_FIELDS,
        formats=FORMAT_FIELDS,
        filters=FILTERS,
        command_line=command_line,
        extra_lines=[f"##normal_sample={normal_sample}", f"##tumor_sample={tumor_sample}",
                     *extra_lines],
    )
