"""Where low-VAF SNV calls are won and lost: truth and noise by tumour ALT-read count.

For one simulated pair (a folder written by ``oncogen simulate``) and an oncogen VCF of it
(LowQual records included, as ``oncogen call`` writes them), this scans the pair with the
caller's own read filters but a proposal floor of **one** ALT read, and tabulates, by the
number of tumour reads showing the allele (after the MAPQ/BQ/duplicate/overlap filters):

* truth somatic SNVs (in the confident BED) and the SNV alleles that are not somatic
  (sequencing and PCR errors, 8-oxoG, germline);
* oncogen's PASS calls among them (TP, FP).

It then gives the **best any caller could do** from read counts alone at each truth VAF
bin: a caller that knew exactly which candidates with ``>= k`` ALT reads are real is not
available, so the bound reported is the one from counts: with a minimum of ``k`` ALT reads,
recall is at most the share of truth SNVs with ``>= k`` reads, and unless the caller can
tell errors from variants among the sites with exactly ``k`` reads, precision is at most
``true / (true + noise)`` there. This is the table quoted in docs/benchmarks/caller.md.

Usage::

    python benchmarks/caller_lowvaf_ceiling.py --pair /tmp/oncogen_caller_bench/heldout_60x \\
        --calls /tmp/oncogen_caller_bench/heldout_60x.oncogen.vcf.gz \\
        --ref /tmp/oncogen_caller_bench/ref/20.fa
"""

from __future__ import annotations

import argparse
import collections
import math
from pathlib import Path

BINS = ((0.0, 0.075), (0.075, 0.15), (0.15, 0.30), (0.30, 1.01))
K_LABELS = ("1", "2", "3", "4", "5-9", ">=10")


def k_label(k: int) -> str:
    if k <= 4:
        return str(k)
    return "5-9" if k < 10 else ">=10"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", type=Path, required=True, help="oncogen simulate folder")
    parser.add_argument("--calls", type=Path, required=True, help="oncogen call VCF of the pair")
    parser.add_argument("--ref", type=Path, required=True)
    parser.add_argument("--chunk", type=int, default=50_000)
    args = parser.parse_args()

    from onco_genomics.caller.labels import allele_key, load_truth
    from onco_genomics.io.bed import read_bed
    from onco_genomics.io.reference import Reference
    from onco_genomics.io.variants import read_variants
    from onco_genomics.pileup.candidates import PileupOptions
    from onco_genomics.pileup.scan import scan_region
    from onco_genomics.regions import Region

    reference = Reference(args.ref)
    truth = load_truth(args.pair / "truth.vcf.gz", reference,
                       germline_vcf=args.pair / "germline.vcf.gz")
    somatic = {k: v for k, v in truth.somatic.items() if len(k[2]) == len(k[3]) == 1}
    regions = read_bed(args.pair / "confident.bed")
    passed = {}
    for record in read_variants(args.calls):
        key = allele_key(record, reference)
        passed[key] = not record.filters

    options = PileupOptions(min_alt_reads=1, min_af=0.0)
    seen: dict[tuple[str, int, str, str], int] = {}
    noise = collections.Counter()
    germ = collections.Counter()
    for region in regions:
        for start in range(region.start, region.end, args.chunk):
            chunk = Region(region.chrom, start, min(region.end, start + args.chunk))
            batch = scan_region(args.pair / "tumor.bam", args.pair / "normal.bam", reference,
                                chunk, options=options)
            for cand in batch.candidates:
                if cand.vartype != "SNV":
                    continue
                key = (cand.chrom, cand.pos, cand.ref, cand.alt)
                if key in somatic:
                    seen[key] = cand.tumor.alt
                elif key in truth.germline:
                    germ[k_label(cand.tumor.alt)] += 1
                else:
                    noise[k_label(cand.tumor.alt)] += 1
                    if passed.get(key):
                        noise["PASS " + k_label(cand.tumor.alt)] += 1

    print(f"pair {args.pair}: {len(somatic)} truth SNVs, confident bases "
          f"{sum(len(r) for r in regions):,}")
    print()
    print("| tumour ALT reads | truth SNVs | oncogen TP | not-somatic SNV alleles (errors, "
          "artefacts) | oncogen FP | germline alleles | precision if all called |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    true_k = collections.Counter(k_label(k) for k in seen.values())
    tp_k = collections.Counter(k_label(k) for key, k in seen.items() if passed.get(key))
    true_k["0"] = len(somatic) - len(seen)
    for label in ("0", *K_LABELS):
        t, n = true_k[label], noise[label]
        prec = t / (t + n) if t + n else math.nan
        print(f"| {label} | {t} | {tp_k[label]} | {n} | {noise['PASS ' + label]} | "
              f"{germ[label]} | {prec:.3f} |")
    print()
    print("Truth SNVs by VAF bin and ALT reads (recall ceiling for a floor of k reads):")
    print()
    print("| truth VAF bin | SNVs | >= 1 read | >= 2 | >= 3 | >= 4 | oncogen recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for lo, hi in BINS:
        keys = [k for k, vaf in somatic.items() if lo <= vaf < hi]
        if not keys:
            continue
        reads = [seen.get(k, 0) for k in keys]
        shares = [sum(r >= m for r in reads) / len(keys) for m in (1, 2, 3, 4)]
        recall = sum(bool(passed.get(k)) for k in keys) / len(keys)
        print(f"| [{lo:.3g},{min(hi, 1.0):.3g}) | {len(keys)} | "
              + " | ".join(f"{s:.3f}" for s in shares) + f" | {recall:.3f} |")


if __name__ == "__main__":
    main()
