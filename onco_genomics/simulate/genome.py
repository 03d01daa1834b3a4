"""Reference windows and the haplotype sequences reads are drawn from.

A :class:`Window` is one merged user region plus padding on both sides (so reads cover
the region's edges at full depth), with its reference bases as a numpy array of ASCII
codes. Its *confident* intervals are the region minus runs of N (with a margin), where
variants are planted and where a caller is scored.

A :class:`Haplotype` is the window's sequence with a set of variants applied (germline for
the normal's two haplotypes; the tumor uses the same two and spikes somatic alleles into
reads), with a map from reference to haplotype coordinates.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from onco_genomics.regions import Region

log = logging.getLogger(__name__)

#: ASCII codes of the bases
A, C, G, T, N = (ord(base) for base in "ACGTN")

#: complement lookup over ASCII codes (anything unknown -> N)
COMPLEMENT = np.full(256, N, dtype=np.uint8)
for _base, _comp in zip(b"ACGTN", b"TGCAN", strict=True):
    COMPLEMENT[_base] = _comp


class SequenceSource(Protocol):
    """Reference access: contig lengths and bases of a 0-based half-open interval."""

    @property
    def lengths(self) -> dict[str, int]: ...

    def fetch(self, chrom: str, start: int, end: int) -> str: ...


def reverse_complement(seqs: np.ndarray) -> np.ndarray:
    """Reverse complement of ASCII-coded sequences along the last axis."""
    return COMPLEMENT[seqs[..., ::-1]]


@dataclass(frozen=True)
class Window:
    """A simulated region with padding and its reference bases.

    Attributes
    ----------
    index
        Position of the window in the run (used to seed its random streams).
    region
        The span of the user's regions in this window (0-based half-open); regions closer
        than two paddings share one window, so no base is drawn from two windows.
    start, end
        Padded extent on the contig: reads are drawn from ``[start, end)``.
    bases
        Upper-case reference bases of ``[start, end)`` as ASCII codes (uint8).
    confident
        Sub-intervals of the user's regions without N runs and margins.
    """

    index: int
    region: Region
    start: int
    end: int
    bases: np.ndarray = field(repr=False)
    confident: tuple[Region, ...]

    def __post_init__(self) -> None:
        if not self.start <= self.region.start < self.region.end <= self.end:
            raise ValueError(f"window {self.start}-{self.end} does not contain {self.region}")
        if self.bases.shape != (self.end - self.start,) or self.bases.dtype != np.uint8:
            raise ValueError("window bases must be uint8 with one code per base")

    @property
    def chrom(self) -> str:
        return self.region.chrom

    def confident_mask(self) -> np.ndarray:
        """Boolean mask over the window: True at confident bases."""
        mask = np.zeros(self.end - self.start, dtype=bool)
        for interval in self.confident:
            mask[interval.start - self.start:interval.end - self.start] = True
        return mask

    def ref(self, pos: int, length: int = 1) -> str:
        """Reference bases at contig position ``pos`` (0-based)."""
        offset = pos - self.start
        return self.bases[offset:offset + length].tobytes().decode()


def n_runs(bases: np.ndarray) -> list[tuple[int, int]]:
    """Half-open intervals of consecutive non-ACGT bases in ``bases``."""
    is_n = ~np.isin(bases, np.array([A, C, G, T], dtype=np.uint8))
    if not is_n.any():
        return []
    padded = np.concatenate([[False], is_n, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(s), int(e)) for s, e in zip(edges[::2], edges[1::2], strict=True)]


def make_windows(reference: SequenceSource, regions: Sequence[Region], *, padding: int,
                 margin: int, edge_margin: int) -> list[Window]:
    """Fetch each region with ``padding`` bases either side and find its confident parts.

    Parameters
    ----------
    reference
        The reference.
    regions
        Sorted, merged regions (those closer than ``2 * padding`` share a window).
    padding
        Bases simulated beyond each region (clipped at contig ends).
    margin
        Bases removed from the confident intervals around N runs.
    edge_margin
        Bases removed at contig ends, where reads cannot reach full depth.
    """
    lengths = reference.lengths
    groups: list[list[Region]] = []
    for user_region in regions:
        last = groups[-1][-1] if groups else None
        if (last is not None and last.chrom == user_region.chrom
                and user_region.start - last.end < 2 * padding):
            groups[-1].append(user_region)
        else:
            groups.append([user_region])
    windows: list[Window] = []
    for index, group in enumerate(groups):
        region = Region(group[0].chrom, group[0].start, group[-1].end)
        contig_len = lengths[region.chrom]
        start = max(0, region.start - padding)
        end = min(contig_len, region.end + padding)
        text = reference.fetch(region.chrom, start, end).upper()
        bases = np.frombuffer(text.encode("ascii"), dtype=np.uint8).copy()
        bases[~np.isin(bases, np.array([A, C, G, T], dtype=np.uint8))] = N
        blocked = np.zeros(end - start, dtype=bool)
        for run_start, run_end in n_runs(bases):
            blocked[max(0, run_start - margin):run_end + margin] = True
        blocked[:max(0, edge_margin - start)] = True  # contig start
        tail = edge_margin - (contig_len - end)
        if tail > 0:
            blocked[len(blocked) - tail:] = True  # contig end
        inside = np.zeros(end - start, dtype=bool)
        for user_region in group:
            inside[user_region.start - start:user_region.end - start] = True
        ok = np.concatenate([[False], inside & ~blocked, [False]])
        edges = np.flatnonzero(ok[1:] != ok[:-1])
        confident = tuple(Region(region.chrom, start + int(a), start + int(b))
                          for a, b in zip(edges[::2], edges[1::2], strict=True))
        windows.append(Window(index, region, start, end, bases, confident))
        log.info("window %s: %s confident bases in %d interval(s)", region,
                 f"{sum(len(c) for c in confident):,}", len(confident))
    return windows


@dataclass(frozen=True)
class Edit:
    """A sequence change at contig position ``pos`` replacing ``ref`` with ``alt``.

    ``ref`` and ``alt`` are VCF-style alleles (indels carry the anchor base).
    """

    pos: int
    ref: str
    alt: str

    def __post_init__(self) -> None:
        if self.pos < 0 or not self.ref or not self.alt:
            raise ValueError(f"invalid edit {self}")

    @property
    def end(self) -> int:
        return self.pos + len(self.ref)

    @property
    def delta(self) -> int:
        return len(self.alt) - len(self.ref)


@dataclass(frozen=True)
class Haplotype:
    """A window's sequence with edits applied, and the coordinate map back to it.

    Attributes
    ----------
    window
        The source window.
    bases
        Haplotype sequence (ASCII codes).
    breaks
        Contig positions (sorted) from which the cumulative shift in ``shifts`` applies.
    shifts
        Haplotype minus reference offset from each break on.
    """

    window: Window = field(repr=False)
    bases: np.ndarray = field(repr=False)
    breaks: np.ndarray = field(repr=False)
    shifts: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        if self.breaks.shape != self.shifts.shape:
            raise ValueError("breaks and shifts must have the same length")

    @classmethod
    def build(cls, window: Window, edits: Sequence[Edit]) -> Haplotype:
        """Apply non-overlapping ``edits`` (any order) to the window's sequence."""
        pieces: list[np.ndarray] = []
        last = 0
        breaks = [window.start]
        shifts = [0]
        for edit in sorted(edits, key=lambda e: e.pos):
            offset = edit.pos - window.start
            if offset < last or edit.end > window.end:
                raise ValueError(f"edit {edit} overlaps another edit or leaves the window")
            found = window.bases[offset:offset + len(edit.ref)].tobytes().decode()
            if found != edit.ref:
                raise ValueError(f"edit {edit} REF differs from the reference {found!r}")
            pieces.append(window.bases[last:offset])
            pieces.append(np.frombuffer(edit.alt.encode("ascii"), dtype=np.uint8))
            last = offset + len(edit.ref)
            if edit.delta:
                breaks.append(edit.end)
                shifts.append(shifts[-1] + edit.delta)
        pieces.append(window.bases[last:])
        return cls(window, np.concatenate(pieces).astype(np.uint8),
                   np.array(breaks, dtype=np.int64), np.array(shifts, dtype=np.int64))

    def to_hap(self, pos: int) -> int:
        """Haplotype offset of contig position ``pos`` (outside any edit)."""
        index = int(np.searchsorted(self.breaks, pos, side="right")) - 1
        return pos - self.window.start + int(self.shifts[max(index, 0)])

    def __len__(self) -> int:
        return int(self.bases.shape[0])
