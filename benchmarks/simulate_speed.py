"""Speed of ``oncogen simulate``: wall time to simulate a tumor/normal pair.

Runs :func:`onco_genomics.simulate.simulate_pair` on real GRCh37 chr20 sequence (Debian
vt-examples) for each combination of thread count and index scope and prints a table.
Timings depend on the machine and its load; the figure in docs/simulate.md says where it
was measured.

Usage::

    python benchmarks/simulate_speed.py                      # 1 Mb, 60x/30x, 1 and 2 threads
    python benchmarks/simulate_speed.py --region 20:10000001-10250000 --threads 2
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

from onco_genomics.simulate import SimulationOptions, simulate_pair

CHR20 = "/usr/share/doc/vt/examples/ref/20.fa.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default=CHR20)
    parser.add_argument("--region", default="20:10000001-11000000")
    parser.add_argument("--tumor-depth", type=float, default=60.0)
    parser.add_argument("--normal-depth", type=float, default=30.0)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--align-to", nargs="+", default=["contigs", "regions"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    rows = []
    for align_to in args.align_to:
        for threads in args.threads:
            options = SimulationOptions(args.ref, regions=(args.region,), seed=1,
                                        tumor_depth=args.tumor_depth,
                                        normal_depth=args.normal_depth, threads=threads,
                                        align_to=align_to)
            with tempfile.TemporaryDirectory(prefix="oncogen-bench-") as tmp:
                start = time.perf_counter()
                cpu_start = os.times()
                result = simulate_pair(options, Path(tmp))
                wall = time.perf_counter() - start
                cpu_end = os.times()
            cpu = (cpu_end.user - cpu_start.user) + (cpu_end.system - cpu_start.system)
            pairs = sum(result.read_pairs.values())
            rows.append((args.region, f"{args.tumor_depth:g}x/{args.normal_depth:g}x",
                         align_to, threads, wall, cpu, pairs, pairs / wall))
            print(f"done: {align_to} threads={threads} {wall:.1f} s", flush=True)

    header = ("region", "depth T/N", "align_to", "threads", "wall_s", "cpu_s", "read_pairs",
              "pairs_per_s")
    print("\n| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for region, depth, align_to, threads, wall, cpu, pairs, rate in rows:
        print(f"| {region} | {depth} | {align_to} | {threads} | {wall:.1f} | {cpu:.1f} | "
              f"{pairs:,} | {rate:,.0f} |")
    print(f"\ncpu_count={os.cpu_count()}, load average={os.getloadavg()}")


if __name__ == "__main__":
    main()
