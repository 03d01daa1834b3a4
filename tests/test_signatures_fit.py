"""Signature fitting: known-answer tests on catalogs made from known exposures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import OptionsError
from onco_genomics.spectrum.catalog import CHANNELS, MutationCatalog
from onco_genomics.spectrum.fit import FitOptions, fit_catalog, fit_signatures
from onco_genomics.spectrum.matrix_files import write_catalog, write_matrix
from onco_genomics.spectrum.reference_signatures import cosmic_path, opportunity_weights

SBS96 = list(CHANNELS["sbs96"])
HAS_SPA = importlib.util.find_spec("SigProfilerAssignment") is not None
HAS_SPMG = importlib.util.find_spec("SigProfilerMatrixGenerator") is not None


def _signatures(n: int = 12, seed: int = 1) -> pd.DataFrame:
    """Sparse-ish random profiles: distinct enough to be identifiable."""
    rng = np.random.default_rng(seed)
    values = rng.dirichlet(np.full(96, 0.3), size=n).T
    return pd.DataFrame(values, index=SBS96, columns=[f"SIG{i}" for i in range(n)])


def _catalog(signatures: pd.DataFrame, exposures: dict[str, dict[str, float]], *,
             noise: bool, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for sample, weights in exposures.items():
        expected = sum(signatures[name] * count for name, count in weights.items())
        columns[sample] = rng.poisson(expected) if noise else expected.round()
    return pd.DataFrame(columns, index=SBS96).astype(np.int64)


TRUTH = {"A": {"SIG0": 3000, "SIG3": 1500, "SIG7": 500},
         "B": {"SIG1": 5000, "SIG3": 2000},
         "C": {"SIG5": 800}}


def test_noise_free_catalog_gives_the_true_signatures_and_exposures() -> None:
    sigs = _signatures()
    fit = fit_signatures(_catalog(sigs, TRUTH, noise=False), sigs,
                         options=FitOptions(n_bootstrap=0))
    for sample, weights in TRUTH.items():
        used = fit.exposures[sample][fit.exposures[sample] > 0]
        assert sorted(used.index) == sorted(weights)
        for name, count in weights.items():
            assert used[name] == pytest.approx(count, rel=0.01)
        assert fit.cosine[sample] > 0.999
    assert fit.ci_low is None
    assert fit.fractions.sum(axis=0).round(6).tolist() == [1.0, 1.0, 1.0]


def test_poisson_noise_keeps_the_signature_set_and_ci_covers_truth() -> None:
    sigs = _signatures()
    catalog = _catalog(sigs, TRUTH, noise=True)
    fit = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=200, seed=3))
    table = fit.exposure_table()
    assert set(table.columns) == {"sample", "signature", "mutations", "fraction", "ci95_low",
                                  "ci95_high"}
    for sample, weights in TRUTH.items():
        assert set(table.loc[table["sample"] == sample, "signature"]) == set(weights)
        for name, count in weights.items():
            row = table[(table["sample"] == sample) & (table["signature"] == name)].iloc[0]
            assert row.ci95_low <= row.mutations <= row.ci95_high
            assert row.ci95_low - 0.05 * count <= count <= row.ci95_high + 0.05 * count
    samples = fit.sample_table()
    assert samples["n_signatures"].tolist() == [3, 2, 1]
    assert (samples["cosine"] > 0.97).all()


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    sigs = _signatures()
    catalog = _catalog(sigs, TRUTH, noise=True)
    first = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=20, seed=5))
    second = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=20, seed=5))
    assert first.ci_high is not None and second.ci_high is not None
    pd.testing.assert_frame_equal(first.ci_high, second.ci_high)


def test_empty_sample_and_exclusion() -> None:
    sigs = _signatures()
    catalog = _catalog(sigs, TRUTH, noise=False)
    catalog["EMPTY"] = 0
    fit = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=0), exclude=["SIG7"])
    assert fit.exposures["EMPTY"].sum() == 0 and fit.cosine["EMPTY"] == 0
    assert fit.exposures.loc["SIG7"].sum() == 0 if "SIG7" in fit.exposures.index else True
    assert "SIG7" not in fit.exposures.index
    with pytest.raises(OptionsError, match="not in the reference"):
        fit_signatures(catalog, sigs, exclude=["SBS999"])


def test_channel_mismatch_and_bad_options() -> None:
    sigs = _signatures()
    with pytest.raises(OptionsError, match="channels"):
        fit_signatures(pd.DataFrame({"S": [1] * 78}, index=list(CHANNELS["dbs78"])), sigs)
    with pytest.raises(OptionsError, match="min-improvement"):
        FitOptions(min_improvement=1.5)


def test_cosmic_name_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(OptionsError, match="pip install sigprofilerassignment"):
        cosmic_path("cosmic:v3.4", "sbs96")
    with pytest.raises(OptionsError, match="neither a file nor a COSMIC name"):
        cosmic_path("cosmic-3.4", "sbs96")


@pytest.mark.needs_package("sigprofilerassignment")
@pytest.mark.skipif(not HAS_SPA, reason="needs sigprofilerassignment (the `test` extra)")
def test_cosmic_v34_fit_of_a_planted_mixture() -> None:
    from onco_genomics.spectrum.reference_signatures import load_reference_signatures

    cosmic = load_reference_signatures("cosmic:v3.4", "sbs96")
    assert cosmic.shape == (96, 86) and "SBS40a" in cosmic.columns
    truth = {"T": {"SBS1": 400, "SBS2": 1200, "SBS13": 900, "SBS5": 1500}}
    counts = _catalog(cosmic, truth, noise=False)
    fit = fit_catalog(MutationCatalog("sbs96", counts), "cosmic:v3.4",
                      options=FitOptions(n_bootstrap=0))
    used = fit.exposures["T"][fit.exposures["T"] > 0]
    assert set(used.index) == set(truth["T"])
    with pytest.raises(OptionsError, match=r"no COSMIC_v9\.9"):
        cosmic_path("cosmic:v9.9", "sbs96")


@pytest.mark.needs_package("sigprofilermatrixgenerator")
@pytest.mark.skipif(not HAS_SPMG, reason="needs sigprofilermatrixgenerator (the `test` extra)")
def test_exome_opportunity_weights() -> None:
    weights = opportunity_weights("exome", "sbs96")
    assert weights.mean() == pytest.approx(1.0)
    # CpG contexts are relatively enriched in exons
    assert weights["A[C>T]G"] > 1.5 * weights["A[C>T]A"]
    assert opportunity_weights("genome", "sbs96").tolist() == pytest.approx([1.0] * 96)


def test_cli_fit_with_a_signature_file(tmp_path: Path) -> None:
    sigs = _signatures()
    write_matrix(sigs, tmp_path / "sigs.txt", index_name="Type")
    catalog = MutationCatalog("sbs96", _catalog(sigs, TRUTH, noise=True))
    write_catalog(catalog, tmp_path / "catalog.tsv")
    out = tmp_path / "exposures.tsv"
    result = CliRunner().invoke(cli, ["signatures", "fit", str(tmp_path / "catalog.tsv"),
                                      "--reference", str(tmp_path / "sigs.txt"), "-o",
                                      str(out), "--bootstrap", "10"])
    assert result.exit_code == 0, result.output
    exposures = pd.read_csv(out, sep="\t")
    assert set(exposures.loc[exposures["sample"] == "B", "signature"]) == {"SIG1", "SIG3"}
    samples = pd.read_csv(tmp_path / "exposures.samples.tsv", sep="\t", index_col=0)
    assert samples.loc["C", "n_signatures"] == 1
    matrix = pd.read_csv(tmp_path / "exposures.matrix.tsv", sep="\t", index_col=0)
    assert matrix.shape == (3, 12)


def test_cli_fit_refuses_a_missing_reference(tmp_path: Path) -> None:
    sigs = _signatures()
    write_catalog(MutationCatalog("sbs96", _catalog(sigs, TRUTH, noise=False)),
                  tmp_path / "catalog.tsv")
    result = CliRunner().invoke(cli, ["signatures", "fit", str(tmp_path / "catalog.tsv"),
                                      "--reference", str(tmp_path / "nope.txt"), "-o",
                                      str(tmp_path / "e.tsv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
