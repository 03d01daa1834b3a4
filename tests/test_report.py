"""oncogen report: HTML and MultiQC content for the example pair's calls (truth as calls)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.report import summarise_calls

ROOT = Path(__file__).resolve().parents[1]
E = ROOT / "example_data"


def test_summary_of_the_truth_set_scores_itself_perfectly() -> None:
    truth = E / "pair" / "truth.vcf.gz"
    summary = summarise_calls(truth, reference=E / "chr20_slice.fa", truth=truth,
                              bed=E / "pair" / "confident.bed")
    assert summary.n_pass == int(summary.counts.to_numpy().sum()) >= 30
    assert int(summary.substitutions.sum()) == int(summary.counts.loc["PASS", "SNV"])
    assert summary.catalog is not None and int(summary.catalog.to_numpy().sum()) > 0
    assert summary.exposures is not None and len(summary.exposures) >= 1
    ev = summary.evaluation
    assert ev is not None
    row = ev[(ev["variant_type"] == "ALL") & (ev["vaf_bin"] == "all")].iloc[0]
    assert row["recall"] == 1.0 and row["precision"] == 1.0


def test_cli_writes_html_and_multiqc(tmp_path: Path) -> None:
    truth = E / "pair" / "truth.vcf.gz"
    artefacts = E / "pair" / "artefacts.vcf.gz"
    result = CliRunner().invoke(cli, ["report", str(truth), str(artefacts), "--ref",
                                      str(E / "chr20_slice.fa"), "-o",
                                      str(tmp_path / "report.html"), "--multiqc",
                                      str(tmp_path / "mqc")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 4 and "Cohort" in page
    assert "src='http" not in page  # self-contained
    table = (tmp_path / "mqc" / "oncogen_calls_mqc.tsv").read_text().splitlines()
    assert table[0] == "# id: 'oncogen_calls'"
    assert any(line.startswith("truth.vcf.gz\t") for line in table)
    bars = (tmp_path / "mqc" / "oncogen_substitutions_mqc.tsv").read_text()
    assert "plot_type: 'bargraph'" in bars and "C>T" in bars
    result = CliRunner().invoke(cli, ["report", str(truth), str(artefacts), "--truth", str(truth),
                                      "-o", str(tmp_path / "r2.html")])
    assert result.exit_code == 2 and "one call set" in result.output
