"""Probability calibration and the confidence threshold for classifier calls.

Calibration is temperature scaling (Guo et al. 2017) fitted on out-of-fold probabilities:
``p_cal = softmax(log(p) / T)`` with the single ``T`` that minimises the validation
log-loss; it keeps the ranking of classes and works for any classifier. The confidence
threshold follows OncoNPC (Moon et al. 2023): the lowest calibrated top-class probability
at which the out-of-fold calls reach a target precision; the share of samples above it is
reported as the share of confidently called cases.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from onco_genomics.errors import OptionsError

log = logging.getLogger(__name__)

_EPS = 1e-12


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Rescale probabilities (samples x classes) by a temperature; rows sum to 1."""
    if temperature <= 0:
        raise OptionsError(f"temperature must be > 0, got {temperature}")
    logits = np.log(np.clip(np.asarray(probabilities, dtype=np.float64), _EPS, 1.0))
    logits = logits / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return np.asarray(scaled / scaled.sum(axis=1, keepdims=True))


def log_loss(probabilities: np.ndarray, encoded: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes."""
    picked = probabilities[np.arange(len(encoded)), encoded]
    return float(-np.mean(np.log(np.clip(picked, _EPS, 1.0))))


#: temperature search range: bounded so a small, (nearly) separable validation set cannot
#: push probabilities to 0/1 (T -> 0) or flatten them (T -> infinity)
TEMPERATURE_BOUNDS: tuple[float, float] = (0.25, 4.0)


def fit_temperature(probabilities: np.ndarray, encoded: np.ndarray) -> float:
    """The temperature in :data:`TEMPERATURE_BOUNDS` minimising the log-loss."""
    from scipy.optimize import minimize_scalar

    probabilities = np.asarray(probabilities, dtype=np.float64)
    encoded = np.asarray(encoded, dtype=np.int64)
    if len(probabilities) != len(encoded) or len(encoded) == 0:
        raise OptionsError("need one true class per probability row to fit a temperature")
    result = minimize_scalar(
        lambda log_t: log_loss(apply_temperature(probabilities, float(np.exp(log_t))), encoded),
        bounds=(np.log(TEMPERATURE_BOUNDS[0]), np.log(TEMPERATURE_BOUNDS[1])),
        method="bounded")
    return float(np.exp(result.x))


@dataclass(frozen=True)
class ConfidenceRule:
    """When a call counts as confident.

    Attributes
    ----------
    threshold
        Calibrated top-class probability at or above which a call is confident.
    target_precision
        Precision the threshold was chosen to reach on validation data.
    precision
        Precision of the confident validation calls (accuracy among them).
    confident_share
        Share of validation samples called confidently.
    """

    threshold: float
    target_precision: float
    precision: float
    confident_share: float

    def __post_init__(self) -> None:
        for name in ("threshold", "target_precision", "precision", "confident_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")


def choose_threshold(probabilities: np.ndarray, encoded: np.ndarray, *,
                     target_precision: float = 0.95) -> ConfidenceRule:
    """Lowest threshold on the top-class probability whose calls reach ``target_precision``.

    Parameters
    ----------
    probabilities
        Calibrated validation probabilities (samples x classes).
    encoded
        True class indices.
    target_precision
        Wanted accuracy among confident calls. When no threshold reaches it, the
        threshold is 1.0 (nothing confident) and a warning is logged.
    """
    if not 0.0 < target_precision <= 1.0:
        raise OptionsError(f"target_precision must be in (0, 1], got {target_precision}")
    top = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(encoded)
    order = np.argsort(-top, kind="stable")
    cumulative = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    # only cut between distinct probabilities, so ties are all in or all out
    distinct = np.r_[top[order][1:] < top[order][:-1], True]
    ok = np.flatnonzero((cumulative >= target_precision) & distinct)
    if len(ok) == 0:
        log.warning("no confidence threshold reaches precision %.2f on validation data; "
                    "no call will be flagged confident", target_precision)
        return ConfidenceRule(threshold=1.0, target_precision=target_precision,
                              precision=0.0, confident_share=0.0)
    last = int(ok[-1])
    return ConfidenceRule(threshold=float(top[order][last]), target_precision=target_precision,
                          precision=float(cumulative[last]),
                          confident_share=(last + 1) / len(order))
