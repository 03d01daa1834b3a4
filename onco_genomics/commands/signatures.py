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


@signatures.command(
    "fit", short_help="Fit reference (COSMIC) signatures: exposures, cosine, bootstrap CIs.")
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
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Bootstrap seed (>= 0).")
@click.option("--objective", default="poisson", show_default=True,
              help="Exposures of the chosen signatures: poisson (maximise the Poisson "
                   "likelihood of the counts) or least-squares (NNLS: the highest "
                   "reconstruction cosine for the chosen set).")
@click.option("--cohort-fraction", type=float, default=0.05, show_default=True,
              help="Cohort prior: a signature chosen in at least this fraction of the "
                   "samples (and in at least two) is a cohort signature, which samples are "
                   "refitted among; 0 turns the cohort step off.")
@click.option("--cohort-min-samples", type=int, default=10, show_default=True,
              help="Run the cohort step only for catalogs with at least this many "
                   "non-empty samples.")
@click.option("--private-deviance", type=float, default=20.0, show_default=True,
              help="A sample keeps its own (non-cohort) signatures only if they lower the "
                   "Poisson deviance by more than this per signature outside the cohort set.")
@click.option("--pooled-prior/--no-pooled-prior", default=True, show_default=True,
              help="Pooled prior (Poisson exposures only): select signatures on the sum of "
                   "all samples, fit each sample's exposures under a prior towards that mix "
                   "and keep that fit where its deviance is lower by 0.01 x mutations per "
                   "added signature (helps exome/panel samples of 50-1,000 mutations).")
@click.option("--prior-strength", type=float, default=5.0, show_default=True,
              help="Pseudo-mutations of the pooled prior (0: none).")
@click.option("--exclude", multiple=True,
              help="Signature not to fit (e.g. a sequencing artefact); repeatable.")
@click.option("--opportunity", default=None,
              help="Re-weight the signatures for the catalog's territory: exome, genome or "
                   "a context<TAB>count file (SBS96/DBS78).")
@click.option("--genome-build", default="GRCh37", show_default=True,
              help="Build of the genome-wide context counts used by --opportunity (only "
                   "with --opportunity; the reference's build is set in --reference).")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw stacked exposure bars (.png/.svg/.pdf).")
def fit(catalog: Path, reference: str, output: Path, min_improvement: float,
        max_signatures: int, n_bootstrap: int, seed: int, objective: str,
        cohort_fraction: float, cohort_min_samples: int, private_deviance: float,
        pooled_prior: bool, prior_strength: float, exclude: tuple[str, ...],
        opportunity: str | None, genome_build: str, plot: Path | None) -> None:
    """Fit reference signatures to every sample of CATALOG (SigProfiler layout)."""
    from onco_genomics.errors import OptionsError
    from onco_genomics.io.atomic import atomic_outputs, check_output_path
    from onco_genomics.spectrum.fit import FitOptions, fit_catalog
    from onco_genomics.spectrum.matrix_files import read_catalog, write_matrix

    source = click.get_current_context().get_parameter_source("genome_build")
    if opportunity is None and source == click.core.ParameterSource.COMMANDLINE:
        raise OptionsError(f"--genome-build {genome_build} only selects the genome-wide "
                           "context counts of --opportunity, which was not given; add "
                           "--opportunity exome|genome|FILE, or drop --genome-build (the "
                           "reference's build is part of --reference, e.g. "
                           "cosmic:v3.4:GRCh38)")
    options = FitOptions(min_improvement=min_improvement, max_signatures=max_signatures,
                         n_bootstrap=n_bootstrap, seed=seed, objective=objective,
                         cohort_fraction=cohort_fraction,
                         cohort_min_samples=cohort_min_samples,
                         private_deviance=private_deviance, pooled_prior=pooled_prior,
                         prior_strength=prior_strength)
    for path in (output, _side_file(output, "samples"), _side_file(output, "matrix")):
        check_output_path(path, what="-o/--output")
    if plot is not None:
        check_output_path(plot, what="--plot")
    result = fit_catalog(read_catalog(catalog), reference, options=options,
                         exclude=exclude, opportunity=opportunity, genome_build=genome_build)
    with atomic_outputs() as files:  # all the tables (and the plot) or none
        write_matrix(result.exposure_table().set_index("sample"), files.file(output),
                     index_name="sample")
        write_matrix(result.sample_table(), files.file(_side_file(output, "samples")),
                     index_name="sample")
        write_matrix(result.exposures.T, files.file(_side_file(output, "matrix")),
                     index_name="Samples", float_format="%.3f")
        if plot is not None:
            from onco_genomics.spectrum.plots import plot_exposures

            plot_exposures(result.exposures, files.file(plot))
    table = result.sample_table()
    click.echo(f"{output}: {len(table)} samples, mean cosine {table['cosine'].mean():.4f}, "
               f"mean signatures {table['n_signatures'].mean():.2f}", err=True)


