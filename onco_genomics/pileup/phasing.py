"""Phase adjacent SNV candidates from the reads: multi-nucleotide variants (MNVs).

Two substitutions at adjacent positions that the same read molecules carry are one event
(a doublet base substitution, DBS, such as the ``CC>TT`` of UV light), and COSMIC's DBS78
catalog counts them once. The pileup proposes each base as its own SNV candidate; this
module looks at the reads that cover both positions and links the two candidates when
their ALT reads are the same reads: at least :data:`MIN_PHASED_FRACTION` of the ALT
reads of each SNV (and at least ``min_alt_reads`` reads) carry both ALT bases, or all but
:data:`MAX_UNPHASED_READS` of them. A chain of
linked candidates at consecutive positions is one :class:`MnvCandidate` with the read
support of the whole allele. Substitutions next to each other but on different reads (two
subclones, or a somatic SNV beside a heterozygous germline SNP on the other haplotype)
share few reads and stay apart.

The functions take the reads of one sample at a time, so they work the same with and
without a matched normal (``normal=None``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from onco_genomics.pileup.candidates import AlleleDepths, Candidate, PileupOptions
from onco_genomics.pileup.fetch import ReadArrays

log = logging.getLogger(__name__)

#: share of each SNV's ALT reads (among reads covering both positions) that must carry
#: the neighbour's ALT base as well for the two to be one MNV; a read error at one of the
#: two bases of a true DBS read costs a few percent, reads of another haplotype or clone
#: bring it near 0
MIN_PHASED_FRACTION = 0.8
#: ALT reads without the neighbour's ALT base always tolerated (one read error among the
#: three reads of a low-VAF DBS must not split it into two SNVs)
MAX_UNPHASED_READS = 1

_BASES = "ACGT"
_MATCH_OPS = (0, 7, 8)  # M, =, X
_QUERY_ONLY_OPS = (1, 4)  # I, S
_REFERENCE_ONLY_OPS = (2, 3)  # D, N


@dataclass(frozen=True)
class MnvCandidate:
    """Adjacent SNV candidates that the same reads carry, as one allele.

    Attributes
    ----------
    chrom, pos, ref, alt
        The MNV (0-based ``pos``; REF and ALT of equal length >= 2, every base changed).
    tumor, normal
        Reads covering every base of the allele (with base quality >= ``min_baseq``):
        ``alt`` carry all ALT bases, ``ref`` all REF bases; ``normal`` is None without a
        matched normal.
    phased_fraction
        Per pair of neighbouring bases, the reads carrying both ALT bases over the ALT
        reads of the better-supported of the two SNVs.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    tumor: AlleleDepths
    normal: AlleleDepths | None
    phased_fraction: tuple[float, ...]

    def __post_init__(self) -> None:
        if (len(self.ref) != len(self.alt) or len(self.ref) < 2
                or any(r == a for r, a in zip(self.ref, self.alt, strict=True))
                or not set(self.ref + self.alt) <= set(_BASES)):
            raise ValueError(f"MnvCandidate needs equal-length ACGT alleles of >= 2 bases, "
                             f"each base changed, got {self.ref}>{self.alt}")
        if len(self.phased_fraction) != len(self.ref) - 1:
            raise ValueError("MnvCandidate.phased_fraction needs one value per adjacent pair")

    @property
    def members(self) -> tuple[tuple[int, str, str], ...]:
        """The SNV alleles ``(pos, ref, alt)`` it is made of."""
        return tuple((self.pos + i, r, a) for i, (r, a) in enumerate(zip(self.ref, self.alt,
                                                                          strict=True)))


def read_bases(reads: ReadArrays, cigar_lens: npt.NDArray[np.int64], ref_end: npt.NDArray[np.int64],
               start: int, end: int, *, min_baseq: int) -> tuple[npt.NDArray[np.int64],
                                                                 npt.NDArray[np.int8]]:
    """The base each read shows at each reference position of ``[start, end)``.

    Parameters
    ----------
    reads
        One sample's reads.
    cigar_lens, ref_end
        CIGAR lengths after left-aligning indels and alignment ends
        (:class:`~onco_genomics.pileup.columns.IndelScan`), so bases are read from the same
        alignment the pileup counts.
    start, end
        0-based half-open reference interval.
    min_baseq
        Bases of lower quality read as missing.

    Returns
    -------
    tuple
        The indices of the reads counted over the whole interval (aligned there, not the
        uncounted overlap of a second mate), and their codes, shape ``(n, end - start)``:
        0..3 for ACGT, -1 for a deletion, an N or a low-quality base.
    """
    covering = np.flatnonzero((reads.ref_start <= start) & (ref_end >= end)
                              & (reads.count_from <= start))
    codes = np.full((len(covering), end - start), -1, dtype=np.int8)
    for row, read in enumerate(covering.tolist()):
        ref = int(reads.ref_start[read])
        query = int(reads.seq_start[read])
        first, last = int(reads.cigar_start[read]), int(reads.cigar_start[read + 1])
        for op, length in zip(reads.cigar_ops[first:last].tolist(),
                              cigar_lens[first:last].tolist(), strict=True):
            if ref >= end:
                break
            if op in _MATCH_OPS:
                lo, hi = max(ref, start), min(ref + length, end)
                if lo < hi:
                    q = query + lo - ref
                    bases = reads.bases[q:q + hi - lo]
                    good = (reads.quals[q:q + hi - lo] >= min_baseq) & (bases < 4)
                    codes[row, lo - start:hi - start] = np.where(good, bases, -1)
                ref += length
                query += length
            elif op in _QUERY_ONLY_OPS:
                query += length
            elif op in _REFERENCE_ONLY_OPS:
                ref += length
    return covering, codes


