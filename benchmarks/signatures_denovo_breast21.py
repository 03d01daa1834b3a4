"""Benchmark: de novo extraction on the 21 breast cancer WGS SBS96 catalog.

Runs ``extract_catalog`` (the API behind ``oncogen signatures extract``) for k in a range,
prints the stability/reconstruction table per k, the chosen k, and the cosine of each
extracted signature to its Hungarian-assigned and best COSMIC v3.4 signature, with the
runtime.

    python benchmarks/signatures_denovo_breast21.py [--k 2..8] [--restarts 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

from onco_genomics.spectrum.extract import ExtractOptions, extract_catalog, parse_k_range
from onco_genomics.spectrum.matrix_files import read_catalog

BREAST = {"SBS1", "SBS2", "SBS3", "SBS5", "SBS8", "SBS13", "SBS17a", "SBS17b", "SBS18",
          "SBS40a"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", default="2..8")
    parser.add_argument("--restarts", type=int, default=20)
    parser.add_argument("--max-iter", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import os

    import SigProfilerAssignment

    path = os.path.join(os.path.dirname(SigProfilerAssignment.__file__), "data", "Samples.txt")
    k_min, k_max = parse_k_range(args.k)
    options = ExtractOptions(k_min=k_min, k_max=k_max, n_restarts=args.restarts,
                             max_iter=args.max_iter, seed=args.seed)
    start = time.perf_counter()
    result = extract_catalog(read_catalog(path), options=options, reference="cosmic:v3.4")
    elapsed = time.perf_counter() - start
    print(f"## De novo extraction, 21 breast cancers (SBS96), k {args.k}, "
          f"{args.restarts} restarts per k, seed {args.seed}\n")
    print("| k | mean stability | min stability | mean reconstruction cosine | chosen |")
    print("|---:|---:|---:|---:|---|")
    for k, row in result.summary().iterrows():
        print(f"| {k} | {row['mean_stability']:.3f} | {row['min_stability']:.3f} | "
              f"{row['mean_cosine']:.4f} | {'yes' if row['chosen'] else ''} |")
    print(f"\nChosen k = {result.chosen_k}; runtime {elapsed:.1f} s (in-process, "
          "all k).\n")
    assert result.matches is not None
    print("| extracted | stability | Hungarian-assigned COSMIC | cosine | best COSMIC | "
          "cosine | known breast signature | decomposition into COSMIC | its cosine |")
    print("|---|---:|---|---:|---|---:|---|---|---:|")
    stability = result.chosen.stability
    for name, row in result.matches.iterrows():
        known = "yes" if row["best"] in BREAST or row["assigned"] in BREAST else "no"
        print(f"| {name} | {stability[name]:.3f} | {row['assigned']} | "
              f"{row['assigned_cosine']:.3f} | {row['best']} | {row['best_cosine']:.3f} | "
              f"{known} | {row['decomposition'].replace(';', ', ')} | "
              f"{row['decomposition_cosine']:.3f} |")


if __name__ == "__main__":
    main()
