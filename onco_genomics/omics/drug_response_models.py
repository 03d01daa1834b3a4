"""Drug-response models: predict ln(IC50) for (cell line, drug) pairs.

Two baselines and three learned models, all with one interface:

* ``fit(data)`` on a :class:`~onco_genomics.omics.drug_response_data.DrugResponseData`;
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
                              cell sensitivity (``torch_module_``, ``_to_tensor``)
============================  ===========================================================
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNetCV
from torch import nn

from onco_genomics.errors import OncogenError
from onco_genomics.omics.drug_response_data import DrugResponseData
from onco_genomics.omics.drug_response_lowrank import reduced_rank_ridge
from onco_genomics.omics.model_dir import (
    load_torch_state,
    load_xgboost_booster,
    register_model_kind,
)
from onco_genomics.omics.torch_training import TrainConfig, train_module
from onco_genomics.progress import Progress

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


@register_model_kind
class PerDrugMean(DrugResponseModel):
    """Baseline: the drug's mean training ln(IC50) for every cell line."""

    model_kind: ClassVar[str] = "drug-response/per-drug-mean"
    uses_cell_features: ClassVar[bool] = False

    def __init__(self, *, min_feature_count: int = 1) -> None:
        self.min_feature_count = min_feature_count

    def fit(self, data: DrugResponseData) -> Self:
        """Store each drug's mean ln(IC50)."""
        self._fit_common(data)
        return self

    def predict(self, cell_features: pd.DataFrame, pairs: pd.DataFrame, *,
                drug_features: pd.DataFrame | None = None) -> np.ndarray:
        """Drug mean per pair (the global mean of drug means for unseen drugs)."""
        _pairs_check(pairs)
        idx = self._drug_index(pairs["drug"])
        return np.where(idx >= 0, self.drug_mean_[np.clip(idx, 0, None)],
                        float(self.drug_mean_.mean()))

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """All state is JSON metadata."""
        return self._common_payload()

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload`."""
        model = cls(**payload["params"])
        model._restore_common(payload)
        return model


@register_model_kind
class PerDrugElasticNet(DrugResponseModel):
    """Baseline: one elastic net per drug on standardised cell features (alpha by CV).

    ``coef_`` (drugs x input features, raw scale) and ``intercept_`` (drugs) give every
    trained drug's prediction as ``X @ coef_[d] + intercept_[d]``. Unseen drugs get the
    average of the drugs' models.
    """

    model_kind: ClassVar[str] = "drug-response/elastic-net"

    def __init__(self, *, l1_ratio: float = 0.5, n_alphas: int = 8,
                 alpha_min_ratio: float = 0.02, cv: int = 3, min_feature_count: int = 5,
                 random_state: int = 0) -> None:
        self.l1_ratio = l1_ratio
        self.n_alphas = n_alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.cv = cv
        self.min_feature_count = min_feature_count
        self.random_state = random_state

    def fit(self, data: DrugResponseData) -> Self:
        """Fit one ElasticNetCV per drug on that drug's measured cell lines."""
        self._fit_common(data)
        cells = data.cell_lines
        X = self._cell_matrix(data.cell_features, cells)
        Y = data.matrix(cells, self.drugs_)
        self.coef_scaled_, self.intercept_scaled_ = self._fit_nets(X, Y)
        self._set_raw()
        return self

    def _fit_nets(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One ElasticNetCV per column of ``Y`` (NaN = not measured): coefficients (columns
        x features) and intercepts."""
        coef = np.zeros((Y.shape[1], X.shape[1]))
        intercept = np.zeros(Y.shape[1])
        not_converged = 0
        with Progress(Y.shape[1], "drugs", enabled=False) as progress:
            for d in range(Y.shape[1]):
                measured = np.isfinite(Y[:, d])
                net = ElasticNetCV(l1_ratio=self.l1_ratio, alphas=self.n_alphas,
                                   eps=self.alpha_min_ratio,
                                   cv=min(self.cv, int(measured.sum())), max_iter=2000,
                                   tol=1e-3, random_state=self.random_state)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", ConvergenceWarning)
                    net.fit(X[measured], Y[measured, d])
                not_converged += any(issubclass(w.category, ConvergenceWarning)
                                     for w in caught)
                coef[d], intercept[d] = net.coef_, net.intercept_
                progress.update(1)
        if not_converged:
            log.info("elastic net: coordinate descent stopped at max_iter on the alpha path "
                     "of %d of %d drugs", not_converged, Y.shape[1])
        return coef, intercept

    def _set_raw(self) -> None:
        raw = np.zeros((len(self.drugs_), len(self.feature_names_)))
        raw[:, self.used_features_] = self.coef_scaled_ / self.scale_
        self.coef_ = raw
        self.intercept_ = self.intercept_scaled_ - self.coef_scaled_ @ (self.mean_ / self.scale_)

    def predict(self, cell_features: pd.DataFrame, pairs: pd.DataFrame, *,
                drug_features: pd.DataFrame | None = None) -> np.ndarray:
        """Per-drug linear prediction; the average model for unseen drugs."""
        _pairs_check(pairs)
        cells = pd.Index(pairs["cell_line"].astype(str).unique())
        X = self._cell_matrix(cell_features, list(cells))
        rows = cells.get_indexer(pairs["cell_line"].astype(str))
        idx = self._drug_index(pairs["drug"])
        coef = np.vstack([self.coef_scaled_, self.coef_scaled_.mean(axis=0)])
        intercept = np.append(self.intercept_scaled_, self.intercept_scaled_.mean())
        which = np.where(idx >= 0, idx, len(self.drugs_))
        return np.einsum("ij,ij->i", X[rows], coef[which]) + intercept[which]

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Coefficients as JSON metadata."""
        return {**self._common_payload(), "coef_scaled": self.coef_scaled_.tolist(),
                "intercept_scaled": self.intercept_scaled_.tolist()}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload`."""
        model = cls(**payload["params"])
        model._restore(payload)
        model._set_raw()
        return model

    def _restore(self, payload: dict[str, Any]) -> None:
        """Fitted attributes from a :meth:`save_payload` dict (subclasses add theirs)."""
        self._restore_common(payload)
        self.coef_scaled_ = np.asarray(payload["coef_scaled"], dtype=float)
        self.intercept_scaled_ = np.asarray(payload["intercept_scaled"], dtype=float)


@register_model_kind
class LowRankElasticNet(PerDrugElasticNet):
    """Shared low-rank response patterns combined with per-drug sparse elastic nets.

    Responses are standardised per drug (``(ln_ic50 - drug mean) / drug sd``, so every drug
    weighs equally, as in the per-drug metrics). A reduced-rank ridge regression
    (:func:`~onco_genomics.omics.drug_response_lowrank.reduced_rank_ridge`) fits what drugs
    share: a ``rank``-dimensional linear cell-line embedding with one linear head per drug
    (general sensitivity, tissue programmes), estimated from all drugs at once. The
    per-drug elastic nets fit what is specific to each drug. Two ways to combine them:

    * ``combine="blend"`` (default, stacking): ``a`` x elastic net + ``b`` x shared part,
      with non-negative ``a``, ``b`` (least squares) and the rank (from ``ranks``) chosen on
      an inner validation set of held-out *training* cell lines (``inner_fraction``);
      ``a = 1, b = 0`` is the per-drug elastic net, so the validation can fall back to it.
      ``blend_weight_`` holds ``(a, b)``.
    * ``combine="residual"``: the elastic nets fit the residual of the shared part
      (cross-fitted over ``folds`` folds of cell lines with ``residuals="out-of-fold"``),
      the low-rank + sparse decomposition; rank ``rank``.

    Linear in the cell features: ``coef_`` / ``intercept_`` as for
    :class:`PerDrugElasticNet` (both parts together, raw scale), ``coef_shared_`` the
    low-rank part alone. Unseen drugs get the average of the drugs' models.

    Parameters
    ----------
    rank
        Number of shared response patterns (``combine="residual"``).
    ranks
        Candidate ranks for ``combine="blend"``.
    ridge
        L2 penalty of the shared part per training cell line (penalty = ``ridge`` x cell
        lines, on standardised features).
    combine
        ``"blend"`` or ``"residual"``.
    inner_fraction
        Share of training cell lines held out to choose the blend weight and rank.
    residuals
        ``"out-of-fold"`` or ``"in-sample"`` shared predictions as the elastic nets' offset
        (``combine="residual"``).
    folds
        Cross-fitting folds (over cell lines) for ``residuals="out-of-fold"``.
    """

    model_kind: ClassVar[str] = "drug-response/lowrank-elastic-net"

    def __init__(self, *, rank: int = 10, ranks: tuple[int, ...] = (3, 10, 30),
                 ridge: float = 1.25, combine: str = "blend", inner_fraction: float = 0.2,
                 residuals: str = "out-of-fold", folds: int = 5, em_iterations: int = 5,
                 l1_ratio: float = 0.5, n_alphas: int = 8, alpha_min_ratio: float = 0.02,
                 cv: int = 3, min_feature_count: int = 5, random_state: int = 0) -> None:
        super().__init__(l1_ratio=l1_ratio, n_alphas=n_alphas,
                         alpha_min_ratio=alpha_min_ratio, cv=cv,
                         min_feature_count=min_feature_count, random_state=random_state)
        self.rank = rank
        self.ranks = ranks
        self.ridge = ridge
        self.combine = combine
        self.inner_fraction = inner_fraction
        self.residuals = residuals
        self.folds = folds
        self.em_iterations = em_iterations

    def _shared(self, X: np.ndarray, R: np.ndarray, rank: int) -> np.ndarray:
        return reduced_rank_ridge(X, R, ridge=self.ridge * X.shape[0], rank=rank,
                                  iterations=self.em_iterations)

    def fit(self, data: DrugResponseData) -> Self:
        """Fit the shared low-rank part on all drugs and the per-drug elastic nets, then
        combine them (see the class description)."""
        if self.combine not in ("blend", "residual"):
            raise OncogenError(f"unknown combine {self.combine!r}; expected blend or residual")
        if self.residuals not in ("out-of-fold", "in-sample"):
            raise OncogenError(f"unknown residuals {self.residuals!r}; expected out-of-fold "
                               "or in-sample")
        if not 0 < self.inner_fraction < 1 or not self.ranks:
            raise OncogenError("expected 0 < inner_fraction < 1 and at least one rank, got "
                               f"{self.inner_fraction} and {self.ranks}")
        self._fit_common(data)
        self.drug_feature_names_ = []  # drug features are not used by this model
        cells = data.cell_lines
        X = self._cell_matrix(data.cell_features, cells)
        Y = data.matrix(cells, self.drugs_)
        mean = np.nanmean(Y, axis=0)
        sd = np.nanstd(Y, axis=0)
        sd = np.where(sd > 1e-12, sd, 1.0)
        R = (Y - mean) / sd
        rng = np.random.default_rng(self.random_state)
        if self.combine == "blend":
            self.blend_weight_, self.rank_, self.inner_validation_ = self._choose_blend(
                X, R, sd, rng)
            own_weight, shared_weight = self.blend_weight_
            coef_shared = self._shared(X, R, self.rank_)
            coef_own, intercept_own = self._fit_nets(X, R)
            self.coef_shared_scaled_ = shared_weight * (coef_shared * sd).T
            self.coef_scaled_ = self.coef_shared_scaled_ + own_weight * coef_own * sd[:, None]
            self.intercept_scaled_ = mean + own_weight * intercept_own * sd
            log.info("lowrank-elastic-net: weights %.2f (elastic net) and %.2f (shared part, "
                     "rank %d) from inner validation", own_weight, shared_weight, self.rank_)
        else:
            self.blend_weight_, self.rank_, self.inner_validation_ = (1.0, 1.0), self.rank, []
            coef_shared = self._shared(X, R, self.rank)  # features x drugs
            if self.residuals == "out-of-fold" and len(cells) >= 2 * self.folds:
                fold = rng.permutation(len(cells)) % self.folds
                offset = np.empty_like(R)
                for k in range(self.folds):
                    offset[fold == k] = X[fold == k] @ self._shared(X[fold != k],
                                                                    R[fold != k], self.rank)
            else:
                offset = X @ coef_shared
            coef_own, intercept_own = self._fit_nets(X, R - offset)
            self.coef_shared_scaled_ = (coef_shared * sd).T
            self.coef_scaled_ = self.coef_shared_scaled_ + coef_own * sd[:, None]
            self.intercept_scaled_ = mean + intercept_own * sd
        self._set_raw()
        return self

    def _choose_blend(self, X: np.ndarray, R: np.ndarray, sd: np.ndarray,
                      rng: np.random.Generator,
                      ) -> tuple[tuple[float, float], int, list[dict[str, float]]]:
        """Non-negative weights of (elastic net, shared part) and the rank with the lowest
        MSE (raw ln(IC50) scale) on held-out training cell lines (stacking)."""
        from scipy.optimize import nnls

        n_val = max(1, round(self.inner_fraction * len(X)))
        val = np.zeros(len(X), dtype=bool)
        val[rng.choice(len(X), size=n_val, replace=False)] = True
        coef_own, intercept_own = self._fit_nets(X[~val], R[~val])
        measured = np.isfinite(R[val])
        scale = np.broadcast_to(sd, measured.shape)[measured]
        target = R[val][measured] * scale
        own = (X[val] @ coef_own.T + intercept_own)[measured] * scale
        rows = []
        for rank in self.ranks:
            shared = (X[val] @ self._shared(X[~val], R[~val], rank))[measured] * scale
            weights, residual = nnls(np.column_stack([own, shared]), target)
            rows.append({"rank": float(rank), "weight_elastic_net": float(weights[0]),
                         "weight_shared": float(weights[1]),
                         "mse": float(residual ** 2 / target.size)})
        best = min(rows, key=lambda row: row["mse"])
        return ((best["weight_elastic_net"], best["weight_shared"]), int(best["rank"]), rows)

    def _set_raw(self) -> None:
        super()._set_raw()
        raw = np.zeros((len(self.drugs_), len(self.feature_names_)))
        raw[:, self.used_features_] = self.coef_shared_scaled_ / self.scale_
        self.coef_shared_ = raw

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Coefficients (total and shared part) as JSON metadata."""
        return {**super().save_payload(directory),
                "coef_shared_scaled": self.coef_shared_scaled_.tolist(),
                "blend_weight": self.blend_weight_, "rank": self.rank_,
                "inner_validation": self.inner_validation_}

    def _restore(self, payload: dict[str, Any]) -> None:
        super()._restore(payload)
        self.coef_shared_scaled_ = np.asarray(payload["coef_shared_scaled"], dtype=float)
        self.blend_weight_ = (float(payload["blend_weight"][0]),
                              float(payload["blend_weight"][1]))
        self.rank_ = int(payload["rank"])
        self.inner_validation_ = list(payload["inner_validation"])


