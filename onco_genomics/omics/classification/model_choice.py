"""``--model auto``: choose a classifier by inner cross-validation on the training data.

:class:`AutoClassifier` scores a small set of candidate classifiers (by default the L2
logistic regression and xgboost) by stratified K-fold cross-validation *inside its own
training data*, refits the best on all of it and then behaves as that model. Used inside an
outer cross-validation, the choice is made again in every outer training part, so the outer
scores are honest. The candidates are tried in order and a tie keeps the earlier one, so the
linear model wins unless another is strictly better on the inner folds (mean macro-F1, then
mean log-loss).

:func:`~onco_genomics.omics.classification.training.train_classifier` saves the chosen
model itself (its own model kind and file format) and writes the choice and the inner
scores in the model card.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import f1_score, log_loss
from sklearn.model_selection import StratifiedKFold

from onco_genomics.errors import OptionsError
from onco_genomics.omics.classification.estimators import (
    CLASSIFIER_NAMES,
    check_labels,
    make_classifier,
)

log = logging.getLogger(__name__)

#: the candidates ``--model auto`` chooses among, in order of preference on a tie
AUTO_CANDIDATES: tuple[str, ...] = ("logistic", "xgboost")


class AutoClassifier(ClassifierMixin, BaseEstimator):
    """The candidate classifier with the best inner-CV macro-F1, refitted on all the data.

    Parameters
    ----------
    candidates
        Classifier names (see
        :data:`~onco_genomics.omics.classification.estimators.CLASSIFIER_NAMES`), in order
        of preference on a tie.
    inner_splits
        Folds of the inner stratified cross-validation (fewer when the smallest class has
        fewer samples; with a class of one sample the first candidate is taken unscored).
    seed
        Seeds the inner folds and the candidates.

    Attributes
    ----------
    chosen_
        Name of the chosen candidate.
    chosen_model_
        The chosen candidate, fitted on all the training data.
    inner_scores_
        Per candidate: mean inner macro-F1 and log-loss.
    """

    def __init__(self, candidates: tuple[str, ...] = AUTO_CANDIDATES, *, inner_splits: int = 3,
                 seed: int = 0) -> None:
        self.candidates = candidates
        self.inner_splits = inner_splits
        self.seed = seed

    def _check(self) -> tuple[str, ...]:
        candidates = tuple(self.candidates)
        unknown = [c for c in candidates if c not in CLASSIFIER_NAMES]
        if not candidates or unknown:
            raise OptionsError(f"auto model candidates must be among "
                               f"{', '.join(CLASSIFIER_NAMES)}, got {list(candidates)}")
        if self.inner_splits < 2:
            raise OptionsError(f"inner_splits must be >= 2, got {self.inner_splits}")
        return candidates

    def fit(self, X: Any, y: Any) -> AutoClassifier:
        """Score every candidate by inner CV on ``(X, y)``, then refit the best on all."""
        candidates = self._check()
        labels = check_labels(y, len(X))
        smallest = int(pd.Series(labels).value_counts().min())
        splits = min(self.inner_splits, smallest)
        self.inner_scores_: dict[str, dict[str, float]] = {}
        if len(candidates) > 1 and splits >= 2:
            folds = list(StratifiedKFold(splits, shuffle=True, random_state=self.seed)
                         .split(np.zeros(len(labels)), labels))
            for name in candidates:
                self.inner_scores_[name] = self._inner_score(name, X, labels, folds)
            best = max(candidates, key=lambda n: (self.inner_scores_[n]["macro_f1"],
                                                  -self.inner_scores_[n]["log_loss"],
                                                  -candidates.index(n)))
        else:
            best = candidates[0]
        self.chosen_ = best
        self.chosen_model_ = make_classifier(best, seed=self.seed).fit(X, y)
        self.classes_ = self.chosen_model_.classes_
        self.n_features_in_ = self.chosen_model_.n_features_in_
        self.feature_names_in_ = self.chosen_model_.feature_names_in_
        log.info("auto model: chose %s (inner CV: %s)", best, self.inner_scores_)
        return self

    def _inner_score(self, name: str, X: Any, labels: np.ndarray,
                     folds: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
        template = make_classifier(name, seed=self.seed)
        f1s, losses = [], []
        for train, test in folds:
            X_train = X.iloc[train] if isinstance(X, pd.DataFrame) else np.asarray(X)[train]
            X_test = X.iloc[test] if isinstance(X, pd.DataFrame) else np.asarray(X)[test]
            model = clone(template).fit(X_train, labels[train])
            prob = model.predict_proba(X_test)
            predicted = model.classes_[np.argmax(prob, axis=1)]
            f1s.append(f1_score(labels[test], predicted, average="macro", zero_division=0))
            losses.append(log_loss(labels[test], np.clip(prob, 1e-15, 1.0),
                                   labels=model.classes_))
        return {"macro_f1": float(np.mean(f1s)), "log_loss": float(np.mean(losses))}

    def predict_proba(self, X: Any) -> np.ndarray:
        """The chosen model's class probabilities."""
        return np.asarray(self.chosen_model_.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The chosen model's most probable class."""
        return np.asarray(self.chosen_model_.predict(X))

    def choice_summary(self) -> dict[str, Any]:
        """The choice and the inner scores, for the model card."""
        return {"candidates": list(self.candidates), "chosen": self.chosen_,
                "inner_cv": f"stratified {self.inner_splits}-fold on the training data, "
                            "mean macro-F1, then log-loss; ties keep the earlier candidate",
                "inner_scores": self.inner_scores_}
