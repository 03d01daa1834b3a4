"""Tumor-only calls (:class:`TumorOnlyCall`), their filters and VCF representation.

FILTER values of a tumor-only VCF (declared in its header):

``PASS``
    ``P(somatic)`` (PROB) at or above the model's threshold and no other filter.
``LowQual``
    PROB below the model's threshold.
``germline``
    ``P(germline)`` (GERMLINE_PROB) at or above the model's germline threshold, or above
    ``P(somatic)`` (the likelier of the two): the allele looks inherited (population
    frequency, VAF at the level of the nearby heterozygous sites), as Mutect2's filter of
    that name.
``panel_of_normals``
    The allele is in the panel of normals (``--panel-of-normals``): a recurrent artefact of
    the pipeline or a common germline allele.
``LowAltReads``, ``OrientationBias``
    As in matched mode (:mod:`onco_genomics.caller.records`).

INFO: ``SOMATIC``, ``TYPE``, ``PROB``, ``GERMLINE_PROB``, ``POP_AF`` (the resource's AF, when
it holds the allele) and ``PON`` (flag: in the panel of normals). One sample column, the
tumor's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from onco_genomics.caller.records import (
    FORMAT_FIELDS,
    LOW_ALT_READS_DESCRIPTION,
    PON_FILTER,
    PON_INFO,
    FilterOptions,
    orientation_biased,
    too_few_alt_reads,
)
from onco_genomics.io.variants import HeaderField, Variant, VcfHeader

GERMLINE_FILTER = ("germline", "GERMLINE_PROB at or above the tumor-only model's germline "
                   "threshold or above PROB: the allele looks inherited (population allele "
                   "frequency, VAF at the level of nearby heterozygous germline sites)")
TUMOR_ONLY_FILTERS: tuple[tuple[str, str], ...] = (
    ("LowQual", "Somatic probability (PROB) below the model's threshold"),
    GERMLINE_FILTER,
    PON_FILTER,
    ("LowAltReads", LOW_ALT_READS_DESCRIPTION),
    ("OrientationBias", "C>A/G>T or C>T/G>A SNV whose tumor ALT reads come from one pair "
                        "orientation: likely an 8-oxoG or deamination artefact"),
)
TUMOR_ONLY_INFO: tuple[HeaderField, ...] = (
    HeaderField("SOMATIC", "0", "Flag", "Somatic variant candidate (tumor-only mode)"),
    HeaderField("TYPE", "1", "String", "Variant type: SNV, MNV, INS or DEL"),
    HeaderField("PROB", "1", "Float", "Tumor-only CNN probability that this allele is somatic "
                "(MNV: the mean of its SNVs')"),
    HeaderField("GERMLINE_PROB", "1", "Float",
                "Tumor-only CNN probability that this allele is germline"),
    HeaderField("POP_AF", "1", "Float",
                "Population allele frequency of the allele in the germline resource"),
    PON_INFO,
)


@dataclass(frozen=True)
class TumorOnlyCall:
    """One scored tumor-only candidate allele (``pos`` 0-based; VCF alleles)."""

    chrom: str
    pos: int
    ref: str
    alt: str
    vartype: str
    tumor_ref: int
    tumor_alt: int
    tumor_depth: int
    tumor_ref_f1r2: int
    tumor_alt_f1r2: int
    prob: float
    germline_prob: float
    qual: float
    population_af: float | None
    pon: bool
    filters: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (0.0 <= self.prob <= 1.0 and 0.0 <= self.germline_prob <= 1.0):
            raise ValueError(f"probabilities must be in [0, 1]: {self}")
        known = {name for name, _ in TUMOR_ONLY_FILTERS}
        if any(f not in known for f in self.filters):
            raise ValueError(f"unknown filter in {self.filters}; known: {sorted(known)}")

    @property
    def is_pass(self) -> bool:
        return not self.filters

    def to_variant(self, *, tumor_sample: str) -> Variant:
        """The VCF record (GT 0/1 in the tumor, the only sample)."""
        info: dict[str, Any] = {"SOMATIC": True, "TYPE": self.vartype,
                                "PROB": round(self.prob, 4),
                                "GERMLINE_PROB": round(self.germline_prob, 4)}
        if self.population_af is not None:
            info["POP_AF"] = float(f"{self.population_af:.4g}")
        if self.pon:
            info["PON"] = True
        depth = self.tumor_depth
        return Variant(
            chrom=self.chrom, pos=self.pos, ref=self.ref, alt=self.alt, qual=self.qual,
            filters=self.filters or ("PASS",), info=info,
            sample_data={tumor_sample: {
                "GT": "0/1", "AD": [self.tumor_ref, self.tumor_alt], "DP": depth,
                "AF": round(self.tumor_alt / depth, 4) if depth else 0.0,
                "F1R2": [self.tumor_ref_f1r2, self.tumor_alt_f1r2],
                "F2R1": [self.tumor_ref - self.tumor_ref_f1r2,
                         self.tumor_alt - self.tumor_alt_f1r2]}})


def tumor_only_filters(prob: float, germline_prob: float, *, pon: bool, threshold: float,
                       germline_threshold: float, vartype: str, ref: str, alt: str,
                       tumor_alt: int, tumor_alt_f1r2: int,
                       options: FilterOptions) -> tuple[str, ...]:
    """FILTER ids of a tumor-only call (empty: PASS)."""
    filters = []
    if prob < threshold:
        filters.append("LowQual")
    if germline_prob >= germline_threshold or germline_prob > prob:
        filters.append("germline")
    if pon:
        filters.append("panel_of_normals")
    if too_few_alt_reads(vartype, tumor_alt, options):
        filters.append("LowAltReads")
    if vartype == "SNV" and orientation_biased(ref, alt, tumor_alt_f1r2,
                                               tumor_alt - tumor_alt_f1r2, options=options):
        filters.append("OrientationBias")
    return tuple(filters)


def tumor_only_header(contigs: Sequence[tuple[str, int]], *, tumor_sample: str,
                      reference: str | None, command_line: str | None,
                      extra_lines: Sequence[str] = ()) -> VcfHeader:
    """The tumor-only VCF header: one sample, its INFO/FORMAT/FILTER lines."""
    return VcfHeader(contigs=list(contigs), samples=[tumor_sample], reference=reference,
                     info=TUMOR_ONLY_INFO, formats=FORMAT_FIELDS, filters=TUMOR_ONLY_FILTERS,
                     command_line=command_line,
                     extra_lines=["##oncogenMode=tumor-only", f"##tumor_sample={tumor_sample}",
                                  *extra_lines])
