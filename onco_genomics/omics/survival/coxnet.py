"""Penalised Cox regression (scikit-survival's Coxnet) with feature selection inside fit:
the linear baseline every survival model is compared with."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sksurv.linear_model import CoxnetSurvivalAnalysis

from onco_genomics.errors import OncogenError
from onco_genomics.omics.core.model_dir import (
    register_model_kind,
)
from onco_genomics.omics.survival.base import SurvivalEstimator, _cox_score_parts
from onco_genomics.omics.survival.metrics import harrell_c
from onco_genomics.omics.survival.outcome import SurvivalOutcome

log = logging.getLogger(__name__)



@register_model_kind
class CoxnetSurvival(SurvivalEstimator):
    """Elastic-net penalised Cox model (scikit-survival's Coxnet), alpha by inner CV.

    The defaults are the textbook recipe: the 1,000 most variable features of the training
    data, standardised, ``l1_ratio`` 0.5, scikit-survival's default path (100 penalties down
    to ``alpha_min_ratio="auto"``) and the penalty with the best mean Harrell's C over an
    inner 5-fold CV. In oncogen 0.1.0 the features were the 2,000 with the largest
    univariate Cox score, chosen once on the whole training data *before* the inner CV:
    that CV then scored penalties on features already picked for their association with the
    outcome, so it favoured weak penalties and the model overfit on small sets (see
    docs/benchmarks/survival.md). ``selection="cox-score"`` keeps that behaviour.

    Parameters
    ----------
    l1_ratio
        Elastic-net mixing (1 = lasso).
    n_alphas
        Length of the regularisation path.
    alpha_min_ratio
        Smallest penalty of the path as a fraction of the largest ("auto": scikit-survival's
        rule, 1e-4 with more samples than features, else 0.01).
    inner_folds
        Folds of the inner cross-validation that picks alpha (Harrell's C).
    max_features
        Keep this many features before fitting (None: all).
    selection
        How those features are ranked: "variance" (unsupervised) or "cox-score"
        (univariate Cox score statistic).
    alpha
        A fixed penalty instead of the inner-CV choice (None: choose by inner CV; the
        ensemble's inner folds refit Coxnet with the penalty its full-data fit chose).
    """

    model_kind: ClassVar[str] = "survival/coxnet"

    def __init__(self, *, l1_ratio: float = 0.5, n_alphas: int = 100,
                 alpha_min_ratio: float | str = "auto", inner_folds: int = 5,
                 max_features: int | None = 1000, selection: str = "variance",
                 alpha: float | None = None, n_risk_groups: int = 2,
                 random_state: int = 0) -> None:
        self.l1_ratio = l1_ratio
        self.n_alphas = n_alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.inner_folds = inner_folds
        self.alpha = alpha
        self.max_features = max_features
        self.selection = selection
        self.n_risk_groups = n_risk_groups
        self.random_state = random_state

    def _fit_selected(self, Xs: np.ndarray, outcome: SurvivalOutcome) -> None:
        y = outcome.to_structured()
        if self.alpha is not None:
            if not self.alpha > 0:
                raise OncogenError(f"expected a positive Coxnet alpha, found {self.alpha}")
            # a warm-started path from the smallest all-zero penalty (the largest score
            # gradient at beta = 0) down to alpha: coordinate descent started at zero at a
            # small alpha alone can diverge (sksurv: "weights are too large")
            u, _ = _cox_score_parts(Xs, outcome.time, outcome.event)
            alpha_max = float(np.abs(u).max()) / (len(Xs) * max(self.l1_ratio, 1e-3))
            alphas = (np.geomspace(alpha_max, self.alpha, self.n_alphas)
                      if alpha_max > self.alpha else np.array([self.alpha]))
            fixed = CoxnetSurvivalAnalysis(l1_ratio=self.l1_ratio, alphas=alphas,
                                           max_iter=20000).fit(Xs, y)
            self.alpha_ = float(self.alpha)
            self.inner_cv_c_ = float("nan")
            self.coef_selected_ = np.asarray(fixed.coef_[:, -1], dtype=float)
            self._set_raw_coef()
            return
        path = CoxnetSurvivalAnalysis(l1_ratio=self.l1_ratio, n_alphas=self.n_alphas,
                                      alpha_min_ratio=self.alpha_min_ratio, max_iter=20000)
        path.fit(Xs, y)
        alphas = path.alphas_
        scores = np.zeros((self.inner_folds, alphas.size))
        folds = StratifiedKFold(self.inner_folds, shuffle=True, random_state=self.random_state)
        for f, (tr, va) in enumerate(folds.split(Xs, outcome.event)):
            model = CoxnetSurvivalAnalysis(l1_ratio=self.l1_ratio, alphas=alphas, max_iter=20000)
            model.fit(Xs[tr], y[tr])
            n_fitted = model.coef_.shape[1]
            for a in range(alphas.size):
                risk = Xs[va] @ model.coef_[:, min(a, n_fitted - 1)]
                scores[f, a] = (harrell_c(outcome.subset(va), risk)
                                if np.ptp(risk) > 0 else 0.5)
        mean = scores.mean(axis=0)
        best = int(np.argmax(mean))
        self.alpha_ = float(alphas[best])
        self.inner_cv_c_ = float(mean[best])
        self.coef_selected_ = np.asarray(path.coef_[:, min(best, path.coef_.shape[1] - 1)],
                                         dtype=float)
        log.info("coxnet: alpha %.4g (inner CV C %.3f), %d non-zero coefficients",
                 self.alpha_, self.inner_cv_c_, int((self.coef_selected_ != 0).sum()))
        self._set_raw_coef()

    def _set_raw_coef(self) -> None:
        coef = np.zeros(self.n_features_in_)
        coef[self.selected_] = self.coef_selected_ / self.scale_
        self.coef_ = coef
        self.intercept_ = float(-(self.mean_ / self.scale_) @ self.coef_selected_)

    def _risk_selected(self, Xs: np.ndarray) -> np.ndarray:
        return np.asarray(Xs @ self.coef_selected_, dtype=float)

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Coefficients and scaling as JSON metadata (no weight file needed)."""
        return {**self._common_payload(), "alpha": self.alpha_,
                "coef_selected": self.coef_selected_.tolist()}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild a fitted model from :meth:`save_payload`'s metadata."""
        # files written before ``selection`` existed selected by the Cox score
        params = {"selection": "cox-score", **payload["params"]}
        model = cls(**params)
        model._restore_common(payload)
        model.alpha_ = float(payload["alpha"])
        model.coef_selected_ = np.asarray(payload["coef_selected"], dtype=float)
        model._set_raw_coef()
        return model
