"""Local haplotype realignment of competing indel candidates.

An aligner places an indel read by read, so one event can come out in several forms: a
15-base insertion at the end of a T run is written as the insertion by reads that span
it, and as a shorter insertion, an insertion of other bases or a nearby deletion by
reads that end inside it. Each form becomes its own candidate, the true allele keeps only
part of the reads, and the wrong forms can be called.

:func:`realign_indels` groups indel candidates closer than :data:`CLUSTER_DISTANCE` bases
and, where a group has several alleles, builds one haplotype per allele (and per pair of
alleles that do not overlap, for reads carrying two events) over the reference around
them, aligns every read overlapping the group to each haplotype (the read's bases within
:data:`READ_FLANK` bases of the group, end to end, with affine gaps and
base-quality-weighted mismatches, the haplotype's ends free;
:func:`haplotype_scores`), and gives each read to the haplotype it fits best. A read that
fits several haplotypes equally (it ends inside the event) goes to the allele with the most
reads that fit it alone; a read that fits the reference as well as any allele supports
none. Each allele's ALT count becomes its reads after realignment, and an allele left below
the candidate thresholds is dropped: its reads now support the representation they fit,
so the competing forms are merged into one before the network scores them.

The tensors are not changed (the network sees the reads as aligned); only which alleles
are proposed and their read counts. The function works per sample, with or without a
matched normal.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from onco_genomics.pileup.candidates import (
    AlleleDepths,
    Candidate,
    PileupOptions,
    passes_thresholds,
)
from onco_genomics.pileup.fetch import ReadArrays

log = logging.getLogger(__name__)

#: indel candidates whose reference spans lie closer than this are realigned together
CLUSTER_DISTANCE = 20
#: read bases realigned on each side of a group (located through the read's alignment)
READ_FLANK = 30
#: extra reference bases on each side of the haplotypes, for the reads' own indels
HAPLOTYPE_SLACK = 25
#: at most this many alleles of one group are realigned (the best supported)
MAX_ALLELES = 6
#: alignment scores (log10-likelihood-like units): a mismatch costs its base quality / 10
#: (capped at 4), a gap 4.5 to open and 1 per base
GAP_OPEN = 4.5
GAP_EXTEND = 1.0
MAX_MISMATCH = 4.0
#: score handicap per extra event of a two-allele haplotype (prefer one event at a tie)
EXTRA_EVENT = 0.01
_TIE = 1e-6

_CODE = {"A": 0, "C": 1, "G": 2, "T": 3}


@numba.njit(cache=True, nogil=True)
def _glocal_score(read, quals, hap, gap_open, gap_extend, max_mismatch):
    """Best score of ``read`` aligned end to end inside ``hap`` (affine gaps, Gotoh)."""
    n = read.shape[0]
    m = hap.shape[0]
    neg = -1e18
    h_prev = np.zeros(m + 1)
    e_prev = np.full(m + 1, neg)  # read base against a gap in hap (insertion)
    h_cur = np.zeros(m + 1)
    e_cur = np.zeros(m + 1)
    for i in range(1, n + 1):
        base = read[i - 1]
        penalty = min(quals[i - 1] / 10.0, max_mismatch)
        h_cur[0] = -(gap_open + gap_extend * i)
        e_cur[0] = h_cur[0]
        f = neg  # hap base skipped (deletion), along the row
        for j in range(1, m + 1):
            e = max(e_prev[j] - gap_extend, h_prev[j] - gap_open - gap_extend)
            f = max(f - gap_extend, h_cur[j - 1] - gap_open - gap_extend)
            diag = h_prev[j - 1] + (0.0 if (base == hap[j - 1] and base < 4) else -penalty)
            best = diag
            if e > best:
                best = e
            if f > best:
                best = f
            h_cur[j] = best
            e_cur[j] = e
        h_prev, h_cur = h_cur, h_prev
        e_prev, e_cur = e_cur, e_prev
    return h_prev.max()


def haplotype_scores(reads: Sequence[tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]],
                     haplotypes: Sequence[str]) -> npt.NDArray[np.float64]:
    """Alignment score of each read (bases, qualities) against each haplotype.

    Returns shape ``(len(reads), len(haplotypes))``; higher is better, 0 is a perfect fit.
    """
    codes = [np.array([_CODE.get(b, 4) for b in hap], dtype=np.uint8) for hap in haplotypes]
    out = np.zeros((len(reads), len(haplotypes)))
    for r, (bases, quals) in enumerate(reads):
        for h, hap in enumerate(codes):
            out[r, h] = _glocal_score(bases, quals.astype(np.float64), hap, GAP_OPEN,
                                      GAP_EXTEND, MAX_MISMATCH)
    return out


@dataclass(frozen=True)
class RealignReads:
    """One sample's reads and their alignment ends (for :func:`realign_indels`)."""

    reads: ReadArrays
    ref_end: npt.NDArray[np.int64]


