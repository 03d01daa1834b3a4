"""Repeat the signal trials of tests/test_caller_signals.py and print a table.

Each trial starts ``oncogen call --threads 2`` on the example pair, signals it while its
workers scan (SIGTERM as a scheduler does, SIGINT as Ctrl-C does) and checks that no
worker survives, the exit status is 128 + N, no traceback is printed, and nothing but
resumable chunk files is left; plus SIGKILL of the parent (the workers must die) and a
``--resume`` after SIGTERM (the records of an uninterrupted run).

    python benchmarks/caller_signal_trials.py [--trials 20]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20, help="trials per signal")
    args = parser.parse_args()
    env = {**os.environ, "ONCOGEN_SIGNAL_TRIALS": str(args.trials),
           "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider",
         "tests/test_caller_signals.py"], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False)
    seconds = time.monotonic() - start
    outcome: Counter[tuple[str, str]] = Counter()
    names = {"15": "SIGTERM", "2": "SIGINT"}
    for line in proc.stdout.splitlines():
        match = re.match(r"^(PASSED|FAILED|ERROR) tests/test_caller_signals\.py::(\w+)"
                         r"(?:\[(\d+)-(\d+)\])?", line)
        if not match:
            continue
        status, test, signum, _ = match.groups()
        label = (names.get(signum or "", "?") if test.startswith("test_signal_stops")
                 else "SIGKILL of the parent" if "sigkill" in test else "resume after SIGTERM")
        outcome[(label, status)] += 1
    print(f"{'trial':<24}{'runs':>6}{'passed':>8}{'failed':>8}")
    for label in ("SIGTERM", "SIGINT", "SIGKILL of the parent", "resume after SIGTERM"):
        passed, failed = outcome[(label, "PASSED")], outcome[(label, "FAILED")] + outcome[
            (label, "ERROR")]
        print(f"{label:<24}{passed + failed:>6}{passed:>8}{failed:>8}")
    print(f"({seconds:.0f} s; pytest exit status {proc.returncode})")
    if proc.returncode:
        print(proc.stdout[-4000:])
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
