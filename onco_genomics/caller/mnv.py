"""Report adjacent SNVs that the same reads carry as one MNV record.

The network scores each base of a multi-nucleotide variant as its own SNV candidate (the
tensor of one SNV is the contract the model was trained on). After scoring,
:func:`merge_mnv_calls` replaces the SNVs of each phased chain
(:class:`~onco_genomics.pileup.phasing.MnvCandidate`) by one record: REF and ALT span the
chain, the read counts are those of reads covering all its bases, PROB is the mean of its
SNVs' probabilities (:func:`mnv_probability`) and the FILTERs are recomputed for the
merged record by the mode's own filter function, so the same merge serves paired and
tumour-only calling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from onco_genomics.caller.inference import phred_quality
from onco_genomics.caller.records import SomaticCall
from onco_genomics.pileup.candidates import AlleleDepths
from onco_genomics.pileup.phasing import MnvCandidate

log = logging.getLogger(__name__)

#: ``(prob, tumor, normal) -> FILTER ids`` of a merged record (``normal`` None: no normal)
MnvFilters = Callable[[float, AlleleDepths, AlleleDepths | None], tuple[str, ...]]
SnvKey = tuple[int, str, str]  # (pos, ref, alt)


def mnv_probability(member_probs: Sequence[float]) -> float:
    """PROB of an MNV: the mean of its SNVs' probabilities.

    The SNVs of one MNV are seen in the same reads, so each probability estimates the
    same event; the mean keeps one low-scoring base (e.g. in a context the network rarely
    saw mutated) from sinking the record while a lone high score cannot carry it alone.
    """
    if not member_probs:
        raise ValueError("an MNV needs the probabilities of its SNVs")
    return float(np.mean(member_probs))


def merge_mnv_calls(calls: Sequence[SomaticCall], mnvs: Sequence[MnvCandidate],
                    member_probs: Mapping[SnvKey, float], *, filters_of: MnvFilters,
                    min_prob_to_report: float) -> list[SomaticCall]:
    """Replace the SNV calls of each MNV by one MNV call.

    Parameters
    ----------
    calls
        Scored calls of one chunk (any types), sorted by ``(pos, ref, alt)``.
    mnvs
        The chunk's phased chains of SNV candidates.
    member_probs
        Probability of every scored SNV candidate (also those not reported), by
        ``(pos, ref, alt)``.
    filters_of
        FILTER ids of a merged record from its probability and read support.
    min_prob_to_report
        MNVs scoring below this are dropped, like any candidate.

    Returns
    -------
    list of SomaticCall
        Sorted by ``(pos, ref, alt)``; each SNV of an MNV is gone, reported or not.
    """
    if not mnvs:
        return list(calls)
    members: set[tuple[str, int, str, str]] = set()
    merged: list[SomaticCall] = []
    for mnv in mnvs:
        keys = mnv.members
        missing = [key for key in keys if key not in member_probs]
        if missing:
            raise ValueError(f"MNV {mnv.chrom}:{mnv.pos + 1} {mnv.ref}>{mnv.alt}: its SNVs "
                             f"{missing} were not scored")
        members.update((mnv.chrom, *key) for key in keys)
        prob = mnv_probability([member_probs[key] for key in keys])
        if prob < min_prob_to_report:
            continue
        normal = mnv.normal or AlleleDepths(ref=0, alt=0, depth=0)
        merged.append(SomaticCall(
            chrom=mnv.chrom, pos=mnv.pos, ref=mnv.ref, alt=mnv.alt, vartype="MNV",
            tumor_ref=mnv.tumor.ref, tumor_alt=mnv.tumor.alt, tumor_depth=mnv.tumor.depth,
            normal_ref=normal.ref, normal_alt=normal.alt, normal_depth=normal.depth,
            prob=prob, qual=float(phred_quality(np.array([prob]))[0]),
            filters=filters_of(prob, mnv.tumor, mnv.normal),
            tumor_ref_f1r2=mnv.tumor.ref_f1r2, tumor_alt_f1r2=mnv.tumor.alt_f1r2,
            normal_ref_f1r2=normal.ref_f1r2, normal_alt_f1r2=normal.alt_f1r2,
        ))
    kept = [c for c in calls if (c.chrom, c.pos, c.ref, c.alt) not in members
            or c.vartype != "SNV"]
    log.debug("%d SNV calls merged into %d MNV records", len(calls) - len(kept), len(merged))
    return sorted(kept + merged, key=lambda c: (c.pos, c.ref, c.alt))
