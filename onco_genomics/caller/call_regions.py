"""The regions a run calls: ``--region`` strings intersected with ``--bed``, or every contig.

Shared by matched calling (:mod:`onco_genomics.caller.calling`), tumor-only calling and
``oncogen pon``: the result is merged, sorted in reference contig order and never empty.
The run settings both calling modes share (threads, ``--min-af``, device, chunk size,
output name) are checked here too, by :func:`check_run_settings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from onco_genomics.errors import OptionsError
from onco_genomics.regions import Region, merge_regions, parse_region, sort_by_contig_order

#: default chunk size in bases: small enough that the chunks of even a 1 Mb region spread
#: evenly over the workers, large enough that the per-chunk cost (opening the files, the
#: 200-base flanks) is under 1% of the scan
DEFAULT_CHUNK_SIZE = 50_000


def check_run_settings(*, threads: int, min_af: float, device: str, chunk_size: int,
                       output: Path) -> None:
    """Refuse run settings that no calling mode can use, with the option named."""
    from onco_genomics.caller.inference import DEVICES

    if threads < 1:
        raise OptionsError(f"--threads must be at least 1, found {threads}")
    if not 0.0 < min_af < 1.0:
        raise OptionsError(f"--min-af must be in (0, 1), found {min_af}; e.g. 0.02")
    if device not in DEVICES:
        raise OptionsError(f"--device must be one of {', '.join(DEVICES)}, found {device!r}")
    if chunk_size < 1000:
        raise OptionsError(f"chunk size must be at least 1000 bases, found {chunk_size}")
    if output.suffix not in (".gz", ".vcf"):
        raise OptionsError(f"-o/--output must end in .vcf.gz or .vcf, found {output}")


class RegionSelection(Protocol):
    """What :func:`resolve_call_regions` reads: ``--region`` strings, a BED, the FASTA."""

    @property
    def regions(self) -> tuple[str, ...]: ...

    @property
    def bed(self) -> Path | None: ...

    @property
    def reference(self) -> Path: ...


def resolve_call_regions(options: RegionSelection,
                         contigs: Sequence[tuple[str, int]]) -> list[Region]:
    """The regions to scan: ``--region`` intersected with ``--bed``; neither: every contig."""
    return _resolve_regions(options, contigs)


def _resolve_regions(options: RegionSelection,
                     contigs: Sequence[tuple[str, int]]) -> list[Region]:
    from onco_genomics.io.bed import read_bed

    lengths = dict(contigs)
    wanted = [parse_region(text, lengths) for text in options.regions]
    if options.bed is not None:
        bed_regions = merge_regions(read_bed(options.bed))
        for region in bed_regions:
            if region.chrom not in lengths:
                raise OptionsError(f"BED {options.bed}: contig {region.chrom!r} is not in the "
                                   f"reference {options.reference}; use a BED with the "
                                   "reference's contig names")
        if wanted:
            clipped = []
            for region in merge_regions(wanted):
                for interval in bed_regions:
                    if interval.overlaps(region):
                        clipped.append(Region(region.chrom, max(region.start, interval.start),
                                              min(region.end, interval.end)))
            wanted = clipped
        else:
            wanted = bed_regions
    elif not wanted:
        wanted = [Region(name, 0, length) for name, length in contigs]
    merged = sort_by_contig_order(merge_regions(wanted), [name for name, _ in contigs])
    if not merged:
        raise OptionsError("the --region/--bed selection is empty: nothing to call; check that "
                           "the BED and --region overlap")
    return merged
