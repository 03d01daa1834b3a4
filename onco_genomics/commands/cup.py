"""``oncogen cup`` and ``oncogen train cup``: thin wrappers over :mod:`onco_genomics.omics.cup`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.commands._options import classifier_training_options, orientation_option

log = logging.getLogger(__name__)

@click.command("cup")
@click.argument("expression", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", default=None,
              help="Model directory or shipped model name [default: cup_example].")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Predictions table (TSV; .gz to compress).")
@click.option("--explain", "n_explain", type=int, default=0, show_default=True,
              help="Also list the N genes that push each prediction most (SHAP).")
@orientation_option("EXPRESSION", "the model's gene names")
@click.option("--top", type=int, default=3, show_default=True, help="Ranked classes reported.")
def cup(expression: Path, model: str | None, output: Path, n_explain: int, orientation: str,
        top: int) -> None:
    """Predict the tumour type of each sample in EXPRESSION (samples x genes).

    Genes missing from EXPRESSION are imputed with the training median (an error above the
    model's limit); the model's input type (counts, TPM, ...) is stated in its card.
    """
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_table, write_table
    from onco_genomics.omics.cup import load_classifier, predict_tumour_type

    check_output_path(output, what="-o/--output")
    pipeline = load_classifier(model, task="cup")
    table = read_table(expression, orientation=orientation,  # type: ignore[arg-type]
                       nan_policy="keep", duplicates="mean",
                       feature_names=pipeline.model_card_.get("feature_names"),
                       features_source=f"model {model or 'cup_example'}")
    predictions = predict_tumour_type(pipeline, table, top=top)
    if n_explain > 0:
        from onco_genomics.explain import explain_model, top_features_wide

        explanation = explain_model(pipeline, table)
        predictions = predictions.join(top_features_wide(
            explanation, n_explain, outputs=predictions["predicted"]))
    write_table(predictions, output)
    click.echo(f"{output}: {len(predictions)} samples, {int(predictions['confident'].sum())} "
               "called confidently", err=True)


@click.command("cup")
@classifier_training_options("tumour type")
@click.option("--task", type=click.Choice(["cup", "cup-mutations"]), default="cup",
              show_default=True, help="cup-mutations: features from `oncogen features`.")
@click.option("--cv-repeats", type=int, default=1, show_default=True,
              help="Repeats of the stratified k-fold (different shuffles).")
@click.option("--target-precision", type=float, default=0.95, show_default=True,
              help="Precision the confidence threshold must reach out of fold.")
@click.option("--max-epochs", type=int, default=None, help="Epochs for cnn1d/mlp.")
@click.option("--gene-positions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="cnn1d: BED of genes (4th column = name) to order genes by "
                                 "chromosome position [default: correlation order].")
def train_cup(expression: Path, labels: Path, output: Path, model_name: str, input_type: str,
              label_column: str | None, task: str, n_features: int, cv_splits: int,
              cv_repeats: int, min_class_size: int, target_precision: float,
              max_epochs: int | None, gene_positions: Path | None, orientation: str,
              seed: int) -> None:
    """Train a tumour-type classifier on EXPRESSION (samples x genes) and LABELS.

    Writes OUTPUT/model.json, weights, MODEL_CARD.md, cv_report.tsv and
    confusion_matrix.png.
    """
    from onco_genomics.errors import OptionsError
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_labels, read_table
    from onco_genomics.omics.classification import (
        TrainingOptions,
        read_gene_positions,
        train_classifier,
    )

    check_output_path(output, folder=True, what="-o/--output")
    params: dict[str, object] = {}
    if max_epochs and model_name in ("cnn1d", "mlp"):
        params["max_epochs"] = max_epochs
    if gene_positions is not None:
        if model_name != "cnn1d":
            raise OptionsError("--gene-positions orders genes for --model cnn1d only; "
                               f"got --model {model_name}")
        params["gene_order"] = "chromosome"
        params["gene_positions"] = read_gene_positions(gene_positions)
    options = TrainingOptions(
        model=model_name, task=task, input_type=input_type, n_features=n_features or None,
        cv_splits=cv_splits, cv_repeats=cv_repeats, min_class_size=min_class_size,
        target_precision=target_precision, seed=seed, model_params=params)
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
