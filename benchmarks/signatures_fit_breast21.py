"""Benchmark: fit COSMIC v3.4 to the 21 breast cancer WGS SBS96 catalog, oncogen vs
SigProfilerAssignment (SPA) cosmic_fit, both as whole processes.

Prints Markdown tables: per-sample reconstruction cosine and signatures used by each tool,
agreement of their exposures, wall/CPU times, and oncogen's cosine/sparsity trade-off
across ``--min-improvement`` values and method variants (objective, cohort prior).

    python benchmarks/signatures_fit_breast21.py [--workdir DIR] [--repeats N]

Needs the `test` extra (sigprofilerassignment).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from signatures_spa_common import (
    fit_variants,
    reconstruction_cosine,
    run_oncogen,
    run_spa,
    spa_data_dir,
)

from onco_genomics.spectrum.fit import fit_signatures
from onco_genomics.spectrum.matrix_files import read_catalog
from onco_genomics.spectrum.reference_signatures import load_reference_signatures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=1, help="timing repeats (best kept)")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sig21_"))
    catalog_path = spa_data_dir() / "Samples.txt"
    catalog = read_catalog(catalog_path).counts
    cosmic = load_reference_signatures("cosmic:v3.4", "sbs96")

    spa_runs, og_runs = [], []
    for r in range(args.repeats):
        spa_act, spa_t = run_spa(catalog_path, work / f"spa{r}")
        og_exp, og_t = run_oncogen(catalog_path, work / f"oncogen{r}")
        spa_runs.append(spa_t)
        og_runs.append(og_t)
    load = os.getloadavg()
    spa_act = spa_act.loc[catalog.columns]
    og_exp = og_exp.loc[catalog.columns]
    spa_cos = reconstruction_cosine(catalog, cosmic, spa_act)
    og_cos = reconstruction_cosine(catalog, cosmic, og_exp)
    spa_n = (spa_act > 0).sum(axis=1)
    og_n = (og_exp > 0).sum(axis=1)

    common = sorted(set(spa_act.columns) | set(og_exp.columns))
    a = spa_act.reindex(columns=common, fill_value=0.0)
    b = og_exp.reindex(columns=common, fill_value=0.0)
    fa = a.div(a.sum(axis=1), axis=0)
    fb = b.div(b.sum(axis=1), axis=0)
    l1 = (fa - fb).abs().sum(axis=1)
    exp_cos = (fa * fb).sum(axis=1) / (np.linalg.norm(fa, axis=1) * np.linalg.norm(fb, axis=1))

    print("## Per sample (COSMIC v3.4 SBS, GRCh37)\n")
    print("| sample | mutations | SPA cosine | oncogen cosine | SPA sigs | oncogen sigs | "
          "exposure L1 (fractions) | SPA signatures | oncogen signatures |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for s in catalog.columns:
        spa_sigs = ", ".join(spa_act.columns[spa_act.loc[s] > 0])
        og_sigs = ", ".join(og_exp.columns[og_exp.loc[s] > 0])
        print(f"| {s} | {int(catalog[s].sum()):,} | {spa_cos[s]:.4f} | {og_cos[s]:.4f} | "
              f"{spa_n[s]} | {og_n[s]} | {l1[s]:.3f} | {spa_sigs} | {og_sigs} |")
    wins = int((og_cos >= spa_cos - 1e-9).sum())
    print("\n## Summary\n")
    print("| measure | SigProfilerAssignment | oncogen |")
    print("|---|---:|---:|")
    print(f"| mean reconstruction cosine | {spa_cos.mean():.4f} | {og_cos.mean():.4f} |")
    print(f"| samples where oncogen cosine >= SPA | | {wins} / {len(og_cos)} |")
    print(f"| largest cosine deficit (SPA - oncogen) | | {(spa_cos - og_cos).max():.4f} |")
    print(f"| mean signatures per sample | {spa_n.mean():.2f} | {og_n.mean():.2f} |")
    print(f"| exposure agreement: mean cosine of fraction vectors | | {exp_cos.mean():.3f} |")
    print(f"| exposure agreement: mean L1 of fractions (0..2) | | {l1.mean():.3f} |")
    spa_wall = min(t.wall for t in spa_runs)
    og_wall = min(t.wall for t in og_runs)
    spa_cpu = min(t.cpu for t in spa_runs)
    og_cpu = min(t.cpu for t in og_runs)
    print(f"| whole-process wall time, s (best of {args.repeats}) | {spa_wall:.1f} | "
          f"{og_wall:.1f} ({og_wall / spa_wall:.2f}x) |")
    print(f"| whole-process CPU time, s | {spa_cpu:.1f} | {og_cpu:.1f} "
          f"({og_cpu / spa_cpu:.2f}x) |")
    print(f"\nLoad average (1, 5, 15 min) after the timed runs: "
          f"{load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}.")

    print("\n## oncogen variants and --min-improvement (in-process, no bootstrap)\n")
    print("| variant | mean signatures | samples with cosine >= SPA | "
          "mean cosine | largest deficit |")
    print("|---|---:|---:|---:|---:|")
    for label, options in fit_variants():
        fit = fit_signatures(catalog, cosmic, options=replace(options, n_bootstrap=0))
        cos = fit.cosine
        print(f"| {label} | {fit.n_signatures.mean():.2f} | "
              f"{int((cos >= spa_cos - 1e-9).sum())} / {len(cos)} | {cos.mean():.4f} | "
              f"{max(0.0, float((spa_cos - cos).max())):.4f} |")
    pd.options.display.width = 200


if __name__ == "__main__":
    main()
