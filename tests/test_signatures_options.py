"""Every numeric/choice option of ``oncogen signatures fit`` and ``extract`` refuses bad
values with a one-line error (exit status 2) that names the option; boundary values work."""

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
from onco_genomics.spectrum.extract import ExtractOptions
from onco_genomics.spectrum.fit import FitOptions
from onco_genomics.spectrum.matrix_files import write_catalog, write_matrix

SBS96 = list(CHANNELS["sbs96"])
HAS_SPMG = importlib.util.find_spec("SigProfilerMatrixGenerator") is not None
SIGNATURES = [f"SIG{i}" for i in range(4)]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6-sample SBS96 catalog mixed from 4 random signatures, and those signatures."""
    folder = tmp_path_factory.mktemp("signature_options")
    rng = np.random.default_rng(11)
    sigs = pd.DataFrame(rng.dirichlet(np.full(96, 0.3), size=len(SIGNATURES)).T,
                        index=SBS96, columns=SIGNATURES)
    write_matrix(sigs, folder / "sigs.txt", index_name="Type")
    exposures = rng.integers(200, 800, size=(len(SIGNATURES), 6))
    counts = pd.DataFrame(rng.poisson(sigs.to_numpy() @ exposures), index=SBS96,
                          columns=[f"S{i}" for i in range(6)])
    write_catalog(MutationCatalog("sbs96", counts), folder / "catalog.tsv")
    return folder


def _fit(files: Path, out: Path, *extra: str) -> tuple[int, str]:
    args = ["signatures", "fit", str(files / "catalog.tsv"), "-o", str(out),
            "--bootstrap", "2"]
    if "--reference" not in extra:
        args += ["--reference", str(files / "sigs.txt")]
    result = CliRunner().invoke(cli, [*args, *extra])
    return result.exit_code, result.output


def _extract(files: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["signatures", "extract", str(files / "catalog.tsv"),
                                      "-o", str(out), "--k", "2..2", "--restarts", "2",
                                      "--max-iter", "20", *extra])
    return result.exit_code, result.output


def _needs_context_tables() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not HAS_SPMG, reason="needs sigprofilermatrixgenerator")


@pytest.mark.parametrize(("extra", "expected"), [
    (["--min-improvement", "-0.1"], "--min-improvement must be within [0, 1), found -0.1"),
    (["--min-improvement", "1"], "--min-improvement must be within [0, 1), found 1.0"),
    (["--min-improvement", "nan"], "--min-improvement must be within [0, 1), found nan"),
    (["--min-improvement", "lots"], "Invalid value for '--min-improvement'"),
    (["--max-signatures", "0"], "--max-signatures must be >= 1, found 0"),
    (["--max-signatures", "-2"], "--max-signatures must be >= 1, found -2"),
    (["--max-signatures", "2.5"], "Invalid value for '--max-signatures'"),
    (["--bootstrap", "-1"], "--bootstrap must be >= 0, found -1"),
    (["--bootstrap", "ten"], "Invalid value for '--bootstrap'"),
    (["--seed", "-1"], "Invalid value for '--seed': -1 is not in the range x>=0"),
    (["--objective", "l1"], "objective (--objective) must be one of poisson, least-squares"),
    (["--cohort-fraction", "-0.1"], "cohort_fraction (--cohort-fraction) must be within [0, 1]"),
    (["--cohort-fraction", "1.5"], "cohort_fraction (--cohort-fraction) must be within [0, 1]"),
    (["--cohort-fraction", "nan"], "cohort_fraction (--cohort-fraction) must be within [0, 1]"),
    (["--cohort-min-samples", "1"], "cohort_min_samples (--cohort-min-samples) must be >= 2"),
    (["--cohort-min-samples", "0"], "cohort_min_samples (--cohort-min-samples) must be >= 2"),
    (["--private-deviance", "-3"], "private_deviance (--private-deviance) must be >= 0"),
    (["--private-deviance", "nan"], "private_deviance (--private-deviance) must be >= 0"),
    (["--exclude", "NOPE"], "--exclude names ['NOPE'], which are not in the reference"),
    (["--exclude", "sig0"], "give names exactly as in the reference's header"),
    ([arg for name in SIGNATURES for arg in ("--exclude", name)],
     "no reference signatures to fit (all excluded?); keep at least one: --exclude fewer"),
    (["--opportunity", "no-such-counts.tsv"],
     "--opportunity takes genome, exome or a counts file; no-such-counts.tsv does not exist"),
    (["--genome-build", "hg19"],
     "--genome-build hg19 only selects the genome-wide context counts of --opportunity"),
    pytest.param(["--opportunity", "genome", "--genome-build", "hg19"],
                 "--genome-build 'hg19' has no genome context counts",
                 marks=_needs_context_tables()),
    (["--reference", "no-such-signatures.txt"],
     "reference signature file no-such-signatures.txt does not exist"),
    (["--reference", "cosmic:latest"], "reference 'cosmic:latest' is neither a file nor a "
                                       "COSMIC name; expected e.g. cosmic:v3.4"),
])
def test_fit_refuses_bad_option_values(files: Path, tmp_path: Path, extra: list[str],
                                       expected: str) -> None:
    out = tmp_path / "exposures.tsv"
    code, output = _fit(files, out, *extra)
    assert code == 2, output
    assert expected in output, output
    assert "Traceback" not in output
    assert not out.exists()


@pytest.mark.parametrize(("extra", "expected"), [
    (["--k", "0..3"], "--k must be a range LOW..HIGH with 1 <= LOW <= HIGH, found 0..3"),
    (["--k", "3..2"], "--k must be a range LOW..HIGH with 1 <= LOW <= HIGH, found 3..2"),
    (["--k", "2..-1"], "--k must be a range LOW..HIGH with 1 <= LOW <= HIGH, found 2..-1"),
    (["--k", "x"], "--k takes a number or a range such as 2..10, found 'x'"),
    (["--k", "2..5..7"], "--k takes a number or a range such as 2..10"),
    (["--k", "2..99"], "--k upper bound 99 exceeds what 6 samples x 96 channels can support"),
    (["--restarts", "1"], "--restarts must be >= 2 (stability needs replicates), found 1"),
    (["--restarts", "0"], "--restarts must be >= 2 (stability needs replicates), found 0"),
    (["--restarts", "many"], "Invalid value for '--restarts'"),
    (["--max-iter", "0"], "max_iter (--max-iter) must be >= 10"),
    (["--max-iter", "5"], "max_iter (--max-iter) must be >= 10"),
    (["--max-iter", "1e3"], "Invalid value for '--max-iter'"),
    (["--seed", "-1"], "Invalid value for '--seed': -1 is not in the range x>=0"),
    (["--min-stability", "1.5"], "min_stability (--min-stability) is a mean silhouette and "
                                 "must be within [0, 1], found 1.5"),
    (["--min-stability", "-0.1"], "min_stability (--min-stability) is a mean silhouette"),
    (["--min-stability", "nan"], "min_stability (--min-stability) is a mean silhouette"),
    (["--reference", "no-such-signatures.txt"],
     "reference signature file no-such-signatures.txt does not exist"),
    (["--reference", "cosmic:latest"], "reference 'cosmic:latest' is neither a file nor a "
                                       "COSMIC name"),
])
def test_extract_refuses_bad_option_values(files: Path, tmp_path: Path, extra: list[str],
                                           expected: str) -> None:
    out = tmp_path / "denovo"
    code, output = _extract(files, out, *extra)
    assert code == 2, output
    assert expected in output, output
    assert "Traceback" not in output
    assert not (out / "signatures.tsv").exists()


@pytest.mark.parametrize("extra", [
    ["--bootstrap", "0", "--cohort-fraction", "0", "--seed", "0"],
    ["--min-improvement", "0", "--max-signatures", "1", "--private-deviance", "0",
     "--cohort-fraction", "1", "--cohort-min-samples", "2", "--objective", "least-squares"],
    ["--exclude", "SIG0", "--exclude", "SIG0", "--private-deviance", "inf"],
    pytest.param(["--opportunity", "genome", "--genome-build", "GRCh38"],
                 marks=_needs_context_tables()),
])
def test_fit_accepts_boundary_values(files: Path, tmp_path: Path, extra: list[str]) -> None:
    out = tmp_path / "exposures.tsv"
    code, output = _fit(files, out, *extra)
    assert code == 0, output
    table = pd.read_csv(out, sep="\t")
    assert set(table["sample"]) == {f"S{i}" for i in range(6)}
    if "--max-signatures" in extra:
        assert table.groupby("sample").size().max() == 1
    if "--exclude" in extra:
        assert "SIG0" not in set(table["signature"])


@pytest.mark.parametrize("extra", [
    ["--min-stability", "0", "--seed", "0"],
    ["--min-stability", "1", "--k", "1..2", "--max-iter", "10"],
])
def test_extract_accepts_boundary_values(files: Path, tmp_path: Path,
                                         extra: list[str]) -> None:
    out = tmp_path / "denovo"
    code, output = _extract(files, out, *extra)
    assert code == 0, output
    assert (out / "signatures.tsv").exists() and (out / "solutions.tsv").exists()


def test_api_options_refuse_what_the_cli_refuses() -> None:
    with pytest.raises(OptionsError, match=r"seed \(--seed\) must be a non-negative"):
        FitOptions(seed=-1)
    with pytest.raises(OptionsError, match=r"seed \(--seed\) must be a non-negative"):
        ExtractOptions(seed=-5)
    with pytest.raises(OptionsError, match=r"min_stability \(--min-stability\)"):
        ExtractOptions(min_stability=float("nan"))
    with pytest.raises(OptionsError, match=r"max_iter \(--max-iter\)"):
        ExtractOptions(max_iter=9)
    assert ExtractOptions(min_stability=0.0, max_iter=10).min_stability == 0.0
    assert FitOptions(n_bootstrap=0, cohort_fraction=0.0, min_improvement=0.0).seed == 0
