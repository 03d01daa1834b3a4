"""Gradient-boosted trees over (cell line, drug) pairs: cell features plus a drug encoding."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from onco_genomics.errors import OncogenError
from onco_genomics.omics.core.model_dir import (
    BoosterFile,
    register_model_kind,
)
from onco_genomics.omics.drug_response.base import DrugResponseModel, _pairs_check
from onco_genomics.omics.drug_response.data import DrugResponseData

log = logging.getLogger(__name__)


@register_model_kind
class XGBoostDrugResponse(BoosterFile, DrugResponseModel):
    """Gradient-boosted trees over pairs: cell features + drug encoding (+ drug features).

    The drug is encoded by its training mean and sd of ln(IC50) (unseen drugs: the average
    drug) and by drug features when given. ``booster_`` takes rows built by
    :meth:`design_matrix` (columns ``booster_feature_names_``).
    """

    model_kind: ClassVar[str] = "drug-response/xgboost"
    booster_file: ClassVar[str] = "xgboost.json"

    def __init__(self, *, n_estimators: int = 400, learning_rate: float = 0.05,
                 max_depth: int = 8, subsample: float = 0.8, colsample_bytree: float = 0.5,
                 min_child_weight: float = 5.0, max_pairs: int | None = 120_000,
                 min_feature_count: int = 5, n_jobs: int = 2, random_state: int = 0) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.max_pairs = max_pairs
        self.min_feature_count = min_feature_count
        self.n_jobs = n_jobs
        self.random_state = random_state

    @property
    def booster_feature_names_(self) -> list[str]:
        """Column names of :meth:`design_matrix`."""
        cells = [self.feature_names_[i] for i in self.used_features_]
        return [*cells, "drug_train_mean", "drug_train_sd",
                *[f"drug:{n}" for n in self.drug_feature_names_]]

    def design_matrix(self, cell_features: pd.DataFrame, pairs: pd.DataFrame, *,
                      drug_features: pd.DataFrame | None = None) -> np.ndarray:
        """Rows of (raw cell features, drug mean, drug sd, drug features) per pair."""
        _pairs_check(pairs)
        cells = pd.Index(pairs["cell_line"].astype(str).unique())
        X = self._cell_matrix(cell_features, list(cells)) * self.scale_ + self.mean_
        rows = cells.get_indexer(pairs["cell_line"].astype(str))
        idx = self._drug_index(pairs["drug"])
        mean = np.where(idx >= 0, self.drug_mean_[np.clip(idx, 0, None)], self.drug_mean_.mean())
        sd = np.where(idx >= 0, self.drug_sd_[np.clip(idx, 0, None)], self.drug_sd_.mean())
        parts = [X[rows].astype(np.float32), mean[:, None].astype(np.float32),
                 sd[:, None].astype(np.float32)]
        if self.drug_feature_names_:
            if drug_features is None:
                raise OncogenError("this model was trained with drug features; pass them "
                                   "(--drug-features) for prediction too")
            table = drug_features.copy()
            table.index = pd.Index(table.index.astype(str))
            absent = sorted(set(pairs["drug"].astype(str)) - set(table.index))
            if absent:
                raise OncogenError(f"expected drug features for every drug, found none for "
                                   f"{len(absent)} (e.g. {', '.join(absent[:5])})")
            feats = table.reindex(columns=self.drug_feature_names_).fillna(0.0)
            parts.append(feats.loc[pd.Index(pairs["drug"].astype(str))].to_numpy(dtype=np.float32))
        return np.hstack(parts)

    def fit(self, data: DrugResponseData) -> Self:
        """Fit the booster on (a random subset of at most ``max_pairs``) measured pairs."""
        import xgboost as xgb

        self._fit_common(data)
        pairs = data.response
        if self.max_pairs is not None and len(pairs) > self.max_pairs:
            pairs = pairs.sample(self.max_pairs, random_state=self.random_state)
        X = self.design_matrix(data.cell_features, pairs, drug_features=data.drug_features)
        model = xgb.XGBRegressor(
            n_estimators=self.n_estimators, learning_rate=self.learning_rate,
            max_depth=self.max_depth, subsample=self.subsample,
            colsample_bytree=self.colsample_bytree, min_child_weight=self.min_child_weight,
            n_jobs=self.n_jobs, random_state=self.random_state, tree_method="hist")
        model.fit(X, pairs["ln_ic50"].to_numpy(dtype=np.float32))
        self.booster_ = model.get_booster()
        return self

    def predict(self, cell_features: pd.DataFrame, pairs: pd.DataFrame, *,
                drug_features: pd.DataFrame | None = None) -> np.ndarray:
        """Booster prediction per pair."""
        import xgboost as xgb

        X = self.design_matrix(cell_features, pairs, drug_features=drug_features)
        return np.asarray(self.booster_.predict(xgb.DMatrix(X)), dtype=float)

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write ``xgboost.json`` (xgboost's JSON format)."""
        return {**self._common_payload(), "weights": self.save_booster(directory)}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (no pickle)."""
        model = cls(**payload["params"])
        model._restore_common(payload)
        model.load_booster(directory, payload["weights"])
        return model