@register_model_kind
class XGBoostDrugResponse(DrugResponseModel):
    """Gradient-boosted trees over pairs: cell features + drug encoding (+ drug features).

    The drug is encoded by its training mean and sd of ln(IC50) (unseen drugs: the average
    drug) and by drug features when given. ``booster_`` takes rows built by
    :meth:`design_matrix` (columns ``booster_feature_names_``).
    """

    model_kind: ClassVar[str] = "drug-response/xgboost"

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
        self.booster_.save_model(str(directory / "xgboost.json"))
        return {**self._common_payload(), "weights": "xgboost.json"}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (no pickle)."""
        model = cls(**payload["params"])
        model._restore_common(payload)
        model.booster_ = load_xgboost_booster(directory / payload["weights"])
        return model


class MultitaskNet(nn.Module):
    """Cell encoder shared by all drugs; one code and bias per drug.

    ``forward(cells)`` (standardised cell features, (n, n_in)) returns ln(IC50) for every
    training drug, shape (n, n_drugs).
    """

    drug_features: torch.Tensor

    def __init__(self, cell_encoder: nn.Module, code_size: int, n_drugs: int,
                 drug_features: np.ndarray | None, drug_hidden: int = 64) -> None:
        super().__init__()
        self.cell_encoder = cell_encoder
        self.drug_code = nn.Embedding(n_drugs, code_size)
        nn.init.normal_(self.drug_code.weight, std=0.05)
        self.drug_bias = nn.Parameter(torch.zeros(n_drugs))
        self.sensitivity = nn.Linear(code_size, 1)
        n_drug_features = 0 if drug_features is None else drug_features.shape[1]
        self.drug_encoder: nn.Module | None = None
        if n_drug_features:
            self.drug_encoder = nn.Sequential(nn.Linear(n_drug_features, drug_hidden),
                                              nn.ReLU(), nn.Linear(drug_hidden, code_size))
        self.register_buffer("drug_features", torch.tensor(
            np.zeros((n_drugs, 0)) if drug_features is None else drug_features,
            dtype=torch.float32))

    def codes(self, drug_features: torch.Tensor | None = None) -> torch.Tensor:
        """Drug codes of the training drugs, or of new drugs from their features."""
        if drug_features is not None:
            if self.drug_encoder is None:
                raise OncogenError("this model was trained without drug features")
            out: torch.Tensor = self.drug_encoder(drug_features)
            return out
        codes: torch.Tensor = self.drug_code.weight
        if self.drug_encoder is not None:
            codes = codes + self.drug_encoder(self.drug_features)
        return codes

    def cell_code(self, cells: torch.Tensor) -> torch.Tensor:
        """Code of each cell line, (n, code_size)."""
        out: torch.Tensor = self.cell_encoder(cells)
        return out

    def forward(self, cells: torch.Tensor) -> torch.Tensor:
        z = self.cell_code(cells)
        out: torch.Tensor = z @ self.codes().T + self.drug_bias + self.sensitivity(z)
        return out


class _RawInput(nn.Module):
    """Raw cell features (all input columns) -> standardised used features -> network."""

    used: torch.Tensor
    mean: torch.Tensor
    scale: torch.Tensor

    def __init__(self, net: MultitaskNet, used: np.ndarray, mean: np.ndarray,
                 scale: np.ndarray) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("used", torch.as_tensor(used, dtype=torch.long))
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.net((x.index_select(1, self.used) - self.mean) / self.scale)
        return out


def masked_mse(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the measured (non-NaN) entries of ``target``."""
    measured = torch.isfinite(target)
    diff = torch.where(measured, prediction - torch.nan_to_num(target), 0.0)
    return (diff * diff).sum() / measured.sum().clamp(min=1)


