"""Drug response: train, evaluate and apply models of ln(IC50) per cell line x drug.

The API behind ``oncogen train drug-response`` and ``oncogen drug-response``; the models
are in :mod:`.drug_response_models`, the data checks in :mod:`.drug_response_data` and the
three hold-out evaluations in :mod:`.drug_response_eval`.

Examples
--------
>>> from onco_genomics.datasets.drug import load_gdsc_tables     # doctest: +SKIP
>>> ic50, features = load_gdsc_tables()                            # doctest: +SKIP
>>> trained = train_drug_response(ic50, features, model="xgboost")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from onco_genomics.errors import OptionsError
from onco_genomics.omics.drug_response.base import DrugResponseModel
from onco_genomics.omics.drug_response.data import prepare_drug_response
from onco_genomics.omics.drug_response.evaluation import SPLITS, evaluate_split
from onco_genomics.omics.drug_response.models import drug_response_model_class

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainedDrugResponse:
    """A fitted model, its hold-out evaluation (one row per split) and model card."""

    model: DrugResponseModel
    evaluation: pd.DataFrame
    card: dict[str, Any] = field(repr=False)

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the model folder (model.json, weights) and ``evaluation.tsv`` (one row
        per hold-out split, when any was run), all or nothing."""
        from onco_genomics.io.atomic import atomic_outputs
        from onco_genomics.io.tables import write_table
        from onco_genomics.omics.core.model_dir import save_model

        with atomic_outputs() as files:  # the model folder with its evaluation, or nothing
            folder = files.folder(directory)
            save_model(self.model, folder, card=self.card)
            if not self.evaluation.empty:
                write_table(self.evaluation, folder / "evaluation.tsv")
        return Path(directory)


def make_drug_response_model(model: str, *, params: dict[str, Any] | None = None,
                             seed: int = 0) -> DrugResponseModel:
    """A fresh model by ``--model`` name, ``params`` overriding the defaults."""
    estimator = drug_response_model_class(model)()
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=seed)
    if params:
        estimator.set_params(**params)
    return estimator


#: the models that use drug features (for drugs unseen in training)
DRUG_FEATURE_MODELS: tuple[str, ...] = ("multitask", "xgboost")


def train_drug_response(response: pd.DataFrame, cell_features: pd.DataFrame, *,
                        drug_features: pd.DataFrame | None = None,
                        model: str = "lowrank-elastic-net",
                        params: dict[str, Any] | None = None,
                        splits: Sequence[str] = ("unseen-cell-lines",),
                        min_cell_lines: int = 10, seed: int = 0,
                        name: str = "user data") -> TrainedDrugResponse:
    """Check the data, evaluate ``model`` on each hold-out split, then fit on everything.

    Parameters
    ----------
    response
        Wide or long ln(IC50) table.
    cell_features
        Cell lines x numeric features.
    drug_features
        Optional drugs x numeric features.
    model
        ``lowrank-elastic-net`` (default: best on unseen cell lines, see
        docs/benchmarks/drug_response.md), ``multitask``, ``xgboost``, ``elastic-net`` or
        ``per-drug-mean``.
    params
        Hyper-parameters overriding the model's defaults.
    splits
        Hold-out schemes to evaluate (``random-pairs``, ``unseen-cell-lines``,
        ``unseen-drugs``); empty: no evaluation.
    min_cell_lines
        Drugs measured on fewer cell lines are dropped with a warning.
    seed
        Seed of the splits and the model.
    name
        Data set name for the model card.
    """
    unknown = [s for s in splits if s not in SPLITS]
    if unknown:
        raise OptionsError(f"unknown split(s) {', '.join(unknown)}; expected {', '.join(SPLITS)}")
    data = prepare_drug_response(response, cell_features, drug_features=drug_features,
                                 min_cell_lines=min_cell_lines, name=name)
    if drug_features is not None and model not in DRUG_FEATURE_MODELS:
        log.warning("--model %s does not use drug features; they only help with drugs unseen "
                    "in training, which %s predicts from the average drug (use --model "
                    "multitask or xgboost for that)", model, model)
    rows = []
    for scheme in splits:
        scores = evaluate_split(
            data, lambda: make_drug_response_model(model, params=params, seed=seed),
            scheme=scheme, seed=seed)
        rows.append({"split": scheme, **scores.as_dict()})
    evaluation = pd.DataFrame(rows).set_index("split") if rows else pd.DataFrame()
    final = make_drug_response_model(model, params=params, seed=seed).fit(data)
    card = {
        "feature_names": final.feature_names_,
        "drug_feature_names": final.drug_feature_names_,
        "preprocessing": {"cell_features": "standardised; features varying in fewer than "
                                           "min_feature_count training cell lines dropped"},
        "targets": final.drugs_,
        "target_unit": "ln(IC50)",
        "training_data": data.summary(),
        "metrics": {scheme: dict(row) for scheme, row in evaluation.iterrows()},
        "model": model,
        "params": final.get_params(),
    }
    return TrainedDrugResponse(final, evaluation, card)


def predict_drug_response(model: DrugResponseModel, cell_features: pd.DataFrame, *,
                          drugs: Sequence[str] | None = None,
                          drug_features: pd.DataFrame | None = None,
                          allow_new_drugs: bool = False) -> pd.DataFrame:
    """Predicted ln(IC50) for every cell line in ``cell_features`` x each drug.

    ``drugs`` absent from training are an :class:`OptionsError` naming them (a misspelt
    drug would otherwise get a generic prediction), unless ``allow_new_drugs``: then they
    are predicted from drug features or what is shared across drugs, with a warning.

    Returns a table with columns ``cell_line``, ``drug``, ``predicted_ln_ic50``,
    ``seen_drug`` (False: a drug absent from training, predicted from drug features or the
    average drug).
    """
    drug_list = list(dict.fromkeys(drugs)) if drugs else list(model.drugs_)
    unseen = sorted(set(drug_list) - set(model.drugs_))
    if unseen and not allow_new_drugs:
        import difflib

        hints = [f"{d} (did you mean {', '.join(close)}?)" if (
            close := difflib.get_close_matches(d, model.drugs_, n=2)) else d for d in unseen]
        raise OptionsError(
            f"{len(unseen)} drug(s) not in the model's {len(model.drugs_)} training drugs: "
            f"{'; '.join(hints[:10])}. Check the names (the model card lists them), or pass "
            "--allow-new-drugs to predict drugs the model has not seen")
    if unseen:
        log.warning("%d drugs were not in the training data (e.g. %s); predicted from %s",
                    len(unseen), ", ".join(unseen[:5]),
                    "drug features" if model.drug_feature_names_ and drug_features is not None
                    else "what is shared across drugs (expect little drug specificity)")
    cells = [str(c) for c in cell_features.index]
    pairs = pd.DataFrame([(c, d) for c in cells for d in drug_list],
                         columns=["cell_line", "drug"])
    pairs["predicted_ln_ic50"] = model.predict(cell_features, pairs,
                                               drug_features=drug_features)
    pairs["seen_drug"] = pairs["drug"].isin(model.drugs_)
    return pairs
