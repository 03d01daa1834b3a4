"""Training labels: which candidates are true somatic variants.

A candidate is positive when its ``(chrom, pos, ref, alt)`` equals a truth variant's, both
sides left-aligned and trimmed against the reference
(:func:`onco_genomics.io.normalize.normalize_variant`). Everything else is negative:
germline sites (listed in ``germline.vcf.gz``, kept as a flag for reporting), sequencing
errors and the simulator's artefacts. A truth MNV (REF and ALT of equal length, e.g. a DBS)
is split into its SNVs, since the network scores each base of an MNV as an SNV candidate
(:mod:`onco_genomics.caller.mnv`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from onco_genomics.caller.network import VARIANT_CLASSES, allele_targets
from onco_genomics.io.normalize import SequenceSource, normalize_variant
from onco_genomics.io.variants import Variant
from onco_genomics.regions import Region

if TYPE_CHECKING:
    from onco_genomics.pileup.candidates import Candidate

log = logging.getLogger(__name__)

AlleleKey = tuple[str, int, str, str]


def allele_key(variant: Variant, reference: SequenceSource) -> AlleleKey:
    """``(chrom, pos, ref, alt)`` of a variant after left-alignment and trimming."""
    norm = normalize_variant(variant, reference)
    return norm.chrom, norm.pos, norm.ref, norm.alt


@dataclass(frozen=True)
class TruthSet:
    """Somatic truth (key -> expected VAF, NaN if absent) and germline keys."""

    somatic: Mapping[AlleleKey, float] = field(default_factory=dict)
    germline: frozenset[AlleleKey] = frozenset()

    def in_regions(self, regions: Sequence[Region]) -> TruthSet:
        """The subset whose positions fall inside ``regions``."""

        def inside(key: AlleleKey) -> bool:
            return any(r.contains(key[0], key[1]) for r in regions)

        return TruthSet(somatic={k: v for k, v in self.somatic.items() if inside(k)},
                        germline=frozenset(k for k in self.germline if inside(k)))


def _snv_keys(key: AlleleKey) -> list[AlleleKey]:
    """An MNV's changed bases as SNV keys; any other allele as itself."""
    chrom, pos, ref, alt = key
    if len(ref) != len(alt) or len(ref) < 2:
        return [key]
    return [(chrom, pos + i, r, a) for i, (r, a) in enumerate(zip(ref, alt, strict=True))
            if r != a]


def _vaf(variant: Variant) -> float:
    value = variant.info.get("VAF")
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def load_truth(truth_vcf: str | Path, reference: SequenceSource, *,
               germline_vcf: str | Path | None = None) -> TruthSet:
    """Read and normalise a somatic truth VCF (and optionally a germline VCF)."""
    from onco_genomics.io.variants import read_variants

    somatic = {key: _vaf(v) for v in read_variants(truth_vcf)
               for key in _snv_keys(allele_key(v, reference))}
    germline: frozenset[AlleleKey] = frozenset()
    if germline_vcf is not None:
        germline = frozenset(allele_key(v, reference) for v in read_variants(germline_vcf))
    log.info("truth %s: %d somatic, %d germline alleles", truth_vcf, len(somatic), len(germline))
    return TruthSet(somatic=somatic, germline=germline)


@dataclass(frozen=True)
class CandidateLabels:
    """Per-candidate training targets (arrays of one length, in candidate order).

    Attributes
    ----------
    type_target
        Index into :data:`~onco_genomics.caller.network.VARIANT_CLASSES` (0 = not somatic).
    alt_target, length_target
        Alt-base and indel-length classes for positives (-1 where not applicable).
    truth_vaf
        The truth's expected VAF for positives, NaN for negatives.
    germline
        Whether the candidate is a known germline allele.
    """

    type_target: np.ndarray
    alt_target: np.ndarray
    length_target: np.ndarray
    truth_vaf: np.ndarray
    germline: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.type_target)
        for name in ("alt_target", "length_target", "truth_vaf", "germline"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"CandidateLabels.{name} has {len(getattr(self, name))} "
                                 f"entries, expected {n}")

    @property
    def positives(self) -> int:
        return int(np.count_nonzero(self.type_target))


def label_candidates(candidates: Iterable[Candidate], truth: TruthSet,
                     reference: SequenceSource) -> CandidateLabels:
    """Label candidates against the (normalised) truth."""
    types, alts, lengths, vafs, germ = [], [], [], [], []
    for cand in candidates:
        variant = Variant(chrom=cand.chrom, pos=cand.pos, ref=cand.ref, alt=cand.alt)
        key = allele_key(variant, reference) if cand.vartype != "SNV" else (
            cand.chrom, cand.pos, cand.ref, cand.alt)
        if key in truth.somatic:
            types.append(VARIANT_CLASSES.index(cand.vartype))
            alt_class, length_class = allele_targets(cand.vartype, cand.ref, cand.alt)
            alts.append(alt_class)
            lengths.append(length_class)
            vafs.append(truth.somatic[key])
        else:
            types.append(0)
            alts.append(-1)
            lengths.append(-1)
            vafs.append(math.nan)
        germ.append(key in truth.germline)
    return CandidateLabels(
        type_target=np.array(types, dtype=np.int64), alt_target=np.array(alts, dtype=np.int64),
        length_target=np.array(lengths, dtype=np.int64),
        truth_vaf=np.array(vafs, dtype=np.float64), germline=np.array(germ, dtype=bool),
    )
