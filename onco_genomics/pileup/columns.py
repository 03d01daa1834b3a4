"""Per-column pileup statistics of one sample over one chunk (numba kernels).

The scan works on an *augmented alignment* (NeuSomatic's idea): every reference position
is a column, and after a position where some read (tumour or normal) has an insertion,
up to :data:`MAX_INSERT_COLUMNS` inserted columns follow. A read with an insertion puts
its inserted bases there; a read spanning the same junction without it counts as a gap,
so an insertion shows as counts in inserted columns just as an SNV shows in a reference
column.

Three kernels, each one pass over the reads' flat arrays (:class:`ReadArrays`):

1. :func:`scan_indels` left-aligns every read's indels in its CIGAR (GATK
   ``LeftAlignIndels`` style, against the read's own bases) and lists the indel events
   and the junction depth;
2. :func:`augmented_layout` places the inserted columns (shared by tumour and normal);
3. :func:`accumulate_columns` sums, per column and allele (:data:`ALLELES`), the reads,
   forward-strand reads, base qualities, mapping qualities, soft-clipped reads,
   distances to the read end and F1R2-orientation reads.

The last feature, ``f1r2`` (reads in F1R2 pair orientation, see
:mod:`onco_genomics.pileup.fetch`), is appended after the encoder's features: the tensor
does not use it (encoder 1.0 is unchanged); the candidates report it per allele for the
caller's orientation-bias filter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from onco_genomics.pileup.jit_cache import configure_numba_cache

configure_numba_cache()  # before numba defines the cached kernels: never into site-packages

import numba  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from onco_genomics.pileup.candidates import ALLELES  # noqa: E402
from onco_genomics.pileup.fetch import ReadArrays  # noqa: E402

log = logging.getLogger(__name__)

#: inserted columns kept after one reference position (longer insertions are truncated)
MAX_INSERT_COLUMNS = 4
#: distances to the read end are capped here before averaging
MAX_END_DISTANCE = 50

#: per-column sums kept for every allele, in the order of :attr:`ColumnStats.sums`' axis 0;
#: new features go at the end so the indices the encoder uses never move
FEATURES: tuple[str, ...] = ("reads", "forward", "baseq", "mapq", "clipped", "end_distance",
                             "f1r2")
GAP = ALLELES.index("gap")

_M, _I, _D, _N, _S, _EQ, _X = 0, 1, 2, 3, 4, 7, 8


@dataclass(frozen=True)
class IndelEvents:
    """Indel events of one sample (one per read and event), after left-alignment.

    ``anchor`` is the 0-based reference position of the base before the event;
    ``length`` is positive for insertions and negative for deletions; ``query_offset``
    indexes the first inserted base in :attr:`ReadArrays.bases` (insertions only).
    """

    read: npt.NDArray[np.int64]
    anchor: npt.NDArray[np.int64]
    length: npt.NDArray[np.int64]
    query_offset: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        n = len(self.read)
        if not len(self.anchor) == len(self.length) == len(self.query_offset) == n:
            raise ValueError("IndelEvents arrays must have equal lengths")
        if np.any(self.length == 0):
            raise ValueError("IndelEvents lengths must be non-zero")

    def __len__(self) -> int:
        return len(self.read)


@dataclass(frozen=True)
class IndelScan:
    """What :func:`scan_indels` finds in one sample over ``[span_start, span_end)``.

    Attributes
    ----------
    cigar_lens
        CIGAR operation lengths after left-aligning indels (operations unchanged).
    ref_end
        0-based exclusive alignment end of each read.
    events
        The indel events whose anchor lies in the span.
    junction_depth
        Reads spanning the junction between position ``p`` and ``p + 1`` (counted part of
        each read only), per position of the span.
    junction_f1r2
        The part of ``junction_depth`` in F1R2 pair orientation.
    max_insert
        Longest insertion after each position of the span.
    """

    cigar_lens: npt.NDArray[np.int64]
    ref_end: npt.NDArray[np.int64]
    events: IndelEvents
    junction_depth: npt.NDArray[np.int32]
    junction_f1r2: npt.NDArray[np.int32]
    max_insert: npt.NDArray[np.int32]


@dataclass(frozen=True)
class ColumnLayout:
    """Columns of the augmented alignment over ``[span_start, span_start + n_ref)``.

    ``column_of[i]`` is the column of reference position ``span_start + i``; it is
    followed by ``inserted[i]`` inserted columns.
    """

    span_start: int
    column_of: npt.NDArray[np.int64]
    inserted: npt.NDArray[np.int32]

    def __post_init__(self) -> None:
        if len(self.column_of) != len(self.inserted):
            raise ValueError("ColumnLayout arrays must have one entry per reference position")

    @property
    def n_ref(self) -> int:
        return len(self.column_of)

    @property
    def n_columns(self) -> int:
        if not self.n_ref:
            return 0
        return int(self.column_of[-1] + self.inserted[-1] + 1)

    def reference_columns(self, ref_codes: npt.NDArray[np.int8]) -> npt.NDArray[np.int8]:
        """Reference code per column: 0..3 for ACGT, 4 for an inserted column, 5 for N."""
        if len(ref_codes) != self.n_ref:
            raise ValueError("ref_codes must have one entry per reference position")
        out = np.full(self.n_columns, GAP, dtype=np.int8)
        out[self.column_of] = np.where(ref_codes < 4, ref_codes, 5)
        return out


@dataclass(frozen=True)
class ColumnStats:
    """Per-column, per-allele sums of one sample on a :class:`ColumnLayout`.

    ``sums[f, a, c]`` is feature ``FEATURES[f]`` summed over the reads showing allele
    ``ALLELES[a]`` in column ``c``; ``depth[c] == sums[0, :, c].sum()``.
    """

    sums: npt.NDArray[np.int32]
    depth: npt.NDArray[np.int32]

    def __post_init__(self) -> None:
        if self.sums.shape[:2] != (len(FEATURES), len(ALLELES)):
            raise ValueError(f"ColumnStats.sums must be ({len(FEATURES)}, {len(ALLELES)}, n)")
        if self.sums.shape[2] != len(self.depth):
            raise ValueError("ColumnStats.depth must have one entry per column")


@numba.njit(cache=True, nogil=True)
def _is_match(op: int) -> bool:
    return op == _M or op == _EQ or op == _X


@numba.njit(cache=True, nogil=True)
def _scan_indels_kernel(ref_start, count_from, f1r2, seq_start, bases, cigar_start, cigar_ops,
                        cigar_lens, ref_codes, ref_offset, span_start, span_end):
    n = len(ref_start)
    lens = cigar_lens.copy()
    ref_end = np.empty(n, dtype=np.int64)
    n_ops = len(cigar_ops)
    ev_read = np.empty(n_ops, dtype=np.int64)
    ev_anchor = np.empty(n_ops, dtype=np.int64)
    ev_len = np.empty(n_ops, dtype=np.int64)
    ev_qoff = np.empty(n_ops, dtype=np.int64)
    span_len = span_end - span_start
    diff = np.zeros(span_len + 1, dtype=np.int32)
    diff_f1r2 = np.zeros(span_len + 1, dtype=np.int32)
    max_ins = np.zeros(span_len, dtype=np.int32)
    n_ref = len(ref_codes)
    n_ev = 0
    for i in range(n):
        c0 = cigar_start[i]
        c1 = cigar_start[i + 1]
        s0 = seq_start[i]
        # left-align each indel flanked by match blocks, left to right
        r = ref_start[i]
        q = 0
        for c in range(c0, c1):
            op = cigar_ops[c]
            length = lens[c]
            if (op == _D or op == _I) and c > c0 and c + 1 < c1 and _is_match(
                    cigar_ops[c - 1]) and _is_match(cigar_ops[c + 1]):
                while lens[c - 1] > 1:
                    if op == _D:
                        left = r - 1 - ref_offset
                        right = r + length - 1 - ref_offset
                        if left < 0 or right >= n_ref or ref_codes[left] > 3:
                            break
                        if ref_codes[left] != ref_codes[right]:
                            break
                    else:
                        before = bases[s0 + q - 1]
                        if before > 3 or before != bases[s0 + q + length - 1]:
                            break
                        q -= 1
                    r -= 1
                    lens[c - 1] -= 1
                    lens[c + 1] += 1
            if _is_match(op):
                r += length
                q += length
            elif op == _D or op == _N:
                r += length
            elif op == _I or op == _S:
                q += length
        ref_end[i] = r
        # events and junction depth on the left-aligned CIGAR
        lo = max(ref_start[i], count_from[i])
        j0 = max(lo, span_start)
        j1 = min(r - 1, span_end)
        if j1 > j0:
            diff[j0 - span_start] += 1
            diff[j1 - span_start] -= 1
            if f1r2[i]:
                diff_f1r2[j0 - span_start] += 1
                diff_f1r2[j1 - span_start] -= 1
        r = ref_start[i]
        q = 0
        for c in range(c0, c1):
            op = cigar_ops[c]
            length = lens[c]
            if length == 0:
                continue
            if (op == _D or op == _I) and c > c0 and c + 1 < c1 and _is_match(
                    cigar_ops[c - 1]) and _is_match(cigar_ops[c + 1]) and lens[c - 1] > 0:
                anchor = r - 1
                if anchor >= lo and span_start <= anchor < span_end:
                    ev_read[n_ev] = i
                    ev_anchor[n_ev] = anchor
                    ev_len[n_ev] = length if op == _I else -length
                    ev_qoff[n_ev] = s0 + q
                    n_ev += 1
                    if op == _I and length > max_ins[anchor - span_start]:
                        max_ins[anchor - span_start] = length
            if _is_match(op):
                r += length
                q += length
            elif op == _D or op == _N:
                r += length
            elif op == _I or op == _S:
                q += length
    depth = np.cumsum(diff[:span_len]).astype(np.int32)
    depth_f1r2 = np.cumsum(diff_f1r2[:span_len]).astype(np.int32)
    return (lens, ref_end, ev_read[:n_ev].copy(), ev_anchor[:n_ev].copy(),
            ev_len[:n_ev].copy(), ev_qoff[:n_ev].copy(), depth, depth_f1r2, max_ins)


def scan_indels(reads: ReadArrays, ref_codes: npt.NDArray[np.int8], ref_offset: int,
                span_start: int, span_end: int) -> IndelScan:
    """Left-align the reads' indels and list indel events anchored in the span.

    Parameters
    ----------
    reads
        Reads of one sample.
    ref_codes
        Reference bases (0..3 for ACGT, 4 for N) from 0-based position ``ref_offset`` on;
        must cover the reads (left-alignment stops where it runs out).
    span_start, span_end
        Reference interval whose events and junction depth are reported.
    """
    (lens, ref_end, ev_read, ev_anchor, ev_len, ev_qoff, depth, depth_f1r2,
     max_ins) = _scan_indels_kernel(reads.ref_start, reads.count_from, reads.f1r2,
                                    reads.seq_start,
                                    reads.bases, reads.cigar_start, reads.cigar_ops,
                                    reads.cigar_lens, ref_codes, ref_offset, span_start,
                                    span_end)
    return IndelScan(cigar_lens=lens, ref_end=ref_end,
                     events=IndelEvents(read=ev_read, anchor=ev_anchor, length=ev_len,
                                        query_offset=ev_qoff),
                     junction_depth=depth, junction_f1r2=depth_f1r2, max_insert=max_ins)


def augmented_layout(span_start: int, max_insert: npt.NDArray[np.integer]) -> ColumnLayout:
    """Columns for a span given the longest insertion after each position (any sample)."""
    inserted = np.minimum(np.asarray(max_insert), MAX_INSERT_COLUMNS).astype(np.int32)
    column_of = np.arange(len(inserted), dtype=np.int64)
    if len(inserted):
        column_of[1:] += np.cumsum(inserted[:-1], dtype=np.int64)
    return ColumnLayout(span_start=span_start, column_of=column_of, inserted=inserted)


@numba.njit(cache=True, nogil=True)
def _add(sums, depth, col, allele, bq, mq, forward, clipped, dist, f1r2, max_depth):
    if depth[col] >= max_depth:
        return
    depth[col] += 1
    sums[0, allele, col] += 1
    if forward:
        sums[1, allele, col] += 1
    sums[2, allele, col] += bq
    sums[3, allele, col] += mq
    if clipped:
        sums[4, allele, col] += 1
    sums[5, allele, col] += dist
    if f1r2:
        sums[6, allele, col] += 1


@numba.njit(cache=True, nogil=True)
def _end_distance(q, qa_start, qa_end):
    d = min(q - qa_start, qa_end - 1 - q)
    if d < 0:
        return 0
    if d > MAX_END_DISTANCE:
        return MAX_END_DISTANCE
    return d


@numba.njit(cache=True, nogil=True)
def _accumulate_kernel(ref_start, count_from, ref_end, mapq, reverse, f1r2, seq_start, bases,
                       quals, cigar_start, cigar_ops, cigar_lens, span_start, column_of,
                       inserted, n_columns, min_bq, max_depth):
    sums = np.zeros((7, 5, n_columns), dtype=np.int32)
    depth = np.zeros(n_columns, dtype=np.int32)
    span_end = span_start + len(column_of)
    for i in range(len(ref_start)):
        c0 = cigar_start[i]
        c1 = cigar_start[i + 1]
        s0 = seq_start[i]
        qlen = seq_start[i + 1] - s0
        mq = mapq[i]
        forward = not reverse[i]
        orient = f1r2[i]
        lo = max(ref_start[i], count_from[i])
        end = ref_end[i]
        clipped = False
        qa_start = 0
        qa_end = qlen
        for c in range(c0, c1):
            if cigar_ops[c] == _S:
                clipped = True
                if c == c0 or (c == c0 + 1 and cigar_ops[c0] == 5):
                    qa_start = cigar_lens[c]
                else:
                    qa_end = qlen - cigar_lens[c]
        r = ref_start[i]
        q = 0
        for c in range(c0, c1):
            op = cigar_ops[c]
            length = cigar_lens[c]
            if length == 0:
                continue
            next_is_ins = c + 1 < c1 and cigar_ops[c + 1] == _I and cigar_lens[c + 1] > 0
            if op == _M or op == _EQ or op == _X or op == _D:
                is_del = op == _D
                for k in range(length):
                    pos = r + k
                    if pos < lo or pos < span_start or pos >= span_end:
                        continue
                    idx = pos - span_start
                    col = column_of[idx]
                    if is_del:
                        _add(sums, depth, col, 4, 0, mq, forward, clipped,
                             _end_distance(q, qa_start, qa_end), orient, max_depth)
                    else:
                        b = bases[s0 + q + k]
                        bq = quals[s0 + q + k]
                        if b < 4 and bq >= min_bq:
                            _add(sums, depth, col, b, bq, mq, forward, clipped,
                                 _end_distance(q + k, qa_start, qa_end), orient, max_depth)
                    n_ins = inserted[idx]
                    if n_ins > 0 and pos + 1 < end and not (k == length - 1 and next_is_ins):
                        dist = _end_distance(q if is_del else q + k, qa_start, qa_end)
                        for j in range(n_ins):
                            _add(sums, depth, col + 1 + j, 4, 0, mq, forward, clipped, dist,
                                 orient, max_depth)
                r += length
                if not is_del:
                    q += length
            elif op == _I:
                anchor = r - 1
                if (anchor >= lo and anchor >= ref_start[i] and span_start <= anchor < span_end
                        and r < end):
                    idx = anchor - span_start
                    n_ins = inserted[idx]
                    col = column_of[idx]
                    for j in range(n_ins):
                        if j < length:
                            b = bases[s0 + q + j]
                            bq = quals[s0 + q + j]
                            if b < 4 and bq >= min_bq:
                                _add(sums, depth, col + 1 + j, b, bq, mq, forward, clipped,
                                     _end_distance(q + j, qa_start, qa_end), orient,
                                     max_depth)
                        else:
                            _add(sums, depth, col + 1 + j, 4, 0, mq, forward, clipped,
                                 _end_distance(q + length, qa_start, qa_end), orient,
                                 max_depth)
                q += length
            elif op == _S:
                q += length
            elif op == _N:
                r += length
    return sums, depth


def accumulate_columns(reads: ReadArrays, indels: IndelScan, layout: ColumnLayout, *,
                       min_baseq: int, max_depth: int) -> ColumnStats:
    """Sum per-allele read statistics over every column of ``layout``.

    Parameters
    ----------
    reads
        Reads of one sample.
    indels
        :func:`scan_indels` of the same reads (its left-aligned CIGARs are used).
    layout
        Columns shared by tumour and normal.
    min_baseq
        Bases below this quality are not counted (deletions and gaps always are).
    max_depth
        Reads counted per column.
    """
    sums, depth = _accumulate_kernel(
        reads.ref_start, reads.count_from, indels.ref_end, reads.mapq, reads.reverse,
        reads.f1r2, reads.seq_start, reads.bases, reads.quals, reads.cigar_start, reads.cigar_ops,
        indels.cigar_lens, layout.span_start, layout.column_of, layout.inserted,
        layout.n_columns, min_baseq, max_depth)
    return ColumnStats(sums=sums, depth=depth)
