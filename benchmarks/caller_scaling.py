"""How `oncogen call --threads 2` scales with region size: fixed cost and per-Mb cost.

`oncogen call` has a fixed cost per run (interpreter and imports, numba's one-off set-up in
every scanning process, the torch import and model load, the final VCF and its index) and
a cost per megabase (reading, pileup, encoding and scoring). A second core can only share
the second. This script times `oncogen call --threads 1` and `--threads 2` on nested
regions of one pair (one chunk up to the whole pair, ``--repeats`` interleaved runs),
fits ``wall = fixed + per_mb * Mb`` to the median wall times of each thread count (least
squares), and prints:

* the wall time and speed-up at every size;
* the fitted fixed cost and per-Mb cost per thread count, and the per-Mb speed-up
  ``per_mb(1) / per_mb(2)``, which is the speed-up of a whole-genome run (fixed costs are a
  few seconds against hours);
* the ceiling this machine allows: two copies of a pure-Python busy loop run at the same
  time against the same two in sequence (a perfectly parallel CPU-bound job gets no more);
* whether `--threads 2` wrote the same records as `--threads 1` at every size.

The pair is one `oncogen simulate` run (the default folder is made by the command in
docs/benchmarks/caller.md, "Speed and memory").

Usage::

    python benchmarks/caller_scaling.py --work /tmp/oncogen_caller_bench \
        --pair /tmp/oncogen_caller_bench/speed_10mb --start 44000001 --sizes 0.05,1,2,5,10
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BUSY_LOOP_ITERATIONS = 30_000_000


def busy_loop(n: int = BUSY_LOOP_ITERATIONS) -> float:
    """A pure-Python CPU-bound loop; returns its own wall seconds."""
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i & 7
    return time.perf_counter() - started


def busy_loop_ceiling(repeats: int) -> tuple[float, float, float]:
    """(sequential s, parallel s, ceiling) for two busy loops, best of ``repeats``."""
    context = multiprocessing.get_context("fork")
    sequential, parallel = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        busy_loop()
        busy_loop()
        sequential.append(time.perf_counter() - started)
        started = time.perf_counter()
        with context.Pool(2) as pool:
            pool.map(busy_loop, [BUSY_LOOP_ITERATIONS] * 2)
        parallel.append(time.perf_counter() - started)
    seq, par = min(sequential), min(parallel)
    return seq, par, seq / par


def steal_ticks() -> int:
    """CPU time the hypervisor gave to other guests (``steal`` in /proc/stat), in ticks."""
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()
    except OSError:
        return 0
    return int(fields[8]) if len(fields) > 8 else 0


def run_call(pair: Path, ref: Path, region: str, threads: int, out: Path,
             model: str | None) -> tuple[float, float, float]:
    """Wall s, CPU s (the command and its children) and steal fraction of one `oncogen call`.

    The steal fraction is the share of the machine's CPU time over the run that the
    hypervisor gave to other guests: runs with a high one were slowed from outside.
    """
    command = ["oncogen", "-q", "call", str(pair / "tumor.bam"), str(pair / "normal.bam"),
               "--ref", str(ref), "--region", region, "-o", str(out), "--threads", str(threads)]
    if model:
        command += ["--model", model]
    before, steal_before = os.times(), steal_ticks()
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after, steal_after = os.times(), steal_ticks()
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    cpu = (after.children_user - before.children_user
           + after.children_system - before.children_system)
    ticks = os.sysconf("SC_CLK_TCK") * wall * (os.cpu_count() or 1)
    return wall, cpu, (steal_after - steal_before) / ticks


def records(vcf: Path) -> list[str]:
    with gzip.open(vcf, "rt") as handle:
        return [line for line in handle if not line.startswith("#")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_caller_bench"))
    parser.add_argument("--pair", type=Path, default=None,
                        help="simulate output folder (default: WORK/speed_10mb)")
    parser.add_argument("--chrom", default="20")
    parser.add_argument("--start", type=int, default=44_000_001,
                        help="1-based first base of every region")
    parser.add_argument("--sizes", default="0.05,1,2,5,10", help="region sizes in Mb")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    pair = args.pair or args.work / "speed_10mb"
    ref = args.work / "ref" / "20.fa"
    out = args.work / "scaling"
    out.mkdir(parents=True, exist_ok=True)
    sizes = [float(s) for s in args.sizes.split(",")]
    regions = {size: f"{args.chrom}:{args.start}-{args.start + round(size * 1e6) - 1}"
               for size in sizes}
    walls: dict[tuple[float, int], list[float]] = {}
    cpus: dict[tuple[float, int], list[float]] = {}
    steals: list[float] = []
    loads = [os.getloadavg()[0]]
    for _ in range(args.repeats):
        for size in sizes:
            for threads in (1, 2):
                wall, cpu, steal = run_call(pair, ref, regions[size], threads,
                                            out / f"s{size}_t{threads}.vcf.gz", args.model)
                walls.setdefault((size, threads), []).append(wall)
                cpus.setdefault((size, threads), []).append(cpu)
                steals.append(steal)
                loads.append(os.getloadavg()[0])
    seq, par, ceiling = busy_loop_ceiling(args.repeats)

    print(f"Pair {pair}, regions from {args.chrom}:{args.start:,}; {args.repeats} interleaved "
          f"runs each; load average (1 min) {min(loads):.1f}-{max(loads):.1f}; steal "
          f"{min(steals):.1%}-{max(steals):.1%} of CPU time per run; {os.cpu_count()} CPUs\n")
    print("| region Mb | threads 1 wall s (median) | threads 2 wall s (median) | speed-up "
          "(medians) | speed-up (best of each) | threads 1 CPU s | threads 2 CPU s "
          "| every run, wall s (threads 1; threads 2) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    median = {key: float(np.median(values)) for key, values in walls.items()}
    best = {key: min(values) for key, values in walls.items()}
    for size in sizes:
        print(f"| {size:g} | {median[(size, 1)]:.1f} | {median[(size, 2)]:.1f} | "
              f"{median[(size, 1)] / median[(size, 2)]:.2f}x | "
              f"{best[(size, 1)] / best[(size, 2)]:.2f}x | "
              f"{np.median(cpus[(size, 1)]):.1f} | {np.median(cpus[(size, 2)]):.1f} | "
              f"{', '.join(f'{w:.1f}' for w in walls[(size, 1)])}; "
              f"{', '.join(f'{w:.1f}' for w in walls[(size, 2)])} |")
    fits = {}
    for threads in (1, 2):
        per_mb, fixed = np.polyfit(sizes, [median[(size, threads)] for size in sizes], 1)
        fits[threads] = (fixed, per_mb)
    print()
    print("| threads | fixed s (fit to the medians) | s per Mb (fit to the medians) |")
    print("|---:|---:|---:|")
    for threads, (fixed, per_mb) in fits.items():
        print(f"| {threads} | {fixed:.2f} | {per_mb:.2f} |")
    marginal = fits[1][1] / fits[2][1]
    print(f"\nper-Mb speed-up with 2 threads: {marginal:.2f}x")
    print(f"busy-loop ceiling: two loops {seq:.2f} s in sequence, {par:.2f} s at once: "
          f"{ceiling:.2f}x; the per-Mb speed-up is {marginal / ceiling:.0%} of it")
    differ = [size for size in sizes if records(out / f"s{size}_t1.vcf.gz")
              != records(out / f"s{size}_t2.vcf.gz")]
    same = not differ
    print("--threads 2 records identical to --threads 1 at every size: "
          + ("yes" if same else f"no, they differ at {', '.join(f'{d:g}' for d in differ)} Mb"))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