@register_model_kind
class MultitaskDrugResponse(DrugResponseModel):
    """DeepDR-style multi-task network over the cell lines x drugs response matrix.

    Parameters
    ----------
    hidden
        Widths of the cell encoder's hidden layers.
    code_size
        Size of cell and drug codes.
    encoder
        ``"mlp"``, or ``"pathway"``: the sparse genes -> Reactome pathways encoder of
        :mod:`onco_genomics.omics.pathway_network` (features named by gene symbol, e.g.
        ``TP53_mut``; other features through a dense side branch);
        :meth:`pathway_attributions` then reports pathway-level attributions.
    """

    model_kind: ClassVar[str] = "drug-response/multitask"

    def __init__(self, *, hidden: tuple[int, ...] = (256,), code_size: int = 32,
                 dropout: float = 0.3, lr: float = 1e-3, weight_decay: float = 1e-4,
                 epochs: int = 300, batch_size: int = 32, patience: int = 30,
                 encoder: str = "mlp", min_feature_count: int = 5,
                 random_state: int = 0) -> None:
        self.hidden = hidden
        self.code_size = code_size
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.encoder = encoder
        self.min_feature_count = min_feature_count
        self.random_state = random_state

    def _build(self, drug_features: np.ndarray | None) -> MultitaskNet:
        torch.manual_seed(self.random_state)
        n_in = int(self.used_features_.size)
        if self.encoder == "pathway":
            from onco_genomics.omics.pathway_network import PathwayEncoder, build_layout

            names = [self.feature_names_[i] for i in self.used_features_]
            cell_encoder: nn.Module = PathwayEncoder(build_layout(names), self.code_size,
                                                     dropout=self.dropout)
        elif self.encoder == "mlp":
            layers: list[nn.Module] = []
            width = n_in
            for h in self.hidden:
                layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(self.dropout)]
                width = h
            layers += [nn.Linear(width, self.code_size), nn.ReLU()]
            cell_encoder = nn.Sequential(*layers)
        else:
            raise OncogenError(f"unknown encoder {self.encoder!r}; expected mlp or pathway")
        return MultitaskNet(cell_encoder, self.code_size, len(self.drugs_), drug_features)

    def _drug_feature_matrix(self, drug_features: pd.DataFrame, drugs: list[str]) -> np.ndarray:
        table = drug_features.copy()
        table.index = pd.Index(table.index.astype(str))
        values = table.reindex(index=drugs, columns=self.drug_feature_names_)
        return values.fillna(0.0).to_numpy(dtype=np.float32)

    def fit(self, data: DrugResponseData) -> Self:
        """Train on the cell lines x drugs matrix (masked MSE), early-stopped on held-out
        cell lines."""
        self._fit_common(data)
        cells = data.cell_lines
        X = self._cell_matrix(data.cell_features, cells).astype(np.float32)
        Y = data.matrix(cells, self.drugs_).astype(np.float32)
        drug_feats = (None if data.drug_features is None
                      else self._drug_feature_matrix(data.drug_features, self.drugs_))
        self.net_ = self._build(drug_feats)
        with torch.no_grad():
            self.net_.drug_bias.copy_(torch.tensor(self.drug_mean_, dtype=torch.float32))
        config = TrainConfig(max_epochs=self.epochs, batch_size=self.batch_size,
                             learning_rate=self.lr, weight_decay=self.weight_decay,
                             patience=self.patience, validation_fraction=0.15,
                             seed=self.random_state, device="cpu")
        result = train_module(self.net_, X, Y, loss=masked_mse, config=config)
        self.best_epoch_ = result.best_epoch
        log.info("multitask: best epoch %d of %d, validation MSE %.3f", result.best_epoch,
                 result.epochs_run, min(result.validation_loss, default=float("nan")))
        self.net_.cpu().eval()
        self._wrap()
        return self

    def _wrap(self) -> None:
        self.torch_module_ = _RawInput(self.net_, self.used_features_, self.mean_, self.scale_)
        self.torch_module_.eval()

    def _to_tensor(self, X: np.ndarray | pd.DataFrame) -> torch.Tensor:
        """Raw cell features (all input columns, in ``feature_names_`` order) as a tensor."""
        if isinstance(X, pd.DataFrame):
            X = X.reindex(columns=self.feature_names_).to_numpy(dtype=np.float32)
        return torch.as_tensor(np.array(X, dtype=np.float32, copy=True))

    def predict(self, cell_features: pd.DataFrame, pairs: pd.DataFrame, *,
                drug_features: pd.DataFrame | None = None) -> np.ndarray:
        """Network prediction per pair; unseen drugs from drug features or the mean drug."""
        _pairs_check(pairs)
        cells = pd.Index(pairs["cell_line"].astype(str).unique())
        x = torch.as_tensor(self._cell_matrix(cell_features, list(cells)), dtype=torch.float32)
        rows = cells.get_indexer(pairs["cell_line"].astype(str))
        idx = self._drug_index(pairs["drug"])
        with torch.no_grad():
            z = self.net_.cell_code(x)
            seen = (z @ self.net_.codes().T + self.net_.drug_bias
                    + self.net_.sensitivity(z)).numpy()
            out = np.empty(len(pairs))
            known = idx >= 0
            out[known] = seen[rows[known], idx[known]]
            if (~known).any():
                new_drugs = sorted(set(pairs.loc[~known, "drug"].astype(str)))
                if self.drug_feature_names_ and drug_features is not None:
                    feats = torch.as_tensor(self._drug_feature_matrix(drug_features, new_drugs))
                    codes = self.net_.codes(feats)
                else:
                    codes = self.net_.codes().mean(dim=0, keepdim=True).expand(
                        len(new_drugs), -1)
                bias = float(self.net_.drug_bias.mean())
                new = (z @ codes.T + bias + self.net_.sensitivity(z)).numpy()
                unseen = pd.Index(pairs.loc[~known, "drug"].astype(str))
                col = pd.Index(new_drugs).get_indexer(unseen)
                out[~known] = new[rows[~known], col]
        return out

    def pathway_attributions(self, cell_features: pd.DataFrame, drug: str) -> pd.DataFrame:
        """Pathway-level attributions of ``drug``'s predicted ln(IC50) (``encoder="pathway"``).

        Mean |gradient x activation| per pathway unit over the given cell lines.
        """
        from onco_genomics.omics.pathway_network import PathwayEncoder, pathway_attributions

        encoder = self.net_.cell_encoder
        if not isinstance(encoder, PathwayEncoder):
            raise OncogenError("pathway attributions need a model trained with "
                               "encoder='pathway'")
        if drug not in self.drugs_:
            raise OncogenError(f"unknown drug {drug!r}; the model knows {len(self.drugs_)} "
                               "training drugs")
        d = self.drugs_.index(drug)
        x = torch.as_tensor(self._cell_matrix(cell_features, list(cell_features.index)),
                            dtype=torch.float32)
        return pathway_attributions(encoder, x, lambda inp: self.net_(inp)[:, d])

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write ``multitask.pt`` (state_dict) and the JSON metadata."""
        torch.save(self.net_.state_dict(), directory / "multitask.pt")
        params = {**self.get_params(), "hidden": list(self.hidden)}
        return {**self._common_payload(), "params": params, "weights": "multitask.pt"}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (``weights_only=True``)."""
        params = {**payload["params"], "hidden": tuple(payload["params"]["hidden"])}
        model = cls(**params)
        model._restore_common(payload)
        state = load_torch_state(directory / payload["weights"])
        n_drug_features = int(state["drug_features"].shape[1])
        model.net_ = model._build(np.zeros((len(model.drugs_), n_drug_features), np.float32)
                                  if n_drug_features else None)
        model.net_.load_state_dict(state)
        model.net_.eval()
        model._wrap()
        return model


#: ``--model`` name -> class
DRUG_RESPONSE_MODELS: dict[str, type[DrugResponseModel]] = {
    "per-drug-mean": PerDrugMean,
    "elastic-net": PerDrugElasticNet,
    "lowrank-elastic-net": LowRankElasticNet,
    "xgboost": XGBoostDrugResponse,
    "multitask": MultitaskDrugResponse,
}
