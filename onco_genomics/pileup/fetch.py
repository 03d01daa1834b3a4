"""Fetch the reads of one chunk into flat numpy arrays, applying the read filters.

This is the only per-read Python loop of the scan: each read contributes a handful of
attribute reads (flag, position, MAPQ, sequence, qualities, CIGAR string); its bases are
never touched in Python. Sequences, qualities and CIGAR strings are joined and decoded
in bulk, so the column kernels (:mod:`onco_genomics.pileup.columns`) see plain arrays.

Each read's pair orientation is kept as ``f1r2`` (Mutect2's F1R2/F2R1): a read is F1R2
when it is the first of its pair on the forward strand or the second on the reverse strand
(both mates of a fragment then agree); unpaired reads count as read 1.

Filters, in order: unmapped, secondary, supplementary, QC-fail and (unless
``include_duplicates``) duplicate reads are dropped, then reads with MAPQ below
``min_mapq``. Overlapping mates of one fragment are counted once: when the second mate
of a pair starts inside the first mate's alignment, its bases are counted only from the
first mate's alignment end on (``count_from``).
"""

from __future__ import annotations

import array
import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pysam

from onco_genomics.pileup.candidates import PileupOptions

log = logging.getLogger(__name__)

_UNMAPPED, _SECONDARY, _QCFAIL, _DUPLICATE, _SUPPLEMENTARY = 0x4, 0x100, 0x200, 0x400, 0x800
_PAIRED, _REVERSE, _READ2 = 0x1, 0x10, 0x80

#: ASCII byte -> base code (A C G T = 0..3, anything else 4)
_BASE_CODE = np.full(256, 4, dtype=np.uint8)
for _i, _b in enumerate(b"ACGT"):
    _BASE_CODE[_b] = _i
    _BASE_CODE[_b + 32] = _i  # lower case
_BASE_TABLE = _BASE_CODE.tobytes()
#: base quality used for reads stored without qualities (SAM '*')
MISSING_QUALITY = 30


@dataclass(frozen=True)
class ReadArrays:
    """The filtered reads of one BAM over one interval, as flat arrays.

    Read ``i`` has bases ``bases[seq_start[i]:seq_start[i + 1]]`` (codes 0..3 for ACGT,
    4 for anything else), qualities at the same offsets, and CIGAR operations
    ``cigar_ops[cigar_start[i]:cigar_start[i + 1]]`` (BAM codes, 0=M ... 8=X) with their
    lengths in ``cigar_lens``.

    Attributes
    ----------
    ref_start
        0-based reference position of each read's first aligned base.
    count_from
        Bases before this reference position are not counted (the overlapping part of
        the second mate of a fragment); equals ``ref_start`` for most reads.
    mapq, reverse
        Mapping quality and strand per read.
    f1r2
        Pair orientation per read: True for F1R2 (read 1 forward or read 2 reverse; an
        unpaired read counts as read 1, so F1R2 when forward), False for F2R1.
    """

    ref_start: npt.NDArray[np.int64]
    count_from: npt.NDArray[np.int64]
    mapq: npt.NDArray[np.int32]
    reverse: npt.NDArray[np.bool_]
    f1r2: npt.NDArray[np.bool_]
    seq_start: npt.NDArray[np.int64]
    bases: npt.NDArray[np.uint8]
    quals: npt.NDArray[np.uint8]
    cigar_start: npt.NDArray[np.int64]
    cigar_ops: npt.NDArray[np.uint8]
    cigar_lens: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        n = len(self.ref_start)
        for name in ("count_from", "mapq", "reverse", "f1r2"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"ReadArrays.{name} must have one entry per read ({n})")
        if len(self.seq_start) != n + 1 or len(self.cigar_start) != n + 1:
            raise ValueError("ReadArrays offsets must have n_reads + 1 entries")
        if len(self.bases) != len(self.quals) or self.seq_start[-1] != len(self.bases):
            raise ValueError("ReadArrays bases and qualities must match the sequence offsets")
        if len(self.cigar_ops) != len(self.cigar_lens) or self.cigar_start[-1] != len(
                self.cigar_ops):
            raise ValueError("ReadArrays CIGAR arrays must match the CIGAR offsets")

    def __len__(self) -> int:
        return len(self.ref_start)

    @property
    def n_bases(self) -> int:
        return len(self.bases)


