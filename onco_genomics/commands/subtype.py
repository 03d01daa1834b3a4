"""``oncogen subtype discover|predict`` and ``oncogen train subtype``."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.commands._options import orientation_option
from onco_genomics.commands.cup import INPUT_TYPES, MODELS

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
    from onco_genomics.io.atomic import atomic_outputs, check_output_path
    from onco_genomics.io.tables import read_table, write_table
    from onco_genomics.omics.subtype import discover_subtypes, parse_k_range, plot_consensus

    check_output_path(output, folder=True, what="-o/--output")
    ks = parse_k_range(k_range)
    table = read_table(expression, orientation=orientation,  # type: ignore[arg-type]
                       nan_policy="impute-median", duplicates="mean")
    result = discover_subtypes(table, k_values=ks, n_resamples=resamples, n_genes=n_genes,
                               seed=seed)
    with atomic_outputs() as files:  # all three or none
        write_table(result.assignments.to_frame(), files.file(output / "assignments.tsv"))
        write_table(result.scores, files.file(output / "k_scores.tsv"))
        plot_consensus(result, files.file(output / "consensus_heatmap.png"))
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
    from onco_genomics.omics.cup import load_classifier, predict_tumour_type

    check_output_path(output, what="-o/--output")
    pipeline = load_classifier(model, task="subtype")
    table = read_table(expression, orientation=orientation,  # type: ignore[arg-type]
                       nan_policy="keep", duplicates="mean",
                       feature_names=pipeline.model_card_.get("feature_names"),
                       features_source=f"model {model}")
    calls = predict_tumour_type(pipeline, table)
    write_table(calls, output)
    click.echo(f"{output}: {len(calls)} samples", err=True)


@click.command("subtype")
@click.argument("expression", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model directory to write.")
@click.option("--model", "model_name", type=MODELS, default="auto", show_default=True,
              help="Classifier: auto (L2 logistic or xgboost, chosen by inner CV on the "
                   "training data; the choice is in the model card), 1D-CNN over ordered "
                   "genes, MLP, xgboost or L2 logistic.")
@click.option("--input-type", type=INPUT_TYPES, default="log", show_default=True,
              help="What the values are (counts: log2 CPM; tpm/fpkm: log2; microarray: "
                   "log2 if linear + median centring; log/none: unchanged).")
@click.option("--label-column", default=None, help="Column of LABELS holding the subtype.")
@click.option("--n-features", type=int, default=2000, show_default=True,
              help="Most variable genes kept (0: all).")
@click.option("--cv-splits", type=int, default=5, show_default=True,
              help="Stratified folds of the cross-validation report (0: none).")
@click.option("--min-class-size", type=int, default=2, show_default=True,
              help="Subtypes with fewer samples are dropped (with a warning).")
@orientation_option("EXPRESSION", "the sample ids of LABELS")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the folds and the classifier.")
def train_subtype(expression: Path, labels: Path, output: Path, model_name: str,
                  input_type: str, label_column: str | None, n_features: int, cv_splits: int,
                  min_class_size: int, orientation: str, seed: int) -> None:
    """Train a supervised subtype classifier on EXPRESSION and LABELS (with a CV report)."""
    from onco_genomics.commands.cup import write_training_outputs
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_labels, read_table
    from onco_genomics.omics.cup import TrainingOptions, train_classifier

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
    write_training_outputs(trained, output)
