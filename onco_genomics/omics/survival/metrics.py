"""Survival model evaluation: concordance, Brier score, time-dependent AUC, risk groups.

Every metric here is scikit-survival's (Harrell's and Uno's C, integrated Brier score,
cumulative/dynamic AUC, Kaplan-Meier, log-rank); this module only chooses the evaluation
times, clips them to what the censoring distribution supports, and packs the results into
typed objects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from sksurv.compare import compare_survival
from sksurv.metrics import (
    concordance_index_censored,
    concordance_index_ipcw,
    cumulative_dynamic_auc,
    integrated_brier_score,
)
from sksurv.nonparametric import kaplan_meier_estimator

from onco_genomics.errors import OncogenError
from onco_genomics.omics.survival.outcome import SurvivalOutcome

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SurvivalScores:
    """Test-set metrics of one survival model.

    Attributes
    ----------
    harrell_c, uno_c
        Harrell's and Uno's (IPCW, truncated at ``tau``) concordance of the risk score.
    integrated_brier
        Integrated Brier score over ``times`` (NaN when the model gives no survival curves).
    mean_auc
        Mean cumulative/dynamic AUC over ``times``.
    times
        Evaluation times (within the follow-up of both training and test sets).
    auc
        Cumulative/dynamic AUC at each of ``times``.
    """

    harrell_c: float
    uno_c: float
    integrated_brier: float
    mean_auc: float
    times: np.ndarray = field(repr=False)
    auc: np.ndarray = field(repr=False)

    def as_dict(self) -> dict[str, float]:
        """The scalar metrics as a flat dict (for tables and model cards)."""
        return {"harrell_c": self.harrell_c, "uno_c": self.uno_c,
                "integrated_brier": self.integrated_brier, "mean_auc": self.mean_auc}


def harrell_c(outcome: SurvivalOutcome, risk: np.ndarray) -> float:
    """Harrell's concordance index of ``risk`` (higher = earlier event)."""
    return float(concordance_index_censored(outcome.event, outcome.time, risk)[0])


def evaluation_times(train: SurvivalOutcome, test: SurvivalOutcome, *,
                     n_times: int = 10) -> np.ndarray:
    """Times at which to evaluate Brier score and AUC.

    Percentiles 10-80 of the test set's event times, kept strictly inside the follow-up of
    both sets (IPCW needs the censoring distribution of the training set to be positive).
    """
    upper = min(train.time.max(), test.time.max())
    lower = test.time.min()
    event_times = test.time[test.event]
    if event_times.size == 0:
        event_times = test.time
    times = np.unique(np.percentile(event_times, np.linspace(10, 80, n_times)))
    times = times[(times > lower) & (times < upper)]
    if times.size == 0:
        times = np.array([np.median(test.time)])
    return times


def score_survival(train: SurvivalOutcome, test: SurvivalOutcome, risk: np.ndarray, *,
                   survival_at: np.ndarray | None = None,
                   times: np.ndarray | None = None) -> SurvivalScores:
    """Score test-set risk predictions (and survival curves, if given).

    Parameters
    ----------
    train
        Training outcome (estimates the censoring distribution for Uno's C, Brier, AUC).
    test
        Test outcome.
    risk
        Risk score per test sample, higher = worse prognosis.
    survival_at
        Predicted survival probability, shape (n_test, len(times)); omit to skip the Brier score.
    times
        Evaluation times (default :func:`evaluation_times`); must match ``survival_at``.
    """
    risk = np.asarray(risk, dtype=float)
    if risk.shape != (len(test),):
        raise ValueError(f"expected {len(test)} risk scores, got shape {risk.shape}")
    if not np.isfinite(risk).all():
        raise OncogenError("the model produced non-finite risk scores; it diverged during "
                           "training (try a smaller learning rate or stronger penalty)")
    if times is None:
        times = evaluation_times(train, test)
    y_train = train.to_structured()
    tau = float(times.max())
    hc = harrell_c(test, risk)
    # IPCW metrics need the training censoring distribution to be positive at every test
    # time: score them on the test samples followed up for less than the training maximum
    inside = test.time < train.time.max()
    if not inside.all():
        log.info("%d test samples followed up beyond the training maximum are left out of "
                 "Uno's C, Brier score and AUC", int((~inside).sum()))
    y_test = test.to_structured()[inside]
    uc = mean_auc = ibs = float("nan")
    auc = np.full(times.size, np.nan)
    try:
        uc = float(concordance_index_ipcw(y_train, y_test, risk[inside], tau=tau)[0])
        auc, mean_auc = cumulative_dynamic_auc(y_train, y_test, risk[inside], times)
        if survival_at is not None and times.size >= 2:
            ibs = float(integrated_brier_score(y_train, y_test, survival_at[inside], times))
    except ValueError as err:  # censoring survival reaches 0 inside the test follow-up
        log.warning("IPCW metrics (Uno's C, AUC, Brier) not computable on this split: %s", err)
    return SurvivalScores(hc, uc, ibs, float(mean_auc), np.asarray(times),
                          np.asarray(auc, dtype=float))


@dataclass(frozen=True)
class KaplanMeierCurve:
    """A Kaplan-Meier estimate for one group."""

    group: str
    n_samples: int
    n_events: int
    time: np.ndarray = field(repr=False)
    survival: np.ndarray = field(repr=False)
    conf_low: np.ndarray = field(repr=False)
    conf_high: np.ndarray = field(repr=False)


@dataclass(frozen=True)
class RiskGroupComparison:
    """Kaplan-Meier curves of risk groups and their log-rank test."""

    curves: tuple[KaplanMeierCurve, ...]
    logrank_chisq: float
    logrank_p: float


def compare_groups(outcome: SurvivalOutcome, groups: np.ndarray) -> RiskGroupComparison:
    """Kaplan-Meier curve per group and the log-rank test between groups."""
    groups = np.asarray(groups).astype(str)
    names = [g for g in np.unique(groups)]
    curves = []
    for name in names:
        mask = groups == name
        t, s, ci = kaplan_meier_estimator(outcome.event[mask], outcome.time[mask],
                                          conf_type="log-log")
        curves.append(KaplanMeierCurve(name, int(mask.sum()), int(outcome.event[mask].sum()),
                                       t, s, ci[0], ci[1]))
    if len(names) < 2:
        log.warning("only one risk group present; no log-rank test")
        return RiskGroupComparison(tuple(curves), float("nan"), float("nan"))
    chisq, pvalue = compare_survival(outcome.to_structured(), groups)
    return RiskGroupComparison(tuple(curves), float(chisq), float(pvalue))
