"""No silent success on empty or degenerate input (issue 14, class 7).

Fixtures: tests/data/bad_inputs/ (header_only_tumor.bam, all_zero.SBS96.tsv, alt_x.vcf,
contig_not_in_fasta.vcf).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli

pytestmark = pytest.mark.usefixtures("one_torch_thread")

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad_inputs"
REF = DATA / "caller" / "ref.fa"
SLICE = DATA / "spectrum" / "chr20_1Mb_2kb.fa"
REGION = "chr20_15M:1-6000"


def test_header_only_tumor_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from onco_genomics.caller.calling import call_somatic

    with caplog.at_level(logging.WARNING):
        result = call_somatic(BAD / "header_only_tumor.bam", BAD / "small_normal.bam",
                              reference=REF, output=tmp_path / "c.vcf.gz", regions=[REGION],
                              device="cpu", tumor_sample="T0")
    assert result.calls == ()
    assert "header_only_tumor.bam has no mapped reads" in caplog.text


def test_normal_without_coverage_is_never_pass(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    from onco_genomics.caller.calling import call_somatic
    from onco_genomics.io.variants import read_variants

    out = tmp_path / "c.vcf.gz"
    with caplog.at_level(logging.WARNING):
        result = call_somatic(BAD / "small_tumor.bam", BAD / "header_only_tumor.bam",
                              reference=REF, output=out, regions=[REGION], device="cpu",
                              normal_sample="EMPTY_NORMAL")
    assert "every call will be FILTER LowNormalDepth" in caplog.text
    assert result.calls, "the tumor slice has candidates"
    assert result.n_pass == 0
    assert all("LowNormalDepth" in call.filters for call in result.calls)
    import gzip

    with gzip.open(out, "rt") as handle:
        assert "##FILTER=<ID=LowNormalDepth," in handle.read()
    assert all("LowNormalDepth" in v.filters for v in read_variants(out))


def test_low_normal_depth_filter_unit() -> None:
    from onco_genomics.caller.records import FilterOptions, call_filters

    assert "LowNormalDepth" in call_filters(0.99, 0, 0, threshold=0.5,
                                            options=FilterOptions())
    assert call_filters(0.99, 0, 1, threshold=0.5, options=FilterOptions()) == ()
    assert call_filters(0.99, 0, 0, threshold=0.5,
                        options=FilterOptions(min_normal_depth=0)) == ()


def test_all_zero_catalog_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "fit.tsv"
    result = CliRunner().invoke(cli, ["signatures", "fit", str(BAD / "all_zero.SBS96.tsv"),
                                      "-o", str(out)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("oncogen: error")]
    assert len(lines) == 1 and "no mutations" in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_contigs_missing_from_the_fasta_are_a_warning(tmp_path: Path) -> None:
    # -q shows warnings only: the count must still be there
    result = CliRunner().invoke(cli, ["-q", "spectrum", str(BAD / "contig_not_in_fasta.vcf"),
                                      "--ref", str(SLICE), "-o", str(tmp_path / "c.tsv")])
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and "2 variants on contigs absent from" in result.output


def test_alt_x_is_named_as_such(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["-q", "spectrum", str(BAD / "alt_x.vcf"), "--ref",
                                      str(SLICE), "-o", str(tmp_path / "c.tsv")])
    assert result.exit_code == 0, result.output
    assert "REF or ALT is not A, C, G or T (e.g. slice20:102 A>X)" in result.output
    assert "context contains N" not in result.output
