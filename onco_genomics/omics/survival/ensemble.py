"""Coxnet blended with a non-linear partner (xgboost-Cox or DeepSurv), the blend weight
chosen by inner cross-validation with a paired, overlap-corrected test."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
from scipy.stats import t as student_t
from sklearn.model_selection import RepeatedStratifiedKFold
from sksurv.linear_model import CoxPHSurvivalAnalysis

from onco_genomics.errors import ModelError, OncogenError
from onco_genomics.omics.core.model_dir import (
    register_model_kind,
)
from onco_genomics.omics.survival.base import SurvivalEstimator, _as_outcome, select_by_cox_score
from onco_genomics.omics.survival.coxnet import CoxnetSurvival
from onco_genomics.omics.survival.metrics import harrell_c
from onco_genomics.omics.survival.outcome import SurvivalOutcome

log = logging.getLogger(__name__)


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

#: partner name -> its model kind (the class is imported only when used: DeepSurv imports
#: torch, xgboost-Cox does not)
ENSEMBLE_PARTNERS: dict[str, str] = {
    "xgboost-cox": "survival/xgboost-cox",
    "deepsurv": "survival/deepsurv",
}


def _partner_class(name: str) -> type[SurvivalEstimator]:
    from onco_genomics.omics.core.model_dir import model_class

    return model_class(ENSEMBLE_PARTNERS[name])


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
        valid = _partner_class(self.partner)().get_params()
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
        partner = _partner_class(self.partner)(**common)
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
        from onco_genomics.omics.core.model_dir import model_class

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
        allowed = {CoxnetSurvival.model_kind, *ENSEMBLE_PARTNERS.values()}
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
