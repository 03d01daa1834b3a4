"""Old path of :mod:`onco_genomics.omics.classification.calibration`, kept for existing
imports."""

from __future__ import annotations

from onco_genomics.omics.classification.calibration import (
    TEMPERATURE_BOUNDS,
    ConfidenceRule,
    apply_temperature,
    choose_threshold,
    fit_temperature,
    log_loss,
)

__all__ = [
    "TEMPERATURE_BOUNDS",
    "ConfidenceRule",
    "apply_temperature",
    "choose_threshold",
    "fit_temperature",
    "log_loss",
]
