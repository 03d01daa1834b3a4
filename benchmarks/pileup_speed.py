"""Speed and memory of the candidate scan against ``bcftools mpileup | bcftools call``.

Scans a region chunk by chunk with :func:`onco_genomics.pileup.scan.scan_region` (one
process, as one caller worker does), then runs bcftools on the same BAMs and region, and
prints one table: seconds, seconds per Mb, reads/s, candidates/s and peak memory. With
``--truth`` it also prints the share of true somatic variants that became candidates
(the ceiling of the caller's recall), by type.

Usage (a pair from ``oncogen simulate``)::

    oncogen simulate --ref /usr/share/doc/vt/examples/ref/20.fa.gz \\
        --region 20:10000001-11000000 --out-dir sim --seed 7
    python benchmarks/pileup_speed.py --tumor sim/tumor.bam --normal sim/normal.bam \\
        --ref /usr/share/doc/vt/examples/ref/20.fa.gz --region 20:10000001-11000000 \\
        --truth sim/truth.vcf.gz

Each tool runs in a child process, so its peak resident memory (``ru_maxrss``) is its own.
The first scan compiles the numba kernels into numba's cache; run once before timing
(``--warmup``, on by default, scans 20 kb first).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pysam

from onco_genomics.regions import Region, parse_region

_CHILD = r"""
import json, resource, sys, time
from onco_genomics.pileup.candidates import PileupOptions
from onco_genomics.pileup.scan import scan_region
from onco_genomics.regions import Region
args = json.loads(sys.argv[1])
region = Region(*args["region"])
if args["warmup"]:
    scan_region(args["tumor"], args["normal"], args["ref"],
                Region(region.chrom, region.start, min(region.end, region.start + 20000)))
start = time.perf_counter()
found = []
for chunk in region.chunks(args["chunk"]):
    batch = scan_region(args["tumor"], args["normal"], args["ref"], chunk)
    found += [(c.chrom, c.pos, c.ref, c.alt, c.vartype) for c in batch.candidates]
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "candidates": found}))
"""


def count_reads(path: str, region: Region) -> int:
    """Primary mapped reads overlapping the region."""
    with pysam.AlignmentFile(path) as bam:
        return sum(1 for read in bam.fetch(region.chrom, region.start, region.end)
                   if not read.flag & 0x904)


def run_oncogen(tumor: str, normal: str, ref: str, region: Region, chunk: int,
                warmup: bool) -> dict[str, object]:
    payload = json.dumps({"tumor": tumor, "normal": normal, "ref": ref, "chunk": chunk,
                          "region": [region.chrom, region.start, region.end],
                          "warmup": warmup})
    done = subprocess.run([sys.executable, "-c", _CHILD, payload], check=True,
                          capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_bcftools(tumor: str, normal: str, ref: str, region: Region, *,
                 extra: str = "") -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; bcftools mpileup {extra}-f {ref} -r {region} {tumor} "
                       f"{normal} 2>/dev/null | bcftools call -mv 2>/dev/null | grep -vc '^#'"],
        check=False, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "peak_mb": max(after.ru_maxrss, before.ru_maxrss) / 1024,
            "records": float(done.stdout.strip() or 0)}


def truth_recall(truth: str, candidates: list[list[object]], region: Region) -> dict[str, str]:
    from onco_genomics.io.variants import read_variants

    found = {(str(c[0]), int(str(c[1])), str(c[2]), str(c[3])) for c in candidates}
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for variant in read_variants(truth):
        if not region.contains(variant.chrom, variant.pos):
            continue
        kind = variant.vartype
        totals[kind] += 1
        hits[kind] += (variant.chrom, variant.pos, variant.ref, variant.alt) in found
    return {kind: f"{hits[kind]}/{totals[kind]} ({hits[kind] / totals[kind]:.1%})"
            for kind in sorted(totals)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tumor", required=True)
    parser.add_argument("--normal", required=True)
    parser.add_argument("--ref", required=True)
    parser.add_argument("--region", required=True, help="1-based, e.g. 20:10000001-11000000")
    parser.add_argument("--chunk", type=int, default=250_000, help="bases per scan_region call")
    parser.add_argument("--truth", help="truth VCF: report candidate recall by type")
    parser.add_argument("--no-warmup", action="store_true")
    parser.add_argument("--skip-bcftools", action="store_true")
    args = parser.parse_args(argv)
    with pysam.FastaFile(args.ref) as fasta:
        lengths = dict(zip(fasta.references, fasta.lengths, strict=True))
    region = parse_region(args.region, lengths)
    mb = len(region) / 1e6
    reads = count_reads(args.tumor, region) + count_reads(args.normal, region)

    # bcftools first: RUSAGE_CHILDREN's peak is then bcftools' own (the larger of the two)
    bcf = bcf_nobaq = None
    if not args.skip_bcftools:
        bcf = run_bcftools(args.tumor, args.normal, args.ref, region)
        bcf_nobaq = run_bcftools(args.tumor, args.normal, args.ref, region, extra="-B ")
    ours = run_oncogen(args.tumor, args.normal, args.ref, region, args.chunk,
                       not args.no_warmup)
    candidates = ours["candidates"]
    assert isinstance(candidates, list)
    seconds = float(str(ours["seconds"]))
    rows = [("oncogen scan_region", seconds, float(str(ours["peak_mb"])), len(candidates))]
    if bcf is not None and bcf_nobaq is not None:
        rows.append(("bcftools mpileup | call -mv", bcf["seconds"], bcf["peak_mb"],
                     int(bcf["records"])))
        rows.append(("bcftools mpileup -B | call -mv", bcf_nobaq["seconds"],
                     bcf_nobaq["peak_mb"], int(bcf_nobaq["records"])))

    print(f"region {region} ({mb:.3f} Mb), {reads:,} primary reads (tumour + normal), "
          f"chunks of {args.chunk:,} bases")
    print(f"{'tool':<31} {'seconds':>8} {'s/Mb':>8} {'reads/s':>10} {'sites':>8} "
          f"{'sites/s':>9} {'peak MB':>8}")
    for name, secs, peak, sites in rows:
        print(f"{name:<31} {secs:>8.2f} {secs / mb:>8.2f} {reads / secs:>10,.0f} {sites:>8,} "
              f"{sites / secs:>9,.0f} {peak:>8.0f}")
    kinds = Counter(str(c[4]) for c in candidates)
    print("candidates by type: " + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items())))
    if args.truth:
        recall = truth_recall(args.truth, candidates, region)
        print("truth variants proposed as candidates: "
              + ", ".join(f"{k} {v}" for k, v in recall.items()))
    print(f"(sites: candidates for oncogen, VCF records for bcftools; {Path(args.tumor).name} "
          f"vs {Path(args.normal).name})")


if __name__ == "__main__":
    main()