def _clip_lengths(reads: ReadArrays, index: int) -> tuple[int, int]:
    first, last = int(reads.cigar_start[index]), int(reads.cigar_start[index + 1])
    ops = reads.cigar_ops[first:last]
    lens = reads.cigar_lens[first:last]
    lead = int(lens[0]) if len(ops) and ops[0] == 4 else 0
    trail = int(lens[-1]) if len(ops) > 1 and ops[-1] == 4 else 0
    return lead, trail


def _group(candidates: Sequence[Candidate]) -> list[list[Candidate]]:
    indels = sorted((c for c in candidates if c.vartype in ("INS", "DEL")),
                    key=lambda c: c.sort_key)
    groups: list[list[Candidate]] = []
    end = -1
    for cand in indels:
        if groups and cand.pos <= end + CLUSTER_DISTANCE:
            groups[-1].append(cand)
        else:
            groups.append([cand])
        end = max(end, cand.pos + len(cand.ref)) if len(groups[-1]) > 1 else (
            cand.pos + len(cand.ref))
    return [g for g in groups if len(g) > 1]


def _haplotype(reference: str, offset: int, events: Sequence[Candidate]) -> str:
    """Reference ``[offset, offset + len(reference))`` with the events applied."""
    out = []
    at = offset
    for event in sorted(events, key=lambda c: c.pos):
        out.append(reference[at - offset:event.pos - offset])
        out.append(event.alt)
        at = event.pos + len(event.ref)
    out.append(reference[at - offset:])
    return "".join(out)


def _votes(sample: RealignReads, group: Sequence[Candidate], fetch: Callable[[int, int], str],
           start: int, end: int) -> tuple[list[list[tuple[int, ...]]], npt.NDArray[np.bool_]]:
    """Per read overlapping ``[start, end)``: the allele sets of its best haplotype(s).

    Each read contributes its bases from :data:`READ_FLANK` reference bases before the
    group to as many after it (located through its start and leading soft clip), and they
    are aligned to haplotypes over the group plus :data:`READ_FLANK` +
    :data:`HAPLOTYPE_SLACK` bases each side (the slack absorbs the read's own indels
    outside the group).
    """
    reads = sample.reads
    overlapping = np.flatnonzero((reads.ref_start <= end) & (sample.ref_end >= start)
                                 & (reads.count_from <= start))
    if not len(overlapping):
        return [], np.zeros(0, dtype=bool)
    longest = max(len(c.alt) for c in group)
    segments = []
    for index in overlapping.tolist():
        lead, _ = _clip_lengths(reads, index)
        s0, s1 = int(reads.seq_start[index]), int(reads.seq_start[index + 1])
        offset = s0 + lead - int(reads.ref_start[index])  # query index of a reference base
        q_lo = min(max(s0, start - READ_FLANK + offset), s1)
        q_hi = min(max(q_lo, end + READ_FLANK + longest + offset), s1)
        segments.append((reads.bases[q_lo:q_hi], reads.quals[q_lo:q_hi]))
    lo = max(0, start - READ_FLANK - HAPLOTYPE_SLACK)
    reference = fetch(lo, end + READ_FLANK + HAPLOTYPE_SLACK + longest)
    events: list[tuple[int, ...]] = [()] + [(i,) for i in range(len(group))]
    events += [(i, j) for i, j in itertools.combinations(range(len(group)), 2)
               if group[i].pos + len(group[i].ref) <= group[j].pos]
    haplotypes = [_haplotype(reference, lo, [group[i] for i in combo]) for combo in events]
    scores = haplotype_scores(segments, haplotypes)
    scores -= np.array([EXTRA_EVENT * max(0, len(combo) - 1) for combo in events])
    winners = scores >= scores.max(axis=1, keepdims=True) - _TIE
    return [[events[k] for k in np.flatnonzero(row).tolist()] for row in winners], \
        reads.f1r2[overlapping]


