"""Repeated stratified cross-validation of classifiers, and its report and plot."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from onco_genomics.errors import TableFormatError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.progress import Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrossValidationReport:
    """Out-of-fold performance of a classifier.

    Attributes
    ----------
    classes
        Class names, in the column order of ``probabilities``.
    accuracy, macro_f1
        Means over repeats.
    macro_f1_sd
        Standard deviation of macro-F1 over repeats (0 with one repeat).
    per_class_recall
        Class -> recall (pooled over repeats).
    confusion
        Counts pooled over repeats; rows = true class, columns = predicted class.
    probabilities
        Out-of-fold probabilities averaged over repeats (samples x classes).
    n_splits, n_repeats
        Cross-validation design.
    """

    classes: tuple[str, ...]
    accuracy: float
    macro_f1: float
    macro_f1_sd: float
    per_class_recall: dict[str, float]
    confusion: pd.DataFrame
    probabilities: pd.DataFrame
    n_splits: int
    n_repeats: int

    def __post_init__(self) -> None:
        if list(self.probabilities.columns) != list(self.classes):
            raise ValueError("probability columns must be the classes in order")
        if self.confusion.shape != (len(self.classes), len(self.classes)):
            raise ValueError("confusion matrix must be classes x classes")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary for a model card."""
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1,
                "macro_f1_sd": self.macro_f1_sd, "per_class_recall": self.per_class_recall,
                "confusion": {"classes": list(self.classes),
                              "counts": self.confusion.to_numpy().tolist()},
                "cv": f"{self.n_repeats}x repeated stratified {self.n_splits}-fold"}

    def table(self) -> str:
        """Plain-text report."""
        spread = (f" (sd over {self.n_repeats} repeats {self.macro_f1_sd:.3f})"
                  if self.n_repeats > 1 else "")
        lines = [f"cross-validation: {self.n_repeats} x stratified {self.n_splits}-fold",
                 f"accuracy {self.accuracy:.3f}  macro-F1 {self.macro_f1:.3f}{spread}",
                 "class\trecall"]
        lines += [f"{name}\t{recall:.3f}" for name, recall in self.per_class_recall.items()]
        return "\n".join(lines)


def usable_splits(labels: pd.Series, n_splits: int) -> int:
    """``n_splits`` reduced to the smallest class size (at least 2), with a warning."""
    smallest = int(labels.value_counts().min())
    if smallest < 2:
        raise TableFormatError(
            f"expected at least 2 samples per class for cross-validation; class "
            f"{labels.value_counts().idxmin()!r} has {smallest}. Drop or merge it "
            "(train drops classes below --min-class-size).")
    if smallest < n_splits:
        log.warning("smallest class has %d samples: using %d folds instead of %d", smallest,
                    smallest, n_splits)
        return smallest
    return n_splits


def cross_validate(make_model: Callable[[], Any], X: pd.DataFrame, y: pd.Series, *,
                   n_splits: int = 5, n_repeats: int = 1, seed: int = 0) -> CrossValidationReport:
    """Repeated stratified k-fold cross-validation with out-of-fold probabilities.

    Parameters
    ----------
    make_model
        Returns a fresh, unfitted estimator or Pipeline with ``predict_proba``.
    X, y
        Samples x features and labels (same index order).
    n_splits, n_repeats
        Folds (reduced to the smallest class size) and repeats.
    seed
        Seeds the fold assignment of each repeat (``seed + repeat``).
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    labels = pd.Series(np.asarray(y).astype(str), index=X.index)
    n_splits = usable_splits(labels, n_splits)
    classes = tuple(sorted(labels.unique()))
    probabilities = np.zeros((len(labels), len(classes)))
    f1s, accuracies = [], []
    pooled_true: list[str] = []
    pooled_pred: list[str] = []
    with Progress(n_splits * n_repeats, "folds", enabled=False) as progress:
        for repeat in range(n_repeats):
            folds = StratifiedKFold(n_splits, shuffle=True, random_state=seed + repeat)
            repeat_prob = np.zeros_like(probabilities)
            for train, test in folds.split(X, labels):
                model = make_model()
                model.fit(X.iloc[train], labels.iloc[train])
                fold_classes = [str(c) for c in model.classes_]
                prob = model.predict_proba(X.iloc[test])
                for j, name in enumerate(fold_classes):
                    repeat_prob[test, classes.index(name)] = prob[:, j]
                progress.update(1)
            predicted = np.asarray(classes)[repeat_prob.argmax(axis=1)]
            f1s.append(f1_score(labels, predicted, average="macro"))
            accuracies.append(float(np.mean(predicted == labels.to_numpy())))
            pooled_true += labels.tolist()
            pooled_pred += predicted.tolist()
            probabilities += repeat_prob / n_repeats
    confusion = pd.crosstab(pd.Categorical(pooled_true, categories=classes),
                            pd.Categorical(pooled_pred, categories=classes), dropna=False)
    confusion.index, confusion.columns = list(classes), list(classes)
    recall = {name: float(confusion.loc[name, name] / max(confusion.loc[name].sum(), 1))
              for name in classes}
    return CrossValidationReport(
        classes=classes, accuracy=float(np.mean(accuracies)), macro_f1=float(np.mean(f1s)),
        macro_f1_sd=float(np.std(f1s)), per_class_recall=recall, confusion=confusion,
        probabilities=pd.DataFrame(probabilities, index=X.index, columns=list(classes)),
        n_splits=n_splits, n_repeats=n_repeats)


def plot_confusion(report: CrossValidationReport, path: str | os.PathLike[str], *,
                   title: str = "cross-validated confusion matrix") -> None:
    """Save a row-normalised confusion-matrix heatmap with counts (PNG/PDF/SVG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = report.confusion.to_numpy()
    share = counts / np.clip(counts.sum(axis=1, keepdims=True), 1, None)
    size = 1.5 + 0.5 * len(report.classes)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(report.classes)), report.classes, rotation=45, ha="right")
    ax.set_yticks(range(len(report.classes)), report.classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                    color="white" if share[i, j] > 0.5 else "black", fontsize=8)
    ax.set_title(f"{title}\nmacro-F1 {report.macro_f1:.3f}", fontsize=9)
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of true class")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)
