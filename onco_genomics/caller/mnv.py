"""Report adjacent SNVs that the same reads carry as one MNV record.

The network scores each base of a multi-nucleotide variant as its own SNV candidate (the
tensor of one SNV is the contract the model was trained on). After scoring,
:func:`merge_mnv_calls` replaces the SNVs of each phased chain
(:class:`~onco_genomics.pileup.phasing.MnvCandidate`) by one record: REF and ALT span the
chain, the read counts are those of reads covering all its bases, PROB is the mean of its
SNVs' probabilities (:func:`mnv_probability`), and the record itself (with FILTERs
recomputed for it) is built by the mode's own function, so the same merge serves paired
(:func:`paired_mnv_call`) and tumour-only calling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar

import numpy as np

from onco_genomics.caller.inference import phred_quality
from onco_genomics.caller.records import SomaticCall
from onco_genomics.pileup.candidates import AlleleDepths
from onco_genomics.pileup.phasing import MnvCandidate

log = logging.getLogger(__name__)

SnvKey = tuple[int, str, str]  # (pos, ref, alt)


class CallRecord(Protocol):
    """What the merge reads of a call: its allele and type (paired and tumor-only calls)."""

    @property
    def chrom(self) -> str: ...
    @property
    def pos(self) -> int: ...
    @property
    def ref(self) -> str: ...
    @property
    def alt(self) -> str: ...
    @property
    def vartype(self) -> str: ...


CallT = TypeVar("CallT", bound=CallRecord)


def mnv_probability(member_probs: Sequence[float]) -> float:
    """PROB of an MNV: the mean of its SNVs' probabilities.

    The SNVs of one MNV are seen in the same reads, so each probability estimates the
    same event; the mean keeps one low-scoring base (e.g. in a context the network rarely
    saw mutated) from sinking the record while a lone high score cannot carry it alone.
    """
    if not member_probs:
        raise ValueError("an MNV needs the probabilities of its SNVs")
    return float(np.mean(member_probs))


def merge_mnv_calls(calls: Sequence[CallT], mnvs: Sequence[MnvCandidate],
                    member_probs: Mapping[SnvKey, float], *,
                    build: Callable[[MnvCandidate, float], CallT | None]) -> list[CallT]:
    """Replace the SNV calls of each MNV by one MNV call.

    Parameters
    ----------
    calls
        Scored calls of one chunk (any types, any record class with ``chrom``, ``pos``,
        ``ref``, ``alt`` and ``vartype``), sorted by ``(pos, ref, alt)``.
    mnvs
        The chunk's phased chains of SNV candidates.
    member_probs
        Probability of every scored SNV candidate (also those not reported), by
        ``(pos, ref, alt)``.
    build
        The mode's record for an MNV and its :func:`mnv_probability`, or None when it is
        not to be written (below ``min_prob_to_report``).

    Returns
    -------
    list
        Sorted by ``(pos, ref, alt)``; each SNV of an MNV is gone, reported or not.
    """
    if not mnvs:
        return list(calls)
    members: set[tuple[str, int, str, str]] = set()
    merged: list[CallT] = []
    for mnv in mnvs:
        keys = mnv.members
        missing = [key for key in keys if key not in member_probs]
        if missing:
            raise ValueError(f"MNV {mnv.chrom}:{mnv.pos + 1} {mnv.ref}>{mnv.alt}: its SNVs "
                             f"{missing} were not scored")
        members.update((mnv.chrom, *key) for key in keys)
        record = build(mnv, mnv_probability([member_probs[key] for key in keys]))
        if record is not None:
            merged.append(record)
    kept = [c for c in calls if (c.chrom, c.pos, c.ref, c.alt) not in members
            or c.vartype != "SNV"]
    log.debug("%d SNV calls merged into %d MNV records", len(calls) - len(kept), len(merged))
    return sorted([*kept, *merged], key=lambda c: (c.pos, c.ref, c.alt))


def paired_mnv_call(mnv: MnvCandidate, prob: float, *,
                    filters: tuple[str, ...]) -> SomaticCall:
    """The paired mode's record of an MNV (``filters`` computed by the caller)."""
    normal = mnv.normal or AlleleDepths(ref=0, alt=0, depth=0)
    return SomaticCall(
        chrom=mnv.chrom, pos=mnv.pos, ref=mnv.ref, alt=mnv.alt, vartype="MNV",
        tumor_ref=mnv.tumor.ref, tumor_alt=mnv.tumor.alt, tumor_depth=mnv.tumor.depth,
        normal_ref=normal.ref, normal_alt=normal.alt, normal_depth=normal.depth,
        prob=prob, qual=float(phred_quality(np.array([prob]))[0]), filters=filters,
        tumor_ref_f1r2=mnv.tumor.ref_f1r2, tumor_alt_f1r2=mnv.tumor.alt_f1r2,
        normal_ref_f1r2=normal.ref_f1r2, normal_alt_f1r2=normal.alt_f1r2,
    )
