"""scikit-learn's own estimator checks over the omics classifiers.

Every check runs; none is exempted. Estimators not listed here and why:

- the expression transformers of ``omics.preprocess`` (GeneIdHarmoniser, GeneAligner, ...)
  work on gene names: they take DataFrames and, by design, accept a different set of
  columns at transform time than at fit (the aligner's job), which several checks forbid;
- CNN1DClassifier shares its whole estimator API (fit bookkeeping, validation, predict)
  with MLPClassifier through ``_TorchClassifier``; the 55 checks cost about a minute of CPU
  per torch estimator, so only the MLP runs them and the CNN's own part (the gene order)
  is tested in test_cup.py and below;
- survival estimators take a structured (time, event) ``y`` and drug-response models a
  response table, which the generic checks cannot generate.
"""

from __future__ import annotations

import warnings

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from onco_genomics.omics.classifiers import (
    CNN1DClassifier,
    LogisticClassifier,
    MLPClassifier,
    XGBoostClassifier,
)

ESTIMATORS = [
    LogisticClassifier(),
    XGBoostClassifier(n_estimators=10),
    # a small network: the checks fit each estimator dozens of times
    MLPClassifier(hidden=(16,), max_epochs=30, learning_rate=1e-2, patience=5, device="cpu"),
]


@parametrize_with_checks(ESTIMATORS)  # type: ignore[misc]
def test_sklearn_estimator_checks(estimator: object, check: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)  # type: ignore[operator]


def test_labels_keep_their_dtype() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    y = np.repeat([3, 7], 20)
    model = LogisticClassifier().fit(X, y)
    assert model.classes_.dtype.kind == "i"
    assert set(model.predict(X)) <= {3, 7}


def test_unfitted_model_raises_not_fitted() -> None:
    import numpy as np
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        XGBoostClassifier().predict(np.zeros((2, 3)))


def test_cnn1d_keeps_labels_and_refuses_unfitted_use() -> None:
    import numpy as np
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        CNN1DClassifier().predict_proba(np.zeros((2, 8)))
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 8))
    y = np.repeat(["a", "b"], 20)
    X[y == "b", :2] += 3
    model = CNN1DClassifier(channels=(4, 4), kernel_size=3, max_epochs=30, learning_rate=1e-2,
                            device="cpu").fit(X, y)
    assert list(model.classes_) == ["a", "b"]
    with pytest.raises(ValueError, match="X has 7 features, but CNN1DClassifier is expecting 8"):
        model.predict(X[:, :7])
    assert (model.predict(X) == y).mean() > 0.8
