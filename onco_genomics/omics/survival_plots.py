"""Old path of :mod:`onco_genomics.omics.survival.plots`, kept for existing imports."""

from __future__ import annotations

from onco_genomics.omics.survival.plots import (
    GROUP_COLOURS,
    group_colour,
    plot_feature_effects,
    plot_predicted_curves,
    plot_risk_groups,
)

__all__ = ["GROUP_COLOURS", "group_colour", "plot_feature_effects", "plot_predicted_curves",
           "plot_risk_groups"]
