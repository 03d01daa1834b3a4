"""``oncogen features``: per-sample model features from VCF/MAF files."""

from __future__ import annotations

import logging
from pathlib import Path

import click

log = logging.getLogger(__name__)


@click.command("features")
@click.argument("inputs", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Feature table (TSV, samples as rows).")
@click.option("--ref", "reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Reference FASTA: adds SBS96 fractions (and --signatures).")
@click.option("--genes", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="BED of genes (4th column = name): adds mut_<GENE> columns.")
@click.option("--signatures", default=None,
              help="Reference signatures for exposures, e.g. cosmic:v3.4 (needs --ref).")
@click.option("--territory-mb", type=float, default=30.0, show_default=True,
              help="Megabases covered by the calls (TMB denominator).")
@click.option("--no-density", is_flag=True, help="Leave out the 1 Mb density bins.")
@click.option("--all-filters", is_flag=True, help="Count non-PASS records too.")
def features(inputs: tuple[Path, ...], output: Path, reference: Path | None, genes: Path | None,
             signatures: str | None, territory_mb: float, no_density: bool,
             all_filters: bool) -> None:
    """Per-sample TMB, gene mutation status, SBS96 fractions, signature exposures and
    1 Mb mutation density from INPUTS (VCF/BCF/MAF)."""
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import write_table
    from onco_genomics.omics.mutation_features import (
        FeatureOptions,
        mutation_features,
        read_gene_intervals,
    )

    check_output_path(output, what="-o/--output")

    options = FeatureOptions(territory_mb=territory_mb,
                             genes=read_gene_intervals(genes) if genes else (),
                             density_bins=not no_density, signatures=signatures,
                             pass_only=not all_filters)
    table = mutation_features(list(inputs), reference=reference, options=options)
    write_table(table, output)
    click.echo(f"{output}: {table.shape[0]} samples x {table.shape[1]} features", err=True)
