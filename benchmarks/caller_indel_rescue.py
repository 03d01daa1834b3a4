"""How many true and false indels (or SNVs) an evidence rescue would pass, per setting.

The rescue (``FilterOptions.indel_rescue_min_alt_reads`` / ``indel_rescue_min_af``,
:func:`onco_genomics.caller.records.strong_indel_evidence`) passes an indel whose PROB is
under the model's threshold when its reads alone make the case: at least N tumor ALT reads
and tumor AF >= F, and the allele-count rule's conditions on the normal (depth >= 10 in both,
at most 1 normal ALT read, normal AF x 5 < tumor AF). This script counts, for a grid of
(N, F), the candidates under the threshold that the rescue would pass, split into true and
false by the truth, from the ablation run of benchmarks/caller_accuracy.py (``filters_only``:
every candidate written with its PROB and hand filters, in ``PAIR.filters_only-LABEL.vcf.gz
.all.vcf.gz``, scored in ``PAIR.filters_only-LABEL.eval.variants.tsv``). Candidates with a
hand filter other than LowQual are left out (the rescue does not lift those).

Usage (the default was chosen on heldout_60x only; the other pairs are reported)::

    python benchmarks/caller_accuracy.py --work /tmp/oncogen_caller_bench --threads 2 \\
        --callers filters_only --label=-v3
    python benchmarks/caller_indel_rescue.py --work /tmp/oncogen_caller_bench --label=-v3 \\
        --pairs heldout_60x,hard_lowpurity,vaf5_60x,tin5_oxog,binned_q,bwa,sbs17,ffpe_heavy
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pysam

import onco_genomics as og
from onco_genomics.caller.records import strong_indel_evidence

GRID = ((4, 0.1), (5, 0.1), (5, 0.2), (8, 0.15), (10, 0.2))


def candidates(work: Path, pair: str, label: str,
               snv: bool) -> list[tuple[bool, float, int, int, int, int]]:
    """(true?, PROB, tumor ALT, tumor DP, normal ALT, normal DP) of every indel (or SNV)
    candidate of the ablation run without a hand filter other than LowQual."""
    status = {}
    stem = work / f"{pair}.filters_only{label}"
    with open(f"{stem}.eval.variants.tsv") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["status"] in ("TP", "FP"):  # 1-based positions
                status[(int(row["pos"]), row["ref"], row["alt"])] = row["status"] == "TP"
    out = []
    with pysam.VariantFile(f"{stem}.vcf.gz.all.vcf.gz") as vcf:
        for rec in vcf:
            alt = (rec.alts or ("",))[0]
            if (len(rec.ref) == len(alt)) != snv:
                continue
            if set(rec.filter.keys()) - {"PASS", "LowQual"}:
                continue
            truth = status.get((rec.pos, rec.ref, alt))
            if truth is None:
                continue
            normal, tumor = rec.samples["NORMAL"], rec.samples["TUMOR"]
            out.append((truth, float(rec.info["PROB"]), tumor["AD"][1], tumor["DP"],
                        normal["AD"][1], normal["DP"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_caller_bench"))
    parser.add_argument("--label", default="-v3", help="--label of the filters_only run")
    parser.add_argument("--pairs", required=True, help="comma-separated pair names")
    parser.add_argument("--model", default=None, help="model folder (its threshold)")
    args = parser.parse_args(argv)
    threshold = og.load_caller_model(args.model, device="cpu").threshold
    pairs = args.pairs.split(",")
    for snv in (False, True):
        kind = "SNV" if snv else "indel"
        print(f"\n{kind}s under PROB {threshold:g} that the rescue would pass: "
              "true / false, per pair\n")
        print("| reads, AF | " + " | ".join(pairs) + " | total |")
        print("|---|" + "---:|" * (len(pairs) + 1))
        per_pair = {p: candidates(args.work, p, args.label, snv) for p in pairs}
        for reads, af in GRID:
            options = og.FilterOptions(indel_rescue_min_alt_reads=reads, indel_rescue_min_af=af)
            cells, total = [], [0, 0]
            for pair in pairs:
                hits = [truth for truth, prob, t_alt, t_dp, n_alt, n_dp in per_pair[pair]
                        if prob < threshold and strong_indel_evidence(
                            "INS", t_alt, t_dp, n_alt, n_dp, options)]
                tp, fp = sum(hits), len(hits) - sum(hits)
                total[0] += tp
                total[1] += fp
                cells.append(f"{tp} / {fp}")
            print(f"| {reads}, {af:g} | " + " | ".join(cells) + f" | {total[0]} / {total[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
