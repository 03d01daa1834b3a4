"""Classification benchmark: oncogen's classifiers beside scikit-learn baselines.

Repeated stratified cross-validation on the labelled expression sets shipped in
onco_genomics/data/expression (Khan SRBCT tumour type, ALL B/T lineage, ALL molecular
subtype, Golub ALL/AML). Every model sees the same preprocessing (median imputation of
missing values, the 2,000 most variable genes chosen inside each training fold). Prints a
Markdown table of macro-F1 (mean +- sd over repeats) and accuracy.

    nice -n 5 python benchmarks/omics_classification.py --repeats 3 > table.md

Baselines: L2 logistic regression (C=1, standardised) and a random forest (500 trees).
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from typing import Any

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from onco_genomics.datasets import load_expression_set
from onco_genomics.omics.classifiers import make_classifier
from onco_genomics.omics.cup import drop_small_classes
from onco_genomics.omics.evaluation import cross_validate
from onco_genomics.omics.preprocess import build_preprocessing

SETS = [("khan", None), ("all", "lineage"), ("all", "mol_biol"), ("golub", None)]


def pipeline(final: Any, *, scale: bool = False) -> Pipeline:
    steps = build_preprocessing(input_type="log", n_features=2000)
    if scale:
        steps.append(("scale", StandardScaler()))
    return Pipeline([*steps, ("model", final)])


def models(epochs: int) -> dict[str, Callable[[], Any]]:
    return {
        "baseline: L2 logistic (sklearn)": lambda: pipeline(
            LogisticRegression(C=1.0, max_iter=3000), scale=True),
        "baseline: random forest (sklearn)": lambda: pipeline(
            RandomForestClassifier(n_estimators=500, n_jobs=1, random_state=0)),
        "oncogen logistic": lambda: pipeline(make_classifier("logistic")),
        "oncogen xgboost": lambda: pipeline(make_classifier("xgboost")),
        "oncogen mlp": lambda: pipeline(make_classifier("mlp", max_epochs=epochs)),
        "oncogen cnn1d": lambda: pipeline(make_classifier("cnn1d", max_epochs=epochs)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--sets", nargs="*", default=None,
                        help="subset of data sets: khan, all:lineage, all:mol_biol, golub")
    parser.add_argument("--models", nargs="*", default=None,
                        help="subset of model names (substring match)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print("| data set | model | macro-F1 (sd) | accuracy | seconds |")
    print("|---|---|---|---|---|")
    for name, label in SETS:
        if args.sets and f"{name}:{label}".removesuffix(":None") not in args.sets:
            continue
        data = load_expression_set(name, label=label)
        X, y = drop_small_classes(data.expression, data.labels, min_class_size=args.splits)
        title = (f"{name} {label or data.labels.name} ({len(y)} x {X.shape[1]}, "
                 f"{y.nunique()} classes)")
        for model_name, make in models(args.epochs).items():
            if args.models and not any(m in model_name for m in args.models):
                continue
            start = time.time()
            report = cross_validate(make, X, y, n_splits=args.splits, n_repeats=args.repeats,
                                    seed=0)
            print(f"| {title} | {model_name} | {report.macro_f1:.3f} ({report.macro_f1_sd:.3f}) "
                  f"| {report.accuracy:.3f} | {time.time() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
