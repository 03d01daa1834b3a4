"""Time ``oncogen explain`` on a 265-drug GDSC v17 drug-response model (issue 16, finding 2).

Trains the model once (no hold-out evaluation; cached in ``--work``), writes the GDSC cell
features of all 988 cell lines as the data to explain, then runs the command the user runs,
as a subprocess (start-up, model loading, SHAP, tables and plots included) and prints a
table of wall-clock seconds. Needs ``pip install --no-deps gdsctools``.

    nice -n 10 python benchmarks/explain_speed.py --work /tmp/oncogen_explain_bench
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

N_DRUGS = 5  # the first five GDSC drug ids (gdsctools names them Drug_<id>)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_explain_bench"))
    parser.add_argument("--models", nargs="+", default=["multitask", "elastic-net"],
                        help="drug-response models to time (trained once each)")
    parser.add_argument("--all-outputs", action="store_true",
                        help="also time --top-outputs 0 (all 265 drugs; slow)")
    args = parser.parse_args()

    from onco_genomics.datasets.drug import load_gdsc_tables
    from onco_genomics.io.tables import write_table
    from onco_genomics.omics.drug_response import train_drug_response
    from onco_genomics.omics.model_dir import save_model

    args.work.mkdir(parents=True, exist_ok=True)
    ic50, features = load_gdsc_tables()
    data = args.work / "gdsc_cells.tsv"
    if not data.exists():
        write_table(features, data)
    drugs = [str(d) for d in ic50.columns[:N_DRUGS]]
    rows = []
    for name in args.models:
        model_dir = args.work / f"gdsc_{name}"
        if not (model_dir / "model.json").exists():
            start = time.perf_counter()
            trained = train_drug_response(ic50, features, model=name, splits=())
            save_model(trained.model, model_dir, card=trained.card)
            print(f"trained {name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        runs = [("--drugs " + ",".join(drugs), ["--drugs", ",".join(drugs)]),
                ("default (top 10 outputs)", [])]
        if args.all_outputs:
            runs.append(("--top-outputs 0 (all)", ["--top-outputs", "0"]))
        for label, extra in runs:
            out = args.work / f"explained_{name}_{len(rows)}"
            command = ["oncogen", "-q", "explain", str(model_dir), str(data), "-o", str(out),
                       *extra]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, check=True)
            seconds = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            n_files = len(list(out.iterdir()))
            rows.append((name, label, len(features), seconds, cpu, n_files))
    load = os.getloadavg()[0]
    print(f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} CPUs")
    print("| model | outputs | cell lines | wall s | CPU s (user+sys) | files |")
    print("|---|---|---:|---:|---:|---:|")
    for name, label, n, seconds, cpu, n_files in rows:
        print(f"| {name} | {label} | {n} | {seconds:.1f} | {cpu:.1f} | {n_files} |")


if __name__ == "__main__":
    main()
