"""Survival plots: Kaplan-Meier of risk groups with the log-rank p, predicted curves, and
the effect of the top features on risk. Files are written atomically."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd

from onco_genomics.io.atomic import atomic_path
from onco_genomics.omics.survival.metrics import RiskGroupComparison
from onco_genomics.omics.survival.workflow import FeatureEffect

log = logging.getLogger(__name__)


def _figure(width: float = 6.0, height: float = 4.5):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def _save(fig: object, path: str | os.PathLike[str]) -> Path:
    import matplotlib.pyplot as plt

    target = Path(path)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return target


#: one colour per risk group in every plot: low risk blue, high risk red
GROUP_COLOURS = {"low": "tab:blue", "intermediate": "tab:green", "medium": "tab:green",
                 "high": "tab:red"}
_OTHER_COLOURS = ("tab:orange", "tab:purple", "tab:brown", "tab:olive", "tab:cyan")


def group_colour(group: object, index: int) -> str:
    """The colour of a risk group: fixed for low/intermediate/high, else by position."""
    return GROUP_COLOURS.get(str(group).lower(), _OTHER_COLOURS[index % len(_OTHER_COLOURS)])


def plot_risk_groups(groups: RiskGroupComparison, path: str | os.PathLike[str], *,
                     title: str = "") -> Path:
    """Kaplan-Meier curves (95% CI bands) per risk group, log-rank p in the title."""
    fig, ax = _figure()
    for i, curve in enumerate(groups.curves):
        colour = group_colour(curve.group, i)
        ax.step(curve.time, curve.survival, where="post", color=colour,
                label=f"{curve.group} (n={curve.n_samples}, events={curve.n_events})")
        ax.fill_between(curve.time, curve.conf_low, curve.conf_high, step="post", alpha=0.15,
                        color=colour)
    ax.set_xlabel("time")
    ax.set_ylabel("survival probability")
    ax.set_ylim(0, 1.02)
    p = groups.logrank_p
    ax.set_title(f"{title}  log-rank p = {p:.2g}" if p == p else title)
    ax.legend(loc="lower left", fontsize=8)
    return _save(fig, path)


def plot_predicted_curves(curves: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Mean predicted (Breslow) survival curve of each risk group."""
    fig, ax = _figure()
    groups = [c for c in curves.columns if c.startswith("survival_")]
    for i, column in enumerate(groups):
        group = column.removeprefix("survival_")
        ax.step(curves["time"], curves[column], where="post", label=group,
                color=group_colour(group, i))
    ax.set_xlabel("time")
    ax.set_ylabel("predicted survival probability")
    ax.set_ylim(0, 1.02)
    ax.legend(title="risk group")
    return _save(fig, path)


def plot_feature_effects(effects: list[FeatureEffect], path: str | os.PathLike[str]) -> Path:
    """Partial dependence of the risk score on each of the top features."""
    n = max(len(effects), 1)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig, _ = _figure(3.2 * cols, 2.6 * rows)
    fig.clf()
    for i, effect in enumerate(effects):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.plot(effect.grid, effect.risk, marker="o", ms=3)
        ax.set_title(effect.feature, fontsize=9)
        ax.set_xlabel("feature value", fontsize=8)
        ax.set_ylabel("mean risk score", fontsize=8)
    fig.tight_layout()
    return _save(fig, path)
