"""Spectrum and exposure plots: files of the requested format with one panel per sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from onco_genomics.errors import OptionsError
from onco_genomics.spectrum.catalog import CHANNELS, MutationCatalog
from onco_genomics.spectrum.plots import plot_catalog, plot_exposures

MAGIC = {".png": b"\x89PNG", ".pdf": b"%PDF", ".svg": b"<?xml"}


def _catalog(kind: str) -> MutationCatalog:
    rng = np.random.default_rng(0)
    channels = list(CHANNELS[kind])
    return MutationCatalog(kind, pd.DataFrame(  # type: ignore[arg-type]
        {"S1": rng.poisson(5, len(channels))}, index=channels))


@pytest.mark.parametrize(("kind", "suffix"), [("sbs96", ".png"), ("dbs78", ".svg"),
                                              ("id83", ".pdf")])
def test_catalog_plot_formats(tmp_path: Path, kind: str, suffix: str) -> None:
    out = tmp_path / f"spectrum{suffix}"
    plot_catalog(_catalog(kind), out)
    assert out.read_bytes()[:5].startswith(MAGIC[suffix])


def test_exposure_plot_and_errors(tmp_path: Path) -> None:
    exposures = pd.DataFrame({"A": [10.0, 5.0, 0.0], "B": [0.0, 3.0, 7.0]},
                             index=["SBS1", "SBS5", "SBS13"])
    plot_exposures(exposures, tmp_path / "exp.png", top=2)
    assert (tmp_path / "exp.png").read_bytes()[:4] == MAGIC[".png"]
    with pytest.raises(OptionsError, match=r"\.png, \.svg or \.pdf"):
        plot_exposures(exposures, tmp_path / "exp.jpg")
    with pytest.raises(OptionsError, match="not in the catalog"):
        plot_catalog(_catalog("sbs96"), tmp_path / "x.png", samples=["nope"])
