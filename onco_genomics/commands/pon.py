"""``oncogen pon``: a panel of normals from normal BAMs (thin wrapper over the API)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

log = logging.getLogger(__name__)


@click.command("pon")
@click.argument("normals", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ref", "reference", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Reference FASTA the normals were aligned to.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Panel VCF to write (.vcf.gz: bgzipped and tabix-indexed).")
@click.option("--region", "regions", multiple=True,
              help="Region to scan, 1-based inclusive (20:1000001-2000000); repeatable.")
@click.option("--bed", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="BED of regions to scan (intersected with --region).")
@click.option("--min-normals", type=int, default=2, show_default=True,
              help="Normals that must show an allele for it to enter the panel.")
@click.option("--min-alt-reads", type=int, default=2, show_default=True,
              help="ALT reads that count as evidence in one normal.")
@click.option("--min-af", type=float, default=0.02, show_default=True,
              help="Allele fraction that counts as evidence in one normal.")
@click.option("--threads", type=int, default=1, show_default=True,
              help="Worker processes (the output is identical for any number).")
def pon(normals: tuple[Path, ...], reference: Path, output: Path, regions: tuple[str, ...],
        bed: Path | None, min_normals: int, min_alt_reads: int, min_af: float,
        threads: int) -> None:
    """Build a panel of normals: alleles with recurrent non-reference evidence in NORMALS.

    Sites seen in at least --min-normals normals (artefacts of the pipeline, mapping
    problems, common germline alleles) get FILTER panel_of_normals when the panel is given
    to `oncogen call --panel-of-normals`, in tumor-only and matched mode.
    """
    from onco_genomics.caller.pon import build_panel_of_normals
    from onco_genomics.commands._options import command_line

    result = build_panel_of_normals(normals, reference=reference, output=output,
                                    regions=regions, bed=bed, min_normals=min_normals,
                                    min_alt_reads=min_alt_reads, min_af=min_af,
                                    threads=threads, command_line=command_line())
    click.echo(f"{result.output}: {result.sites} panel sites from {len(result.normals)} "
               "normals", err=True)