@signatures.command(
    "extract", short_help="Extract signatures de novo (KL-NMF), choose k, match to COSMIC.")
@click.argument("catalog", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: signatures.tsv, exposures.tsv, solutions.tsv, "
                   "matches.tsv (with --reference), and one signatures.k<K>.tsv per k.")
@click.option("--k", "k_range", default="2..10", show_default=True,
              help="Numbers of signatures to try: LOW..HIGH or one number.")
@click.option("--restarts", type=int, default=20, show_default=True,
              help="NMF restarts (on Poisson-resampled catalogs) per k.")
@click.option("--max-iter", type=int, default=2000, show_default=True,
              help="NMF iterations per restart.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the resampling and NMF starts (>= 0).")
@click.option("--min-stability", type=float, default=0.8, show_default=True,
              help="Mean silhouette a solution needs to be chosen (0 to 1).")
@click.option("--reference", default=None,
              help="Match the chosen signatures to these (file or cosmic:vX.Y).")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw the chosen signatures (.png/.svg/.pdf).")
def extract(catalog: Path, output: Path, k_range: str, restarts: int, max_iter: int, seed: int,
            min_stability: float, reference: str | None, plot: Path | None) -> None:
    """Extract signatures de novo from CATALOG with NMF (KL), choosing k by stability."""
    from onco_genomics.io.atomic import atomic_outputs, check_output_path
    from onco_genomics.spectrum.extract import ExtractOptions, extract_catalog, parse_k_range
    from onco_genomics.spectrum.matrix_files import read_catalog, write_matrix

    check_output_path(output, folder=True, what="-o/--output")
    if plot is not None:
        check_output_path(plot, what="--plot")
    k_min, k_max = parse_k_range(k_range)
    options = ExtractOptions(k_min=k_min, k_max=k_max, n_restarts=restarts, max_iter=max_iter,
                             seed=seed, min_stability=min_stability)
    mutation_catalog = read_catalog(catalog)
    result = extract_catalog(mutation_catalog, options=options, reference=reference)
    chosen = result.chosen
    with atomic_outputs() as files:  # every table (and the plot) or none
        write_matrix(chosen.signatures, files.file(output / "signatures.tsv"))
        write_matrix(chosen.exposures.T, files.file(output / "exposures.tsv"),
                     index_name="Samples", float_format="%.3f")
        write_matrix(result.summary(), files.file(output / "solutions.tsv"), index_name="k")
        for k, solution in result.solutions.items():
            write_matrix(solution.signatures, files.file(output / f"signatures.k{k}.tsv"))
        if result.matches is not None:
            write_matrix(result.matches, files.file(output / "matches.tsv"),
                         index_name="signature")
        if plot is not None:
            from onco_genomics.spectrum.plots import plot_signatures

            plot_signatures(chosen.signatures, mutation_catalog.kind, files.file(plot))
    click.echo(f"{output}: chose k={result.chosen_k} (mean stability "
               f"{chosen.mean_stability:.3f}, mean cosine {chosen.cosine.mean():.4f})",
               err=True)
