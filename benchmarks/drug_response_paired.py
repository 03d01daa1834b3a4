"""Drug response on unseen cell lines: every model beside the per-drug elastic net, paired.

GDSC v17 (``onco_genomics.datasets.drug.load_gdsc_v17``). The cell lines are split into K
folds (default 5, shuffled with ``--seed``); each model is fitted on the pairs of the other
folds' cell lines and scored on the held-out cell lines' pairs, the same folds for every
model. Per model: mean over folds of RMSE and of the per-drug Pearson (drugs with >= 10
test pairs), the same for the per-drug elastic net (the baseline), and the mean paired
difference with a 95% interval from the corrected resampled t-test (Nadeau and Bengio 2003:
variance of the per-fold differences times ``1/K + n_test/n_train``, t with K - 1 df).

    nice -n 10 python benchmarks/drug_response_paired.py \
        --models per-drug-mean lowrank-elastic-net multitask [--folds 5 --seed 0]
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

import numpy as np
import torch
from scipy.stats import t as student_t
from sklearn.model_selection import KFold

from onco_genomics.datasets.drug import load_gdsc_v17
from onco_genomics.omics.drug_response_eval import score_drug_response
from onco_genomics.omics.drug_response_models import (
    LowRankElasticNet,
    MultitaskDrugResponse,
    PerDrugElasticNet,
    PerDrugMean,
    XGBoostDrugResponse,
)

MODELS: dict[str, Any] = {
    "per-drug-mean": PerDrugMean,
    "elastic-net": PerDrugElasticNet,
    "lowrank-elastic-net": LowRankElasticNet,
    "xgboost": lambda: XGBoostDrugResponse(n_estimators=300, max_pairs=80_000, n_jobs=1),
    "multitask": MultitaskDrugResponse,
}


def paired_interval(diff: np.ndarray, test_over_train: float) -> tuple[float, float, float]:
    k = diff.size
    se = float(np.sqrt((1.0 / k + test_over_train) * diff.var(ddof=1)))
    half = float(student_t.ppf(0.975, k - 1)) * se
    mean = float(diff.mean())
    return mean, mean - half, mean + half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["per-drug-mean",
                                                         "lowrank-elastic-net", "multitask"],
                        choices=sorted(MODELS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(1)
    data = load_gdsc_v17()
    print(f"data: {data.summary()}")
    cell_lines = np.asarray(sorted(data.response["cell_line"].unique()))
    folds = list(KFold(args.folds, shuffle=True, random_state=args.seed).split(cell_lines))
    results: dict[str, np.ndarray] = {}
    for name in ["elastic-net", *args.models]:
        start = time.time()
        rows = []
        for _, test_idx in folds:
            mask = data.response["cell_line"].isin(cell_lines[test_idx]).to_numpy()
            train, test = data.subset(~mask), data.subset(mask)
            model = MODELS[name]().fit(train)
            predicted = model.predict(data.cell_features, test.response,
                                      drug_features=data.drug_features)
            s = score_drug_response(test.response, predicted)
            rows.append((s.rmse, s.per_drug_pearson))
        results[name] = np.asarray(rows)
        print(f"<!-- {name} per fold (RMSE, per-drug Pearson): "
              f"{' '.join(f'{r:.3f}/{p:.3f}' for r, p in rows)}; "
              f"{time.time() - start:.0f} s -->", flush=True)
    base = results["elastic-net"]
    ratio = 1.0 / (args.folds - 1)
    print("| model | RMSE | elastic-net RMSE | RMSE difference [95% CI] | per-drug Pearson "
          "| elastic-net per-drug Pearson | Pearson difference [95% CI] | folds better "
          "(RMSE) |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.models:
        r = results[name]
        rm, rlo, rhi = paired_interval(r[:, 0] - base[:, 0], ratio)
        pm, plo, phi = paired_interval(r[:, 1] - base[:, 1], ratio)
        better = int((r[:, 0] < base[:, 0]).sum())
        print(f"| {name} | {r[:, 0].mean():.3f} | {base[:, 0].mean():.3f} | "
              f"{rm:+.3f} [{rlo:+.3f}, {rhi:+.3f}] | {r[:, 1].mean():.3f} | "
              f"{base[:, 1].mean():.3f} | {pm:+.3f} [{plo:+.3f}, {phi:+.3f}] | "
              f"{better}/{args.folds} |", flush=True)


if __name__ == "__main__":
    main()
