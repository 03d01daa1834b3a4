"""Old path of :mod:`onco_genomics.omics.survival.metrics`, kept for existing imports."""

from __future__ import annotations

from onco_genomics.omics.survival.metrics import (
    KaplanMeierCurve,
    RiskGroupComparison,
    SurvivalScores,
    compare_groups,
    evaluation_times,
    harrell_c,
    score_survival,
)

__all__ = ["KaplanMeierCurve", "RiskGroupComparison", "SurvivalScores", "compare_groups",
           "evaluation_times", "harrell_c", "score_survival"]
