"""Genomic intervals.

Inside oncogen every interval is 0-based and half-open; user-facing strings
(``chr20:1,000,001-2,000,000``) are 1-based and inclusive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from onco_genomics.errors import RegionError

_REGION_RE = re.compile(r"^(?P<chrom>[^:\s]+)(?::(?P<start>[\d,]+)(?:-(?P<end>[\d,]+))?)?$")


@dataclass(frozen=True, order=True)
class Region:
    """A 0-based half-open interval ``[start, end)`` on ``chrom``."""

    chrom: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise RegionError(
                f"invalid interval {self.chrom}:{self.start}-{self.end}: expected "
                "0 <= start <= end"
            )

    def __len__(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        """1-based inclusive, as users write regions (samtools style)."""
        return f"{self.chrom}:{self.start + 1}-{self.end}"

    def overlaps(self, other: Region) -> bool:
        return self.chrom == other.chrom and self.start < other.end and other.start < self.end

    def contains(self, chrom: str, pos: int) -> bool:
        """Whether 0-based position ``pos`` on ``chrom`` lies inside the region."""
        return chrom == self.chrom and self.start <= pos < self.end

    def chunks(self, size: int) -> Iterator[Region]:
        """Split into consecutive pieces of at most ``size`` bases."""
        if size <= 0:
            raise RegionError(f"chunk size must be positive, got {size}")
        for start in range(self.start, self.end, size):
            yield Region(self.chrom, start, min(start + size, self.end))


def parse_region(text: str, contig_lengths: Mapping[str, int] | None = None) -> Region:
    """Parse ``chrom``, ``chrom:start`` or ``chrom:start-end`` (1-based, inclusive).

    With ``contig_lengths`` the contig must exist and a missing end means the contig end.

    Examples
    --------
    >>> parse_region("20:1,001-2,000")
    Region(chrom='20', start=1000, end=2000)
    """
    match = _REGION_RE.match(text.strip())
    if not match:
        raise RegionError(
            f"cannot parse region {text!r}: expected CHROM, CHROM:START or CHROM:START-END "
            "(1-based, inclusive), e.g. 20:1000001-2000000"
        )
    chrom = match["chrom"]
    length = None
    if contig_lengths is not None:
        if chrom not in contig_lengths:
            hint = ""
            alt = chrom[3:] if chrom.startswith("chr") else f"chr{chrom}"
            if alt in contig_lengths:
                hint = f"; the reference names it {alt!r}"
            raise RegionError(f"region {text!r}: contig {chrom!r} is not in the reference{hint}")
        length = contig_lengths[chrom]
    start = int(match["start"].replace(",", "")) - 1 if match["start"] else 0
    if match["end"]:
        end = int(match["end"].replace(",", ""))
    elif length is not None:
        end = length
    else:
        raise RegionError(f"region {text!r} has no end and no reference was given to supply it")
    if start < 0 or end <= start:
        raise RegionError(f"region {text!r}: expected 1 <= START <= END")
    if length is not None and end > length:
        raise RegionError(f"region {text!r} ends past contig {chrom} (length {length:,})")
    return Region(chrom, start, end)


def merge_regions(regions: Iterable[Region]) -> list[Region]:
    """Sort and merge overlapping or touching intervals (per contig, in name order)."""
    merged: list[Region] = []
    for region in sorted(regions):
        last = merged[-1] if merged else None
        if last is not None and last.chrom == region.chrom and region.start <= last.end:
            merged[-1] = Region(last.chrom, last.start, max(last.end, region.end))
        else:
            merged.append(region)
    return merged


def sort_by_contig_order(regions: Iterable[Region], contig_order: Iterable[str]) -> list[Region]:
    """Sort regions by the reference's contig order, then by start."""
    rank = {name: i for i, name in enumerate(contig_order)}
    items = list(regions)
    for region in items:
        if region.chrom not in rank:
            raise RegionError(f"contig {region.chrom!r} of region {region} is not in the reference")
    return sorted(items, key=lambda r: (rank[r.chrom], r.start, r.end))
