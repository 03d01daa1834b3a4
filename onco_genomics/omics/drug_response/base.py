"""The interface every drug-response model shares (fit on a :class:`DrugResponseData`,
predict ln(IC50) for (cell line, drug) pairs) and its common state.

Two baselines and three learned models, all with one interface:

* ``fit(data)`` on a :class:`~onco_genomics.omics.drug_response.data.DrugResponseData`;
* ``predict(cell_features, pairs, *, drug_features=None)`` -> ln(IC50) per row of ``pairs``
  (columns ``cell_line``, ``drug``); drugs unseen in training are predicted from drug
  features when the model has them, otherwise from what is shared across drugs.

Pairs, not samples, are the unit here, so ``fit`` takes the data object rather than an
``(X, y)`` matrix (a pair matrix of all cell features would be 200k x 700 for GDSC).

============================  ===========================================================
``per-drug-mean``             the drug's mean ln(IC50) in training (global mean if unseen)
``elastic-net``               one elastic net per drug on cell features (``coef_``)
``lowrank-elastic-net``       reduced-rank ridge shared by all drugs (a low-rank linear
                              cell-line embedding, one linear head per drug) blended with
                              the per-drug elastic nets, weight by inner validation
                              (``coef_``)
``xgboost``                   gradient-boosted trees on cell features + drug encoding
                              (training mean/sd of the drug, drug features) (``booster_``)
``multitask``                 DeepDR-style network: a cell-line encoder shared by all drugs,
                              a drug embedding (plus a drug-feature encoder when drug features
                              are given), prediction = drug bias + <cell code, drug code> +
                              cell sensitivity (``torch_module_``, ``to_tensor``)
============================  ==========================================================="""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from onco_genomics.errors import OncogenError
from onco_genomics.omics.drug_response.data import DrugResponseData

log = logging.getLogger(__name__)


class DrugResponseModel(BaseEstimator):
    """Shared state: cell-feature scaling, the training drugs and their mean/sd."""

    model_kind: ClassVar[str] = ""
    uses_cell_features: ClassVar[bool] = True

    min_feature_count: int

    def _fit_common(self, data: DrugResponseData) -> None:
        stats = data.response.groupby("drug")["ln_ic50"].agg(["mean", "std"])
        self.drugs_ = [str(d) for d in stats.index]
        self.drug_mean_ = stats["mean"].to_numpy(dtype=float)
        self.drug_sd_ = stats["std"].fillna(0.0).to_numpy(dtype=float)
        self.global_mean_ = float(data.response["ln_ic50"].mean())
        cells = data.cell_features.loc[data.cell_lines]
        values = cells.to_numpy(dtype=float)
        # features that vary in too few training cell lines carry no learnable signal
        nonzero = (np.abs(values - np.median(values, axis=0)) > 1e-12).sum(axis=0)
        keep = nonzero >= self.min_feature_count
        self.feature_names_ = [str(c) for c in cells.columns]
        self.used_features_ = np.flatnonzero(keep)
        used = values[:, keep]
        self.mean_ = used.mean(axis=0)
        scale = used.std(axis=0)
        self.scale_ = np.where(scale > 1e-12, scale, 1.0)
        self.drug_feature_names_: list[str] = (
            [] if data.drug_features is None else [str(c) for c in data.drug_features.columns])

    @property
    def output_names_(self) -> list[str]:
        """Outputs of ``coef_``/``torch_module_``: one ln(IC50) per training drug."""
        return list(self.drugs_)

    def _cell_matrix(self, cell_features: pd.DataFrame, cell_lines: list[str] | pd.Index,
                     ) -> np.ndarray:
        """Standardised used features of ``cell_lines`` (rows in that order)."""
        table = cell_features.copy()
        table.index = pd.Index(table.index.astype(str))
        table.columns = pd.Index(table.columns.astype(str))
        absent_cells = pd.Index(cell_lines).difference(table.index)
        if len(absent_cells):
            raise OncogenError(
                f"expected features for every cell line to predict, found {len(absent_cells)} "
                f"without (e.g. {', '.join(absent_cells[:5])}); add them to --features")
        used_names = [self.feature_names_[i] for i in self.used_features_]
        absent = [n for n in used_names if n not in table.columns]
        if len(absent) > 0.1 * max(len(used_names), 1):
            raise OncogenError(
                f"expected the model's {len(used_names)} cell features, found {len(absent)} "
                f"missing (e.g. {', '.join(absent[:5])}); use the training feature table's "
                "columns")
        if absent:
            log.warning("%d of %d cell features missing; set to the training mean",
                        len(absent), len(used_names))
        raw = np.array(table.reindex(index=list(cell_lines), columns=used_names)
                       .to_numpy(dtype=float), copy=True)
        rows, cols = np.nonzero(~np.isfinite(raw))
        raw[rows, cols] = self.mean_[cols]
        return (raw - self.mean_) / self.scale_

    def _drug_index(self, drugs: pd.Series) -> np.ndarray:
        """Index of each drug in ``drugs_``; -1 for drugs unseen in training."""
        return np.asarray(pd.Index(self.drugs_).get_indexer(pd.Index(drugs.astype(str))))

    def _common_payload(self) -> dict[str, Any]:
        return {"params": self.get_params(), "drugs": self.drugs_,
                "drug_mean": self.drug_mean_.tolist(), "drug_sd": self.drug_sd_.tolist(),
                "global_mean": self.global_mean_, "feature_names": self.feature_names_,
                "used_features": self.used_features_.tolist(), "mean": self.mean_.tolist(),
                "scale": self.scale_.tolist(), "drug_feature_names": self.drug_feature_names_}

    def _restore_common(self, payload: dict[str, Any]) -> None:
        self.drugs_ = list(payload["drugs"])
        self.drug_mean_ = np.asarray(payload["drug_mean"], dtype=float)
        self.drug_sd_ = np.asarray(payload["drug_sd"], dtype=float)
        self.global_mean_ = float(payload["global_mean"])
        self.feature_names_ = list(payload["feature_names"])
        self.used_features_ = np.asarray(payload["used_features"], dtype=int)
        self.mean_ = np.asarray(payload["mean"], dtype=float)
        self.scale_ = np.asarray(payload["scale"], dtype=float)
        self.drug_feature_names_ = list(payload["drug_feature_names"])

    def fit(self, data: DrugResponseData) -> Self:
        """Fit on the measured pairs of ``data``."""
        raise NotImplementedError

    def predict(self, cell_features: pd.DataFrame, pairs: pd.DataFrame, *,
                drug_features: pd.DataFrame | None = None) -> np.ndarray:
        """ln(IC50) for each row of ``pairs`` (columns ``cell_line``, ``drug``)."""
        raise NotImplementedError


def _pairs_check(pairs: pd.DataFrame) -> None:
    if "cell_line" not in pairs.columns or "drug" not in pairs.columns:
        raise OncogenError("expected pairs with columns cell_line and drug, found "
                           f"{', '.join(map(str, pairs.columns))}")
