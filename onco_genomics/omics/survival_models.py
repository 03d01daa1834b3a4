"""Survival estimators: penalised Cox, DeepSurv, Chaudhary-style autoencoder-Cox, xgboost-Cox,
and an ensemble of Coxnet with xgboost-Cox or DeepSurv weighted by inner cross-validation.

All follow the scikit-learn API with ``y`` a scikit-survival structured array (fields
``event``, ``time``; see :meth:`SurvivalOutcome.to_structured`):

* ``fit(X, y)`` selects features *on the training data only* (univariate Cox score test, so
  feature selection stays inside every cross-validation fold), standardises them and fits;
* ``predict(X)`` returns a risk score (log hazard ratio; higher = worse prognosis);
* ``predict_survival(X, times)`` returns survival probabilities from a Breslow baseline;
* ``risk_group(X)`` assigns "low"/"high" (or tertiles) with cut-offs learned in training;
* ``score(X, y)`` is Harrell's C.

They expose what :mod:`onco_genomics.explain` dispatches on, over the *full* input feature
space: ``coef_``/``intercept_`` (Coxnet), ``booster_`` (xgboost-Cox), ``torch_module_`` and
``_to_tensor`` (DeepSurv, autoencoder-Cox), ``explain_components_`` (the ensemble: weighted
members). The explained quantity is always the risk score.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
import torch
from scipy.stats import chi2
from scipy.stats import t as student_t
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold
from sksurv.linear_model import CoxnetSurvivalAnalysis, CoxPHSurvivalAnalysis
from sksurv.linear_model.coxph import BreslowEstimator
from torch import nn

from onco_genomics.errors import ModelError, OncogenError
from onco_genomics.omics.model_dir import (
    load_torch_state,
    load_xgboost_booster,
    register_model_kind,
)
from onco_genomics.omics.survival_metrics import harrell_c
from onco_genomics.omics.survival_outcome import SurvivalOutcome
from onco_genomics.omics.torch_training import TrainConfig, train_module

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


# ============================================================================================
# Torch models: DeepSurv and the autoencoder-Cox
# ============================================================================================

def cox_partial_likelihood_loss(risk: torch.Tensor, time: torch.Tensor,
                                event: torch.Tensor) -> torch.Tensor:
    """Negative Cox partial log-likelihood (Breslow ties), averaged over events."""
    order = torch.argsort(time, descending=True)
    risk, event = risk[order], event[order]
    log_risk_set = torch.logcumsumexp(risk, dim=0)
    n_events = event.sum().clamp(min=1.0)
    return -((risk - log_risk_set) * event).sum() / n_events


class _FeatureSelectingModule(nn.Module):
    """Full feature vector -> selected, standardised features -> inner network -> risk."""

    selected: torch.Tensor
    mean: torch.Tensor
    scale: torch.Tensor

    def __init__(self, n_features_in: int, selected: np.ndarray, mean: np.ndarray,
                 scale: np.ndarray, inner: nn.Module) -> None:
        super().__init__()
        self.register_buffer("selected", torch.as_tensor(selected, dtype=torch.long))
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        self.n_features_in = n_features_in
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xs = (x.index_select(1, self.selected) - self.mean) / self.scale
        out: torch.Tensor = self.inner(xs)
        return out


def _mlp(n_in: int, hidden: tuple[int, ...], n_out: int, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_in
    for h in hidden:
        layers += [nn.Linear(width, h), nn.SELU(), nn.AlphaDropout(dropout)]
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def cox_loss_on_outcome(risk: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """:func:`cox_partial_likelihood_loss` with ``target[:, 0]`` = time, ``target[:, 1]`` = event.

    The shape :func:`~onco_genomics.omics.torch_training.train_module` passes to its loss.
    """
    return cox_partial_likelihood_loss(risk.squeeze(-1), target[:, 0], target[:, 1])


def outcome_target(outcome: SurvivalOutcome) -> np.ndarray:
    """(n, 2) float32 array of time and event, the target of :func:`cox_loss_on_outcome`."""
    return np.column_stack([outcome.time, outcome.event.astype(float)]).astype(np.float32)


class _TorchSurvival(SurvivalEstimator):
    """Shared torch plumbing: ``torch_module_`` over the full feature space, ``_to_tensor``."""

    torch_module_: _FeatureSelectingModule
    net_: nn.Module

    def _wrap(self) -> None:
        self.torch_module_ = _FeatureSelectingModule(self.n_features_in_, self.selected_,
                                                     self.mean_, self.scale_, _RiskHead(self))
        self.torch_module_.eval()

    def _to_tensor(self, X: np.ndarray) -> torch.Tensor:
        """Features (samples x all input features) as the tensor ``torch_module_`` takes."""
        return torch.as_tensor(np.array(X, dtype=np.float32, copy=True))

    def _risk_selected(self, Xs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self._risk_tensor(torch.as_tensor(Xs, dtype=torch.float32)).numpy()

    def _risk_tensor(self, xs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class _RiskHead(nn.Module):
    """Adapter so ``torch_module_`` returns the estimator's risk score, shape (n, 1)."""

    def __init__(self, owner: _TorchSurvival) -> None:
        super().__init__()
        self.net = owner.net_
        self._owner_risk = owner._risk_tensor

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        return self._owner_risk(xs).unsqueeze(-1)


