"""``oncogen survival`` and ``oncogen train survival``: wrappers over
:mod:`onco_genomics.omics.survival`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from onco_genomics.commands._options import orientation_option

log = logging.getLogger(__name__)

SURVIVAL_MODEL_NAMES = click.Choice(["coxnet", "deepsurv", "autoencoder-cox", "xgboost-cox",
                                     "ensemble-cox"])


@click.command("survival")
@click.option("--features", "features_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Feature table, samples x features (TSV/CSV, .gz ok).")
@click.option("--clinical", "clinical_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Clinical table: sample id, then time and event columns.")
@click.option("-o", "--output", required=True,
              type=click.Path(file_okay=False, path_type=Path), help="Model directory to write.")
@click.option("--model", "model_name", type=SURVIVAL_MODEL_NAMES, default="coxnet",
              show_default=True, help="Penalised Cox, DeepSurv, autoencoder-Cox, xgboost-Cox, or "
                   "ensemble-cox: Coxnet + xgboost-Cox weighted by inner CV.")
@click.option("--time-column", default="time", show_default=True,
              help="Column of --clinical with the follow-up time (> 0).")
@click.option("--event-column", default="event", show_default=True,
              help="Column of --clinical with the event: 1/0, true/false or dead/alive.")
@click.option("--max-features", type=int, default=None,
              help="Features kept by univariate Cox score inside each fit [model default].")
@click.option("--cv-folds", type=int, default=5, show_default=True,
              help="Outer folds of the nested cross-validation (0: none).")
@click.option("--risk-groups", type=click.IntRange(2, 5), default=2, show_default=True,
              help="Risk groups cut at quantiles of the training risk (2: low/high).")
@click.option("--pathway", is_flag=True,
              help="deepsurv only: sparse genes -> Reactome pathways network (gene-symbol "
                   "features); writes pathway_attributions.tsv.")
@orientation_option("the --features table", "the sample ids of --clinical")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the folds and the model.")
def train_survival(features_path: Path, clinical_path: Path, output: Path, model_name: str,
                   time_column: str, event_column: str, max_features: int | None,
                   cv_folds: int, risk_groups: int, pathway: bool, orientation: str,
                   seed: int) -> None:
    """Train a survival model with nested cross-validation.

    Writes OUTPUT/model.json and weights, cv_folds.tsv, cv_risk_groups.tsv and
    km_risk_groups.png (Kaplan-Meier of out-of-fold risk groups with the log-rank p).
    """
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_table
    from onco_genomics.omics.survival import prepare_survival_data, read_clinical, train_survival

    check_output_path(output, folder=True, what="-o/--output")
    clinical = read_clinical(clinical_path, time_column=time_column, event_column=event_column)
    features = read_table(features_path, orientation=orientation,  # type: ignore[arg-type]
                          sample_ids=clinical.index, ids_source=str(clinical_path))
    data = prepare_survival_data(features, clinical, time_column=time_column,
                                 event_column=event_column, name=features_path.name)
    params: dict[str, object] = {"n_risk_groups": risk_groups}
    if pathway:
        if model_name != "deepsurv":
            from onco_genomics.errors import OptionsError

            raise OptionsError(f"--pathway needs --model deepsurv, got --model {model_name}")
        params["encoder"] = "pathway"
    if max_features is not None:
        params["max_features"] = max_features or None
    trained = train_survival(data, model=model_name, params=params, cv_folds=cv_folds,
                             seed=seed)
    trained.save(output)
    if trained.cv is not None:
        click.echo(cv_summary_text(trained.cv.summary(), cv_folds, output), err=True)


def cv_summary_text(summary: dict[str, float], folds: int, output: Path) -> str:
    """The nested-CV metrics as a few readable lines (mean +- sd over the outer folds)."""
    names = {"harrell_c": "Harrell's C", "uno_c": "Uno's C",
             "integrated_brier": "integrated Brier score", "mean_auc": "mean time-dependent AUC"}
    lines = [f"{output}: nested {folds}-fold cross-validation (mean +- sd over folds)"]
    for key, label in names.items():
        lines.append(f"  {label:<26} {summary[f'{key}_mean']:.3f} +- {summary[f'{key}_sd']:.3f}")
    lines.append(f"  {'log-rank p, OOF risk groups':<26} {summary['logrank_p_oof_groups']:.2g}")
    lines.append(f"  (per fold: {output / 'cv_folds.tsv'}; Kaplan-Meier: "
                 f"{output / 'km_risk_groups.png'})")
    return "\n".join(lines)


@click.command("survival")
@click.argument("model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--features", "features_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Feature table of the samples to score, samples x features.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder: risk.tsv, curves.tsv, curves.png (+ km.png with --clinical).")
@click.option("--clinical", "clinical_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Observed outcome of these samples: adds Kaplan-Meier curves and log-rank.")
@click.option("--time-column", default="time", show_default=True,
              help="Column of --clinical with the follow-up time.")
@click.option("--event-column", default="event", show_default=True,
              help="Column of --clinical with the event (1/0, true/false, dead/alive).")
@click.option("--effects", "n_effects", type=int, default=6, show_default=True,
              help="Plot the effect on risk of this many top features (0: none).")
@orientation_option("the --features table",
                    "the sample ids of --clinical if given, else the model's feature names")
def survival(model_dir: Path, features_path: Path, output: Path, clinical_path: Path | None,
             time_column: str, event_column: str, n_effects: int, orientation: str) -> None:
    """Risk scores, risk groups and survival curves per group for new samples."""
    import pandas as pd

    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_table
    from onco_genomics.models import load_omics_model
    from onco_genomics.omics.survival import (
        predict_survival,
        prepare_survival_data,
        read_clinical,
    )

    check_output_path(output, folder=True, what="-o/--output")
    model = load_omics_model(model_dir, expect_kind="survival/")
    clinical: pd.DataFrame | None = None
    if clinical_path is not None:
        clinical = read_clinical(clinical_path, time_column=time_column,
                                 event_column=event_column)
    features = read_table(features_path, orientation=orientation,  # type: ignore[arg-type]
                          sample_ids=None if clinical is None else clinical.index,
                          ids_source=str(clinical_path),
                          feature_names=model.model_card_.get("feature_names"),
                          features_source=f"model {model_dir}")
    outcome = None
    if clinical is not None:
        joined = prepare_survival_data(features, clinical, time_column=time_column,
                                       event_column=event_column, min_samples=2)
        features = features.loc[list(joined.outcome.sample_ids)]
        outcome = joined.outcome
    prediction = predict_survival(model, features, outcome=outcome, n_effects=n_effects)
    prediction.write(output)
    counts = prediction.samples["risk_group"].value_counts().to_dict()
    click.echo(f"{output}: {len(prediction.samples)} samples, risk groups {counts}", err=True)
