"""Render call summaries as one self-contained HTML page and as MultiQC custom content.

The HTML page embeds its plots as PNG data URIs (no other files, opens offline). MultiQC
picks up files named ``*_mqc.tsv`` with ``# key: value`` header lines (its "custom content"
format): a table of counts per call set, a bar graph of substitution classes and, with a
truth set, a table of precision/recall/F1.
"""

from __future__ import annotations

import base64
import html
import io
import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from onco_genomics.report.calls import SUBSTITUTIONS, CallSummary

_STYLE = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:2px 8px;
text-align:right}th{background:#f3f3f3}h2{border-bottom:2px solid #ddd;margin-top:2em}
.note{background:#fff6d5;padding:4px 8px}img{max-width:100%}"""


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _vaf_histogram(summary: CallSummary) -> str:
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist(summary.vafs, bins=np.linspace(0, 1, 41), color="tab:blue")
    ax.set_xlabel("tumour VAF (PASS calls)")
    ax.set_ylabel("calls")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(fig)


def _substitution_bars(summary: CallSummary) -> str:
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    colours = ["#1ebff0", "#050708", "#e62725", "#cbcacb", "#a1cf64", "#edc8c5"]  # COSMIC
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(list(SUBSTITUTIONS), summary.substitutions.to_numpy(), color=colours)
    ax.set_ylabel("PASS SNVs")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(fig)


def _spectrum(summary: CallSummary) -> str:
    from onco_genomics.spectrum.catalog import MutationCatalog
    from onco_genomics.spectrum.plots import plot_catalog

    assert summary.catalog is not None
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "spectrum.png"
        plot_catalog(MutationCatalog("sbs96", summary.catalog), target)
        return "data:image/png;base64," + base64.b64encode(target.read_bytes()).decode("ascii")


def _table(frame: pd.DataFrame, *, index: bool = True) -> str:
    return frame.to_html(index=index, border=0, float_format=lambda x: f"{x:.3f}",
                         na_rep="-")


def overview(summaries: Sequence[CallSummary]) -> pd.DataFrame:
    """One row per call set: records, PASS, PASS by type, median VAF, top signature."""
    rows = []
    for s in summaries:
        passed: dict[str, int] = (
            {str(k): int(v) for k, v in zip(s.counts.columns,
                                            s.counts.loc[["PASS"]].to_numpy()[0], strict=True)}
            if "PASS" in s.counts.index else {})
        top = (s.exposures.sort_values("mutations", ascending=False)["signature"].iloc[0]
               if s.exposures is not None and len(s.exposures) else "-")
        rows.append({"call set": s.name, "records": int(s.counts.to_numpy().sum()),
                     "PASS": s.n_pass, "PASS SNV": passed.get("SNV", 0),
                     "PASS INS": passed.get("INS", 0), "PASS DEL": passed.get("DEL", 0),
                     "median VAF": float(np.median(s.vafs)) if len(s.vafs) else float("nan"),
                     "top signature": top})
    return pd.DataFrame(rows).set_index("call set")


def html_report(summaries: Sequence[CallSummary], *, title: str = "oncogen report") -> str:
    """The report page as one HTML string (plots embedded)."""
    from onco_genomics import __version__

    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p>oncogen {__version__}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
             f"{len(summaries)} call set(s).</p>"]
    if len(summaries) > 1:
        parts += ["<h2>Cohort</h2>", _table(overview(summaries))]
    for s in summaries:
        parts.append(f"<h2>{html.escape(s.name)}</h2><p>{html.escape(str(s.path))}: "
                     f"{int(s.counts.to_numpy().sum())} records, {s.n_pass} PASS</p>")
        parts += [f"<p class='note'>{html.escape(n)}</p>" for n in s.notes]
        parts += ["<h3>Records by FILTER and type</h3>", _table(s.counts)]
        parts += ["<h3>Tumour VAF</h3>", f"<img alt='VAF histogram' src='{_vaf_histogram(s)}'>"]
        parts += ["<h3>Substitution classes</h3>",
                  f"<img alt='substitution classes' src='{_substitution_bars(s)}'>"]
        if s.catalog is not None:
            parts += ["<h3>SBS96 spectrum</h3>", f"<img alt='SBS96' src='{_spectrum(s)}'>"]
        if s.exposures is not None:
            parts += ["<h3>Signature exposures</h3>",
                      _table(s.exposures.drop(columns=["sample"], errors="ignore"), index=False)]
        if s.evaluation is not None:
            parts += ["<h3>Against the truth set</h3>", _table(s.evaluation, index=False)]
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html_report(summaries: Sequence[CallSummary], path: str | os.PathLike[str], *,
                      title: str = "oncogen report") -> Path:
    """Write :func:`html_report` atomically."""
    from onco_genomics.io.atomic import atomic_path

    target = Path(path)
    text = html_report(summaries, title=title)
    with atomic_path(target) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return target


def _mqc(header: dict[str, str], frame: pd.DataFrame) -> str:
    lines = [f"# {key}: {value}" for key, value in header.items()]
    body = frame.to_csv(sep="\t", float_format="%.4g", na_rep="")
    return "\n".join(lines) + "\n" + body


def multiqc_files(summaries: Sequence[CallSummary]) -> dict[str, str]:
    """File name -> text of MultiQC custom-content files for these call sets."""
    files = {}
    table = overview(summaries).drop(columns=["top signature"])
    table.index.name = "Sample"
    files["oncogen_calls_mqc.tsv"] = _mqc(
        {"id": "'oncogen_calls'", "section_name": "'oncogen somatic calls'",
         "description": "'Records and PASS calls by type, median tumour VAF (oncogen report).'",
         "plot_type": "'table'"}, table)
    bars = pd.DataFrame({s.name: s.substitutions for s in summaries}).T
    bars.index.name = "Sample"
    files["oncogen_substitutions_mqc.tsv"] = _mqc(
        {"id": "'oncogen_substitutions'", "section_name": "'oncogen substitution classes'",
         "description": "'PASS SNVs by pyrimidine-centred substitution class.'",
         "plot_type": "'bargraph'"}, bars)
    scored = [s for s in summaries if s.evaluation is not None]
    if scored:
        rows: dict[str, dict[str, float]] = {}
        for s in scored:
            assert s.evaluation is not None
            ev = s.evaluation[s.evaluation["vaf_bin"] == "all"].set_index("variant_type")
            for kind in ev.index:
                for metric in ("precision", "recall", "f1"):
                    rows.setdefault(s.name, {})[f"{kind} {metric}"] = ev.loc[kind, metric]
        frame = pd.DataFrame(rows).T
        frame.index.name = "Sample"
        files["oncogen_evaluation_mqc.tsv"] = _mqc(
            {"id": "'oncogen_evaluation'", "section_name": "'oncogen evaluation'",
             "description": "'Precision, recall and F1 against the truth set (all VAFs).'",
             "plot_type": "'table'"}, frame)
    return files


def write_multiqc(summaries: Sequence[CallSummary], directory: str | os.PathLike[str],
                  ) -> list[Path]:
    """Write the MultiQC custom-content files into ``directory`` (all or none)."""
    from onco_genomics.io.atomic import atomic_outputs

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    texts = multiqc_files(summaries)
    with atomic_outputs() as outputs:
        for name, text in texts.items():
            outputs.file(folder / name).write_text(text)
    return [folder / name for name in texts]
