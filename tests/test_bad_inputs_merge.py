"""`oncogen merge` validates every record it copies (issue 14, class 1).

A shard cut short or edited by hand must not reach a merged VCF that bcftools refuses: one
fixture per damage in tests/data/bad_inputs/shard_*.vcf.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import InputFileError
from onco_genomics.io.merge import merge_vcfs

BAD = Path(__file__).parent / "data" / "bad_inputs"


@pytest.mark.parametrize(("name", "message"), [
    ("shard_cut_to_5_columns.vcf", "expected 11 tab-separated columns .* found 5"),
    ("shard_missing_sample_columns.vcf", "expected 11 .* found 8"),
    ("shard_extra_column.vcf", "expected 11 .* found 12"),
    ("shard_non_integer_pos.vcf", "integer POS"),
    ("shard_bad_ref.vcf", "REF bases"),
    ("shard_bad_qual.vcf", "QUAL 'high'"),
    ("shard_more_sample_values_than_format.vcf", "more values than FORMAT"),
])
def test_merge_refuses_a_damaged_record(tmp_path: Path, name: str, message: str) -> None:
    out = tmp_path / "merged.vcf.gz"
    with pytest.raises(InputFileError, match=message) as info:
        merge_vcfs([BAD / "shard_good.vcf", BAD / name], out)
    assert name in str(info.value) and "record 2" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    result = CliRunner().invoke(cli, ["merge", str(BAD / "shard_good.vcf"), str(BAD / name),
                                      "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert [line for line in result.output.splitlines()
            if line.startswith("oncogen: error:")] == [line for line in
                                                       result.output.splitlines()
                                                       if "error" in line]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="needs bcftools")
def test_merged_good_shard_is_accepted_by_bcftools(tmp_path: Path) -> None:
    out = merge_vcfs([BAD / "shard_good.vcf"], tmp_path / "merged.vcf.gz")
    proc = subprocess.run(["bcftools", "view", "-H", str(out)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1
