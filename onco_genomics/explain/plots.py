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
             max_display: int = 20, max_legend: int = 10) -> None:
    """Stacked bar of mean |SHAP| per feature, one colour per output.

    With more than ``max_legend`` outputs, the ``max_legend`` most important ones keep their
    colour and the rest are summed into one grey "other outputs" segment, so the legend
    stays readable for a 265-drug model. Feature names and legend are never clipped.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = global_importance(explanation).head(max_display)
    grouped = table.shape[1] > max_legend
    if grouped:
        ranked = table.sum(axis=0).sort_values(ascending=False, kind="stable").index
        kept, rest = list(ranked[:max_legend]), list(ranked[max_legend:])
        table = table[kept].assign(**{f"other {len(rest)} outputs": table[rest].sum(axis=1)})
    table = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(table) + 1.5))
    left = np.zeros(len(table))
    colours = [plt.get_cmap("tab10")(i) for i in range(10)]
    for i, output in enumerate(table.columns):
        colour = "0.75" if grouped and i == max_legend else colours[i % len(colours)]
        ax.barh(table.index, table[output], left=left, label=output, color=colour)
        left += table[output].to_numpy()
    ax.set_xlabel("mean |SHAP value|")
    ax.set_title(f"{len(explanation.output_names)} output(s), {len(explanation.sample_ids)} "
                 "samples", fontsize=9)
    if len(table.columns) > 1:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)


def write_explanation(explanation: Explanation, directory: str | os.PathLike[str], *,
                      top: int = 10, max_display: int = 20, max_beeswarms: int = 20,
                      progress: bool | None = None) -> list[Path]:
    """Write top_features.tsv, importance.tsv, bar.png and beeswarm_<output>.png, together
    or not at all (an error or interrupt part-way leaves none of them, and earlier files of
    the same names as they were).

    Beeswarms are drawn for the first ``max_beeswarms`` outputs of the explanation (the
    tables cover all of them).
    """
    from onco_genomics.io.atomic import atomic_outputs
    from onco_genomics.io.tables import write_table
    from onco_genomics.progress import Progress

    out = Path(directory)
    table = top_features(explanation, top).set_index("sample")
    drawn = list(explanation.output_names[:max_beeswarms])
    if len(drawn) < len(explanation.output_names):
        log.info("beeswarm plots for the first %d of %d outputs (all are in importance.tsv)",
                 len(drawn), len(explanation.output_names))
    with atomic_outputs() as files:
        write_table(table, files.file(out / "top_features.tsv"))
        write_table(global_importance(explanation), files.file(out / "importance.tsv"))
        with Progress(1 + len(drawn), "plots", enabled=progress, log_every=10.0) as bar:
            plot_bar(explanation, files.file(out / "bar.png"), max_display=max_display)
            bar.update(1)
            for output in drawn:
                plot_beeswarm(explanation, output,
                              files.file(out / f"beeswarm_{_safe(output)}.png"),
                              max_display=max_display)
                bar.update(1)
        written = files.targets
    log.info("wrote %d explanation files to %s", len(written), out)
    return written
