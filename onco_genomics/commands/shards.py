"""``oncogen shards`` and ``oncogen merge``: the scatter and gather steps of a sharded run."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.errors import OptionsError

log = logging.getLogger(__name__)

SHARD_PATTERN = "shard_*.bed"


def shard_name(index: int, n: int) -> str:
    """File name of shard ``index`` (0-based) of ``n``: ``shard_001.bed`` (wider for n >= 1000)."""
    width = max(3, len(str(n)))
    return f"shard_{index + 1:0{width}d}.bed"


@click.command("shards")
@click.option("--ref", "ref_path", required=True, type=click.Path(dir_okay=False),
              help="Reference FASTA (its N runs are left out of the shards).")
@click.option("--bed", "bed_path", type=click.Path(dir_okay=False), default=None,
              help="Shard only these intervals (default: the whole genome).")
@click.option("-n", "--n-shards", "n", required=True, type=click.IntRange(min=1),
              help="Number of shards.")
@click.option("-o", "--out-dir", required=True, type=click.Path(file_okay=False),
              help="Folder for shard_001.bed ... (created if needed).")
def shards(ref_path: str, bed_path: str | None, n: int, out_dir: str) -> None:
    """Split the genome (or --bed) into N BEDs with equal numbers of callable bases.

    Callable bases are the non-N reference bases. Shards are contiguous in genome order,
    and an interval is split where a shard boundary falls inside it; run `oncogen call
    --bed shard_K.bed` on each and gather with `oncogen merge`.
    """
    from onco_genomics.caller.shards import make_shards
    from onco_genomics.io.atomic import atomic_outputs, check_output_path
    from onco_genomics.io.bed import read_bed, write_bed
    from onco_genomics.io.reference import Reference

    folder = Path(out_dir)
    names = [shard_name(k, n) for k in range(n)]
    stale = sorted(p.name for p in folder.glob(SHARD_PATTERN) if p.name not in names) \
        if folder.is_dir() else []
    if stale:
        raise OptionsError(
            f"{folder} holds shard BEDs of another run ({', '.join(stale[:3])}"
            f"{', ...' if len(stale) > 3 else ''}); expected an empty folder or one with "
            f"only shard_001..{n} files: remove them or choose another --out-dir")
    check_output_path(folder, folder=True, what="-o/--out-dir")
    regions = read_bed(bed_path) if bed_path is not None else None
    plan = make_shards(Reference(ref_path), regions=regions, n=n)
    with atomic_outputs() as files:  # every shard BED or none
        for name, intervals in zip(names, plan, strict=True):
            write_bed(files.file(folder / name), intervals)
    for name, intervals in zip(names, plan, strict=True):
        bases = sum(len(region) for region in intervals)
        click.echo(f"{folder / name}\t{len(intervals)} intervals\t{bases} bases")


@click.command("merge")
@click.argument("vcfs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Merged VCF (.vcf.gz; a .tbi index is written beside it).")
def merge(vcfs: tuple[str, ...], output: str) -> None:
    """Merge per-shard VCFs into one sorted, bgzipped, indexed VCF.

    The shards must share samples, contigs and INFO/FORMAT definitions; exact duplicate
    records at shard boundaries are written once.
    """
    from onco_genomics.io.merge import merge_vcfs

    path = merge_vcfs(list(vcfs), output)
    log.info("wrote %s", path)
