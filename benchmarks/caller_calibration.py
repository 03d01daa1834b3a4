"""Calibration of the caller's PROB and the choice of its threshold on held-out pairs.

Reads the every-candidate VCFs that ``benchmarks/caller_accuracy.py`` writes for its
``filters_only`` ablation (``WORK/<pair>.filters_only<LABEL>.vcf.gz.all.vcf.gz``: every
candidate with its PROB and hand filters), labels each candidate with ``oncogen
evaluate``'s matching (left-aligned, trimmed) against the pair's truth, and prints

* the reliability table: candidates without a hand filter, binned by PROB, the mean PROB
  against the share that are true somatic variants;
* the threshold sweep: precision, recall and F1 (SNV, INDEL, ALL; PASS = no hand filter
  and PROB >= t; recall over every truth variant in the confident regions) pooled over the
  pairs, and the threshold with the best pooled F1 of all variants;
* with ``--fit-calibration MODEL_DIR``: a Platt calibration per variant type (logistic
  regression of "is somatic" on logit(PROB), candidates without a hand filter), written
  into the model's ``model.json``; the sweep and the chosen threshold then use the
  calibrated PROB (which is what ``oncogen call`` reports with that model).

The pairs used here must not be the pairs the chosen threshold is then judged on.

Usage::

    python benchmarks/caller_calibration.py --work /tmp/oncogen_caller_bench \\
        --pairs heldout_60x --label -v2 [--plot docs/benchmarks/caller_reliability.png]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from onco_genomics.evaluate.compare import evaluate_calls
from onco_genomics.io.bed import read_bed
from onco_genomics.io.normalize import normalize_variant
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import read_variants

THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.0, 0.96, 0.05))


def labelled_candidates(work: Path, pair: str, label: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Every candidate of a pair (prob, hand-filtered, type, true) and truth counts by type."""
    folder = work / pair
    path = work / f"{pair}.filters_only{label}.vcf.gz.all.vcf.gz"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run benchmarks/caller_accuracy.py --callers "
                         f"filters_only --label '{label}' --configs {pair} first")
    regions = read_bed(folder / "confident.bed")
    with Reference(work / "ref" / "20.fa") as ref:
        truth = list(read_variants(folder / "truth.vcf.gz"))
        calls = list(read_variants(path))
        result = evaluate_calls(truth, calls, reference=ref, regions=regions, pass_only=False)
        frame = result.variants
        status = dict(zip(zip(frame["chrom"], frame["pos"].astype(int), frame["ref"],
                              frame["alt"], strict=True), frame["status"], strict=True))
        rows = []
        for call in calls:
            norm = normalize_variant(call, ref)
            key = (norm.chrom, int(norm.pos), norm.ref, norm.alt)
            if key not in status:
                continue  # outside the confident regions
            filters = set(call.filters) - {"PASS", "LowQual"}
            rows.append({"pair": pair, "prob": float(call.info["PROB"]),
                         "hand_filtered": bool(filters), "vartype": str(call.info["TYPE"]),
                         "type": "SNV" if len(call.ref) == len(call.alt) == 1 else "INDEL",
                         "true": status[key] == "TP"})
    table = result.table
    totals = {vtype: int(table[(table["variant_type"] == vtype) & (table["vaf_bin"] == "all")]
                         [["tp", "fn"]].sum(axis=1).sum())
              for vtype in ("SNV", "INDEL")}
    return pd.DataFrame(rows), totals


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table (no tabulate dependency)."""
    def cell(value: object) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def sweep(candidates: pd.DataFrame, totals: dict[str, int]) -> pd.DataFrame:
    rows = []
    for threshold in THRESHOLDS:
        passed = candidates[~candidates["hand_filtered"] & (candidates["prob"] >= threshold)]
        row: dict[str, float] = {"threshold": threshold}
        for vtype in ("SNV", "INDEL", "ALL"):
            sel = passed if vtype == "ALL" else passed[passed["type"] == vtype]
            tp = int(sel["true"].sum())
            fp = len(sel) - tp
            total = sum(totals.values()) if vtype == "ALL" else totals[vtype]
            precision = tp / (tp + fp) if tp + fp else float("nan")
            recall = tp / total if total else float("nan")
            f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
            row.update({f"{vtype}_precision": precision, f"{vtype}_recall": recall,
                        f"{vtype}_f1": f1})
        rows.append(row)
    return pd.DataFrame(rows)


def reliability(candidates: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    kept = candidates[~candidates["hand_filtered"]]
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(kept["prob"].to_numpy(), edges) - 1, 0, bins - 1)
    rows = []
    for b in range(bins):
        sel = kept.loc[index == b]
        rows.append({"bin": f"[{edges[b]:.1f},{edges[b + 1]:.1f})", "candidates": len(sel),
                     "mean_prob": float(sel["prob"].mean()) if len(sel) else float("nan"),
                     "share_true": float(sel["true"].mean()) if len(sel) else float("nan")})
    return pd.DataFrame(rows)


def fit_platt(candidates: pd.DataFrame) -> dict[str, list[float]]:
    """Per variant type (SNV/INS/DEL): (slope, intercept) of true ~ logit(PROB)."""
    from sklearn.linear_model import LogisticRegression

    kept = candidates[~candidates["hand_filtered"]]
    fitted: dict[str, list[float]] = {}
    for vartype in ("SNV", "INS", "DEL"):
        sel = kept[kept["vartype"] == vartype]
        if len(sel) < 20 or sel["true"].nunique() < 2:
            continue
        p = np.clip(sel["prob"].to_numpy(), 1e-7, 1 - 1e-7)
        x = np.log(p / (1 - p))[:, None]
        model = LogisticRegression(C=1e6).fit(x, sel["true"].to_numpy())
        slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
        if slope > 0:
            fitted[vartype] = [round(slope, 5), round(intercept, 5)]
    return fitted


def apply_platt(candidates: pd.DataFrame, fitted: dict[str, list[float]]) -> pd.DataFrame:
    out = candidates.copy()
    p = np.clip(out["prob"].to_numpy(), 1e-7, 1 - 1e-7)
    logit = np.log(p / (1 - p))
    calibrated = out["prob"].to_numpy().copy()
    for vartype, (slope, intercept) in fitted.items():
        hit = (out["vartype"] == vartype).to_numpy()
        calibrated[hit] = 1 / (1 + np.exp(-(slope * logit[hit] + intercept)))
    out["prob"] = calibrated
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_caller_bench"))
    parser.add_argument("--pairs", required=True, help="comma-separated calibration pairs")
    parser.add_argument("--label", default="", help="the --label of caller_accuracy.py")
    parser.add_argument("--plot", type=Path, default=None, help="reliability plot (PNG)")
    parser.add_argument("--set-threshold", type=Path, default=None, metavar="MODEL_DIR",
                        help="write the chosen threshold into this model's model.json "
                             "(with where it was chosen)")
    parser.add_argument("--fit-calibration", type=Path, default=None, metavar="MODEL_DIR",
                        help="fit a Platt calibration per variant type and write it into "
                             "this model's model.json (the sweep then uses calibrated PROB)")
    args = parser.parse_args(argv)
    parts, totals = [], {"SNV": 0, "INDEL": 0}
    for pair in args.pairs.split(","):
        frame, counts = labelled_candidates(args.work, pair, args.label)
        parts.append(frame)
        for key, value in counts.items():
            totals[key] += value
    candidates = pd.concat(parts, ignore_index=True)
    print(f"pairs {args.pairs} (label {args.label or 'none'}): {len(candidates)} candidates, "
          f"truth SNVs {totals['SNV']}, indels {totals['INDEL']}\n")
    table = reliability(candidates)
    print("Reliability (candidates without a hand filter):\n")
    print(markdown(table))
    if args.fit_calibration is not None:
        import json

        fitted = fit_platt(candidates)
        candidates = apply_platt(candidates, fitted)
        meta_path = args.fit_calibration / "model.json"
        meta = json.loads(meta_path.read_text())
        # PROB in the VCFs is already calibrated by any calibration the model had: compose
        earlier = meta.get("calibration") or {}
        stored = {}
        for vartype, (slope, intercept) in fitted.items():
            a1, b1 = earlier.get(vartype, (1.0, 0.0))
            stored[vartype] = [round(slope * a1, 5), round(slope * b1 + intercept, 5)]
        meta["calibration"] = {"method": "platt", "fitted_on": {
            "pairs": args.pairs.split(","), "label": args.label}, **stored}
        meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        print(f"\nPlatt calibration {stored} written into {meta_path}; calibrated "
              "(in-sample):\n")
        table = reliability(candidates)
        print(markdown(table))
    swept = sweep(candidates, totals)
    print("\nThreshold sweep (pooled):\n")
    print(markdown(swept))
    best = swept.iloc[int(np.argmax(swept["ALL_f1"].to_numpy()))]
    print(f"\nbest pooled F1 (ALL) {best['ALL_f1']:.3f} at threshold {best['threshold']:.2f}")
    if args.set_threshold is not None:
        import json

        meta_path = args.set_threshold / "model.json"
        meta = json.loads(meta_path.read_text())
        chosen = max(float(best["threshold"]), 0.01)  # a model threshold lies in (0, 1)
        meta["threshold_validation"] = meta.get("threshold_validation", meta["threshold"])
        meta["threshold"] = chosen
        meta["threshold_source"] = {
            "pairs": args.pairs.split(","), "label": args.label,
            "rule": "best pooled F1 of all variants over PASS = no hand filter and PROB >= t, "
                    f"t in {THRESHOLDS[0]}..{THRESHOLDS[-1]} by 0.05",
            "f1": round(float(best["ALL_f1"]), 4)}
        meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        print(f"wrote threshold {chosen:.2f} into {meta_path}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
        ok = table[table["candidates"] > 0]
        ax.plot(ok["mean_prob"], ok["share_true"], marker="o", label=f"oncogen{args.label}")
        ax.set_xlabel("mean PROB in bin")
        ax.set_ylabel("share of candidates that are somatic")
        pairs = args.pairs.split(",")
        ax.set_title(f"Reliability on {len(pairs)} held-out pair(s)\n"
                     + ", ".join(pairs[:4]) + (", ..." if len(pairs) > 4 else ""), fontsize=8)
        ax.legend()
        fig.tight_layout()
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
