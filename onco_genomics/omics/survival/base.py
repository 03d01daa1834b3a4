"""The shared base of oncogen's survival estimators: univariate Cox score selection inside
fit, standardisation, Breslow baseline, risk groups and the explain protocol.

See :mod:`onco_genomics.omics.survival` for the estimators built on it."""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Self

import numpy as np
from sklearn.base import BaseEstimator
from sksurv.linear_model.coxph import BreslowEstimator

from onco_genomics.errors import OncogenError
from onco_genomics.omics.survival.metrics import harrell_c
from onco_genomics.omics.survival.outcome import SurvivalOutcome

log = logging.getLogger(__name__)


def cox_score_statistic(X: np.ndarray, time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Univariate Cox score (log-rank) test statistic of every column of ``X``.

    The score test of beta = 0 in a one-covariate Cox model (Breslow ties), vectorised over
    columns: ``U = sum_events (x_i - mean of x over the risk set)``,
    ``I = sum_events var(x over the risk set)``; returns ``U**2 / I`` (chi-square, 1 df).
    """
    u, info = _cox_score_parts(X, time, event)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(info > 1e-12, u * u / info, 0.0)
    return stat


def _cox_score_parts(X: np.ndarray, time: np.ndarray,
                     event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Score ``U`` and information ``I`` of beta = 0, per column (see cox_score_statistic)."""
    order = np.argsort(-time, kind="stable")
    xs = X[order].astype(float)
    ev = event[order].astype(bool)
    n_at_risk = np.arange(1, len(time) + 1, dtype=float)[:, None]
    s1 = np.cumsum(xs, axis=0) / n_at_risk
    s2 = np.cumsum(xs * xs, axis=0) / n_at_risk
    # tied times share the risk set of their last (largest-index) member
    t_sorted = time[order]
    last = np.searchsorted(-t_sorted, -t_sorted, side="right") - 1
    mean_rs, sq_rs = s1[last], s2[last]
    u = (xs[ev] - mean_rs[ev]).sum(axis=0)
    info = (sq_rs[ev] - mean_rs[ev] ** 2).sum(axis=0)
    return u, info


def select_by_cox_score(X: np.ndarray, outcome: SurvivalOutcome,
                        max_features: int | None) -> np.ndarray:
    """Sorted column indices of the ``max_features`` columns with the largest univariate Cox
    score statistic (all columns when ``max_features`` is None or not below their number)."""
    if max_features is not None and max_features < X.shape[1]:
        stat = cox_score_statistic(X, outcome.time, outcome.event)
        return np.sort(np.argsort(-stat, kind="stable")[:max_features])
    return np.arange(X.shape[1])


#: how :func:`select_features` ranks columns
FEATURE_SELECTIONS: tuple[str, ...] = ("variance", "cox-score")


def select_features(X: np.ndarray, outcome: SurvivalOutcome, max_features: int | None,
                    method: str = "cox-score") -> np.ndarray:
    """Sorted column indices of the ``max_features`` top-ranked columns of ``X``.

    ``method`` "variance" ranks by variance (unsupervised: the outcome is not used, so a
    penalty chosen afterwards by inner cross-validation is not biased by the selection);
    "cox-score" by the univariate Cox score statistic (:func:`select_by_cox_score`).
    """
    if method == "cox-score":
        return select_by_cox_score(X, outcome, max_features)
    if method != "variance":
        raise OncogenError(f"unknown feature selection {method!r}; expected one of "
                           f"{', '.join(FEATURE_SELECTIONS)}")
    if max_features is not None and max_features < X.shape[1]:
        return np.sort(np.argsort(-X.var(axis=0), kind="stable")[:max_features])
    return np.arange(X.shape[1])


def _as_outcome(y: np.ndarray) -> SurvivalOutcome:
    y = np.asarray(y)
    if y.dtype.names is None or set(y.dtype.names) != {"event", "time"}:
        raise ValueError("y must be a structured array with fields 'event' and 'time' "
                         "(SurvivalOutcome.to_structured())")
    return SurvivalOutcome(y["time"].astype(float), y["event"].astype(bool),
                           tuple(str(i) for i in range(len(y))))


class SurvivalEstimator(BaseEstimator):
    """Shared feature selection, scaling, Breslow baseline and risk groups.

    Subclasses implement ``_fit_selected(Xs, outcome)`` and ``_risk_selected(Xs)`` on the
    selected, standardised features.
    """

    model_kind: ClassVar[str] = ""
    #: what :mod:`onco_genomics.explain` labels the explained output
    output_names_: ClassVar[tuple[str, ...]] = ("risk_score",)

    max_features: int | None
    n_risk_groups: int
    random_state: int

    # ---- fitted state shared by all subclasses --------------------------------------------
    def _select_and_scale(self, X: np.ndarray, outcome: SurvivalOutcome) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if not np.isfinite(X).all():
            raise OncogenError("expected finite feature values, found NaN or infinity; "
                               "impute missing values before training")
        self.n_features_in_ = X.shape[1]
        self.selected_ = select_features(X, outcome, self.max_features,
                                         getattr(self, "selection", "cox-score"))
        Xsel = X[:, self.selected_]
        self.mean_ = Xsel.mean(axis=0)
        scale = Xsel.std(axis=0)
        self.scale_ = np.where(scale > 1e-12, scale, 1.0)
        return (Xsel - self.mean_) / self.scale_

    def _transform(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise OncogenError(f"expected {self.n_features_in_} feature columns, found "
                               f"{X.shape[-1] if X.ndim else 0}; align the features to the "
                               "model's feature list")
        return (X[:, self.selected_] - self.mean_) / self.scale_

    def fit(self, X: np.ndarray, y: np.ndarray) -> Self:
        """Select features, standardise and fit on ``X`` (samples x features) and ``y``."""
        outcome = _as_outcome(y)
        Xs = self._select_and_scale(X, outcome)
        self._fit_selected(Xs, outcome)
        train_risk = self._risk_selected(Xs)
        self._fit_baseline(train_risk, outcome)
        quantiles = np.linspace(0, 1, self.n_risk_groups + 1)[1:-1]
        self.risk_cutoffs_ = np.quantile(train_risk, quantiles)
        return self

    def _fit_baseline(self, risk: np.ndarray, outcome: SurvivalOutcome) -> None:
        breslow = BreslowEstimator().fit(risk, outcome.event, outcome.time)
        self.baseline_time_ = np.asarray(breslow.cum_baseline_hazard_.x, dtype=float)
        self.baseline_cumhaz_ = np.asarray(breslow.cum_baseline_hazard_.y, dtype=float)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Risk score (log hazard ratio up to a constant); higher = worse prognosis."""
        return self._risk_selected(self._transform(X))

    def predict_survival(self, X: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Survival probability of each sample at ``times``, shape (n_samples, n_times)."""
        risk = self.predict(X)
        idx = np.searchsorted(self.baseline_time_, np.asarray(times, dtype=float),
                              side="right") - 1
        cumhaz = np.where(idx >= 0, self.baseline_cumhaz_[np.clip(idx, 0, None)], 0.0)
        return np.exp(-np.exp(risk)[:, None] * cumhaz[None, :])

    def risk_group(self, X: np.ndarray) -> np.ndarray:
        """Risk group label per sample ("low", "high"; or "low", "intermediate", "high")."""
        return _group_labels(np.searchsorted(self.risk_cutoffs_, self.predict(X), side="right"),
                             self.n_risk_groups)

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Harrell's C of the predicted risk on ``(X, y)``."""
        return harrell_c(_as_outcome(y), self.predict(X))

    # ---- persistence (model_dir protocol) ----------------------------------------------------
    def _common_payload(self) -> dict[str, Any]:
        return {"params": self.get_params(), "n_features_in": int(self.n_features_in_),
                "selected": self.selected_.tolist(), "mean": self.mean_.tolist(),
                "scale": self.scale_.tolist(), "baseline_time": self.baseline_time_.tolist(),
                "baseline_cumhaz": self.baseline_cumhaz_.tolist(),
                "risk_cutoffs": np.asarray(self.risk_cutoffs_).tolist()}

    def _restore_common(self, payload: dict[str, Any]) -> None:
        self.n_features_in_ = int(payload["n_features_in"])
        self.selected_ = np.asarray(payload["selected"], dtype=int)
        self.mean_ = np.asarray(payload["mean"], dtype=float)
        self.scale_ = np.asarray(payload["scale"], dtype=float)
        self.baseline_time_ = np.asarray(payload["baseline_time"], dtype=float)
        self.baseline_cumhaz_ = np.asarray(payload["baseline_cumhaz"], dtype=float)
        self.risk_cutoffs_ = np.asarray(payload["risk_cutoffs"], dtype=float)

    def _fit_selected(self, Xs: np.ndarray, outcome: SurvivalOutcome) -> None:
        raise NotImplementedError

    def _risk_selected(self, Xs: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def _group_labels(codes: np.ndarray, n_groups: int) -> np.ndarray:
    names = {2: ["low", "high"], 3: ["low", "intermediate", "high"]}.get(
        n_groups, [f"q{i + 1}" for i in range(n_groups)])
    return np.asarray(names, dtype=object)[codes]


# ============================================================================================
# Penalised Cox (elastic net), the baseline
# ============================================================================================