def _depths(codes: npt.NDArray[np.int8], f1r2: npt.NDArray[np.bool_], ref: str,
            alt: str) -> AlleleDepths:
    """Reads showing all REF / all ALT bases among those with a base at every position."""
    ref_codes = np.array([_BASES.index(b) for b in ref], dtype=np.int8)
    alt_codes = np.array([_BASES.index(b) for b in alt], dtype=np.int8)
    full = (codes >= 0).all(axis=1)
    is_ref = full & (codes == ref_codes).all(axis=1)
    is_alt = full & (codes == alt_codes).all(axis=1)
    return AlleleDepths(ref=int(is_ref.sum()), alt=int(is_alt.sum()), depth=int(full.sum()),
                        ref_f1r2=int((is_ref & f1r2).sum()), alt_f1r2=int((is_alt & f1r2).sum()))


@dataclass(frozen=True)
class SampleReads:
    """One sample's reads and the alignment the pileup counted (for :func:`propose_mnvs`)."""

    reads: ReadArrays
    cigar_lens: npt.NDArray[np.int64]
    ref_end: npt.NDArray[np.int64]

    def bases(self, start: int, end: int, *, min_baseq: int) -> tuple[npt.NDArray[np.int8],
                                                                      npt.NDArray[np.bool_]]:
        """Codes of the reads covering ``[start, end)`` and their F1R2 orientation."""
        rows, codes = read_bases(self.reads, self.cigar_lens, self.ref_end, start, end,
                                 min_baseq=min_baseq)
        return codes, self.reads.f1r2[rows]


def _link(codes: npt.NDArray[np.int8], first: Candidate, second: Candidate,
          options: PileupOptions) -> float | None:
    """Phased fraction of two adjacent SNV alleles, or None when they are not one event."""
    a, b = _BASES.index(first.alt), _BASES.index(second.alt)
    both_seen = (codes >= 0).all(axis=1)
    has_a = both_seen & (codes[:, 0] == a)
    has_b = both_seen & (codes[:, 1] == b)
    phased = int((has_a & has_b).sum())
    most = max(int(has_a.sum()), int(has_b.sum()))
    if phased < options.min_alt_reads or most == 0:
        return None
    allowed = max(MAX_UNPHASED_READS, (1.0 - MIN_PHASED_FRACTION) * most)
    return phased / most if most - phased <= allowed else None


def propose_mnvs(candidates: Sequence[Candidate], tumor: SampleReads,
                 normal: SampleReads | None, *, options: PileupOptions) -> list[MnvCandidate]:
    """MNVs made of SNV candidates at consecutive positions that the same reads carry.

    Parameters
    ----------
    candidates
        Candidates of one region (any order; only SNVs are looked at).
    tumor, normal
        The samples' reads; ``normal`` None in tumour-only calling.
    options
        ``min_baseq`` (bases read) and ``min_alt_reads`` (phased reads needed).

    Returns
    -------
    list of MnvCandidate
        Sorted by position; each SNV candidate belongs to at most one.
    """
    snvs: dict[int, list[Candidate]] = {}
    for cand in candidates:
        if cand.vartype == "SNV":
            snvs.setdefault(cand.pos, []).append(cand)
    links: dict[int, tuple[Candidate, Candidate, float]] = {}
    for pos in sorted(snvs):
        if pos + 1 not in snvs:
            continue
        codes, _ = tumor.bases(pos, pos + 2, min_baseq=options.min_baseq)
        best: tuple[Candidate, Candidate, float] | None = None
        for first in snvs[pos]:
            for second in snvs[pos + 1]:
                fraction = _link(codes, first, second, options)
                if fraction is not None and (best is None or fraction > best[2]):
                    best = (first, second, fraction)
        if best is not None:
            links[pos] = best
    out: list[MnvCandidate] = []
    used: set[int] = set()
    for pos in sorted(links):
        if pos in used:
            continue
        chain = [links[pos]]
        while (chain[-1][1].pos in links and links[chain[-1][1].pos][0] is chain[-1][1]):
            chain.append(links[chain[-1][1].pos])
        members = [chain[0][0]] + [link[1] for link in chain]
        used.update(m.pos for m in members)
        start, end = members[0].pos, members[-1].pos + 1
        ref = "".join(m.ref for m in members)
        alt = "".join(m.alt for m in members)
        t_codes, t_f1r2 = tumor.bases(start, end, min_baseq=options.min_baseq)
        normal_depths = None
        if normal is not None:
            n_codes, n_f1r2 = normal.bases(start, end, min_baseq=options.min_baseq)
            normal_depths = _depths(n_codes, n_f1r2, ref, alt)
        out.append(MnvCandidate(chrom=members[0].chrom, pos=start, ref=ref, alt=alt,
                                tumor=_depths(t_codes, t_f1r2, ref, alt), normal=normal_depths,
                                phased_fraction=tuple(round(link[2], 4) for link in chain)))
    if out:
        log.debug("%d MNV candidates from %d SNV candidates", len(out), sum(map(len,
                                                                              snvs.values())))
    return out
