"""Split a genome (or a BED) into N shards of equal callable size, for scatter/gather runs.

A *callable* base is a non-N reference base inside the requested regions (the whole genome
when none are given). :func:`make_shards` walks the callable intervals in reference contig
order and cuts them so that each shard holds ``total / n`` callable bases (rounded to whole
bases), splitting an interval where a cut falls inside it. Every callable base lands in
exactly one shard, and shard ``k`` precedes shard ``k + 1`` in genome order, so calling each
shard and concatenating the VCFs in shard order gives a sorted VCF.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from onco_genomics.errors import OptionsError, RegionError
from onco_genomics.progress import Progress
from onco_genomics.regions import Region, merge_regions, sort_by_contig_order

log = logging.getLogger(__name__)

#: bases read from the FASTA at a time while looking for N runs
SCAN_BLOCK = 4_000_000


class ShardReference(Protocol):
    """What :func:`make_shards` needs of a reference.

    :class:`onco_genomics.io.reference.Reference` is one.
    """

    @property
    def contigs(self) -> list[tuple[str, int]]:
        """``(name, length)`` in FASTA order."""
        ...

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Bases of ``chrom`` over 0-based half-open ``[start, end)``."""
        ...


@dataclass(frozen=True)
class ShardPlan:
    """Shards and their sizes.

    Attributes
    ----------
    shards
        ``shards[k]`` is the list of 0-based half-open intervals of shard ``k``, in genome
        order; no interval contains an N.
    """

    shards: tuple[tuple[Region, ...], ...]

    def __post_init__(self) -> None:
        if not self.shards or any(not shard for shard in self.shards):
            raise ValueError("a shard plan needs at least one shard and no empty shard")

    @property
    def sizes(self) -> list[int]:
        """Callable bases per shard."""
        return [sum(len(region) for region in shard) for shard in self.shards]


def _non_n_runs(sequence: str, offset: int) -> list[tuple[int, int]]:
    """0-based ``(start, end)`` of the runs of non-N bases in ``sequence`` (shifted by offset)."""
    codes = np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)
    callable_mask = (codes != ord("N")) & (codes != ord("n"))
    padded = np.concatenate(([False], callable_mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(offset + int(a), offset + int(b)) for a, b in zip(edges[::2], edges[1::2],
                                                                strict=True)]


def callable_regions(reference: ShardReference, *,
                     regions: Iterable[Region] | None = None) -> list[Region]:
    """The non-N intervals of ``regions`` (default: every contig), in reference order.

    Raises
    ------
    RegionError
        A region lies on a contig the reference lacks or runs past its end.
    """
    lengths = dict(reference.contigs)
    order = [name for name, _ in reference.contigs]
    if regions is None:
        wanted = [Region(name, 0, length) for name, length in reference.contigs if length > 0]
    else:
        wanted = sort_by_contig_order(merge_regions(regions), order)
        for region in wanted:
            if region.end > lengths[region.chrom]:
                raise RegionError(
                    f"BED interval {region} runs past the end of contig {region.chrom} "
                    f"(length {lengths[region.chrom]:,}); expected intervals within the "
                    "reference: is the BED for another genome build?")
    out: list[Region] = []
    total = sum(len(region) for region in wanted)
    with Progress(total, "bases scanned for N", log_every=30.0) as bar:
        for region in wanted:
            for block in region.chunks(SCAN_BLOCK):
                runs = _non_n_runs(reference.fetch(block.chrom, block.start, block.end),
                                   block.start)
                for start, end in runs:
                    last = out[-1] if out else None
                    if last is not None and last.chrom == block.chrom and last.end == start:
                        out[-1] = Region(block.chrom, last.start, end)  # across a block edge
                    else:
                        out.append(Region(block.chrom, start, end))
                bar.update(len(block))
    return out


def make_shards(reference: ShardReference, *, regions: Iterable[Region] | None = None,
                n: int) -> list[list[Region]]:
    """Split the callable bases of ``reference`` (within ``regions``) into ``n`` shards.

    Parameters
    ----------
    reference
        Anything with ``contigs`` and ``fetch`` (see :class:`ShardReference`).
    regions
        Restrict to these intervals (e.g. a target BED); overlapping ones are merged.
    n
        Number of shards, at least 1.

    Returns
    -------
    list[list[Region]]
        ``n`` lists of intervals; their callable base counts differ by at most one, they
        hold no N, cover every callable base exactly once and follow each other in
        genome order.

    Raises
    ------
    OptionsError
        ``n`` < 1, or more shards than callable bases.

    Examples
    --------
    >>> class Ref:
    ...     contigs = [("a", 10), ("b", 6)]
    ...     def fetch(self, chrom, start, end):
    ...         return {"a": "ACGTNNNNAC", "b": "ACGTAC"}[chrom][start:end]
    >>> [[str(r) for r in shard] for shard in make_shards(Ref(), n=3)]
    [['a:1-4'], ['a:9-10', 'b:1-2'], ['b:3-6']]
    """
    if n < 1:
        raise OptionsError(f"the number of shards must be at least 1, got {n}")
    pieces = callable_regions(reference, regions=regions)
    total = sum(len(piece) for piece in pieces)
    if total < n:
        raise OptionsError(
            f"cannot make {n} shards from {total:,} callable (non-N) bases; expected at "
            "least one base per shard: use fewer shards or a larger BED")
    plan = _cut(pieces, n=n, total=total)
    sizes = plan.sizes
    log.info("%d shards over %d callable bases: %s to %s bases each", n, total, min(sizes),
             max(sizes))
    return [list(shard) for shard in plan.shards]


def _cut(pieces: Sequence[Region], *, n: int, total: int) -> ShardPlan:
    """Cut the ordered intervals so shard ``k`` holds callable-base ordinals
    ``[k * total // n, (k + 1) * total // n)``."""
    bounds = [(k * total) // n for k in range(n + 1)]
    shards: list[list[Region]] = [[] for _ in range(n)]
    shard = 0
    ordinal = 0  # callable bases assigned so far
    for piece in pieces:
        start = piece.start
        while start < piece.end:
            while ordinal == bounds[shard + 1]:  # this shard is full
                shard += 1
            take = min(piece.end - start, bounds[shard + 1] - ordinal)
            shards[shard].append(Region(piece.chrom, start, start + take))
            start += take
            ordinal += take
    return ShardPlan(tuple(tuple(s) for s in shards))
