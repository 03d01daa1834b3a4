"""Temperature scaling and the OncoNPC-style confidence threshold (known answers)."""

from __future__ import annotations

import numpy as np
import pytest

from onco_genomics.errors import OptionsError
from onco_genomics.omics.calibration import (
    TEMPERATURE_BOUNDS,
    apply_temperature,
    choose_threshold,
    fit_temperature,
)


def test_apply_temperature_keeps_ranking_and_sums_to_one() -> None:
    prob = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]])
    sharp = apply_temperature(prob, 0.5)
    np.testing.assert_allclose(sharp.sum(axis=1), 1.0)
    assert (sharp.argmax(axis=1) == prob.argmax(axis=1)).all()
    assert sharp[0, 0] > prob[0, 0]
    np.testing.assert_allclose(apply_temperature(prob, 1.0), prob)
    with pytest.raises(OptionsError):
        apply_temperature(prob, 0.0)


def test_fit_temperature_recovers_overconfidence() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    true_p = rng.uniform(0.55, 0.95, size=n)
    y = (rng.uniform(size=n) > true_p).astype(np.int64)  # class 0 with probability true_p
    calibrated = np.column_stack([true_p, 1 - true_p])
    overconfident = apply_temperature(calibrated, 0.5)  # pretend a model sharpened them
    temperature = fit_temperature(overconfident, y)
    assert temperature == pytest.approx(2.0, rel=0.15)
    assert TEMPERATURE_BOUNDS[0] <= fit_temperature(calibrated, y) <= TEMPERATURE_BOUNDS[1]


def test_choose_threshold_known_answer() -> None:
    # top probabilities 0.9 (right), 0.8 (right), 0.7 (wrong), 0.6 (right)
    prob = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4]])
    y = np.array([0, 0, 1, 0])
    rule = choose_threshold(prob, y, target_precision=0.95)
    assert rule.threshold == 0.8 and rule.confident_share == 0.5 and rule.precision == 1.0
    relaxed = choose_threshold(prob, y, target_precision=0.75)
    assert relaxed.threshold == 0.6 and relaxed.confident_share == 1.0
    none = choose_threshold(np.array([[0.9, 0.1]]), np.array([1]), target_precision=0.95)
    assert none.threshold == 1.0 and none.confident_share == 0.0
