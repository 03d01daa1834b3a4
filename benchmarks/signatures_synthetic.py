"""Benchmark: signature fitting on synthetic catalogs with known exposures.

Catalogs are drawn from COSMIC v3.4 SBS signatures with known sparse exposures and Poisson
noise, at 100, 1,000 and 10,000 mutations per sample. Each sample mixes 2-5 signatures: an
ageing signature (SBS1 and/or SBS5) plus others drawn from a pool of signatures common in
solid tumours, with Dirichlet(1) weights. oncogen (``oncogen signatures fit``) and
SigProfilerAssignment (``cosmic_fit``) are run on the same catalog file (all mutation counts
in one file, so oncogen's cohort prior sees deep and shallow samples together); reported per
mutation count: mean L1 distance between true and estimated exposure fractions (0..2),
false-positive signatures per sample (called but absent), missed signatures per sample.

    python benchmarks/signatures_synthetic.py [--samples N] [--seed S] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from signatures_spa_common import fit_variants, run_oncogen, run_spa_cached

from onco_genomics.spectrum.fit import fit_signatures
from onco_genomics.spectrum.reference_signatures import load_reference_signatures

POOL = ["SBS2", "SBS13", "SBS3", "SBS8", "SBS18", "SBS17a", "SBS17b", "SBS4", "SBS7a",
        "SBS6", "SBS40a", "SBS9", "SBS10a", "SBS44", "SBS26", "SBS12", "SBS16", "SBS19"]
LEVELS = (100, 1_000, 10_000)


def simulate(cosmic: pd.DataFrame, n_per_level: int,
             rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Catalog (channels x samples) and true fractions (samples x signatures)."""
    columns, truth = {}, {}
    for level in LEVELS:
        for i in range(n_per_level):
            ageing = list(rng.choice(["SBS1", "SBS5"], size=rng.integers(1, 3), replace=False))
            others = list(rng.choice(POOL, size=rng.integers(1, 4), replace=False))
            names = ageing + others
            weights = rng.dirichlet(np.ones(len(names)))
            name = f"N{level}_{i:03d}"
            expected = cosmic[names].to_numpy() @ weights * level
            columns[name] = rng.poisson(expected)
            truth[name] = pd.Series(weights, index=names)
    catalog = pd.DataFrame(columns, index=cosmic.index).astype(np.int64)
    fractions = pd.DataFrame(truth).T.fillna(0.0)
    return catalog, fractions


def score(truth: pd.DataFrame, estimate: pd.DataFrame) -> pd.DataFrame:
    """Per-sample L1 of fractions, false positives and misses."""
    names = sorted(set(truth.columns) | set(estimate.columns))
    t = truth.reindex(columns=names, fill_value=0.0)
    e = estimate.reindex(index=t.index, columns=names, fill_value=0.0)
    e = e.div(e.sum(axis=1).replace(0, 1), axis=0)
    return pd.DataFrame({
        "l1": (t - e).abs().sum(axis=1),
        "false_pos": ((e > 0) & (t == 0)).sum(axis=1),
        "missed": ((e == 0) & (t > 0)).sum(axis=1),
        "level": [int(s.split("_")[0][1:]) for s in t.index],
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30, help="samples per mutation count")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="SigProfilerAssignment's results for the same catalog left here "
                             "by an earlier run are reused")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sigsyn_"))
    work.mkdir(parents=True, exist_ok=True)
    cosmic = load_reference_signatures("cosmic:v3.4", "sbs96")
    catalog, truth = simulate(cosmic, args.samples, np.random.default_rng(args.seed))
    spa, spa_t = run_spa_cached(catalog, work)
    path = work / "catalog.SBS96.tsv"
    ours, og_t = run_oncogen(path, work / "oncogen", "--bootstrap", "0")
    results = {"SigProfilerAssignment": score(truth, spa), "oncogen": score(truth, ours)}

    print(f"## Synthetic COSMIC v3.4 mixtures, {args.samples} samples per mutation count, "
          f"seed {args.seed}\n")
    print("| mutations/sample | tool | mean L1 of fractions | false-positive sigs/sample | "
          "missed sigs/sample |")
    print("|---:|---|---:|---:|---:|")
    for level in LEVELS:
        for tool, table in results.items():
            rows = table[table["level"] == level]
            print(f"| {level:,} | {tool} | {rows['l1'].mean():.4f} | "
                  f"{rows['false_pos'].mean():.2f} | {rows['missed'].mean():.2f} |")
    if spa_t is None:
        print(f"\nWhole-process wall time: oncogen {og_t.wall:.1f} s (CPU {og_t.cpu:.1f} s); "
              f"SigProfilerAssignment's activities were reused from {work}.")
    else:
        print(f"\nWhole-process wall time: SPA {spa_t.wall:.1f} s, oncogen {og_t.wall:.1f} s "
              f"(CPU {spa_t.cpu:.1f} s vs {og_t.cpu:.1f} s).")

    print("\n### oncogen variants (mean L1 / false positives per sample)\n")
    print("| variant | " + " | ".join(f"{n:,}" for n in LEVELS) + " |")
    print("|---|" + "---:|" * len(LEVELS))
    for label, options in fit_variants():
        fit = fit_signatures(catalog, cosmic, options=replace(options, n_bootstrap=0))
        table = score(truth, fit.exposures.T)
        cells = [f"{table[table['level'] == n]['l1'].mean():.3f} / "
                 f"{table[table['level'] == n]['false_pos'].mean():.2f}" for n in LEVELS]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
