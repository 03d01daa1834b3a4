"""``oncogen drug-response`` and ``oncogen train drug-response``: wrappers over
:mod:`onco_genomics.omics.drug_response`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

log = logging.getLogger(__name__)

DRUG_MODEL_NAMES = click.Choice(["multitask", "xgboost", "lowrank-elastic-net", "elastic-net",
                                 "per-drug-mean"])


@click.command("drug-response")
@click.option("--response", "response_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="ln(IC50): wide (cell lines x drugs, empty = not measured) or long "
                   "(cell_line, drug, ln_ic50).")
@click.option("--features", "features_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Cell-line features, cell lines x features (mutation, CNA, expression).")
@click.option("--drug-features", "drug_features_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Optional drug features, drugs x features (targets, pathways, ...).")
@click.option("--drug-smiles", "smiles_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Drug SMILES (columns: drug, smiles): Morgan fingerprints become drug "
                   "features (needs RDKit).")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model directory to write.")
@click.option("--model", "model_name", type=DRUG_MODEL_NAMES, default="lowrank-elastic-net",
              show_default=True,
              help="Model: DeepDR-style multitask network, xgboost over pairs, low-rank + "
                   "per-drug elastic net, per-drug elastic net, or the per-drug mean baseline.")
@click.option("--evaluate", "splits", multiple=True,
              type=click.Choice(["random-pairs", "unseen-cell-lines", "unseen-drugs"]),
              default=("unseen-cell-lines",), show_default=True,
              help="Hold-out evaluations to run before the final fit (repeatable).")
@click.option("--min-cell-lines", type=int, default=10, show_default=True,
              help="Drugs measured on fewer cell lines are dropped (with a warning).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the hold-out splits and the model.")
def train_drug_response(response_path: Path, features_path: Path,
                        drug_features_path: Path | None, smiles_path: Path | None, output: Path,
                        model_name: str, splits: tuple[str, ...], min_cell_lines: int,
                        seed: int) -> None:
    """Train a drug-response model predicting ln(IC50) per cell line x drug.

    Writes OUTPUT/model.json, weights and evaluation.tsv (one row per hold-out split).
    """
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_labels, read_table
    from onco_genomics.omics.drug_response import train_drug_response as train
    from onco_genomics.omics.drug_response.data import combine_drug_features
    from onco_genomics.omics.drug_response.table import read_response_table

    check_output_path(output, folder=True, what="-o/--output")
    response = read_response_table(response_path)
    features = read_table(features_path, orientation="samples-rows")
    drug_features = (read_table(drug_features_path, orientation="samples-rows")
                     if drug_features_path else None)
    smiles = read_labels(smiles_path, column="smiles") if smiles_path is not None else None
    drug_features = combine_drug_features(drug_features, smiles)
    trained = train(response, features, drug_features=drug_features, model=model_name,
                    splits=splits, min_cell_lines=min_cell_lines, seed=seed,
                    name=response_path.name)
    trained.save(output)
    if not trained.evaluation.empty:
        click.echo(json.dumps(trained.card["metrics"], indent=1), err=True)


@click.command("drug-response")
@click.argument("model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--features", "features_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Cell-line features of the cell lines to predict.")
@click.option("--drugs", default=None,
              help="Comma-separated drugs to predict [default: every training drug].")
@click.option("--allow-new-drugs", is_flag=True,
              help="Predict --drugs absent from training (from --drug-features, or the average "
                   "drug); without it such names are an error.")
@click.option("--drug-features", "drug_features_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Drug features (needed for models trained with them).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Predictions: cell_line, drug, predicted_ln_ic50 (TSV).")
def drug_response(model_dir: Path, features_path: Path, drugs: str | None,
                  allow_new_drugs: bool, drug_features_path: Path | None, output: Path) -> None:
    """Predict ln(IC50) for every cell line in --features and each drug."""
    from onco_genomics.io.atomic import check_output_path
    from onco_genomics.io.tables import read_table, write_table
    from onco_genomics.models import load_omics_model
    from onco_genomics.omics.drug_response import predict_drug_response

    check_output_path(output, what="-o/--output")
    model = load_omics_model(model_dir, expect_kind="drug-response/")
    features = read_table(features_path, orientation="samples-rows")
    drug_features = (read_table(drug_features_path, orientation="samples-rows")
                     if drug_features_path else None)
    drug_list = [d.strip() for d in drugs.split(",") if d.strip()] if drugs else None
    table = predict_drug_response(model, features, drugs=drug_list, drug_features=drug_features,
                                  allow_new_drugs=allow_new_drugs)
    write_table(table.set_index("cell_line"), output)
    click.echo(f"{output}: {len(table)} predictions for {table['drug'].nunique()} drugs",
               err=True)
