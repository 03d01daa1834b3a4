"""De novo extraction: recovers planted signatures (tiny NMF settings keep it fast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import OptionsError
from onco_genomics.spectrum.catalog import CHANNELS, MutationCatalog
from onco_genomics.spectrum.extract import (
    ExtractOptions,
    extract_signatures,
    match_signatures,
    parse_k_range,
)
from onco_genomics.spectrum.matrix_files import write_catalog, write_matrix

SBS96 = list(CHANNELS["sbs96"])


def _planted(n_samples: int = 24, seed: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    truth = pd.DataFrame(rng.dirichlet(np.full(96, 0.2), size=3).T, index=SBS96,
                         columns=["TRUE1", "TRUE2", "TRUE3"])
    weights = rng.dirichlet(np.full(3, 0.5), size=n_samples).T * rng.integers(
        2000, 6000, size=n_samples)
    counts = rng.poisson(truth.to_numpy() @ weights)
    catalog = pd.DataFrame(counts, index=SBS96, columns=[f"S{i}" for i in range(n_samples)])
    return catalog, truth


FAST = ExtractOptions(k_min=2, k_max=4, n_restarts=4, max_iter=400, seed=1)


def test_extraction_recovers_planted_signatures_and_chooses_k() -> None:
    catalog, truth = _planted()
    result = extract_signatures(catalog, options=FAST, reference=truth)
    assert result.chosen_k == 3
    summary = result.summary()
    assert list(summary.index) == [2, 3, 4] and summary["chosen"].sum() == 1
    assert summary.loc[3, "mean_stability"] >= 0.8
    assert result.matches is not None
    assert sorted(result.matches["assigned"]) == ["TRUE1", "TRUE2", "TRUE3"]
    assert (result.matches["assigned_cosine"] > 0.95).all()
    chosen = result.chosen
    assert chosen.signatures.sum(axis=0).round(6).tolist() == [1.0, 1.0, 1.0]
    assert (chosen.cosine > 0.95).all()


def test_match_is_one_to_one_and_reports_best() -> None:
    _, truth = _planted()
    extracted = truth[["TRUE2", "TRUE1"]].set_axis(["X", "Y"], axis=1)
    table = match_signatures(extracted, truth)
    assert table.loc["X", "assigned"] == "TRUE2" and table.loc["Y", "best"] == "TRUE1"
    assert table.loc["X", "best_cosine"] == pytest.approx(1.0)
    blend = pd.DataFrame({"MIX": 0.7 * truth["TRUE1"] + 0.3 * truth["TRUE3"]})
    decomposed = match_signatures(blend, truth)
    assert decomposed.loc["MIX", "decomposition"] == "TRUE1:0.70;TRUE3:0.30"
    assert decomposed.loc["MIX", "decomposition_cosine"] == pytest.approx(1.0)


def test_options_and_bad_inputs() -> None:
    assert parse_k_range("2..10") == (2, 10) and parse_k_range("5") == (5, 5)
    with pytest.raises(OptionsError, match="range"):
        parse_k_range("two")
    with pytest.raises(OptionsError, match=r"LOW\.\.HIGH"):
        ExtractOptions(k_min=5, k_max=3)
    catalog, _ = _planted(n_samples=4)
    with pytest.raises(OptionsError, match="at most 4"):
        extract_signatures(catalog, options=ExtractOptions(k_min=2, k_max=6, n_restarts=2))
    catalog["EMPTY"] = 0
    with pytest.raises(OptionsError, match="no mutations"):
        extract_signatures(catalog, options=FAST)


def test_cli_extract_writes_the_solution(tmp_path: Path) -> None:
    catalog, truth = _planted()
    write_catalog(MutationCatalog("sbs96", catalog), tmp_path / "catalog.tsv")
    write_matrix(truth, tmp_path / "ref.tsv", index_name="Type")
    out = tmp_path / "denovo"
    result = CliRunner().invoke(cli, ["signatures", "extract", str(tmp_path / "catalog.tsv"),
                                      "-o", str(out), "--k", "3..3", "--restarts", "3",
                                      "--max-iter", "300", "--reference",
                                      str(tmp_path / "ref.tsv")])
    assert result.exit_code == 0, result.output
    signatures = pd.read_csv(out / "signatures.tsv", sep="\t", index_col=0)
    assert list(signatures.columns) == ["SBS96A", "SBS96B", "SBS96C"]
    matches = pd.read_csv(out / "matches.tsv", sep="\t", index_col=0)
    assert (matches["assigned_cosine"] > 0.95).all()
    assert (out / "signatures.k3.tsv").exists() and (out / "solutions.tsv").exists()