def _support(votes: Sequence[Sequence[tuple[int, ...]]], f1r2: npt.NDArray[np.bool_],
             n_alleles: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Reads (and F1R2 reads) per allele after realignment.

    A read whose best haplotype is the reference (alone or tied) supports no allele; one
    haplotype alone gives the read to its allele(s) (both of a two-event haplotype); a tie
    between allele haplotypes gives it to the one whose alleles most reads fit alone.
    """
    alone = np.zeros(n_alleles, dtype=np.int64)
    for winners in votes:
        if len(winners) == 1:
            alone[list(winners[0])] += 1
    reads = np.zeros(n_alleles, dtype=np.int64)
    reads_f1r2 = np.zeros(n_alleles, dtype=np.int64)
    for winners, forward in zip(votes, f1r2.tolist(), strict=True):
        if () in winners:
            continue
        owner = max(winners, key=lambda combo: (int(alone[list(combo)].sum()), -len(combo)))
        reads[list(owner)] += 1
        if forward:
            reads_f1r2[list(owner)] += 1
    return reads, reads_f1r2


def _updated(depths: AlleleDepths, alt: int, alt_f1r2: int) -> AlleleDepths:
    depth = max(depths.depth, alt)
    ref = min(depths.ref, depth - alt)
    return AlleleDepths(ref=ref, alt=alt, depth=depth, ref_f1r2=min(depths.ref_f1r2, ref),
                        alt_f1r2=min(alt_f1r2, alt))


def realign_indels(candidates: Sequence[Candidate], tumor: RealignReads,
                   normal: RealignReads | None, fetch: Callable[[int, int], str], *,
                   options: PileupOptions) -> list[Candidate]:
    """Merge competing forms of indel events by realigning reads to candidate haplotypes.

    Parameters
    ----------
    candidates
        Candidates of one region (SNVs pass through unchanged).
    tumor, normal
        The samples' reads; ``normal`` None in tumour-only calling (the candidates'
        normal depths are then left as they are).
    fetch
        ``fetch(start, end)``: reference bases of the candidates' contig.
    options
        Candidate thresholds, applied to the realigned tumour support.

    Returns
    -------
    list of Candidate
        Sorted by ``(pos, ref, alt)``: alleles of realigned groups with their new read
        counts, less those left below the thresholds.
    """
    out = {c.sort_key: c for c in candidates}
    for group in _group(candidates):
        if len(group) > MAX_ALLELES:
            group = sorted(group, key=lambda c: -c.tumor.alt)[:MAX_ALLELES]
            group.sort(key=lambda c: c.sort_key)
        start = min(c.pos for c in group)
        end = max(c.pos + len(c.ref) for c in group) + 1
        t_votes, t_f1r2 = _votes(tumor, group, fetch, start, end)
        t_alt, t_alt_f1r2 = _support(t_votes, t_f1r2, len(group))
        n_alt = n_alt_f1r2 = None
        if normal is not None:
            n_votes, n_f1r2 = _votes(normal, group, fetch, start, end)
            n_alt, n_alt_f1r2 = _support(n_votes, n_f1r2, len(group))
        for k, cand in enumerate(group):
            tumor_depths = _updated(cand.tumor, int(t_alt[k]), int(t_alt_f1r2[k]))
            if not bool(passes_thresholds(tumor_depths.alt, tumor_depths.depth, options)):
                log.debug("realignment merged %s:%d %s>%s (%d reads before) into another "
                          "form", cand.chrom, cand.pos + 1, cand.ref, cand.alt, cand.tumor.alt)
                del out[cand.sort_key]
                continue
            normal_depths = cand.normal
            if n_alt is not None and n_alt_f1r2 is not None:
                normal_depths = _updated(cand.normal, int(n_alt[k]), int(n_alt_f1r2[k]))
            out[cand.sort_key] = dataclasses.replace(cand, tumor=tumor_depths,
                                                     normal=normal_depths)
    return [out[key] for key in sorted(out)]
