"""``oncogen subtype discover|predict`` and ``oncogen train subtype``."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.commands._options import classifier_training_options, orientation_option

log = logging.getLogger(__name__)


@click.group("subtype")
def subtype() -> None:
    """Molecular subtypes: unsupervised discovery and supervised classifiers."""


@subtype.command("discover")
@click.argument("expression", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-k", "k_range", default="2..8", show_default=True,
              help="Cluster numbers to try: 2..8 or 3,4,5.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output directory (assignments.tsv, k_scores.tsv, consensus_heatmap.png).")
@click.option("--resamples", type=int, default=30, show_default=True, help="NMF runs per k.")
@click.option("--n-genes", type=int, default=1000, show_default=True,
              help="Most variable genes used.")
@orientation_option("EXPRESSION", "gene-like or sample-like names")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the subsamples and NMF starts.")
def discover(expression: Path, k_range: str, output: Path, resamples: int, n_genes: int,
             orientation: str, seed: int) -> None:
    """Consensus NMF clustering of EXPRESSION (samples x genes, log scale); k chosen by
    cophenetic correlation and silhouette."""
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_table
    from onco_genomics.omics.subtype import discover_subtypes, parse_k_range

    check_output_path(output, folder=True, what="-o/--output")
    ks = parse_k_range(k_range)
    table = read_table(expression, orientation=orientation,  # type: ignore[arg-type]
                       nan_policy="impute-median", duplicates="mean")
    result = discover_subtypes(table, k_values=ks, n_resamples=resamples, n_genes=n_genes,
                               seed=seed)
    result.write(output)
    click.echo(f"{output}: k={result.best_k}; "
               + ", ".join(f"{k}: {n}" for k, n in result.assignments.value_counts()
                           .sort_index().items()), err=True)


@subtype.command("predict")
@click.argument("expression", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", required=True, help="Model directory from `oncogen train subtype`.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Predictions table (TSV; .gz to compress).")
@orientation_option("EXPRESSION", "the model's gene names")
def predict(expression: Path, model: str, output: Path, orientation: str) -> None:
    """Assign the subtype of each sample in EXPRESSION with a trained subtype classifier."""
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_table, write_table
    from onco_genomics.omics.classification import load_classifier, predict_classes

    check_output_path(output, what="-o/--output")
    pipeline = load_classifier(model, task="subtype")
    table = read_table(expression, orientation=orientation,  # type: ignore[arg-type]
                       nan_policy="keep", duplicates="mean",
                       feature_names=pipeline.model_card_.get("feature_names"),
                       features_source=f"model {model}")
    calls = predict_classes(pipeline, table)
    write_table(calls, output)
    click.echo(f"{output}: {len(calls)} samples", err=True)


@click.command("subtype")
@classifier_training_options("subtype")
def train_subtype(expression: Path, labels: Path, output: Path, model_name: str,
                  input_type: str, label_column: str | None, n_features: int, cv_splits: int,
                  min_class_size: int, orientation: str, seed: int) -> None:
    """Train a supervised subtype classifier on EXPRESSION and LABELS (with a CV report)."""
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_labels, read_table
    from onco_genomics.omics.classification import TrainingOptions, train_classifier

    check_output_path(output, folder=True, what="-o/--output")
    options = TrainingOptions(model=model_name, task="subtype", input_type=input_type,
                              n_features=n_features or None, cv_splits=cv_splits,
                              min_class_size=min_class_size, seed=seed)
    classes = read_labels(labels, column=label_column).astype(str)
    table = read_table(expression, orientation=orientation,  # type: ignore[arg-type]
                       nan_policy="keep", duplicates="mean",
                       sample_ids=classes.index, ids_source=str(labels))
    trained = train_classifier(table, classes, options=options,
                               training_data={"name": expression.name,
                                              "source": str(expression)})
    trained.save(output)
    if trained.report is not None:
        click.echo(trained.report.table(), err=True)
    click.echo(f"{output}: model written", err=True)
