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
        cosmic_path("cosmic:v3.3", "sbs96")
    with pytest.raises(OptionsError, match="neither a file nor a COSMIC name"):
        cosmic_path("cosmic-3.4", "sbs96")


def test_cosmic_v34_ships_with_oncogen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default reference works after a plain `pip install .` (no sigprofilerassignment)."""
    from onco_genomics.spectrum.reference_signatures import load_reference_signatures

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    for spec, kind, n in [("cosmic:v3.4", "sbs96", 86), ("cosmic:v3.4", "dbs78", 20),
                          ("cosmic:v3.4", "id83", 23), ("cosmic:v3.4:GRCh38", "sbs96", 86),
                          ("cosmic:v3.4:GRCh37:exome", "sbs96", 86)]:
        table = load_reference_signatures(spec, kind)  # type: ignore[arg-type]
        assert table.shape[1] == n, spec
        np.testing.assert_allclose(table.sum(axis=0), 1.0, rtol=1e-9)
        assert "onco_genomics" in str(cosmic_path(spec, kind))  # type: ignore[arg-type]


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


def test_poisson_exposures_satisfy_the_likelihood_optimality_conditions() -> None:
    from onco_genomics.spectrum.fit import poisson_exposures

    sigs = _signatures().to_numpy()[:, :4]
    rng = np.random.default_rng(4)
    counts = rng.poisson(sigs @ np.array([120.0, 60.0, 15.0, 5.0])).astype(float)
    start = np.full(4, counts.sum() / 4)
    e = poisson_exposures(counts, sigs, start)
    mu = sigs @ e
    # KKT of max sum(m log mu - mu), e >= 0: gradient S^T (m / mu) - 1 is 0 where e > 0
    gradient = sigs.T @ (counts / mu) - 1.0
    assert np.abs(gradient[e > 1e-3]).max() < 1e-4
    assert (gradient[e <= 1e-3] <= 1e-4).all()
    assert e.sum() == pytest.approx(counts.sum(), rel=1e-6)
    # replicates (columns) are fitted independently and give the same answer
    both = poisson_exposures(np.column_stack([counts, counts]), sigs,
                             np.column_stack([start, start]))
    np.testing.assert_allclose(both[:, 0], e, rtol=1e-5)


def test_least_squares_objective_has_the_higher_cosine_poisson_the_likelihood() -> None:
    from onco_genomics.spectrum.fit import poisson_deviance

    sigs = _signatures()
    catalog = _catalog(sigs, {"S": {"SIG0": 60, "SIG3": 30, "SIG7": 20}}, noise=True, seed=9)
    pois = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=0))
    lsq = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=0,
                                                           objective="least-squares"))
    assert list(pois.n_signatures) == list(lsq.n_signatures)
    assert lsq.cosine["S"] >= pois.cosine["S"] - 1e-9
    m = catalog["S"].to_numpy(float)
    basis = sigs.to_numpy()
    assert (poisson_deviance(m, basis @ pois.exposures["S"].to_numpy())
            <= poisson_deviance(m, basis @ lsq.exposures["S"].to_numpy()) + 1e-9)


def _cohort() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict[str, float]]]:
    """Deep and shallow samples of SIG0 + SIG1, where SIG1b is a near copy of SIG1, plus one
    deep sample with a private signature (SIG9)."""
    sigs = _signatures()
    rng = np.random.default_rng(11)
    near = 0.85 * sigs["SIG1"] + 0.15 * rng.dirichlet(np.full(96, 0.3))
    sigs["SIG1b"] = near / near.sum()
    truth: dict[str, dict[str, float]] = {}
    for i in range(8):
        truth[f"DEEP{i}"] = {"SIG0": 3000.0, "SIG1": 5000.0}
    for i in range(12):
        truth[f"SHALLOW{i}"] = {"SIG0": 40.0, "SIG1": 60.0}
    truth["PRIVATE"] = {"SIG0": 3000.0, "SIG1": 3000.0, "SIG9": 3000.0}
    return sigs, _catalog(sigs, truth, noise=True, seed=12), truth


def test_cohort_prior_helps_shallow_samples_and_keeps_a_private_signature() -> None:
    sigs, catalog, truth = _cohort()
    with_prior = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=0))
    without = fit_signatures(catalog, sigs, options=FitOptions(n_bootstrap=0,
                                                               cohort_fraction=0.0))

    def error(fit: object) -> float:
        fractions = fit.fractions  # type: ignore[attr-defined]
        total = 0.0
        for sample, weights in truth.items():
            if sample.startswith("SHALLOW"):
                true = pd.Series(weights).reindex(fractions.index, fill_value=0.0)
                total += float((true / true.sum() - fractions[sample]).abs().sum())
        return total / 30

    assert error(with_prior) < error(without)
    used = with_prior.exposures > 0
    # SIG1b never called with the prior; SIG9 kept where the data demand it
    assert not used.loc["SIG1b"].any()
    assert used.loc["SIG9", "PRIVATE"] and used.loc["SIG9"].sum() == 1
    # a single sample, or a small catalog, gets no cohort step: same as without it
    small = catalog[["DEEP0", "SHALLOW0", "SHALLOW1"]]
    pd.testing.assert_frame_equal(
        fit_signatures(small, sigs, options=FitOptions(n_bootstrap=0)).exposures,
        fit_signatures(small, sigs, options=FitOptions(n_bootstrap=0,
                                                       cohort_fraction=0.0)).exposures)


def test_new_options_are_checked() -> None:
    with pytest.raises(OptionsError, match="objective"):
        FitOptions(objective="l1")
    with pytest.raises(OptionsError, match="cohort_fraction"):
        FitOptions(cohort_fraction=2.0)
    with pytest.raises(OptionsError, match="cohort_min_samples"):
        FitOptions(cohort_min_samples=1)
    with pytest.raises(OptionsError, match="private_deviance"):
        FitOptions(private_deviance=-1.0)


def _cli_fit(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    sigs = _signatures()
    write_matrix(sigs, tmp_path / "sigs.txt", index_name="Type")
    write_catalog(MutationCatalog("sbs96", _catalog(sigs, TRUTH, noise=True)),
                  tmp_path / "catalog.tsv")
    out = tmp_path / "exposures.tsv"
    result = CliRunner().invoke(cli, ["signatures", "fit", str(tmp_path / "catalog.tsv"),
                                      "--reference", str(tmp_path / "sigs.txt"), "-o",
                                      str(out), "--bootstrap", "0", *extra])
    return result.exit_code, result.output, out


def test_cli_fit_options_reach_the_api(tmp_path: Path) -> None:
    sigs = _signatures()
    catalog = _catalog(sigs, TRUTH, noise=True)
    for extra, options in [
            (["--objective", "least-squares"], FitOptions(objective="least-squares")),
            (["--cohort-fraction", "0"], FitOptions(cohort_fraction=0.0)),
            (["--cohort-min-samples", "2", "--cohort-fraction", "0.5",
              "--private-deviance", "1e9"],
             FitOptions(cohort_min_samples=2, cohort_fraction=0.5, private_deviance=1e9)),
            (["--no-pooled-prior"], FitOptions(pooled_prior=False)),
            (["--prior-strength", "50"], FitOptions(prior_strength=50.0))]:
        code, output, out = _cli_fit(tmp_path, *extra)
        assert code == 0, output
        matrix = pd.read_csv(out.with_name("exposures.matrix.tsv"), sep="\t", index_col=0)
        expected = fit_signatures(catalog, sigs,
                                  options=FitOptions(**{**options.__dict__, "n_bootstrap": 0}))
        np.testing.assert_allclose(matrix.T.to_numpy(), expected.exposures.to_numpy(),
                                   rtol=1e-5, atol=1e-3)


def test_cli_cohort_options_change_the_fit(tmp_path: Path) -> None:
    """With a cohort step forced on (3 samples), no private signatures allowed and no pooled
    prior, sample A must use only signatures chosen in at least two samples."""
    code, output, out = _cli_fit(tmp_path, "--cohort-min-samples", "2",
                                 "--cohort-fraction", "0.5", "--private-deviance", "1e9",
                                 "--no-pooled-prior")
    assert code == 0, output
    exposures = pd.read_csv(out, sep="\t")
    used = set(exposures.loc[exposures["sample"] == "A", "signature"])
    assert used <= {"SIG3"}, used


@pytest.mark.parametrize(("extra", "message"), [
    (["--objective", "l1"], "objective (--objective) must be one of poisson, least-squares"),
    (["--cohort-fraction", "1.5"], "cohort_fraction (--cohort-fraction) must be within"),
    (["--cohort-fraction", "nan"], "cohort_fraction (--cohort-fraction) must be within"),
    (["--cohort-min-samples", "1"], "cohort_min_samples (--cohort-min-samples) must be >= 2"),
    (["--private-deviance", "-3"], "private_deviance (--private-deviance) must be >= 0"),
    (["--min-improvement", "1"], "--min-improvement must be within [0, 1)"),
    (["--prior-strength", "-1"], "prior_strength (--prior-strength) must be >= 0"),
    (["--prior-strength", "nan"], "prior_strength (--prior-strength) must be >= 0"),
])
def test_cli_fit_refuses_bad_option_values(tmp_path: Path, extra: list[str],
                                           message: str) -> None:
    code, output, out = _cli_fit(tmp_path, *extra)
    assert code == 2
    assert f"oncogen: error: {message}" in output
    assert "Traceback" not in output
    assert not out.exists()


def test_forward_swap_path_grows_one_signature_at_a_time() -> None:
    from onco_genomics.spectrum.fit import forward_swap_path, select_signatures

    sigs = _signatures()
    basis = sigs.to_numpy()
    m = _catalog(sigs, TRUTH, noise=True)["A"].to_numpy(dtype=float)
    path = list(forward_swap_path(m, basis, max_size=6))
    assert [len(columns) for columns, _ in path] == list(range(1, 7))
    cosines = [cos for _, cos in path]
    assert cosines == sorted(cosines)
    singles = [float(basis[:, k] @ m / np.linalg.norm(basis[:, k]) / np.linalg.norm(m))
               for k in range(basis.shape[1])]
    assert path[0][0] == [int(np.argmax(singles))]
    chosen, _ = select_signatures(m, basis, options=FitOptions())
    assert chosen == sorted(path[len(chosen) - 1][0])
    assert list(forward_swap_path(np.zeros(96), basis)) == []


def test_shallow_samples_are_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    from onco_genomics.spectrum.fit import warn_shallow_samples

    counts = pd.DataFrame({"deep": [5] * 96, "shallow": [0] * 72 + [1] * 24,
                           "empty": [0] * 96}, index=list(CHANNELS["sbs96"]))
    with caplog.at_level("WARNING"):
        assert warn_shallow_samples(counts) == ["shallow"]
    assert "shallow (24)" in caplog.text and "unreliable" in caplog.text
