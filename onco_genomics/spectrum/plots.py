"""Spectrum and exposure plots (PNG, SVG or PDF, chosen by the file extension).

* SBS96: the familiar 96 bars in six coloured substitution classes (COSMIC colours).
* SBS1536 is drawn collapsed to SBS96.
* DBS78: ten coloured reference-dinucleotide groups.
* ID83: sixteen coloured groups (1 bp C/T deletions and insertions, 2..5+ bp repeat
  deletions/insertions, microhomology deletions).
* Exposures: stacked bars of signature fractions (or counts) per sample.

matplotlib is imported inside the functions (with the non-interactive Agg backend), so
importing this module stays cheap.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from onco_genomics.errors import OptionsError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.spectrum.catalog import MutationCatalog
from onco_genomics.spectrum.contexts import sbs96_of_1536

log = logging.getLogger(__name__)

_FORMATS = (".png", ".svg", ".pdf")

SBS_COLOURS = ("#1EBFF0", "#050708", "#E62725", "#CBCACB", "#A1CF64", "#EDC8C5")
DBS_COLOURS = ("#03BCEE", "#0266CB", "#A1CE63", "#016601", "#FF9898", "#E22925",
               "#FEB065", "#FD8000", "#CB98FD", "#4C0299")
ID_COLOURS = ("#FDBE6F", "#FF8001", "#B0DD8B", "#36A12E", "#FDCAB5", "#FC8A6A", "#F14432",
              "#BC141A", "#D0E1F2", "#94C4DF", "#4A98C9", "#1764AB", "#E2E2EF", "#B6B6D8",
              "#8683BD", "#62409B")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _check_format(path: Path) -> None:
    if path.suffix.lower() not in _FORMATS:
        raise OptionsError(f"plot file {path} must end in .png, .svg or .pdf (the format is "
                           f"taken from the extension); found {path.suffix or 'no extension'!r}")


def _save(fig: Any, path: str | os.PathLike[str]) -> None:
    target = Path(path)
    _check_format(target)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, dpi=150, bbox_inches="tight", format=target.suffix[1:].lower())
    _pyplot().close(fig)


def _groups(kind: str, channels: list[str]) -> tuple[list[str], list[str]]:
    """Group label per channel and the colours of the groups, in channel order."""
    if kind == "sbs96":
        return [c[2:5] for c in channels], list(SBS_COLOURS)
    if kind == "dbs78":
        return [c[:2] + ">NN" for c in channels], list(DBS_COLOURS)
    labels = []
    for c in channels:
        length, kind_, unit, _ = c.split(":")
        size = "5+" if length == "5" else length
        if length == "1":
            labels.append(f"1:{kind_}:{unit}")
        elif unit == "M":  # narrow groups: a short label
            labels.append(f"MH{size}")
        else:
            labels.append(f"{size}bp {kind_}:{unit}")
    return labels, list(ID_COLOURS)


def plot_catalog(catalog: MutationCatalog, path: str | os.PathLike[str], *,
                 samples: list[str] | None = None, fractions: bool = False) -> None:
    """Draw one panel per sample of a catalog and save it.

    Parameters
    ----------
    catalog
        SBS96, SBS1536 (drawn as SBS96), DBS78 or ID83 catalog.
    path
        Output file; ``.png``, ``.svg`` or ``.pdf``.
    samples
        Samples to draw (default all, at most 24 panels).
    fractions
        Plot fractions of each sample's mutations instead of counts.
    """
    _check_format(Path(path))
    counts = catalog.counts
    kind = catalog.kind
    if kind == "sbs1536":
        counts = counts.groupby([sbs96_of_1536(c) for c in counts.index]).sum()
        kind = "sbs96"
    if kind == "sbs96":  # COSMIC's plotting order: by substitution class, then context
        counts = counts.loc[sorted(counts.index, key=lambda c: (c[2:5], c[0], c[-1]))]
    channels = [str(c) for c in counts.index]
    names = samples or [str(s) for s in counts.columns][:24]
    missing = [s for s in names if s not in counts.columns]
    if missing:
        raise OptionsError(f"samples {missing} are not in the catalog; it has "
                           f"{list(counts.columns)[:10]}")
    labels, palette = _groups(kind, channels)
    group_names = list(dict.fromkeys(labels))
    colour = {g: palette[i % len(palette)] for i, g in enumerate(group_names)}
    plt = _pyplot()
    fig, axes = plt.subplots(len(names), 1, figsize=(14, 2.4 * len(names)), squeeze=False)
    x = np.arange(len(channels))
    for ax, sample in zip(axes[:, 0], names, strict=True):
        values = counts[sample].to_numpy(dtype=float)
        total = values.sum()
        if fractions and total > 0:
            values = values / total
        ax.bar(x, values, color=[colour[g] for g in labels], width=0.8)
        ax.set_xlim(-0.6, len(channels) - 0.4)
        ax.set_ylabel("fraction" if fractions else "mutations")
        if not fractions:
            from matplotlib.ticker import MaxNLocator

            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{sample}: {round(total):,} {catalog.name} mutations", loc="left",
                     fontsize=9)
        top = values.max() if values.size and values.max() > 0 else 1.0
        ax.set_ylim(0, top * 1.4)
        for group in group_names:
            idx = [i for i, g in enumerate(labels) if g == group]
            ax.axvspan(idx[0] - 0.5, idx[-1] + 0.5, ymin=0.82, ymax=0.87, color=colour[group])
            ax.text((idx[0] + idx[-1]) / 2, top * 1.3, group, ha="center", va="center",
                    fontsize=6 if kind == "id83" else 8)
        ax.set_xticks(x)
        if kind == "sbs96":
            ticklabels = [f"{c[0]}{c[2]}{c[-1]}" for c in channels]
        elif kind == "dbs78":
            ticklabels = [c[3:] for c in channels]
        else:
            ticklabels = [c.rsplit(":", 1)[1] for c in channels]
        ax.set_xticklabels(ticklabels, rotation=90, fontsize=5, family="monospace")
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    _save(fig, path)


def plot_exposures(exposures: pd.DataFrame, path: str | os.PathLike[str], *,
                   fractions: bool = True, top: int = 12) -> None:
    """Stacked bars of signature exposures per sample.

    Parameters
    ----------
    exposures
        Signatures x samples exposure counts (``SignatureFit.exposures``).
    path
        Output file; ``.png``, ``.svg`` or ``.pdf``.
    fractions
        Stack fractions of each sample's mutations (True) or counts.
    top
        Signatures with the largest total exposure drawn individually; the rest as "other".
    """
    _check_format(Path(path))
    table = exposures.astype(float)
    table = table.loc[table.sum(axis=1) > 0]
    order = table.sum(axis=1).sort_values(ascending=False).index
    shown = list(order[:top])
    if len(order) > top:
        other = table.loc[order[top:]].sum(axis=0).rename("other")
        table = pd.concat([table.loc[shown], other.to_frame().T])
    else:
        table = table.loc[shown]
    if fractions:
        totals = table.sum(axis=0).replace(0, 1)
        table = table / totals
    plt = _pyplot()
    cmap = plt.get_cmap("tab20")
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * table.shape[1] + 3), 4.5))
    bottom = np.zeros(table.shape[1])
    x = np.arange(table.shape[1])
    for i, signature in enumerate(table.index):
        values = table.loc[signature].to_numpy()
        ax.bar(x, values, bottom=bottom, color=cmap(i % 20), label=str(signature), width=0.8)
        bottom += values
    ax.set_xticks(x)
    ax.set_xticklabels([str(c) for c in table.columns], rotation=90, fontsize=7)
    ax.set_ylabel("fraction of mutations" if fractions else "mutations")
    if not fractions:
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    _save(fig, path)


def plot_signatures(signatures: pd.DataFrame, kind: str, path: str | os.PathLike[str]) -> None:
    """Draw signature profiles (channels x signatures) as spectra, one panel each."""
    catalog = MutationCatalog(kind, signatures)  # type: ignore[arg-type]
    plot_catalog(catalog, path, fractions=True)