def _parse_cigars(text: bytes, n_reads: int) -> tuple[npt.NDArray[np.int64],
                                                      npt.NDArray[np.uint8],
                                                      npt.NDArray[np.int64]]:
    """Decode CIGAR strings joined by ``;`` into (offsets, op codes, lengths), vectorised.

    Each read's string is followed by ``;``. The length of an operation is the run of
    digits between the previous non-digit and its letter; the digits are folded in one
    numpy step per digit position (at most a handful of steps).
    """
    raw = np.frombuffer(text, dtype=np.uint8)
    is_op = raw >= 61  # letters and '='; digits are 48-57 and ';' is 59
    op_index = np.flatnonzero(is_op)
    is_digit = (raw >= 48) & (raw <= 57)
    code_of = np.zeros(256, dtype=np.uint8)
    for code, letter in enumerate(b"MIDNSHP=X"):
        code_of[letter] = code
    ops = code_of[raw[op_index]]
    digit_val = np.where(is_digit, raw.astype(np.int64) - 48, 0)
    lens = np.zeros(len(op_index), dtype=np.int64)
    boundary = np.flatnonzero(~is_digit)  # ops and separators
    # start of each op's number: one past the previous non-digit
    prev = np.searchsorted(boundary, op_index) - 1
    num_start = np.where(prev >= 0, boundary[np.maximum(prev, 0)] + 1, 0)
    width = op_index - num_start
    for k in range(int(width.max()) if len(width) else 0):
        has = width > k
        lens[has] = lens[has] * 10 + digit_val[num_start[has] + k]
    seps = np.flatnonzero(raw == 59)
    ops_before_sep = np.searchsorted(op_index, seps)
    offsets = np.zeros(n_reads + 1, dtype=np.int64)
    offsets[1:] = ops_before_sep
    return offsets, ops, lens


def f1r2_orientation(flags: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Whether reads with these SAM flags are in F1R2 pair orientation, vectorised.

    F1R2: read 1 (or an unpaired read) on the forward strand, or read 2 on the reverse
    strand; everything else is F2R1.
    """
    flag_arr = np.asarray(flags, dtype=np.int64)
    reverse = (flag_arr & _REVERSE) != 0
    is_read2 = ((flag_arr & _PAIRED) != 0) & ((flag_arr & _READ2) != 0)
    return reverse == is_read2


def fetch_reads(bam: pysam.AlignmentFile, chrom: str, start: int, end: int, *,
                options: PileupOptions) -> ReadArrays:
    """Filtered reads overlapping ``chrom:[start, end)`` as :class:`ReadArrays`.

    Parameters
    ----------
    bam
        An open, indexed alignment file.
    chrom, start, end
        The interval (0-based, half-open).
    options
        Read filters (``min_mapq``, ``include_duplicates``).
    """
    skip_flags = _UNMAPPED | _SECONDARY | _QCFAIL | _SUPPLEMENTARY
    if not options.include_duplicates:
        skip_flags |= _DUPLICATE
    min_mapq = options.min_mapq
    meta = array.array("q")  # per read: ref_start, count_from, mapq, flag
    seqs: list[str] = []
    quals: list[str] = []
    cigars: list[str] = []
    # query name -> alignment end of a first mate whose mate starts inside it
    open_mates: dict[str, int] = {}
    for read in bam.fetch(chrom, start, end):
        flag = read.flag
        if flag & skip_flags:
            continue
        mq = read.mapping_quality
        if mq < min_mapq:
            continue
        seq = read.query_sequence
        cigar = read.cigarstring
        if not seq or not cigar:
            continue
        pos = read.reference_start
        first_counted = pos
        # names are looked up only for mates that can overlap (most pairs do not)
        if flag & _PAIRED and read.next_reference_id == read.reference_id:
            mate_pos = read.next_reference_start
            matched = False
            if mate_pos <= pos and open_mates:
                mate_end = open_mates.pop(read.query_name or "", None)
                if mate_end is not None:
                    first_counted = max(pos, mate_end)
                    matched = True
            if not matched and pos <= mate_pos < pos + len(seq):
                read_end = read.reference_end
                if read_end is not None and mate_pos < read_end:
                    open_mates[read.query_name or ""] = read_end
        qual = read.query_qualities_str
        meta.extend((pos, first_counted, mq, flag))
        seqs.append(seq)
        quals.append(qual if qual else chr(MISSING_QUALITY + 33) * len(seq))
        cigars.append(cigar)
    n = len(seqs)
    table = np.frombuffer(meta, dtype=np.int64).reshape(n, 4) if n else np.zeros((0, 4),
                                                                                   np.int64)
    lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=n)
    seq_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=seq_start[1:])
    bases = np.frombuffer("".join(seqs).encode("ascii").translate(_BASE_TABLE), dtype=np.uint8)
    qual_arr = np.frombuffer("".join(quals).encode("ascii"), dtype=np.uint8) - np.uint8(33)
    cigar_start, cigar_ops, cigar_lens = _parse_cigars(
        (";".join(cigars) + ";").encode("ascii") if n else b"", n)
    flags = table[:, 3]
    reverse = (flags & _REVERSE) != 0
    return ReadArrays(
        ref_start=table[:, 0].copy(),
        count_from=table[:, 1].copy(),
        mapq=table[:, 2].astype(np.int32),
        reverse=reverse,
        f1r2=f1r2_orientation(flags),
        seq_start=seq_start,
        bases=bases,
        quals=qual_arr,
        cigar_start=cigar_start,
        cigar_ops=cigar_ops,
        cigar_lens=cigar_lens,
    )