@register_model_kind
class DeepSurv(_TorchSurvival):
    """DeepSurv (Katzman et al. 2018): an MLP trained on the Cox partial likelihood.

    Parameters
    ----------
    hidden
        Hidden layer widths (SELU, alpha-dropout).
    max_features
        Features kept by univariate Cox score, inside ``fit``.
    encoder
        ``"mlp"``, or ``"pathway"``: the selected features go through the sparse
        genes -> Reactome pathways network of :mod:`onco_genomics.omics.pathway_network`
        (needs ``feature_names`` that are gene symbols), then a linear risk head;
        :meth:`pathway_attributions` reports pathway-level attributions of the risk.
    feature_names
        Names of the input columns (for ``encoder="pathway"``).
    """

    model_kind: ClassVar[str] = "survival/deepsurv"

    def __init__(self, *, hidden: tuple[int, ...] = (64, 32), dropout: float = 0.2,
                 lr: float = 1e-3, weight_decay: float = 1e-2, epochs: int = 200,
                 batch_size: int = 64, patience: int = 20, validation_fraction: float = 0.2,
                 max_features: int | None = 500, n_risk_groups: int = 2,
                 encoder: str = "mlp", feature_names: tuple[str, ...] | None = None,
                 random_state: int = 0) -> None:
        self.hidden = hidden
        self.dropout = dropout
        self.encoder = encoder
        self.feature_names = feature_names
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.max_features = max_features
        self.n_risk_groups = n_risk_groups
        self.random_state = random_state

    def _build(self, n_in: int) -> nn.Module:
        torch.manual_seed(self.random_state)
        if self.encoder == "mlp":
            return _mlp(n_in, tuple(self.hidden), 1, self.dropout)
        if self.encoder != "pathway":
            raise OncogenError(f"unknown encoder {self.encoder!r}; expected mlp or pathway")
        if self.feature_names is None or len(self.feature_names) != self.n_features_in_:
            raise OncogenError("encoder='pathway' needs feature_names, one per input column "
                               "(gene symbols)")
        from onco_genomics.omics.pathway_network import PathwayEncoder, build_layout

        names = [self.feature_names[i] for i in self.selected_]
        code = self.hidden[-1] if self.hidden else 8
        return nn.Sequential(PathwayEncoder(build_layout(names), code, dropout=self.dropout),
                             nn.Linear(code, 1))

    def pathway_attributions(self, X: np.ndarray) -> pd.DataFrame:
        """Mean |gradient x activation| of the risk at each pathway unit over ``X``."""
        from onco_genomics.omics.pathway_network import PathwayEncoder, pathway_attributions

        encoder = self.net_[0] if isinstance(self.net_, nn.Sequential) else None
        if not isinstance(encoder, PathwayEncoder):
            raise OncogenError("pathway attributions need a model trained with "
                               "encoder='pathway'")
        xs = torch.as_tensor(self._transform(X), dtype=torch.float32)
        return pathway_attributions(encoder, xs, lambda inp: self.net_(inp).squeeze(-1))

    def _fit_selected(self, Xs: np.ndarray, outcome: SurvivalOutcome) -> None:
        self.net_ = self._build(Xs.shape[1])
        config = TrainConfig(max_epochs=self.epochs, batch_size=self.batch_size,
                             learning_rate=self.lr, weight_decay=self.weight_decay,
                             patience=self.patience,
                             validation_fraction=self.validation_fraction,
                             seed=self.random_state, device="cpu")
        result = train_module(self.net_, Xs, outcome_target(outcome), loss=cox_loss_on_outcome,
                              config=config, stratify=outcome.event.astype(int))
        self.best_epoch_ = result.best_epoch
        log.info("deepsurv: best epoch %d of %d", result.best_epoch, result.epochs_run)
        self.net_.cpu().eval()
        self._wrap()

    def _risk_tensor(self, xs: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.net_(xs).squeeze(-1)
        return out

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write ``deepsurv.pt`` (state_dict) and return the JSON metadata."""
        torch.save(self.net_.state_dict(), directory / "deepsurv.pt")
        params = {**self.get_params(), "hidden": list(self.hidden),
                  "feature_names": (None if self.feature_names is None
                                    else list(self.feature_names))}
        return {**self._common_payload(), "params": params, "weights": "deepsurv.pt",
                "n_selected": int(self.selected_.size)}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (weights loaded with ``weights_only=True``)."""
        names = payload["params"].get("feature_names")
        params = {**payload["params"], "hidden": tuple(payload["params"]["hidden"]),
                  "feature_names": None if names is None else tuple(names)}
        model = cls(**params)
        model._restore_common(payload)
        model.net_ = model._build(int(payload["n_selected"]))
        model.net_.load_state_dict(load_torch_state(directory / payload["weights"]))
        model.net_.eval()
        model._wrap()
        return model


class _AutoencoderCoxNet(nn.Module):
    """Encoder, decoder, and the Cox layer and k-means centroids on the kept latent nodes."""

    kept: torch.Tensor
    latent_mean: torch.Tensor
    latent_scale: torch.Tensor
    centroids: torch.Tensor
    centroid_rank: torch.Tensor

    def __init__(self, n_in: int, hidden: int, latent: int, n_kept: int, n_groups: int,
                 dropout: float) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Dropout(dropout), nn.Linear(n_in, hidden), nn.Tanh(),
                                     nn.Linear(hidden, latent), nn.Tanh())
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.Tanh(),
                                     nn.Linear(hidden, n_in))
        self.cox = nn.Linear(n_kept, 1, bias=False)
        self.register_buffer("kept", torch.zeros(n_kept, dtype=torch.long))
        self.register_buffer("latent_mean", torch.zeros(n_kept))
        self.register_buffer("latent_scale", torch.ones(n_kept))
        self.register_buffer("centroids", torch.zeros(n_groups, n_kept))
        self.register_buffer("centroid_rank", torch.zeros(n_groups, dtype=torch.long))

    def forward(self, xs: torch.Tensor) -> torch.Tensor:
        """Risk score of standardised, selected features, shape (n,)."""
        z = self.encoder(xs).index_select(1, self.kept)
        out: torch.Tensor = self.cox((z - self.latent_mean) / self.latent_scale)
        return out.squeeze(-1)


