"""Wall time, CPU time and memory of `oncogen call` beside `bcftools mpileup | bcftools call`.

On a region (default 1 Mb, 20:40,000,001-41,000,000) of the held-out 60x/30x pair made by
benchmarks/caller_accuracy.py (run that first, or pass --pair), each command runs under
``/usr/bin/time -v``:

* wall s: elapsed time (best of --repeats; runs of different commands are interleaved);
* CPU s: user + system time of the command and every process it waited for (the run with
  the best wall time), which depends much less on other jobs on the machine than wall time;
* peak RSS MiB: the largest resident set of any single process (GNU time's "Maximum
  resident set size");
* peak PSS MiB: the largest total proportional set size of the whole process tree (the
  main process and its workers, shared pages counted once), sampled every 50 ms from
  /proc: the memory the run really needs.

Two more rows time the scan alone (``ChunkScanner`` over the same chunks, no torch, no
model, no output) with 1 and 2 processes, which separates the scan's own scaling from the
fixed start-up of `oncogen call`. The load average (1 min) is printed before each table;
wall-time speed-ups need idle cores.

Usage::

    python benchmarks/caller_speed.py --work /tmp/oncogen_caller_bench --repeats 3
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCAN_ONLY = """
import sys
from onco_genomics.caller.calling import DEFAULT_CHUNK_SIZE
from onco_genomics.caller.scanning import ChunkScanner
from onco_genomics.io.reference import Reference
from onco_genomics.pileup.candidates import PileupOptions
from onco_genomics.regions import parse_region

tumor, normal, ref, region, threads = sys.argv[1:6]
with Reference(ref) as reference:
    lengths = dict(reference.contigs)
chunks = list(parse_region(region, lengths).chunks(DEFAULT_CHUNK_SIZE))
with ChunkScanner(tumor, normal, ref, chunks, options=PileupOptions(),
                  threads=int(threads)) as scanner:
    n = sum(len(batch) for _, batch in scanner)
print(n, "candidates")
"""


@dataclass(frozen=True)
class Timing:
    """One run of a command."""

    wall: float
    cpu: float
    rss_mib: float
    pss_mib: float


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
    except OSError:
        pass
    return found


def _tree_pss_kib(root: int) -> int:
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(_children(pid))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def timed(command: str) -> Timing:
    """Time a shell command under /usr/bin/time -v, sampling its tree's PSS meanwhile."""
    process = subprocess.Popen(["/usr/bin/time", "-v", "bash", "-o", "pipefail", "-c", command],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_pss_kib(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"command failed ({process.returncode}): {command}\n{stderr[-2000:]}")

    def field(pattern: str) -> str:
        found = re.search(pattern, stderr)
        if found is None:
            raise RuntimeError(f"cannot parse /usr/bin/time output:\n{stderr[-2000:]}")
        return found.group(1)

    wall = 0.0
    for part in field(r"Elapsed \(wall clock\) time.*: (\S+)").split(":"):
        wall = wall * 60 + float(part)
    cpu = float(field(r"User time \(seconds\): (\S+)")) + float(
        field(r"System time \(seconds\): (\S+)"))
    rss = int(field(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024
    return Timing(wall=wall, cpu=cpu, rss_mib=rss, pss_mib=peak[0] / 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_caller_bench"))
    parser.add_argument("--pair", type=Path, default=None,
                        help="simulate output folder (default: WORK/heldout_60x)")
    parser.add_argument("--region", default="20:40000001-41000000")
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-bcftools", action="store_true", help="skip the bcftools row")
    parser.add_argument("--no-scan-only", action="store_true", help="skip the scan-only rows")
    args = parser.parse_args(argv)
    pair = args.pair or args.work / "heldout_60x"
    ref = args.work / "ref" / "20.fa"
    tumor, normal = pair / "tumor.bam", pair / "normal.bam"
    model = f"--model {args.model}" if args.model else ""
    out = args.work / "speed"
    out.mkdir(parents=True, exist_ok=True)
    commands: dict[str, str] = {}
    for threads in (1, 2):
        commands[f"oncogen call --threads {threads}"] = (
            f"oncogen -q call {tumor} {normal} --ref {ref} --region {args.region} "
            f"-o {out}/t{threads}.vcf.gz --threads {threads} {model}")
    if not args.no_bcftools:
        commands["bcftools mpileup \\| bcftools call"] = (
            f"bcftools mpileup -f {ref} -r {args.region} -a AD,DP -Ou {tumor} {normal} | "
            f"bcftools call -mv -Oz -o {out}/bcftools.vcf.gz")
    if not args.no_scan_only:
        for threads in (1, 2):
            commands[f"scan only, {threads} process{'es' if threads > 1 else ''}"] = (
                f"{shlex.quote(sys.executable)} -c {shlex.quote(SCAN_ONLY)} {tumor} {normal} "
                f"{ref} {args.region} {threads}")
    runs: dict[str, list[Timing]] = {name: [] for name in commands}
    loads = [os.getloadavg()[0]]
    for _ in range(args.repeats):
        for name, command in commands.items():
            runs[name].append(timed(command))
            loads.append(os.getloadavg()[0])
    print(f"Region {args.region} of {pair}; best of {args.repeats}; load average (1 min) "
          f"{min(loads):.1f}-{max(loads):.1f} during the runs, on {os.cpu_count()} CPUs\n")
    print("| command | wall s | CPU s | peak RSS MiB | peak PSS MiB (all processes) |")
    print("|---|---:|---:|---:|---:|")
    for name, timings in runs.items():
        best = min(timings, key=lambda t: t.wall)
        rss = max(t.rss_mib for t in timings)
        pss = max(t.pss_mib for t in timings)
        print(f"| {name} | {best.wall:.1f} | {best.cpu:.1f} | {rss:.0f} | {pss:.0f} |")
    pairs = [("oncogen call", "oncogen call --threads 1", "oncogen call --threads 2"),
             ("scan only", "scan only, 1 process", "scan only, 2 processes")]
    print()
    for label, one, two in pairs:
        if one in runs and two in runs:
            t1 = min(t.wall for t in runs[one])
            t2 = min(t.wall for t in runs[two])
            print(f"{label}: speed-up with 2 processes {t1 / t2:.2f}x (wall)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
