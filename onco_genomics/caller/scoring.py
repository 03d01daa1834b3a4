"""One chunk's matched-mode candidates scored into the records the VCF gets.

:func:`score_batch` runs the network on a :class:`~onco_genomics.pileup.encode.PileupBatch`,
keeps the candidates above ``FilterOptions.min_prob_to_report``, sets their FILTER (the hand
filters of :func:`~onco_genomics.caller.records.call_filters`, and ``panel_of_normals`` for
an allele of the panel) and merges phased SNVs into MNV records
(:func:`~onco_genomics.caller.mnv.merge_mnv_calls`). :mod:`onco_genomics.caller.calling`
calls it once per chunk; tumor-only mode has its own
(:func:`~onco_genomics.caller.tumor_only_calling.score_tumor_only_batch`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onco_genomics.caller.inference import phred_quality, score_tensors
from onco_genomics.caller.mnv import merge_mnv_calls, paired_mnv_call
from onco_genomics.caller.records import (
    FilterOptions,
    SomaticCall,
    call_filters,
    strong_indel_evidence,
)

if TYPE_CHECKING:
    from onco_genomics.caller.model import CallerModel
    from onco_genomics.pileup.encode import PileupBatch
    from onco_genomics.pileup.phasing import MnvCandidate


def score_batch(batch: PileupBatch, model: CallerModel, *,
                filters: FilterOptions | None = None,
                pon_sites: set[tuple[int, str, str]] | None = None) -> list[SomaticCall]:
    """Score one chunk's candidates and keep those worth writing (see :class:`FilterOptions`).

    Parameters
    ----------
    batch
        Candidates and tensors of one chunk.
    model
        The loaded caller model.
    filters
        Hand-filter thresholds (default :class:`FilterOptions`).
    pon_sites
        ``(pos, ref, alt)`` alleles of the panel of normals in this chunk (FILTER
        panel_of_normals); None: no panel.
    """
    filters = filters or FilterOptions()
    candidates = batch.candidates
    probs = score_tensors(model, batch.tensors, [c.vartype for c in candidates],
                          [c.ref for c in candidates], [c.alt for c in candidates])
    quals = phred_quality(probs)
    calls: list[SomaticCall] = []
    for cand, prob, qual in zip(candidates, probs, quals, strict=True):
        rescued = bool(prob < model.threshold) and strong_indel_evidence(
            cand.vartype, cand.tumor.alt, cand.tumor.depth, cand.normal.alt, cand.normal.depth,
            filters)
        if prob < filters.min_prob_to_report and not rescued:
            continue
        calls.append(SomaticCall(
            chrom=cand.chrom, pos=cand.pos, ref=cand.ref, alt=cand.alt, vartype=cand.vartype,
            tumor_ref=cand.tumor.ref, tumor_alt=cand.tumor.alt, tumor_depth=cand.tumor.depth,
            normal_ref=cand.normal.ref, normal_alt=cand.normal.alt,
            normal_depth=cand.normal.depth, prob=float(prob), qual=float(qual),
            filters=call_filters(float(prob), cand.normal.alt, cand.normal.depth,
                                 threshold=model.threshold, options=filters,
                                 vartype=cand.vartype, tumor_alt=cand.tumor.alt,
                                 ref=cand.ref, alt=cand.alt,
                                 tumor_alt_f1r2=cand.tumor.alt_f1r2, rescued=rescued) + (
                ("panel_of_normals",) if pon_sites and (cand.pos, cand.ref, cand.alt)
                in pon_sites else ()),
            tumor_ref_f1r2=cand.tumor.ref_f1r2, tumor_alt_f1r2=cand.tumor.alt_f1r2,
            normal_ref_f1r2=cand.normal.ref_f1r2, normal_alt_f1r2=cand.normal.alt_f1r2,
            rescued=rescued,
        ))
    if not batch.mnvs:
        return calls
    threshold = model.threshold

    def mnv_call(mnv: MnvCandidate, prob: float) -> SomaticCall | None:
        if prob < filters.min_prob_to_report:
            return None
        normal_alt, normal_depth = (mnv.normal.alt, mnv.normal.depth) if mnv.normal else (0, 0)
        in_pon = pon_sites is not None and any(key in pon_sites for key in (
            *mnv.members, (mnv.pos, mnv.ref, mnv.alt)))
        return paired_mnv_call(mnv, prob, filters=call_filters(
            prob, normal_alt, normal_depth, threshold=threshold, options=filters,
            vartype="MNV", tumor_alt=mnv.tumor.alt) + (("panel_of_normals",) if in_pon else ()))

    member_probs = {(c.pos, c.ref, c.alt): float(p)
                    for c, p in zip(candidates, probs, strict=True) if c.vartype == "SNV"}
    return merge_mnv_calls(calls, batch.mnvs, member_probs, build=mnv_call)
