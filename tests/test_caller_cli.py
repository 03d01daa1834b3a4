"""`oncogen call` with the shipped model finds planted variants (a broken model fails here).

Two held-out pairs, neither in the model's training regions:

* tests/data/caller/pair: 40 kb of chr20 (15,000,001-15,040,000) at 50x/25x with 43
  somatic SNVs/indels at VAF 2.5-50 % (see test_caller_calling.py for the command);
* example_data/: 20:10,000,001-10,200,000 at 60x/30x with 40 somatic
  variants at VAF 5-50 %.

Thresholds are set below the measured values (fixture: recall 0.93, precision 0.98;
example_data: recall 0.85, precision 0.94) with room for noise, and far above what an
untrained (no call reaches PROB 0.1) or mis-wired model reaches.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from onco_genomics.caller.model import default_model_path, load_model
from onco_genomics.cli import cli
from onco_genomics.evaluate.compare import evaluate_calls
from onco_genomics.io.bed import read_bed
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import read_variants

DATA = Path(__file__).parent / "data" / "caller"
EXAMPLE = Path(__file__).parent.parent / "example_data"


def overall(truth: Path, calls: Path, ref: Path, bed: list | None = None) -> dict[str, float]:
    with Reference(ref) as reference:
        result = evaluate_calls(read_variants(truth), read_variants(calls), reference=reference,
                                regions=bed)
    table = result.table
    row = table[(table["variant_type"] == "ALL") & (table["vaf_bin"] == "all")].iloc[0]
    return {"precision": float(row["precision"]), "recall": float(row["recall"]),
            "f1": float(row["f1"])}


def test_shipped_model_loads_with_metadata() -> None:
    model = load_model(device="cpu")
    assert model.path == default_model_path()
    meta = model.metadata
    assert meta["kind"] == "caller/cnn"
    assert meta["parameters"] < 1_000_000
    assert len(meta["training"]["sets"]) >= 8
    assert meta["metrics"]["validation"]["all"]["f1"] > 0.7
    size = sum(p.stat().st_size for p in default_model_path().iterdir())
    assert size < 10 * 1024 * 1024
    assert (default_model_path() / "MODEL_CARD.md").is_file()


def test_cli_call_finds_planted_variants(tmp_path: Path) -> None:
    out = tmp_path / "calls.vcf.gz"
    result = CliRunner().invoke(cli, [
        "call", str(DATA / "pair" / "tumor.bam"), str(DATA / "pair" / "normal.bam"),
        "--ref", str(DATA / "ref.fa"), "-o", str(out), "--device", "cpu", "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output
    score = overall(DATA / "pair" / "truth.vcf.gz", out, DATA / "ref.fa")
    assert score["recall"] >= 0.8, score
    assert score["precision"] >= 0.85, score


@pytest.mark.slow
def test_cli_call_on_example_data(tmp_path: Path) -> None:
    pair = EXAMPLE / "pair"
    ref = EXAMPLE / "chr20_slice.fa"
    out = tmp_path / "calls.vcf.gz"
    result = CliRunner().invoke(cli, [
        "call", str(pair / "tumor.bam"), str(pair / "normal.bam"), "--ref", str(ref),
        "-o", str(out), "--bed", str(pair / "confident.bed"), "--device", "cpu",
        "--threads", "2"])
    assert result.exit_code == 0, result.output
    score = overall(pair / "truth.vcf.gz", out, ref, read_bed(pair / "confident.bed"))
    assert score["recall"] >= 0.75, score
    assert score["precision"] >= 0.85, score
    # 2-read SNVs are written but not PASS (FILTER LowAltReads)
    flagged = [v for v in read_variants(out) if "LowAltReads" in v.filters]
    assert flagged and all(v.sample_data["TUMOR"]["AD"][1] < 3 for v in flagged)


def test_cli_indel_read_floor_flags_indels_only(tmp_path: Path) -> None:
    """--min-indel-alt-reads raised above every indel's reads flags all indels LowAltReads
    and leaves the SNV records as the default run writes them."""
    runs = {}
    for name, extra in (("default", []), ("floor", ["--min-indel-alt-reads", "10000"])):
        out = tmp_path / f"{name}.vcf.gz"
        result = CliRunner().invoke(cli, [
            "call", str(DATA / "pair" / "tumor.bam"), str(DATA / "pair" / "normal.bam"),
            "--ref", str(DATA / "ref.fa"), "-o", str(out), "--device", "cpu", *extra])
        assert result.exit_code == 0, result.output
        runs[name] = list(read_variants(out))
    indels = [v for v in runs["floor"] if len(v.ref) != len(v.alt)]
    assert indels and all("LowAltReads" in v.filters for v in indels)
    assert any("LowAltReads" not in v.filters
               for v in runs["default"] if len(v.ref) != len(v.alt))
    snvs = {name: [v for v in run if len(v.ref) == len(v.alt)] for name, run in runs.items()}
    assert snvs["floor"] == snvs["default"]


def test_cli_indel_read_floor_refuses_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "call", str(DATA / "pair" / "tumor.bam"), str(DATA / "pair" / "normal.bam"),
        "--ref", str(DATA / "ref.fa"), "-o", str(tmp_path / "x.vcf.gz"),
        "--min-indel-alt-reads", "0"])
    assert result.exit_code == 2
    assert "--min-indel-alt-reads" in result.output
    assert not (tmp_path / "x.vcf.gz").exists()


def test_cli_tumor_only_refuses_the_indel_rescue(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "call", str(DATA / "pair" / "tumor.bam"), "--tumor-only", "--ref", str(DATA / "ref.fa"),
        "-o", str(tmp_path / "x.vcf.gz"), "--indel-rescue-reads", "3"])
    assert result.exit_code == 2
    assert "--indel-rescue-reads" in result.output and "normal" in result.output
    assert not (tmp_path / "x.vcf.gz").exists()
