"""Worker processes die with their parent (issue 14, class 2).

A scheduler (Slurm, Nextflow) stops a job with SIGTERM, a user with Ctrl-C (SIGINT), the
out-of-memory killer with SIGKILL. After each, no worker of ``oncogen call --threads 2``
may survive, and nothing half-written may be left: no output, no temporary file; the work
folder holds only the manifest and finished chunk files (kept for ``--resume``).

Each trial runs ``oncogen call`` on the example pair in a subprocess and signals it while
its workers scan. ``ONCOGEN_SIGNAL_TRIALS`` sets the trials per signal (default 1);
``benchmarks/caller_signal_trials.py`` runs 20.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAIR = ROOT / "example_data" / "pair"
REF = ROOT / "example_data" / "chr20_slice.fa"
TRIALS = int(os.environ.get("ONCOGEN_SIGNAL_TRIALS", "1"))
CHUNK_FILE = re.compile(r"^(manifest\.json|chunk_\d{6}\.json)$")

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads the process table from /proc (Linux)")


def children(pid: int) -> set[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def call_argv(folder: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "onco_genomics.cli", "-q", "call", str(PAIR / "tumor.bam"),
            str(PAIR / "normal.bam"), "--ref", str(REF), "-o", str(folder / "calls.vcf.gz"),
            "--device", "cpu", "--threads", "2", "--chunk-size", "1000", *extra]


ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def start_call(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(call_argv(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV, cwd=folder)


def signal_while_scanning(folder: Path, signum: int, *, seed: int) -> dict[str, object]:
    """Start a call, signal it once its workers have finished a chunk; report what is left."""
    proc = start_call(folder)
    work = folder / "calls.vcf.gz.work"
    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        workers |= children(proc.pid)
        if work.is_dir() and any(p.name.startswith("chunk_") for p in work.iterdir()):
            break
        time.sleep(0.05)
    if proc.poll() is not None:
        raise AssertionError("the call ended before it could be signalled: "
                             f"{proc.communicate()[1]}")
    time.sleep(random.Random(seed).uniform(0.0, 0.5))
    workers |= children(proc.pid)
    proc.send_signal(signum)
    try:
        _, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
        raise AssertionError(f"the call did not stop within 60 s of {signum}: "
                             f"{stderr[-2000:]}") from None
    survivors: set[int] = set()
    for _ in range(100):  # SIGKILL: the kernel kills the orphans (PR_SET_PDEATHSIG)
        survivors = {pid for pid in workers if alive(pid)}
        if not survivors:
            break
        time.sleep(0.05)
    left = sorted(p.name for p in folder.iterdir())
    in_work = sorted(p.name for p in work.iterdir()) if work.is_dir() else []
    return {"returncode": proc.returncode, "stderr": stderr, "workers": workers,
            "survivors": survivors, "left": left, "in_work": in_work}


@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_workers_and_leaves_only_resumable_chunks(tmp_path: Path, signum: int,
                                                               trial: int) -> None:
    report = signal_while_scanning(tmp_path, signum, seed=trial)
    assert report["workers"], "no worker process was seen"
    assert not report["survivors"], report
    assert report["returncode"] == 128 + signum, report
    assert "Traceback" not in str(report["stderr"]), report["stderr"]
    assert "oncogen: interrupted by" in str(report["stderr"])
    assert report["left"] == ["calls.vcf.gz.work"], report  # no output, no temporary file
    assert all(CHUNK_FILE.match(name) for name in report["in_work"]), report  # type: ignore


def test_sigkill_of_the_parent_kills_the_workers(tmp_path: Path) -> None:
    report = signal_while_scanning(tmp_path, signal.SIGKILL, seed=0)
    assert report["workers"], "no worker process was seen"
    assert not report["survivors"], report


def test_resume_after_sigterm_gives_the_uninterrupted_records(tmp_path: Path) -> None:
    from onco_genomics.io.variants import read_variants

    stopped = tmp_path / "stopped"
    stopped.mkdir()
    report = signal_while_scanning(stopped, signal.SIGTERM, seed=1)
    assert report["left"] == ["calls.vcf.gz.work"], report
    resumed = subprocess.run(call_argv(stopped, "--resume"), capture_output=True, text=True,
                             env=ENV, check=False)
    assert resumed.returncode == 0, resumed.stderr
    whole = tmp_path / "whole"
    whole.mkdir()
    complete = subprocess.run(call_argv(whole), capture_output=True, text=True, env=ENV,
                              check=False)
    assert complete.returncode == 0, complete.stderr

    def records(path: Path) -> list[str]:
        return [str(v) for v in read_variants(path)]

    assert records(stopped / "calls.vcf.gz") == records(whole / "calls.vcf.gz")
