"""CPU cost of indel realignment and MNV phasing in the scan, measured in one process.

Scans a region of a held-out pair (chunks of 50 kb, as `oncogen call` does) alternately with
and without :func:`onco_genomics.pileup.realign.realign_indels` and
:func:`onco_genomics.pileup.phasing.propose_mnvs` (replaced by no-ops), after one warm-up
scan, and prints the CPU seconds of each scan. Alternating in one process cancels most of
what other jobs on a shared machine do to the timings, which separate `oncogen call` runs
(benchmarks/caller_speed.py) cannot.

Usage::

    python benchmarks/caller_realign_cost.py --pair /tmp/oncogen_caller_bench/heldout_60x \\
        --ref /tmp/oncogen_caller_bench/ref/20.fa --repeats 2
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from onco_genomics.pileup import scan
from onco_genomics.pileup.candidates import PileupOptions
from onco_genomics.regions import Region, parse_region


def scan_cpu(pair: Path, ref: Path, region: Region, *, steps: bool) -> tuple[float, int]:
    """CPU seconds of scanning ``region`` in 50 kb chunks, and the candidates found."""
    realign, phase = scan.realign_indels, scan.propose_mnvs
    try:
        if not steps:
            scan.realign_indels = lambda candidates, *args, **kwargs: list(candidates)
            scan.propose_mnvs = lambda *args, **kwargs: []
        started = time.process_time()
        found = 0
        for chunk in region.chunks(50_000):
            found += len(scan.scan_region(pair / "tumor.bam", pair / "normal.bam", ref, chunk,
                                          options=PileupOptions()))
        return time.process_time() - started, found
    finally:
        scan.realign_indels, scan.propose_mnvs = realign, phase


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pair", type=Path, default=Path("/tmp/oncogen_caller_bench/heldout_60x"))
    parser.add_argument("--ref", type=Path, default=Path("/tmp/oncogen_caller_bench/ref/20.fa"))
    parser.add_argument("--region", default="20:40000001-41000000")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    region = parse_region(args.region)
    scan_cpu(args.pair, args.ref, region, steps=True)  # warm-up: numba kernels, page cache
    rows: dict[bool, list[tuple[float, int]]] = {False: [], True: []}
    for _ in range(args.repeats):
        for steps in (False, True):
            rows[steps].append(scan_cpu(args.pair, args.ref, region, steps=steps))
    print(f"Scan of {args.region} of {args.pair}, 50 kb chunks, one process; load average "
          f"(1 min) {os.getloadavg()[0]:.1f}")
    print()
    print("| scan | CPU s per run | candidates |")
    print("|---|---|---:|")
    for steps, label in ((False, "without realignment and MNV phasing"),
                         (True, "with both (default)")):
        times = ", ".join(f"{t:.2f}" for t, _ in rows[steps])
        print(f"| {label} | {times} | {rows[steps][0][1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
