"""Fault injection in the threaded caller (issue 14): a worker killed mid-chunk, a disk that
fills up while a chunk file or the VCF is written; then ``--resume`` must give the records
of an uninterrupted run, and nothing half-written may be left in between.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from onco_genomics.errors import InterruptedRunError

pytestmark = [pytest.mark.usefixtures("one_torch_thread"),
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="finds the workers in /proc (Linux)")]

DATA = Path(__file__).parent / "data" / "caller"
CALL = {"reference": DATA / "ref.fa", "device": "cpu", "chunk_size": 5000, "threads": 2}


def _call(out: Path, **extra: Any) -> Any:
    from onco_genomics.caller.calling import call_somatic

    return call_somatic(DATA / "pair" / "tumor.bam", DATA / "pair" / "normal.bam",
                        output=out, **{**CALL, **extra})


def _records(path: Path) -> list[str]:
    from onco_genomics.io.variants import read_variants

    return [str(v) for v in read_variants(path)]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("whole") / "calls.vcf.gz"
    _call(out, threads=1)
    return _records(out)


def _children() -> set[int]:
    """Live worker processes of this process (not multiprocessing's resource tracker)."""
    me = os.getpid()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if (int(fields[1]) == me and fields[0] != "Z"
                    and b"resource_tracker" not in command):
                found.add(int(entry.name))
    return found


def _after(n: int, action: Callable[[], None],
           original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``original`` so that ``action`` runs on its n-th call (then calls through)."""
    calls = {"n": 0}

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == n:
            action()
        return original(*args, **kwargs)

    return wrapped


def _left_behind(folder: Path) -> list[str]:
    """Anything but the work folder's manifest and finished chunk files."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name != "calls.vcf.gz.work" and p.name != "manifest.json"
                  and not (p.name.startswith("chunk_") and p.suffix == ".json"))


def _resume_matches(out: Path, uninterrupted: list[str], **extra: Any) -> None:
    result = _call(out, resume=True, **extra)
    assert result.chunks_resumed > 0
    assert _records(out) == uninterrupted
    assert sorted(p.name for p in out.parent.iterdir()) == ["calls.vcf.gz", "calls.vcf.gz.tbi"]


def test_worker_killed_mid_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 uninterrupted: list[str]) -> None:
    import onco_genomics.caller.calling as calling

    def kill_a_worker() -> None:
        workers = sorted(_children())
        assert workers, "no worker process to kill"
        os.kill(workers[0], signal.SIGKILL)

    # 40 chunks, at most 32 in flight: when the first is scored, most are still to scan
    monkeypatch.setattr(calling, "score_batch", _after(1, kill_a_worker, calling.score_batch))
    out = tmp_path / "calls.vcf.gz"
    with pytest.raises(InterruptedRunError, match=r"worker process died.*--resume"):
        _call(out, chunk_size=1000)
    assert _left_behind(tmp_path) == []
    assert not _children(), "a worker outlived the failed run"
    monkeypatch.undo()
    _resume_matches(out, uninterrupted, chunk_size=1000)


def test_disk_full_while_writing_a_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         uninterrupted: list[str]) -> None:
    import onco_genomics.caller.calling as calling
    from onco_genomics.io.atomic import atomic_path

    real = calling._write_chunk
    calls = {"n": 0}

    def full_disk(work: Path, index: int, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] < 3:
            return real(work, index, *args)
        with atomic_path(work / f"chunk_{index:06d}.json") as tmp:
            tmp.write_text('{"chunk": "half')  # then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    monkeypatch.setattr(calling, "_write_chunk", full_disk)
    out = tmp_path / "calls.vcf.gz"
    with pytest.raises(InterruptedRunError, match=r"no space left.*--resume"):
        _call(out)
    assert _left_behind(tmp_path) == []
    assert len(list((tmp_path / "calls.vcf.gz.work").glob("chunk_*.json"))) == 2
    monkeypatch.undo()
    _resume_matches(out, uninterrupted)


def test_disk_full_while_writing_the_vcf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         uninterrupted: list[str]) -> None:
    import onco_genomics.io.variants as variants
    from onco_genomics.io.atomic import atomic_path

    def full_disk(path: Path, *args: Any, **kwargs: Any) -> None:
        with atomic_path(path) as tmp:
            tmp.write_bytes(b"\x1f\x8b half a VCF")
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    monkeypatch.setattr(variants, "write_vcf", full_disk)
    out = tmp_path / "calls.vcf.gz"
    with pytest.raises(InterruptedRunError, match=r"no space left.*--resume"):
        _call(out)
    assert _left_behind(tmp_path) == []
    monkeypatch.undo()
    result = _call(out, resume=True)
    assert result.chunks_resumed == result.chunks_total  # every chunk was kept
    assert _records(out) == uninterrupted
