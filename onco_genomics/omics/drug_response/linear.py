"""Linear drug-response models: the per-drug mean baseline, one elastic net per drug, and
the low-rank shared linear model blended with them."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNetCV

from onco_genomics.errors import OncogenError
from onco_genomics.omics.core.model_dir import (
    register_model_kind,
)
from onco_genomics.omics.drug_response.base import DrugResponseModel, _pairs_check
from onco_genomics.omics.drug_response.data import DrugResponseData
from onco_genomics.omics.drug_response.lowrank import reduced_rank_ridge
from onco_genomics.progress import Progress

log = logging.getLogger(__name__)


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
