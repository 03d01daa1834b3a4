"""`oncogen call --threads N` workers: the forked start path, and errors after the workers start.

The in-process tests of test_caller_calling.py run with torch already imported, so their
workers are spawned; the fork path (used when the CLI starts, before torch is imported) is
checked here in a fresh interpreter. Fixture as in test_caller_calling.py.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from onco_genomics.caller.calling import call_somatic
from onco_genomics.errors import ModelError

DATA = Path(__file__).parent / "data" / "caller"
REF = DATA / "ref.fa"
TUMOR = DATA / "pair" / "tumor.bam"
NORMAL = DATA / "pair" / "normal.bam"
REGION = "chr20_15M:1-24000"


def body(path: Path) -> list[str]:
    with gzip.open(path, "rt") as handle:
        return [line for line in handle if not line.startswith("##")]


def test_cli_workers_in_a_fresh_process_give_the_records_of_one_thread(tmp_path: Path) -> None:
    two = tmp_path / "two.vcf.gz"
    done = subprocess.run(
        [sys.executable, "-m", "onco_genomics.cli", "-v", "call", str(TUMOR), str(NORMAL),
         "--ref", str(REF), "--region", REGION, "--chunk-size", "6000", "--device", "cpu",
         "-o", str(two), "--threads", "2"],
        capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    if sys.platform.startswith("linux"):
        assert "in 2 workers (fork)" in done.stderr
    one = tmp_path / "one.vcf.gz"
    call_somatic(TUMOR, NORMAL, reference=REF, output=one, regions=[REGION], chunk_size=6000,
                 device="cpu", threads=1)
    assert body(one) == body(two)


def test_a_model_error_after_the_workers_start_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "calls.vcf.gz"
    with pytest.raises(ModelError, match="model folder"):
        call_somatic(TUMOR, NORMAL, reference=REF, output=out, regions=[REGION],
                     chunk_size=6000, device="cpu", threads=2, model=tmp_path / "no_model")
    assert not out.exists()
    assert not (tmp_path / "calls.vcf.gz.work").exists()
