"""Survival models against the textbook Coxnet on the same repeated folds, paired.

For each data set: repeated stratified K-fold CV (stratified on the event; default 3 x 5).
On every outer fold the baseline and each oncogen model are fitted on the same training
part and scored by Harrell's C on the same test part. Prints, per model, the mean C, the
baseline's mean C, the mean paired difference (model - baseline) with a 95% interval from
the corrected resampled t-test (Nadeau and Bengio 2003: variance of the per-fold
differences times ``1/K + n_test/n_train``, t with K - 1 df), and the folds won/lost.

The baseline ("textbook Coxnet") is written here from scikit-learn/scikit-survival parts,
independent of oncogen's code: the 1,000 most variable genes of the training part,
standardised, ``CoxnetSurvivalAnalysis(l1_ratio=0.5)`` with scikit-survival's default path,
and the penalty with the best mean Harrell's C over an inner 5-fold CV (each inner fold
restandardised on its training part and fitted along the same penalty path).

    nice -n 10 python benchmarks/survival_paired.py --datasets vdv aml_bull \
        --models coxnet coxnet-0.1 [--repeats 3 --folds 5]

``coxnet-0.1`` is the Coxnet of oncogen 0.1.0 (2,000 features by univariate Cox score,
30 penalties down to 0.05 of the largest, inner 3-fold CV), for the before/after rows;
``coxnet-0.1+variance`` changes only its selection (2,000 most variable features),
``coxnet-0.1+path`` only its path and inner folds (the current defaults).
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from scipy.stats import t as student_t
from sklearn.model_selection import KFold, RepeatedStratifiedKFold
from sksurv.linear_model import CoxnetSurvivalAnalysis
from sksurv.metrics import concordance_index_censored

from onco_genomics.datasets.survival import load_survival_dataset
from onco_genomics.omics.survival_models import SURVIVAL_MODELS, CoxnetSurvival

#: oncogen models by benchmark name (``coxnet-0.1``: the 0.1.0 default, before this change)
MODELS: dict[str, Callable[[], Any]] = {
    **{name: cls for name, cls in SURVIVAL_MODELS.items()},
    "coxnet-0.1": lambda: CoxnetSurvival(selection="cox-score", max_features=2000,
                                         n_alphas=30, alpha_min_ratio=0.05, inner_folds=3),
    # ablations: the 0.1.0 Coxnet with only its selection, or only its path and folds, changed
    "coxnet-0.1+variance": lambda: CoxnetSurvival(max_features=2000, n_alphas=30,
                                                  alpha_min_ratio=0.05, inner_folds=3),
    "coxnet-0.1+path": lambda: CoxnetSurvival(selection="cox-score", max_features=2000),
}


def harrell(y: np.ndarray, risk: np.ndarray) -> float:
    if np.ptp(risk) == 0:
        return 0.5
    return float(concordance_index_censored(y["event"], y["time"], risk)[0])


def _standardise(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    mean, sd = train.mean(axis=0), train.std(axis=0)
    sd = np.where(sd > 1e-12, sd, 1.0)
    return [(a - mean) / sd for a in (train, *others)]


def textbook_coxnet_risk(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, *,
                         n_genes: int = 1000, inner_folds: int = 5, seed: int = 0) -> np.ndarray:
    """Risk of the test samples from the textbook Coxnet fitted on the training part."""
    keep = np.sort(np.argsort(-X_train.var(axis=0), kind="stable")[:n_genes])
    Xtr, Xte = X_train[:, keep], X_test[:, keep]
    Ztr, Zte = _standardise(Xtr, Xte)
    path = CoxnetSurvivalAnalysis(l1_ratio=0.5, max_iter=20000).fit(Ztr, y_train)
    alphas = path.alphas_
    scores = np.zeros((inner_folds, alphas.size))
    for f, (a, b) in enumerate(KFold(inner_folds, shuffle=True, random_state=seed).split(Xtr)):
        Za, Zb = _standardise(Xtr[a], Xtr[b])
        inner = CoxnetSurvivalAnalysis(l1_ratio=0.5, alphas=alphas, max_iter=20000)
        inner.fit(Za, y_train[a])
        n_fitted = inner.coef_.shape[1]
        for k in range(alphas.size):
            scores[f, k] = harrell(y_train[b], Zb @ inner.coef_[:, min(k, n_fitted - 1)])
    best = int(np.argmax(scores.mean(axis=0)))
    return np.asarray(Zte @ path.coef_[:, min(best, path.coef_.shape[1] - 1)])


def paired_interval(diff: np.ndarray, test_over_train: float,
                    level: float = 0.95) -> tuple[float, float, float]:
    """Mean of per-fold differences and its corrected resampled-t interval."""
    k = diff.size
    se = float(np.sqrt((1.0 / k + test_over_train) * diff.var(ddof=1)))
    half = float(student_t.ppf(0.5 + level / 2, k - 1)) * se
    mean = float(diff.mean())
    return mean, mean - half, mean + half


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", required=True)
    parser.add_argument("--models", nargs="+", default=["coxnet", "coxnet-0.1"],
                        choices=sorted(MODELS))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    torch.set_num_threads(args.threads)
    print("| data set | n | events | genes | model | Harrell C | textbook Coxnet C | "
          "difference [95% CI] | folds won/lost | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in args.datasets:
        data = load_survival_dataset(name)
        X = data.features.to_numpy(dtype=float)
        y = data.outcome.to_structured()
        splits = list(RepeatedStratifiedKFold(n_splits=args.folds, n_repeats=args.repeats,
                                              random_state=args.seed).split(X, y["event"]))
        start = time.time()
        base = np.array([harrell(y[te], textbook_coxnet_risk(X[tr], y[tr], X[te],
                                                             seed=args.seed))
                         for tr, te in splits])
        base_seconds = time.time() - start
        print(f"<!-- {name} textbook Coxnet per fold: "
              f"{' '.join(f'{c:.3f}' for c in base)}; {base_seconds:.0f} s -->", flush=True)
        ratio = 1.0 / (args.folds - 1)
        for model in args.models:
            start = time.time()
            scores = []
            for tr, te in splits:
                fitted = MODELS[model]().set_params(random_state=args.seed).fit(X[tr], y[tr])
                scores.append(harrell(y[te], fitted.predict(X[te])))
            c = np.array(scores)
            mean, low, high = paired_interval(c - base, ratio)
            won, lost = int((c > base + 1e-9).sum()), int((c < base - 1e-9).sum())
            print(f"| {name} | {len(y)} | {int(y['event'].sum())} | {X.shape[1]} | {model} | "
                  f"{c.mean():.3f} | {base.mean():.3f} | {mean:+.3f} [{low:+.3f}, {high:+.3f}] "
                  f"| {won}/{lost} | {time.time() - start:.0f} |", flush=True)
            print(f"<!-- {name} {model} per fold: {' '.join(f'{v:.3f}' for v in c)} -->",
                  flush=True)


if __name__ == "__main__":
    main()
