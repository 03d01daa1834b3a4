"""``oncogen signatures fit`` and ``oncogen signatures extract``."""

from __future__ import annotations

import logging
from pathlib import Path

import click

log = logging.getLogger(__name__)


def _side_file(output: Path, tag: str) -> Path:
    """``exposures.tsv`` -> ``exposures.<tag>.tsv``."""
    suffix = output.suffix
    stem = output.name[: len(output.name) - len(suffix)] if suffix else output.name
    return output.with_name(f"{stem}.{tag}{suffix or '.tsv'}")


@click.group("signatures")
def signatures() -> None:
    """Fit known (COSMIC) signatures to catalogs, or extract signatures de novo."""


@signatures.command("fit")
@click.argument("catalog", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reference", "reference", default="cosmic:v3.4", show_default=True,
              help="COSMIC-format signature file, or cosmic:vX.Y[:BUILD][:exome] from an "
                   "installed sigprofilerassignment.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Exposure table (sample, signature, mutations, fraction, 95% CI). A "
                   "per-sample table (cosine, residual, signatures used) is written beside "
                   "it as <output>.samples.tsv, a wide matrix as <output>.matrix.tsv.")
@click.option("--min-improvement", type=float, default=0.2, show_default=True,
              help="Add a signature only if it removes this fraction of 1 - cosine.")
@click.option("--max-signatures", type=int, default=15, show_default=True,
              help="Most signatures per sample.")
@click.option("--bootstrap", "n_bootstrap", type=int, default=100, show_default=True,
              help="Bootstrap replicates for 95% confidence intervals (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--exclude", multiple=True,
              help="Signature not to fit (e.g. a sequencing artefact); repeatable.")
@click.option("--opportunity", default=None,
              help="Re-weight the signatures for the catalog's territory: exome, genome or "
                   "a context<TAB>count file (SBS96/DBS78).")
@click.option("--genome-build", default="GRCh37", show_default=True,
              help="Build of the genome-wide context counts used by --opportunity.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw stacked exposure bars (.png/.svg/.pdf).")
def fit(catalog: Path, reference: str, output: Path, min_improvement: float,
        max_signatures: int, n_bootstrap: int, seed: int, exclude: tuple[str, ...],
        opportunity: str | None, genome_build: str, plot: Path | None) -> None:
    """Fit reference signatures to every sample of CATALOG (SigProfiler layout)."""
    from onco_genomics.spectrum.fit import FitOptions, fit_catalog
    from onco_genomics.spectrum.matrix_files import read_catalog, write_matrix

    options = FitOptions(min_improvement=min_improvement, max_signatures=max_signatures,
                         n_bootstrap=n_bootstrap, seed=seed)
    result = fit_catalog(read_catalog(catalog), reference, options=options,
                         exclude=exclude, opportunity=opportunity, genome_build=genome_build)
    write_matrix(result.exposure_table().set_index("sample"), output, index_name="sample")
    write_matrix(result.sample_table(), _side_file(output, "samples"), index_name="sample")
    write_matrix(result.exposures.T, _side_file(output, "matrix"), index_name="Samples",
                 float_format="%.3f")
    if plot is not None:
        from onco_genomics.spectrum.plots import plot_exposures

        plot_exposures(result.exposures, plot)
    table = result.sample_table()
    click.echo(f"{output}: {len(table)} samples, mean cosine {table['cosine'].mean():.4f}, "
               f"mean signatures {table['n_signatures'].mean():.2f}", err=True)
