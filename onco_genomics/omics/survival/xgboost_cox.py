"""Gradient-boosted trees on the Cox partial likelihood (xgboost ``survival:cox``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from onco_genomics.omics.core.model_dir import (
    BoosterFile,
    register_model_kind,
)
from onco_genomics.omics.survival.base import SurvivalEstimator
from onco_genomics.omics.survival.outcome import SurvivalOutcome

log = logging.getLogger(__name__)



@register_model_kind
class XGBoostCox(BoosterFile, SurvivalEstimator):
    """Gradient-boosted trees on the Cox partial likelihood (xgboost ``survival:cox``)."""

    model_kind: ClassVar[str] = "survival/xgboost-cox"
    booster_file: ClassVar[str] = "xgboost_cox.json"

    def __init__(self, *, n_estimators: int = 300, learning_rate: float = 0.03,
                 max_depth: int = 3, subsample: float = 0.8, colsample_bytree: float = 0.5,
                 min_child_weight: float = 2.0, reg_lambda: float = 1.0,
                 max_features: int | None = 2000, n_risk_groups: int = 2,
                 n_jobs: int = 1, random_state: int = 0) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.max_features = max_features
        self.n_risk_groups = n_risk_groups
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _fit_selected(self, Xs: np.ndarray, outcome: SurvivalOutcome) -> None:
        import xgboost as xgb

        # xgboost reads a negative label as censored and 0 as censored too: an event at
        # time 0 gets the smallest positive time so that it stays an event
        event_time = np.where(outcome.time > 0, outcome.time, np.finfo(float).tiny)
        label = np.where(outcome.event, event_time, -outcome.time)
        # trees are fitted on the full (unscaled) feature space so booster_ explains inputs
        X_full = np.zeros((Xs.shape[0], self.n_features_in_), dtype=np.float32)
        X_full[:, self.selected_] = Xs * self.scale_ + self.mean_
        # zero weight: never sampled by colsample_bytree, so trees use selected features only
        feature_weights = np.zeros(self.n_features_in_)
        feature_weights[self.selected_] = 1.0
        model = xgb.XGBRegressor(
            objective="survival:cox", n_estimators=self.n_estimators,
            learning_rate=self.learning_rate, max_depth=self.max_depth,
            subsample=self.subsample, colsample_bytree=self.colsample_bytree,
            min_child_weight=self.min_child_weight, reg_lambda=self.reg_lambda,
            n_jobs=self.n_jobs, random_state=self.random_state, tree_method="hist",
            feature_weights=feature_weights)
        model.fit(X_full, label)
        self.booster_ = model.get_booster()

    def _risk_selected(self, Xs: np.ndarray) -> np.ndarray:
        import xgboost as xgb

        X_full = np.zeros((Xs.shape[0], self.n_features_in_), dtype=np.float32)
        X_full[:, self.selected_] = Xs * self.scale_ + self.mean_
        return np.asarray(self.booster_.predict(xgb.DMatrix(X_full), output_margin=True),
                          dtype=float)

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write ``xgboost_cox.json`` (xgboost's JSON model) and return the metadata."""
        return {**self._common_payload(), "weights": self.save_booster(directory)}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (xgboost JSON, no pickle)."""
        model = cls(**payload["params"])
        model._restore_common(payload)
        model.load_booster(directory, payload["weights"])
        return model
