"""Classifiers for omics tables: MLP, 1D-CNN over ordered genes, xgboost, L2 logistic.

All follow the scikit-learn estimator API (``fit`` / ``predict`` / ``predict_proba`` /
``score`` / ``get_params``), accept a DataFrame (samples x features) or an array, and are
registered model kinds (``classifier/mlp``, ``classifier/cnn1d``, ``classifier/xgboost``,
``classifier/logistic``) saved as torch ``state_dict`` / xgboost JSON / JSON coefficients.
They serve every classification task (tumour type from expression or from mutation
features, subtypes); the task is recorded in the model card.

For SHAP they follow :mod:`onco_genomics.explain.protocol`: ``torch_module_`` plus
``to_tensor(X)`` (torch), ``booster_`` (xgboost) or ``coef_`` / ``intercept_`` plus
``standardise(X)`` (logistic).

The 1D-CNN follows CUP-AI-Dx (Zhao et al. 2020): genes are laid out in a line so that
neighbours are related, and convolutions learn local patterns. The order is the genes'
chromosome position when ``gene_positions`` are given (``gene_order="chromosome"``), the
leaf order of a hierarchical clustering of gene-gene correlation (``"correlation"``,
default: works for any identifiers), or the input order (``"given"``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from onco_genomics.errors import OptionsError, TableFormatError
from onco_genomics.omics.core.model_dir import (
    BoosterFile,
    load_torch_state,
    register_model_kind,
)
from onco_genomics.omics.core.torch_training import TrainConfig, train_module

log = logging.getLogger(__name__)

CLASSIFIER_NAMES: tuple[str, ...] = ("cnn1d", "mlp", "xgboost", "logistic")
#: training samples kept with a model as the SHAP background
BACKGROUND_SIZE = 50


def stratified_subsample(encoded: np.ndarray, size: int, *, seed: int) -> np.ndarray:
    """Sorted row indices of up to ``size`` samples, each class in proportion (>= 1)."""
    if len(encoded) <= size:
        return np.arange(len(encoded))
    rng = np.random.default_rng(seed)
    chosen: list[int] = []
    for label in np.unique(encoded):
        members = np.flatnonzero(encoded == label)
        take = max(1, round(size * len(members) / len(encoded)))
        chosen.extend(rng.choice(members, size=min(take, len(members)), replace=False).tolist())
    return np.sort(np.asarray(chosen, dtype=np.int64))


def _as_matrix(X: Any) -> tuple[np.ndarray, list[str] | None]:
    """A finite float32 samples x features matrix (sklearn's ``check_array`` rules: 2-D,
    at least one sample and one feature, no complex values; sparse input is a TypeError)."""
    from sklearn.utils.validation import check_array

    names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else None
    try:
        array = check_array(X, dtype=np.float32, ensure_all_finite=False)
    except ValueError as err:
        raise TableFormatError(f"expected a 2-D samples x features matrix of numbers: {err}"
                               ) from err
    if not np.isfinite(array).all():
        raise TableFormatError("expected finite feature values; found NaN or infinity. "
                               "Impute first (GeneAligner does).")
    return array, names


def check_labels(y: Any, n_samples: int) -> np.ndarray:
    """Labels as a 1-D array of length ``n_samples``, their dtype kept; no missing labels.

    Raises
    ------
    TableFormatError
        No labels, a length other than ``n_samples``, missing labels or continuous values
        (a regression target).
    """
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import column_or_1d

    if y is None:
        raise TableFormatError("this classifier requires y to be passed, but the target y is "
                               "None; pass one label per sample")
    try:
        labels = column_or_1d(np.asarray(y), warn=True)
    except ValueError as err:
        raise TableFormatError(f"expected one label per sample (1-D): {err}") from err
    if len(labels) != n_samples:
        raise TableFormatError(f"expected {n_samples} labels (one per sample), got {len(labels)}")
    missing = pd.isna(labels)
    if missing.any() or (labels.dtype.kind == "f" and not np.isfinite(labels).all()):
        raise TableFormatError(
            f"Input y contains NaN or infinity: expected a label for every sample; "
            f"{int(missing.sum()) or 'some'} are missing. Drop unlabelled samples before "
            "training.")
    try:
        check_classification_targets(labels)
    except ValueError as err:
        raise TableFormatError(f"expected class labels: {err}") from err
    return labels


class _ClassifierBase(ClassifierMixin, BaseEstimator):
    """Shared fit bookkeeping: classes, feature names, standardisation."""

    model_kind: ClassVar[str] = ""
    classes_: np.ndarray

    def _start_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        matrix, names = _as_matrix(X)
        labels = check_labels(y, len(matrix))
        self.classes_, encoded = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise TableFormatError(f"expected at least 2 classes, found 1 class "
                                   f"({self.classes_[0]!r}) in {len(labels)} sample(s)")
        self.n_features_in_ = matrix.shape[1]
        self.feature_names_in_ = np.asarray(
            names if names is not None else [f"f{i}" for i in range(matrix.shape[1])],
            dtype=object)
        self.mean_ = matrix.mean(axis=0)
        scale = matrix.std(axis=0)
        self.scale_ = np.where(scale > 1e-8, scale, 1.0).astype(np.float32)
        self.background_ = matrix[stratified_subsample(encoded, BACKGROUND_SIZE,
                                                       seed=getattr(self, "seed", 0))]
        return matrix, encoded.astype(np.int64)

    def _matrix(self, X: Any) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "classes_")
        matrix, names = _as_matrix(X)
        if matrix.shape[1] != self.n_features_in_:
            raise TableFormatError(
                f"X has {matrix.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input; align the data to the model's genes")
        if names is not None and list(names) != list(self.feature_names_in_):
            raise TableFormatError("expected the features in the model's order; reorder the "
                                   "columns (GeneAligner does) before predicting")
        return matrix

    def standardise(self, X: Any) -> np.ndarray:
        """``X`` centred and scaled with the training mean and sd (what the model sees)."""
        return ((self._matrix(X) - self.mean_) / self.scale_).astype(np.float32)

    def predict_proba(self, X: Any) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class per sample."""
        probabilities = self.predict_proba(X)  # checks that the model is fitted
        return np.asarray(self.classes_[np.argmax(probabilities, axis=1)])

    def _common_payload(self, directory: Path) -> dict[str, Any]:
        np.save(directory / "background.npy", np.asarray(self.background_, dtype=np.float32),
                allow_pickle=False)
        return {"params": self.get_params(deep=False), "classes": self.classes_.tolist(),
                "feature_names": self.feature_names_in_.tolist(),
                "mean": self.mean_.tolist(), "scale": self.scale_.tolist(),
                "background": "background.npy"}

    def _restore_common(self, directory: Path, payload: dict[str, Any]) -> None:
        self.background_ = np.load(directory / payload["background"], allow_pickle=False)
        self.classes_ = np.asarray(payload["classes"])
        self.feature_names_in_ = np.asarray(payload["feature_names"], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        self.mean_ = np.asarray(payload["mean"], dtype=np.float32)
        self.scale_ = np.asarray(payload["scale"], dtype=np.float32)


class _TorchClassifier(_ClassifierBase):
    """A torch network trained with :func:`train_module` (class-balanced cross-entropy)."""

    max_epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    patience: int
    validation_fraction: float
    seed: int
    device: str

    def _build_module(self, n_features: int, n_classes: int) -> Any:
        raise NotImplementedError

    def _prepare(self, matrix: np.ndarray, encoded: np.ndarray) -> None:
        """Hook for estimators that learn something from the data before the network."""

    def to_tensor(self, X: Any) -> Any:
        """Model input tensor for ``X`` (standardised, reordered as the network expects)."""
        import torch

        return torch.as_tensor(self.standardise(X))

    def fit(self, X: Any, y: Any) -> _TorchClassifier:
        """Train the network; a stratified share of samples is held out for early stopping."""
        import torch

        matrix, encoded = self._start_fit(X, y)
        self._prepare(matrix, encoded)
        torch.manual_seed(self.seed)
        self.torch_module_ = self._build_module(matrix.shape[1], len(self.classes_))
        counts = np.bincount(encoded, minlength=len(self.classes_))
        weights = (len(encoded) / (len(counts) * counts))[encoded]
        config = TrainConfig(max_epochs=self.max_epochs, batch_size=self.batch_size,
                             learning_rate=self.learning_rate, weight_decay=self.weight_decay,
                             patience=self.patience,
                             validation_fraction=self.validation_fraction, seed=self.seed,
                             device=self.device)
        self.train_result_ = train_module(
            self.torch_module_, self.to_tensor(X).numpy(), encoded,
            loss=torch.nn.CrossEntropyLoss(reduction="none"), config=config, stratify=encoded,
            sample_weight=weights)
        self.torch_module_.to("cpu").eval()
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (softmax), columns in ``classes_`` order."""
        import torch

        tensor = self.to_tensor(X)  # checks that the model is fitted
        with torch.no_grad():
            logits = self.torch_module_(tensor)
            return np.asarray(torch.softmax(logits, dim=1).numpy(), dtype=np.float64)

    def save_payload(self, directory: Path) -> dict[str, Any]:
        import torch

        torch.save(self.torch_module_.state_dict(), directory / "weights.pt")
        payload = self._common_payload(directory)
        payload["weights"] = "weights.pt"
        payload["best_epoch"] = self.train_result_.best_epoch if hasattr(
            self, "train_result_") else None
        return payload

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> Any:
        obj = cls(**payload["params"])
        obj._restore_common(directory, payload)
        obj._restore_extra(payload)
        obj.torch_module_ = obj._build_module(obj.n_features_in_, len(obj.classes_))
        obj.torch_module_.load_state_dict(load_torch_state(directory / payload["weights"]))
        obj.torch_module_.eval()
        return obj

    def _restore_extra(self, payload: dict[str, Any]) -> None:
        """Hook for estimator-specific fitted state."""


@register_model_kind
class MLPClassifier(_TorchClassifier):
    """Multilayer perceptron on standardised features.

    Parameters
    ----------
    hidden
        Widths of the hidden layers.
    dropout
        Dropout after each hidden layer (and on the input at half the rate).
    max_epochs, batch_size, learning_rate, weight_decay, patience, validation_fraction, seed,
    device
        See :class:`onco_genomics.omics.core.torch_training.TrainConfig`.
    """

    model_kind: ClassVar[str] = "classifier/mlp"

    def __init__(self, hidden: tuple[int, ...] = (256, 64), dropout: float = 0.3, *,
                 max_epochs: int = 200, batch_size: int = 32, learning_rate: float = 1e-3,
                 weight_decay: float = 1e-3, patience: int = 20,
                 validation_fraction: float = 0.2, seed: int = 0, device: str = "auto") -> None:
        self.hidden = hidden
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.seed = seed
        self.device = device

    def _build_module(self, n_features: int, n_classes: int) -> Any:
        from torch import nn

        layers: list[nn.Module] = [nn.Dropout(self.dropout / 2)]
        width = n_features
        for size in self.hidden:
            layers += [nn.Linear(width, int(size)), nn.ReLU(), nn.Dropout(self.dropout)]
            width = int(size)
        layers.append(nn.Linear(width, n_classes))
        return nn.Sequential(*layers)


def correlation_order(matrix: np.ndarray) -> np.ndarray:
    """Gene order from average-linkage clustering of 1 - |correlation| (leaf order)."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    if matrix.shape[1] < 3:
        return np.arange(matrix.shape[1])
    with np.errstate(all="ignore"):
        corr = np.nan_to_num(np.corrcoef(matrix, rowvar=False))
    distance = np.clip(1.0 - np.abs(corr), 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return np.asarray(leaves_list(tree), dtype=np.int64)


def chromosome_order(genes: list[str], positions: Mapping[str, tuple[str, int]]) -> np.ndarray:
    """Gene order by (chromosome, start); genes without a position go last, by name."""

    def chrom_key(chrom: str) -> tuple[int, str]:
        name = chrom.removeprefix("chr")
        return (int(name), "") if name.isdigit() else (100, name)

    keyed = []
    for index, gene in enumerate(genes):
        if gene in positions:
            chrom, start = positions[gene]
            keyed.append(((0, *chrom_key(str(chrom)), int(start), gene), index))
        else:
            keyed.append(((1, 0, "", 0, gene), index))
    return np.asarray([index for _, index in sorted(keyed)], dtype=np.int64)


@register_model_kind
class CNN1DClassifier(_TorchClassifier):
    """1D convolutional network over genes laid out in a meaningful order.

    Parameters
    ----------
    gene_order
        ``"correlation"``, ``"chromosome"`` (needs ``gene_positions``) or ``"given"``.
    gene_positions
        Gene -> (chromosome, start) for ``gene_order="chromosome"``.
    channels
        Channels of the two convolution layers.
    kernel_size
        Convolution width in genes.
    dropout
        Dropout before the dense layers.
    max_epochs, batch_size, learning_rate, weight_decay, patience, validation_fraction, seed,
    device
        See :class:`onco_genomics.omics.core.torch_training.TrainConfig`.
    """

    model_kind: ClassVar[str] = "classifier/cnn1d"

    def __init__(self, gene_order: str = "correlation",
                 gene_positions: Mapping[str, tuple[str, int]] | None = None,
                 channels: tuple[int, int] = (16, 32), kernel_size: int = 9,
                 dropout: float = 0.3, *, max_epochs: int = 200, batch_size: int = 32,
                 learning_rate: float = 1e-3, weight_decay: float = 1e-3, patience: int = 20,
                 validation_fraction: float = 0.2, seed: int = 0, device: str = "auto") -> None:
        self.gene_order = gene_order
        self.gene_positions = gene_positions
        self.channels = channels
        self.kernel_size = kernel_size
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.seed = seed
        self.device = device

    def _prepare(self, matrix: np.ndarray, encoded: np.ndarray) -> None:
        genes = [str(g) for g in self.feature_names_in_]
        if self.gene_order == "correlation":
            order = correlation_order((matrix - self.mean_) / self.scale_)
        elif self.gene_order == "chromosome":
            if not self.gene_positions:
                raise OptionsError("gene_order='chromosome' needs gene_positions "
                                   "(gene -> (chromosome, start)); pass --gene-positions BED")
            order = chromosome_order(genes, self.gene_positions)
            placed = sum(g in self.gene_positions for g in genes)
            log.info("%d of %d genes have a chromosome position", placed, len(genes))
        elif self.gene_order == "given":
            order = np.arange(len(genes))
        else:
            raise OptionsError("gene_order must be correlation, chromosome or given, got "
                               f"{self.gene_order!r}")
        self.gene_order_ = order

    def to_tensor(self, X: Any) -> Any:
        import torch

        return torch.as_tensor(self.standardise(X)[:, self.gene_order_])

    @property
    def tensor_feature_index_(self) -> np.ndarray:
        """Feature index of each tensor column (the learned gene order)."""
        return np.asarray(self.gene_order_)

    def _build_module(self, n_features: int, n_classes: int) -> Any:
        from torch import nn

        first, second = (int(c) for c in self.channels)
        pool = 4 if n_features >= 64 else 1
        return nn.Sequential(
            nn.Unflatten(1, (1, n_features)),
            nn.Conv1d(1, first, self.kernel_size, padding=self.kernel_size // 2),
            nn.ReLU(), nn.MaxPool1d(pool),
            nn.Conv1d(first, second, self.kernel_size, padding=self.kernel_size // 2),
            nn.ReLU(), nn.AdaptiveMaxPool1d(16),
            nn.Flatten(), nn.Dropout(self.dropout),
            nn.Linear(second * 16, 64), nn.ReLU(), nn.Dropout(self.dropout),
            nn.Linear(64, n_classes),
        )

    def save_payload(self, directory: Path) -> dict[str, Any]:
        payload = super().save_payload(directory)
        payload["gene_order"] = self.gene_order_.tolist()
        if self.gene_positions is not None:  # too big for params: its own file
            (directory / "gene_positions.json").write_text(json.dumps(
                {g: list(p) for g, p in self.gene_positions.items()}))
            payload["params"] = {**payload["params"], "gene_positions": None}
        return payload

    def _restore_extra(self, payload: dict[str, Any]) -> None:
        self.gene_order_ = np.asarray(payload["gene_order"], dtype=np.int64)


@register_model_kind
class XGBoostClassifier(BoosterFile, _ClassifierBase):
    """Gradient-boosted trees (xgboost ``hist``), saved as xgboost JSON.

    Parameters
    ----------
    n_estimators, max_depth, learning_rate, subsample, colsample_bytree
        xgboost settings; column subsampling suits wide gene tables.
    n_jobs
        Threads.
    seed
        Random seed.
    """

    model_kind: ClassVar[str] = "classifier/xgboost"

    def __init__(self, n_estimators: int = 100, max_depth: int = 2, learning_rate: float = 0.2,
                 subsample: float = 0.8, colsample_bytree: float = 0.3, *, n_jobs: int = 1,
                 seed: int = 0) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.n_jobs = n_jobs
        self.seed = seed

    def _make(self) -> Any:
        import xgboost

        return xgboost.XGBClassifier(
            n_estimators=self.n_estimators, max_depth=self.max_depth,
            learning_rate=self.learning_rate, subsample=self.subsample,
            colsample_bytree=self.colsample_bytree, n_jobs=self.n_jobs,
            random_state=self.seed, tree_method="hist")

    def fit(self, X: Any, y: Any) -> XGBoostClassifier:
        """Fit the boosted trees (class-balanced sample weights)."""
        matrix, encoded = self._start_fit(X, y)
        counts = np.bincount(encoded, minlength=len(self.classes_))
        model = self._make()
        model.fit(matrix, encoded, sample_weight=(len(encoded) / (len(counts) * counts))[encoded])
        self.booster_ = model.get_booster()
        self._model = model
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order."""
        import xgboost

        matrix = self._matrix(X)
        raw = self.booster_.predict(xgboost.DMatrix(matrix))
        raw = np.asarray(raw, dtype=np.float64)
        if raw.ndim == 1:  # binary: probability of class 1
            raw = np.column_stack([1.0 - raw, raw])
        return raw

    def save_payload(self, directory: Path) -> dict[str, Any]:
        payload = self._common_payload(directory)
        payload["booster"] = self.save_booster(directory)
        return payload

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> XGBoostClassifier:
        obj = cls(**payload["params"])
        obj._restore_common(directory, payload)
        obj.load_booster(directory, payload["booster"])
        return obj


@register_model_kind
class LogisticClassifier(_ClassifierBase):
    """L2-regularised multinomial logistic regression on standardised features.

    Parameters
    ----------
    C
        Inverse regularisation strength.
    max_iter
        Solver iterations.
    """

    model_kind: ClassVar[str] = "classifier/logistic"

    def __init__(self, C: float = 0.1, *, max_iter: int = 2000) -> None:
        self.C = C
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any) -> LogisticClassifier:
        """Fit by lbfgs on standardised features, class-balanced."""
        from sklearn.linear_model import LogisticRegression

        matrix, encoded = self._start_fit(X, y)
        model = LogisticRegression(C=self.C, max_iter=self.max_iter, class_weight="balanced")
        model.fit((matrix - self.mean_) / self.scale_, encoded)
        coef, intercept = model.coef_, model.intercept_
        if len(self.classes_) == 2:  # one row for binary: make it symmetric softmax form
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        self.coef_ = coef
        self.intercept_ = intercept
        self.n_iter_ = model.n_iter_
        return self

    def class_logits(self, X: Any) -> np.ndarray:
        """Logits, one column per class in ``classes_`` order (their softmax is
        :meth:`predict_proba`; linear SHAP explains these)."""
        return np.asarray(self.standardise(X) @ self.coef_.T + self.intercept_)

    def decision_function(self, X: Any) -> np.ndarray:
        """scikit-learn's confidence scores: the logits, or for two classes one score
        (``classes_[1]`` minus ``classes_[0]`` logit) per sample."""
        logits = self.class_logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def predict_proba(self, X: Any) -> np.ndarray:
        """Softmax of the logits, columns in ``classes_`` order."""
        logits = self.class_logits(X)
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        return np.asarray(prob / prob.sum(axis=1, keepdims=True))

    def save_payload(self, directory: Path) -> dict[str, Any]:
        payload = self._common_payload(directory)
        (directory / "coefficients.json").write_text(json.dumps(
            {"coef": self.coef_.tolist(), "intercept": self.intercept_.tolist()}))
        payload["coefficients"] = "coefficients.json"
        return payload

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> LogisticClassifier:
        obj = cls(**payload["params"])
        obj._restore_common(directory, payload)
        coefficients = json.loads((directory / payload["coefficients"]).read_text())
        obj.coef_ = np.asarray(coefficients["coef"])
        obj.intercept_ = np.asarray(coefficients["intercept"])
        return obj


def make_classifier(name: str, *, seed: int = 0, **params: Any) -> Any:
    """A classifier by short name (``cnn1d``, ``mlp``, ``xgboost``, ``logistic``)."""
    classes: dict[str, type[Any]] = {"cnn1d": CNN1DClassifier, "mlp": MLPClassifier,
                                     "xgboost": XGBoostClassifier,
                                     "logistic": LogisticClassifier}
    if name not in classes:
        raise OptionsError(f"unknown model {name!r}; choose one of {', '.join(CLASSIFIER_NAMES)}")
    if name != "logistic":
        params["seed"] = seed
    return classes[name](**params)
