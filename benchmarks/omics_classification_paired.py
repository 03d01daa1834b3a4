"""Classifiers against scikit-learn's L2 logistic regression on the same folds, paired.

Repeated stratified K-fold (default 3 x 5). Every model, the baseline included, runs behind
the same preprocessing fitted inside each training part (median imputation, the 2,000 most
variable genes). The baseline is scikit-learn ``LogisticRegression(C=1)`` (L2) on the
standardised genes. Per model: mean macro-F1, the baseline's on the same folds, the mean
paired difference with a 95% interval from the corrected resampled t-test (Nadeau and
Bengio 2003: per-fold differences, variance times ``1/K + n_test/n_train``, t with K - 1
df) and the folds won/lost.

Sets: the project's shipped sets (``khan``, ``all:lineage``, ``all:mol_biol``, ``golub``;
earlier benchmarks were run on them) and breast cancer sets shipped by the ``survset``
package with their pathology labels, never used for classification in this project:
``gse1992:er``, ``gse1992:grade``, ``gse4335:er``, ``gse4335:grade``, ``gse3143:erlev``.

    nice -n 10 python benchmarks/omics_classification_paired.py --sets khan golub \
        --models auto logistic xgboost [--repeats 3 --splits 5]

``--deep-repeats`` limits mlp and cnn1d to the first repeats of the same folds (CPU).
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy.stats import t as student_t
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from onco_genomics.datasets import load_expression_set
from onco_genomics.omics.classifiers import make_classifier
from onco_genomics.omics.cup import drop_small_classes
from onco_genomics.omics.model_choice import AutoClassifier
from onco_genomics.omics.preprocess import build_preprocessing

#: survset data set, label column, prefix of the expression columns
SURVSET_SETS: dict[str, tuple[str, str, str]] = {
    "gse1992:er": ("gse1992", "fac_er_positive", "num_HS_"),
    "gse1992:grade": ("gse1992", "fac_grade", "num_HS_"),
    "gse4335:er": ("gse4335", "fac_er_status", "num_HS_"),
    "gse4335:grade": ("gse4335", "fac_grade", "num_HS_"),
    "gse3143:erlev": ("gse3143", "fac_erlev", "num_HS_"),
}
SHIPPED_SETS = ("khan", "all:lineage", "all:mol_biol", "golub")
MODELS = ("auto", "logistic", "xgboost", "mlp", "cnn1d")


def load_set(name: str) -> tuple[pd.DataFrame, pd.Series, str]:
    """Expression (samples x genes), labels and input type of a benchmark set."""
    if name in SURVSET_SETS:
        from SurvSet.data import SurvLoader

        survset, column, prefix = SURVSET_SETS[name]
        frame = SurvLoader().load_dataset(survset)["df"]
        labels = frame[column].astype(str)
        keep = ~labels.isin(["missing", "na", "x", "nan"])
        genes = [c for c in frame.columns if str(c).startswith(prefix)]
        expression = frame.loc[keep, genes].astype(float)
        expression.index = frame.loc[keep, "pid"].astype(str)
        return expression, labels[keep].set_axis(expression.index), "log"
    set_name, _, label = name.partition(":")
    data = load_expression_set(set_name, label=label or None)
    return data.expression, data.labels, data.input_type


def pipeline(model: str, input_type: str, seed: int, epochs: int) -> Any:
    steps = build_preprocessing(input_type=input_type, n_features=2000)
    if model == "baseline":
        return Pipeline([*steps, ("scale", StandardScaler()),
                         ("model", LogisticRegression(C=1.0, max_iter=3000))])
    if model == "auto":
        return Pipeline([*steps, ("model", AutoClassifier(seed=seed))])
    params = {"max_epochs": epochs} if model in ("mlp", "cnn1d") else {}
    return Pipeline([*steps, ("model", make_classifier(model, seed=seed, **params))])


def paired_interval(diff: np.ndarray, test_over_train: float) -> tuple[float, float, float]:
    k = diff.size
    mean = float(diff.mean())
    if k < 2:
        return mean, float("nan"), float("nan")
    se = float(np.sqrt((1.0 / k + test_over_train) * diff.var(ddof=1)))
    half = float(student_t.ppf(0.975, k - 1)) * se
    return mean, mean - half, mean + half


def fold_scores(model: str, X: pd.DataFrame, y: pd.Series, folds: list[Any], input_type: str,
                seed: int, epochs: int, chosen: Counter[str]) -> np.ndarray:
    scores = []
    for train, test in folds:
        fitted = pipeline(model, input_type, seed, epochs).fit(X.iloc[train], y.iloc[train])
        if model == "auto":
            chosen[fitted.named_steps["model"].chosen_] += 1
        predicted = fitted.predict(X.iloc[test])
        scores.append(f1_score(y.iloc[test], predicted, average="macro", zero_division=0))
    return np.asarray(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=[*SHIPPED_SETS, *SURVSET_SETS],
                        choices=[*SHIPPED_SETS, *SURVSET_SETS])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--deep-repeats", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    torch.set_num_threads(1)
    print("| data set | model | macro-F1 | L2 logistic (sklearn) macro-F1 | difference [95% CI] "
          "| folds won/lost | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets:
        X, y, input_type = load_set(name)
        X, y = drop_small_classes(X, y, min_class_size=args.splits)
        title = f"{name} ({len(y)} x {X.shape[1]}, {y.nunique()} classes)"
        folds = list(RepeatedStratifiedKFold(n_splits=args.splits, n_repeats=args.repeats,
                                             random_state=args.seed).split(X, y))
        start = time.time()
        base = fold_scores("baseline", X, y, folds, input_type, args.seed, args.epochs,
                           Counter())
        print(f"<!-- {name} baseline per fold: {' '.join(f'{v:.3f}' for v in base)}; "
              f"{time.time() - start:.0f} s -->", flush=True)
        for model in args.models:
            start = time.time()
            n = (args.deep_repeats if model in ("mlp", "cnn1d") else args.repeats) * args.splits
            chosen: Counter[str] = Counter()
            scores = fold_scores(model, X, y, folds[:n], input_type, args.seed, args.epochs,
                                 chosen)
            mean, low, high = paired_interval(scores - base[:n], 1.0 / (args.splits - 1))
            won = int((scores > base[:n] + 1e-9).sum())
            lost = int((scores < base[:n] - 1e-9).sum())
            label = model + (f" (chose {dict(chosen)})" if chosen else "")
            label += f" [{n} folds]" if n < len(folds) else ""
            print(f"| {title} | {label} | {scores.mean():.3f} | {base[:n].mean():.3f} | "
                  f"{mean:+.3f} [{low:+.3f}, {high:+.3f}] | {won}/{lost} | "
                  f"{time.time() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
