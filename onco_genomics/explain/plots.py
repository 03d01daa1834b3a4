"""Global SHAP plots (beeswarm per output, bar of mean |SHAP|) and the explanation tables."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import numpy as np

from onco_genomics.explain.shap_values import Explanation, global_importance, top_features
from onco_genomics.io.atomic import atomic_path

log = logging.getLogger(__name__)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def plot_beeswarm(explanation: Explanation, output: str, path: str | os.PathLike[str], *,
                  max_display: int = 20) -> None:
    """Beeswarm of one output's SHAP values (features by mean |SHAP|, colour = value)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shap

    k = explanation.output_index(output)
    values = shap.Explanation(values=explanation.values[:, :, k],
                              base_values=np.full(len(explanation.sample_ids),
                                                  explanation.base_values[k]),
                              data=explanation.data,
                              feature_names=list(explanation.feature_names))
    plt.figure()
    shap.plots.beeswarm(values, max_display=max_display, show=False)
    fig = plt.gcf()
    fig.suptitle(f"SHAP: {output}", fontsize=10)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)


def plot_bar(explanation: Explanation, path: str | os.PathLike[str], *,
             max_display: int = 20) -> None:
    """Stacked bar of mean |SHAP| per feature, one colour per output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = global_importance(explanation).head(max_display).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(table) + 1.5))
    left = np.zeros(len(table))
    for output in table.columns:
        ax.barh(table.index, table[output], left=left, label=output)
        left += table[output].to_numpy()
    ax.set_xlabel("mean |SHAP value|")
    if len(table.columns) > 1:
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)


def write_explanation(explanation: Explanation, directory: str | os.PathLike[str], *,
                      top: int = 10, max_display: int = 20) -> list[Path]:
    """Write top_features.tsv, importance.tsv, bar.png and beeswarm_<output>.png."""
    from onco_genomics.io.tables import write_table

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    table = top_features(explanation, top).set_index("sample")
    written.append(write_table(table, out / "top_features.tsv"))
    written.append(write_table(global_importance(explanation), out / "importance.tsv"))
    plot_bar(explanation, out / "bar.png", max_display=max_display)
    written.append(out / "bar.png")
    for output in explanation.output_names:
        path = out / f"beeswarm_{_safe(output)}.png"
        plot_beeswarm(explanation, output, path, max_display=max_display)
        written.append(path)
    log.info("wrote %d explanation files to %s", len(written), out)
    return written
