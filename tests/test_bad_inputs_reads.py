"""Damaged alignments found mid-scan (issue 14, class 3).

A corrupt BGZF block, a BAM cut short after it was indexed, an index copied from another
BAM: one line naming the file and the fix, exit 2, no ``OUTPUT.work`` left behind, and no
reads silently lost. Fixtures: tests/data/bad_inputs/ (make_fixtures.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import InputFileError
from onco_genomics.io.alignments import bai_end_offset, check_index_matches

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad_inputs"
REF = DATA / "caller" / "ref.fa"
REGION = "chr20_15M:1-6000"


@pytest.mark.parametrize("threads", ["1", "2"])
@pytest.mark.parametrize(("normal", "message"), [
    ("corrupt_block.bam", "corrupt_block.bam in chr20_15M:1-6000 failed .*decompress.*"
                          "samtools quickcheck"),
    ("truncated_reads.bam", "points past the end of .*truncated_reads.bam.*cut short"),
    ("stale_index.bam", "points past the end of .*stale_index.bam.*another file"),
])
def test_call_on_damaged_normal(tmp_path: Path, normal: str, message: str,
                                threads: str) -> None:
    out = tmp_path / "calls.vcf.gz"
    result = CliRunner().invoke(cli, [
        "call", str(BAD / "small_tumor.bam"), str(BAD / normal), "--ref", str(REF),
        "-o", str(out), "--region", REGION, "--device", "cpu", "--threads", threads])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith("oncogen: error: "), result.output
    import re

    assert re.search(message, errors[0]), errors[0]
    assert list(tmp_path.iterdir()) == []  # no output, no OUTPUT.work


def test_index_end_offset_matches_a_good_bam() -> None:
    end = bai_end_offset(BAD / "small_normal.bam.bai")
    assert end is not None and end <= (BAD / "small_normal.bam").stat().st_size
    check_index_matches(BAD / "small_normal.bam")
    with pytest.raises(InputFileError, match="cut short"):
        check_index_matches(BAD / "truncated_reads.bam")


def test_cram_against_the_wrong_reference(tmp_path: Path) -> None:
    out = tmp_path / "calls.vcf.gz"
    result = CliRunner().invoke(cli, [
        "call", str(DATA / "io" / "hg00101_chr17_4kb.cram"),
        str(DATA / "io" / "hg00101_chr17_4kb.bam"), "--ref",
        str(BAD / "wrong_sequence_chr17.fa"), "-o", str(out), "--tumor-sample", "T",
        "--normal-sample", "N", "--device", "cpu"])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and "not the FASTA it was written with" in errors[0], result.output
    assert "hg00101_chr17_4kb.cram" in errors[0]
    assert list(tmp_path.iterdir()) == []
