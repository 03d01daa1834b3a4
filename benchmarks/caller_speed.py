"""Wall time and peak memory of `oncogen call` beside `bcftools mpileup | bcftools call`.

On 1 Mb (20:40,000,001-41,000,000) of the held-out 60x/30x pair made by
benchmarks/caller_accuracy.py (run that first, or pass --pair), each command runs under
``/usr/bin/time -v``; peak memory is the largest resident set of the command or of any
process it waited for (GNU time's "Maximum resident set size").

Usage::

    python benchmarks/caller_speed.py --work /tmp/oncogen_caller_bench
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path


def timed(command: str) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a shell command under /usr/bin/time -v."""
    result = subprocess.run(["/usr/bin/time", "-v", "bash", "-o", "pipefail", "-c", command],
                            capture_output=True, text=True, check=True)
    wall_text = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", result.stderr)
    rss_text = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    if wall_text is None or rss_text is None:
        raise RuntimeError(f"cannot parse /usr/bin/time output:\n{result.stderr[-2000:]}")
    seconds = 0.0
    for part in wall_text.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    return seconds, int(rss_text.group(1)) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_caller_bench"))
    parser.add_argument("--pair", type=Path, default=None,
                        help="simulate output folder (default: WORK/heldout_60x)")
    parser.add_argument("--region", default="20:40000001-41000000")
    parser.add_argument("--model", default=None)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    pair = args.pair or args.work / "heldout_60x"
    ref = args.work / "ref" / "20.fa"
    tumor, normal = pair / "tumor.bam", pair / "normal.bam"
    model = f"--model {args.model}" if args.model else ""
    out = args.work / "speed"
    out.mkdir(parents=True, exist_ok=True)
    commands = {
        "oncogen call --threads 1": f"oncogen -q call {tumor} {normal} --ref {ref} --region "
                                    f"{args.region} -o {out}/t1.vcf.gz --threads 1 {model}",
        "oncogen call --threads 2": f"oncogen -q call {tumor} {normal} --ref {ref} --region "
                                    f"{args.region} -o {out}/t2.vcf.gz --threads 2 {model}",
        "bcftools mpileup \\| bcftools call": f"bcftools mpileup -f {ref} -r {args.region} "
                                            f"-a AD,DP -Ou {tumor} {normal} | bcftools call "
                                            f"-mv -Oz -o {out}/bcftools.vcf.gz",
    }
    print(f"Region {args.region} of {pair} (1 Mb, tumor/normal as simulated); "
          f"best of {args.repeats}\n")
    print("| command | wall s | peak RSS MiB |")
    print("|---|---:|---:|")
    for name, command in commands.items():
        runs = [timed(command) for _ in range(args.repeats)]
        wall = min(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        print(f"| {name} | {wall:.1f} | {rss:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
