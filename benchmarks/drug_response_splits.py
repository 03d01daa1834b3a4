"""Drug response on GDSC v17: every model on the three hold-out splits.

Prints one markdown table row per (split, model): overall RMSE/Pearson/Spearman and the
mean per-drug Pearson/Spearman (drugs with >= 10 test pairs). One 80/20 hold-out per split,
seed 0 (``--seed``). Run from the repository root:

    nice -n 10 python benchmarks/drug_response_splits.py [--drugs N] [--splits ...] [--models ...]
"""

from __future__ import annotations

import argparse
import logging
import time

import torch

from onco_genomics.datasets.drug import load_gdsc_v17
from onco_genomics.omics.drug_response_eval import SPLITS, evaluate_split
from onco_genomics.omics.drug_response_models import (
    LowRankElasticNet,
    MultitaskDrugResponse,
    PerDrugElasticNet,
    PerDrugMean,
    XGBoostDrugResponse,
)

MODELS = {
    "per-drug-mean": PerDrugMean,
    "elastic-net": PerDrugElasticNet,
    "lowrank-elastic-net": LowRankElasticNet,
    "xgboost": lambda: XGBoostDrugResponse(n_estimators=300, max_pairs=80_000, n_jobs=1),
    "multitask": MultitaskDrugResponse,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--drugs", type=int, default=None, help="use only the first N drugs")
    parser.add_argument("--splits", nargs="*", default=list(SPLITS))
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument("--seed", type=int, default=0,
                        help="split seed (0: the reported split; model choices were made on 1)")
    parser.add_argument("--threads", type=int, default=1, help="torch/xgboost threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(args.threads)
    data = load_gdsc_v17()
    if args.drugs:
        data = data.subset(data.response["drug"].isin(data.drugs[: args.drugs]).to_numpy())
    print(f"data: {data.summary()}")
    print("| split | model | RMSE | Pearson | Spearman | per-drug RMSE | per-drug Pearson "
          "| per-drug Spearman | test pairs | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for split in args.splits:
        for name in args.models:
            start = time.time()
            s = evaluate_split(data, MODELS[name], scheme=split, seed=args.seed)
            print(f"| {split} | {name} | {s.rmse:.3f} | {s.pearson:.3f} | {s.spearman:.3f} | "
                  f"{s.per_drug_rmse:.3f} | {s.per_drug_pearson:.3f} | "
                  f"{s.per_drug_spearman:.3f} | {s.n_test_pairs} | "
                  f"{time.time() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
