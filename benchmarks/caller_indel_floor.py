"""What an indel ALT-read floor (``--min-indel-alt-reads``) would do, from one call set.

Calls are made with the default floor (2, the candidate floor: no indel flagged), so every
PASS indel of a higher floor is among them. The script scores the PASS indels against the
pair's truth (``oncogen evaluate`` rules: split, left-aligned, ``confident.bed``), splits the
false positives into the patient's germline variants (``germline.vcf.gz``) and the rest, and
prints, for each floor, the indels kept and the indel precision, recall and F1 it would give.

Usage (matched and tumor-only calls of the tuning pair heldout_60x of
benchmarks/caller_accuracy.py)::

    B=/tmp/oncogen_caller_bench
    oncogen call $B/heldout_60x/tumor.bam --tumor-only --ref $B/ref/20.fa \\
        --bed $B/heldout_60x/confident.bed -o /tmp/h60_tumor_only.vcf.gz --threads 2
    python benchmarks/caller_indel_floor.py --pair $B/heldout_60x --ref $B/ref/20.fa \\
        --calls $B/heldout_60x.oncogen-realign.vcf.gz /tmp/h60_tumor_only.vcf.gz
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import onco_genomics as og

FLOORS = (2, 3, 4, 5)


def _alt_reads(calls: Path, reference: og.Reference) -> dict[int, int]:
    """Tumor ALT reads (the last sample's AD) of every PASS indel, by 0-based position after
    the normalisation ``evaluate_calls`` applies (the reader left-aligns with the
    reference)."""
    reads = {}
    for v in og.read_variants(calls, pass_only=True, reference=reference):
        if len(v.ref) != len(v.alt):
            tumor = list(v.sample_data)[-1]
            reads[v.pos] = int(v.sample_data[tumor]["AD"][1])
    return reads


def floor_table(pair: Path, calls: Path, ref: Path) -> list[str]:
    """Markdown rows: ALT reads of the PASS indels by status, then each floor's metrics."""
    reference = og.Reference(ref)
    result = og.evaluate_calls(
        og.read_variants(pair / "truth.vcf.gz", reference=reference),
        og.read_variants(calls, reference=reference), reference=reference,
        regions=og.read_bed(pair / "confident.bed"),
        germline=og.read_variants(pair / "germline.vcf.gz", reference=reference))
    indels = result.variants[result.variants.variant_type == "INDEL"]
    fn = int((indels.status == "FN").sum())
    reads = _alt_reads(calls, reference)
    by_reads: Counter[tuple[int, str]] = Counter()
    for row in indels[indels.status != "FN"].itertuples():
        kind = "TP" if row.status == "TP" else ("FP germline" if row.germline else "FP other")
        by_reads[(min(reads.get(int(row.pos), 0), FLOORS[-1]), kind)] += 1
    rows = [f"{calls.name}: PASS indels by tumor ALT reads (5 = 5 or more; 0 = not matched)",
            "", "| ALT reads | TP | FP germline | FP other |", "|---:|---:|---:|---:|"]
    for n in (0, *FLOORS):
        rows.append(f"| {n} | {by_reads[(n, 'TP')]} | {by_reads[(n, 'FP germline')]} | "
                    f"{by_reads[(n, 'FP other')]} |")
    rows += ["", "| --min-indel-alt-reads | TP | FP | precision | recall | F1 |",
             "|---:|---:|---:|---:|---:|---:|"]
    for floor in FLOORS:
        tp = sum(c for (n, k), c in by_reads.items() if n >= floor and k == "TP")
        fp = sum(c for (n, k), c in by_reads.items() if n >= floor and k != "TP")
        lost = sum(c for (n, k), c in by_reads.items() if n < floor and k == "TP")
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn + lost) if tp + fn + lost else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        rows.append(f"| {floor} | {tp} | {fp} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pair", type=Path, required=True,
                        help="pair folder of `oncogen simulate` (truth, germline, confident.bed)")
    parser.add_argument("--ref", type=Path, required=True)
    parser.add_argument("--calls", type=Path, nargs="+", required=True,
                        help="VCFs called with the default --min-indel-alt-reads")
    args = parser.parse_args(argv)
    for calls in args.calls:
        print("\n".join(floor_table(args.pair, calls, args.ref)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