@register_model_kind
class AutoencoderCox(_TorchSurvival):
    """Chaudhary et al. (2018) style: autoencoder, Cox-selected latent nodes, risk clusters.

    1. an autoencoder compresses the (selected, standardised) features to ``latent`` nodes;
    2. latent nodes whose univariate Cox score test has p < ``latent_p`` are kept (at least
       ``min_latent``, by score);
    3. k-means (k = ``n_risk_groups``) on the kept nodes gives risk groups, ordered by the
       groups' observed hazard; new samples go to the nearest centroid;
    4. a ridge-penalised Cox model on the kept nodes gives the continuous risk score.

    All four steps run inside ``fit``, so cross-validation keeps every selection in its fold
    (the leakage that inflated the original study's C-index from ~0.56 to 0.68).
    """

    model_kind: ClassVar[str] = "survival/autoencoder-cox"

    def __init__(self, *, hidden: int = 256, latent: int = 50, dropout: float = 0.2,
                 lr: float = 1e-3, epochs: int = 200, latent_p: float = 0.05,
                 min_latent: int = 3, cox_penalty: float = 1.0,
                 max_features: int | None = 2000, n_risk_groups: int = 2,
                 random_state: int = 0) -> None:
        self.hidden = hidden
        self.latent = latent
        self.dropout = dropout
        self.lr = lr
        self.epochs = epochs
        self.latent_p = latent_p
        self.min_latent = min_latent
        self.cox_penalty = cox_penalty
        self.max_features = max_features
        self.n_risk_groups = n_risk_groups
        self.random_state = random_state

    def _build(self, n_in: int, n_kept: int) -> _AutoencoderCoxNet:
        torch.manual_seed(self.random_state)
        return _AutoencoderCoxNet(n_in, self.hidden, self.latent, n_kept, self.n_risk_groups,
                                  self.dropout)

    net_: _AutoencoderCoxNet

    def _latent(self, xs: torch.Tensor) -> torch.Tensor:
        net = self.net_
        z = net.encoder(xs).index_select(1, net.kept)
        return (z - net.latent_mean) / net.latent_scale

    def _fit_selected(self, Xs: np.ndarray, outcome: SurvivalOutcome) -> None:
        n_in = Xs.shape[1]
        ae = self._build(n_in, 1)
        autoencoder = nn.Sequential(ae.encoder, ae.decoder)
        config = TrainConfig(max_epochs=self.epochs, batch_size=64, learning_rate=self.lr,
                             weight_decay=1e-4, patience=20, validation_fraction=0.1,
                             seed=self.random_state, device="cpu")
        result = train_module(autoencoder, Xs, Xs.astype(np.float32),
                              loss=nn.functional.mse_loss, config=config)
        log.info("autoencoder: best epoch %d, validation MSE %.3f", result.best_epoch,
                 min(result.validation_loss, default=float("nan")))
        autoencoder.cpu().eval()
        x = torch.as_tensor(Xs, dtype=torch.float32)
        with torch.no_grad():
            z = ae.encoder(x).numpy().astype(float)
        stat = cox_score_statistic(z, outcome.time, outcome.event)
        pvals = chi2.sf(stat, df=1)
        kept = np.flatnonzero(pvals < self.latent_p)
        if kept.size < self.min_latent:
            kept = np.sort(np.argsort(-stat)[: self.min_latent])
        self.latent_pvalues_ = pvals
        zk = z[:, kept]
        zmean, zscale = zk.mean(axis=0), zk.std(axis=0)
        zscale = np.where(zscale > 1e-12, zscale, 1.0)
        zs = (zk - zmean) / zscale
        cox = CoxnetSurvivalAnalysis(l1_ratio=1e-3, alphas=[self.cox_penalty * 1e-1],
                                     max_iter=20000).fit(zs, outcome.to_structured())
        beta = np.asarray(cox.coef_[:, -1], dtype=float)
        kmeans = KMeans(self.n_risk_groups, n_init=10, random_state=self.random_state).fit(zs)
        # order clusters by mean Cox risk of their members: rank 0 = lowest risk
        cluster_risk = [float((zs[kmeans.labels_ == k] @ beta).mean())
                        for k in range(self.n_risk_groups)]
        rank = np.argsort(np.argsort(cluster_risk))
        net = self._build(n_in, kept.size)
        net.encoder.load_state_dict(ae.encoder.state_dict())
        net.decoder.load_state_dict(ae.decoder.state_dict())
        with torch.no_grad():
            net.cox.weight.copy_(torch.as_tensor(beta[None, :], dtype=torch.float32))
            net.kept.copy_(torch.as_tensor(kept))
            net.latent_mean.copy_(torch.as_tensor(zmean, dtype=torch.float32))
            net.latent_scale.copy_(torch.as_tensor(zscale, dtype=torch.float32))
            net.centroids.copy_(torch.as_tensor(kmeans.cluster_centers_, dtype=torch.float32))
            net.centroid_rank.copy_(torch.as_tensor(rank))
        net.eval()
        self.net_ = net
        log.info("autoencoder-cox: %d of %d latent nodes kept (p < %g)", kept.size,
                 self.latent, self.latent_p)
        self._wrap()

    def _risk_tensor(self, xs: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.net_(xs)
        return out

    def risk_group(self, X: np.ndarray) -> np.ndarray:
        """Risk group by nearest k-means centroid in the kept latent space."""
        with torch.no_grad():
            z = self._latent(torch.as_tensor(self._transform(X), dtype=torch.float32))
            nearest = torch.cdist(z, self.net_.centroids).argmin(dim=1)
            codes = self.net_.centroid_rank[nearest].numpy()
        return _group_labels(codes, self.n_risk_groups)

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Write ``autoencoder_cox.pt`` and return the JSON metadata."""
        torch.save(self.net_.state_dict(), directory / "autoencoder_cox.pt")
        return {**self._common_payload(), "weights": "autoencoder_cox.pt",
                "n_selected": int(self.selected_.size), "n_kept": int(self.net_.kept.numel())}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (weights loaded with ``weights_only=True``)."""
        model = cls(**payload["params"])
        model._restore_common(payload)
        model.net_ = model._build(int(payload["n_selected"]), int(payload["n_kept"]))
        model.net_.load_state_dict(load_torch_state(directory / payload["weights"]))
        model.net_.eval()
        model._wrap()
        return model


# ============================================================================================
# xgboost with the Cox objective
# ============================================================================================

@register_model_kind
class XGBoostCox(SurvivalEstimator):
    """Gradient-boosted trees on the Cox partial likelihood (xgboost ``survival:cox``)."""

    model_kind: ClassVar[str] = "survival/xgboost-cox"

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
        self.booster_.save_model(str(directory / "xgboost_cox.json"))
        return {**self._common_payload(), "weights": "xgboost_cox.json"}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload` (xgboost JSON, no pickle)."""
        model = cls(**payload["params"])
        model._restore_common(payload)
        model.booster_ = load_xgboost_booster(directory / payload["weights"])
        return model


# ============================================================================================
# Coxnet + a non-linear partner, blended with a weight chosen by inner cross-validation
# ============================================================================================

#: version of the ensemble's payload: 2 added ``risk_scale`` (the Cox coefficient of the
#: out-of-fold blend, folded into the member coefficients); version-1 payloads (no
#: ``payload_version``) store the unscaled blend with a baseline fitted to it and load
#: unchanged (``risk_scale_`` = 1)
ENSEMBLE_PAYLOAD_VERSION = 2

#: partners the ensemble can blend with Coxnet
#: the ensemble's Coxnet member: the pre-0.2 Coxnet settings its design was benchmarked with
#: (the ensemble selects features by the Cox score itself and its members must match)
_ENSEMBLE_COXNET: dict[str, Any] = {"selection": "cox-score", "n_alphas": 30,
                                    "alpha_min_ratio": 0.05, "inner_folds": 3}

ENSEMBLE_PARTNERS: dict[str, type[SurvivalEstimator]] = {
    "xgboost-cox": XGBoostCox,
    "deepsurv": DeepSurv,
}


@register_model_kind
class EnsembleCox(SurvivalEstimator):
    """Coxnet blended with xgboost-Cox (or DeepSurv), the blend weight chosen by inner CV.

    ``risk = w * coxnet / sd_coxnet + (1 - w) * partner / sd_partner``: each member's risk
    is divided by the standard deviation of its risk on the training data. The Coxnet
    weight ``w`` is chosen by ``inner_repeats`` x ``inner_folds``-fold cross-validation of
    the training data (stratified on the event). Inside every inner fold the features are
    selected again on the inner training part (the members' own univariate Cox selection,
    ``max_features``) and both members are refitted; Coxnet keeps the penalty that its fit
    on all of the training data chose by its own inner CV, so the inner folds score the
    Coxnet that the final model will use (that penalty saw the inner validation samples,
    a small optimism in favour of the linear model). The rule is the one-standard-error
    rule on *paired* differences, towards the linear model: with ``C[j, w]`` the Harrell's
    C of weight ``w`` on inner fold ``j`` and ``best`` the weight of the largest mean C,
    ``d[j] = C[j, best] - C[j, w]``; the chosen ``w`` is the largest whose mean ``d`` is at
    most its standard error, corrected for the overlap of the resampled training parts
    (Nadeau and Bengio 2003: ``sd(d) * sqrt(1 / J + 1 / (inner_folds - 1))`` over the
    ``J`` inner folds). Then a gate: a chosen ``w < 1`` is kept only if its paired gain
    over ``w = 1`` passes the corrected resampled t-test (the same corrected SE, ``J - 1``
    degrees of freedom) at ``gate_level`` (two-sided, so a t above the ``1 - gate_level /
    2`` quantile); otherwise ``w = 1``. So ``w = 1`` (the penalised Cox model alone,
    ranking exactly as :class:`CoxnetSurvival` with the same parameters) is kept unless
    the partner improves the inner C by clearly more than its noise. Then the members are
    fitted on all of the training data (a member with weight 0 is not kept).

    The scale of the blend is then estimated out of fold: the inner folds' validation risks
    of the chosen ``w`` (each member's validation risk minus its mean on the inner training
    part, divided by its sd there; pooled over the inner folds) are the covariate of a
    one-covariate Cox model (Breslow ties), whose coefficient is ``risk_scale_``. ``predict``
    returns ``risk_scale_ * blend`` (folded into the member coefficients), to which the
    Breslow baseline is fitted, so the spread of the predicted survival curves is the one
    that held-out samples support, not the training blend's (which, with many features for
    few samples, nearly separates the training outcomes and over-spreads the curves). The
    ranking (C-index, risk groups) is the blend's. A coefficient that is not positive and
    finite (an out-of-fold score with no association), or a single candidate weight (no
    inner CV), leaves the scale at 1, with a warning.

    Parameters
    ----------
    partner
        ``"xgboost-cox"`` or ``"deepsurv"``.
    partner_params
        Hyper-parameters of the partner overriding its defaults (None: defaults).
    coxnet_weights
        Candidate Coxnet weights ``w`` in [0, 1].
    inner_folds
        Folds of the inner cross-validation that picks ``w`` (stratified on the event).
    inner_repeats
        Repetitions of the inner cross-validation, each with another fold assignment.
    one_se_rule
        Take the most linear candidate within one paired standard error of the best
        (False: the best mean inner C, ties to the more linear).
    gate_level
        Level of the corrected resampled t-test that a blend must pass against Coxnet
        alone (None: no test). Needs ``1.0`` among ``coxnet_weights``.
    max_features
        Passed to both members (univariate Cox selection inside each of their fits).

    Explanations (:mod:`onco_genomics.explain`) sum the members' SHAP values scaled by
    their coefficients (``explain_components_``): the SHAP values of a weighted sum of
    models are the weighted sum of theirs.
    """

    model_kind: ClassVar[str] = "survival/ensemble-cox"

    def __init__(self, *, partner: str = "xgboost-cox",
                 partner_params: dict[str, Any] | None = None,
                 coxnet_weights: tuple[float, ...] = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4,
                                                      0.3, 0.2, 0.1, 0.0),
                 inner_folds: int = 5, inner_repeats: int = 3, one_se_rule: bool = True,
                 gate_level: float | None = 0.05, max_features: int | None = 2000,
                 n_risk_groups: int = 2, random_state: int = 0) -> None:
        self.partner = partner
        self.partner_params = partner_params
        self.coxnet_weights = coxnet_weights
        self.inner_folds = inner_folds
        self.inner_repeats = inner_repeats
        self.one_se_rule = one_se_rule
        self.gate_level = gate_level
        self.max_features = max_features
        self.n_risk_groups = n_risk_groups
        self.random_state = random_state

    def _check_params(self) -> tuple[float, ...]:
        if self.partner not in ENSEMBLE_PARTNERS:
            raise OncogenError(f"unknown ensemble partner {self.partner!r}; expected one of "
                               f"{', '.join(ENSEMBLE_PARTNERS)}")
        valid = ENSEMBLE_PARTNERS[self.partner]().get_params()
        unknown = sorted(set(self.partner_params or {}) - set(valid))
        if unknown:
            raise OncogenError(f"unknown {self.partner} parameters {', '.join(unknown)}; "
                               f"valid: {', '.join(sorted(valid))}")
        weights = tuple(float(w) for w in self.coxnet_weights)
        if not weights or any(not 0.0 <= w <= 1.0 for w in weights):
            raise OncogenError(f"expected Coxnet weights in [0, 1], found {weights}")
        if self.inner_folds < 2:
            raise OncogenError(f"inner_folds must be >= 2, got {self.inner_folds}")
        if self.inner_repeats < 1:
            raise OncogenError(f"inner_repeats must be >= 1, got {self.inner_repeats}")
        if self.gate_level is not None and not 0.0 < self.gate_level < 1.0:
            raise OncogenError(f"gate_level must be in (0, 1) or None, got {self.gate_level}")
        # ties go to the first candidate: order from the most linear to the least
        return tuple(sorted(set(weights), reverse=True))

    def _members(self, *, max_features: int | None,
                 alpha: float | None = None) -> tuple[SurvivalEstimator, SurvivalEstimator]:
        common: dict[str, Any] = {"max_features": max_features,
                                  "random_state": self.random_state}
        partner = ENSEMBLE_PARTNERS[self.partner](**common)
        if self.partner_params:
            partner.set_params(**self.partner_params)
        return CoxnetSurvival(**common, **_ENSEMBLE_COXNET, alpha=alpha), partner

    @staticmethod
    def _spread(risk: np.ndarray) -> float:
        sd = float(np.std(risk))
        return sd if sd > 1e-12 else 1.0

    def _inner_scores(self, X: np.ndarray, outcome: SurvivalOutcome,
                      weights: tuple[float, ...], alpha: float,
                      ) -> tuple[np.ndarray, list[tuple[np.ndarray, list[np.ndarray]]]]:
        """Harrell's C of every candidate weight on every inner fold, (folds, weights), and
        per inner fold its validation indices and the members' validation risks (each
        centred on its mean and divided by its sd on the inner training part)."""
        splitter = RepeatedStratifiedKFold(n_splits=self.inner_folds,
                                           n_repeats=self.inner_repeats,
                                           random_state=self.random_state)
        splits = list(splitter.split(X, outcome.event))
        scores = np.zeros((len(splits), len(weights)))
        out_of_fold: list[tuple[np.ndarray, list[np.ndarray]]] = []
        for f, (tr, va) in enumerate(splits):
            train = outcome.subset(tr)
            # the members' own selection, done once for both on the inner training part;
            # the members then see only those columns (the same model, and xgboost builds
            # no histograms of the unselected columns)
            cols = select_by_cox_score(X[tr], train, self.max_features)
            X_tr, X_va = X[np.ix_(tr, cols)], X[np.ix_(va, cols)]
            parts = []
            for member in self._members(max_features=None, alpha=alpha):
                member.fit(X_tr, train.to_structured())
                train_risk = member.predict(X_tr)
                # centred so that the pooled folds share an origin (a constant per fold
                # changes neither the C nor a stratified fit, but would blur a pooled one)
                parts.append((member.predict(X_va) - train_risk.mean())
                             / self._spread(train_risk))
            out_of_fold.append((va, parts))
            for k, w in enumerate(weights):
                risk = w * parts[0] + (1.0 - w) * parts[1]
                scores[f, k] = (harrell_c(outcome.subset(va), risk)
                                if np.ptp(risk) > 0 else 0.5)
        return scores, out_of_fold

    def _choose(self, scores: np.ndarray,
                weights: tuple[float, ...]) -> tuple[int, np.ndarray, float]:
        """Index of the chosen weight, each weight's paired, corrected SE vs the best, and
        the corrected t of the gain of the one-SE choice over ``w = 1`` (nan: none)."""
        mean = scores.mean(axis=0)
        best = int(np.argmax(mean))  # first maximum: the most linear of tied candidates
        n_folds = scores.shape[0]
        if n_folds < 2:
            return best, np.zeros(scores.shape[1]), float("nan")
        correction = np.sqrt(1.0 / n_folds + 1.0 / (self.inner_folds - 1))
        shortfall = scores[:, [best]] - scores
        se = shortfall.std(axis=0, ddof=1) * correction
        chosen = (int(np.flatnonzero(shortfall.mean(axis=0) <= se + 1e-12)[0])
                  if self.one_se_rule else best)
        if 1.0 not in weights or weights[chosen] == 1.0:
            return chosen, se, float("nan")
        linear = weights.index(1.0)
        gain = scores[:, chosen] - scores[:, linear]
        gain_se = gain.std(ddof=1) * correction
        mean_gain = float(gain.mean())
        t_stat = (mean_gain / gain_se if gain_se > 1e-12
                  else (np.inf if mean_gain > 0 else 0.0))
        if (self.gate_level is not None
                and t_stat <= student_t.ppf(1.0 - self.gate_level / 2, n_folds - 1)):
            chosen = linear
        return chosen, se, float(t_stat)

    def fit(self, X: np.ndarray, y: np.ndarray) -> Self:
        """Choose the Coxnet weight by inner CV, then fit the members on ``(X, y)``."""
        weights = self._check_params()
        outcome = _as_outcome(y)
        X = np.asarray(X, dtype=float)
        # the members select the same features (same statistic, same max_features); kept
        # here for align_features / feature_effects
        self._select_and_scale(X, outcome)
        coxnet, partner = self._members(max_features=self.max_features)
        coxnet.fit(X, y)  # also chooses the penalty the inner folds reuse
        out_of_fold: list[tuple[np.ndarray, list[np.ndarray]]] = []
        if len(weights) > 1:
            scores, out_of_fold = self._inner_scores(X, outcome, weights,
                                                     alpha=coxnet.alpha_)
        else:
            scores = np.zeros((1, 1))
        chosen, se, self.inner_cv_gain_t_ = self._choose(scores, weights)
        self.coxnet_weight_ = weights[chosen]
        if out_of_fold:
            w = self.coxnet_weight_
            blend = np.concatenate([w * parts[0] + (1.0 - w) * parts[1]
                                    for _, parts in out_of_fold])
            # a structured array: with repeats a sample is in several inner folds
            pooled = outcome.to_structured()[np.concatenate([va for va, _ in out_of_fold])]
            self.risk_scale_ = self._fit_risk_scale(blend, pooled)
        else:
            log.warning("ensemble-cox: a single candidate weight, no inner CV to estimate "
                        "the blend's scale from; keeping it at 1")
            self.risk_scale_ = 1.0
        self.inner_cv_c_ = {f"{w:g}": float(c)
                            for w, c in zip(weights, scores.mean(axis=0), strict=True)}
        self.inner_cv_se_ = {f"{w:g}": float(e) for w, e in zip(weights, se, strict=True)}
        log.info("ensemble-cox: Coxnet weight %g (corrected t of the one-SE blend vs Coxnet "
                 "%.2f; inner CV C by weight, paired SE vs the best: %s)", self.coxnet_weight_,
                 self.inner_cv_gain_t_,
                 ", ".join(f"{w}: {c:.3f} ({self.inner_cv_se_[w]:.3f})"
                           for w, c in self.inner_cv_c_.items()))
        self.members_: list[SurvivalEstimator] = []
        self.coefficients_: list[float] = []
        for member, w in zip((coxnet, partner), (self.coxnet_weight_, 1 - self.coxnet_weight_),
                             strict=True):
            if w == 0.0:
                continue
            if member is partner:
                member.fit(X, y)
            self.members_.append(member)
            self.coefficients_.append(self.risk_scale_ * w / self._spread(member.predict(X)))
        train_risk = self.predict(X)
        self._fit_baseline(train_risk, outcome)
        quantiles = np.linspace(0, 1, self.n_risk_groups + 1)[1:-1]
        self.risk_cutoffs_ = np.quantile(train_risk, quantiles)
        return self

    @staticmethod
    def _fit_risk_scale(blend: np.ndarray, y: np.ndarray) -> float:
        """Coefficient of a one-covariate Cox model (Breslow ties) of ``blend``; 1 (with a
        warning) where it is not positive and finite."""
        if np.ptp(blend) <= 0 or not np.asarray(y["event"]).any():
            scale = float("nan")
        else:
            cox = CoxPHSurvivalAnalysis(ties="breslow", n_iter=100)
            cox.fit(blend.reshape(-1, 1), y)
            scale = float(cox.coef_[0])
        if not (np.isfinite(scale) and scale > 0):
            log.warning("ensemble-cox: the Cox coefficient of the out-of-fold blended risk "
                        "is %g (not positive and finite); keeping the blend's scale at 1",
                        scale)
            return 1.0
        return scale

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Blended risk score scaled by its out-of-fold Cox coefficient (log hazard ratio up
        to a constant; higher = worse prognosis)."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise OncogenError(f"expected {self.n_features_in_} feature columns, found "
                               f"{X.shape[-1] if X.ndim else 0}; align the features to the "
                               "model's feature list")
        risk = np.zeros(X.shape[0])
        for coefficient, member in self.explain_components_:
            risk += coefficient * member.predict(X)
        return risk

    @property
    def explain_components_(self) -> list[tuple[float, SurvivalEstimator]]:
        """``(coefficient, member)`` pairs: the risk is the sum of coefficient x member risk."""
        return list(zip(self.coefficients_, self.members_, strict=True))

    def save_payload(self, directory: Path) -> dict[str, Any]:
        """Each member in its own sub-directory (its own safe format); JSON metadata."""
        members = []
        for index, (coefficient, member) in enumerate(self.explain_components_):
            sub = f"member{index}-{type(member).model_kind.split('/')[-1]}"
            (directory / sub).mkdir(parents=True, exist_ok=True)
            members.append({"kind": type(member).model_kind, "dir": sub,
                            "coefficient": coefficient,
                            "payload": member.save_payload(directory / sub)})
        params = {**self.get_params(), "coxnet_weights": list(self.coxnet_weights),
                  "partner_params": dict(self.partner_params or {})}
        return {**self._common_payload(), "params": params,
                "payload_version": ENSEMBLE_PAYLOAD_VERSION, "risk_scale": self.risk_scale_,
                "coxnet_weight": self.coxnet_weight_, "inner_cv_c": self.inner_cv_c_,
                "inner_cv_se": self.inner_cv_se_,
                "inner_cv_gain_t": (self.inner_cv_gain_t_ if np.isfinite(self.inner_cv_gain_t_)
                                    else None),  # standard JSON has no NaN
                "members": members}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Self:
        """Rebuild from :meth:`save_payload`; members load through their own kinds."""
        from onco_genomics.omics.model_dir import model_class

        version = payload.get("payload_version", 1)
        if not isinstance(version, int) or not 1 <= version <= ENSEMBLE_PAYLOAD_VERSION:
            raise ModelError(f"ensemble-cox model payload version {version!r}; this oncogen "
                             f"reads versions 1 to {ENSEMBLE_PAYLOAD_VERSION}. Upgrade "
                             "oncogen to load it.")
        params = {**payload["params"],
                  "coxnet_weights": tuple(payload["params"]["coxnet_weights"])}
        model = cls(**params)
        model._restore_common(payload)
        model.coxnet_weight_ = float(payload["coxnet_weight"])
        # version 1: the stored coefficients and baseline are the unscaled blend's
        model.risk_scale_ = float(payload["risk_scale"]) if version >= 2 else 1.0
        model.inner_cv_c_ = dict(payload["inner_cv_c"])
        se = payload["inner_cv_se"]  # a dict per weight; one float before inner_repeats
        model.inner_cv_se_ = ({str(w): float(e) for w, e in se.items()}
                              if isinstance(se, dict) else {})
        gain_t = payload.get("inner_cv_gain_t")
        model.inner_cv_gain_t_ = float("nan") if gain_t is None else float(gain_t)
        kinds: list[type[SurvivalEstimator]] = [CoxnetSurvival, *ENSEMBLE_PARTNERS.values()]
        allowed = {m.model_kind for m in kinds}
        model.members_, model.coefficients_ = [], []
        for entry in payload["members"]:
            if entry["kind"] not in allowed or Path(entry["dir"]).name != entry["dir"]:
                raise OncogenError(f"unexpected ensemble member {entry['kind']!r} in "
                                   f"{entry['dir']!r}; the model directory is damaged")
            member = model_class(entry["kind"]).load_payload(directory / entry["dir"],
                                                             entry["payload"])
            model.members_.append(member)
            model.coefficients_.append(float(entry["coefficient"]))
        return model


#: ``--model`` name -> estimator class
SURVIVAL_MODELS: dict[str, type[SurvivalEstimator]] = {
    "coxnet": CoxnetSurvival,
    "deepsurv": DeepSurv,
    "autoencoder-cox": AutoencoderCox,
    "xgboost-cox": XGBoostCox,
    "ensemble-cox": EnsembleCox,
}


def params_json(model: SurvivalEstimator) -> str:
    """The estimator's hyper-parameters as canonical JSON (for logs and model cards)."""
    return json.dumps(model.get_params(), sort_keys=True, default=list)
