"""The seeded, early-stopped torch training loop shared by every omics network.

Every torch estimator in :mod:`onco_genomics.omics` (and drug response, survival) trains
through :func:`train_module`: a held-out validation split (stratified for classifiers),
mini-batch AdamW, early stopping on the validation loss with ``patience`` epochs, and the
best state restored at the end. Runs are reproducible for a given seed and thread count.

Examples
--------
>>> import numpy as np, torch
>>> X = np.random.default_rng(0).normal(size=(60, 5)).astype("float32")
>>> y = (X[:, 0] > 0).astype("int64")
>>> net = torch.nn.Linear(5, 2)
>>> result = train_module(net, X, y, loss=torch.nn.CrossEntropyLoss(),
...                       config=TrainConfig(max_epochs=20, seed=1), stratify=y)
>>> result.best_epoch <= 20
True
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from onco_genomics.errors import OptionsError
from onco_genomics.progress import Progress

log = logging.getLogger(__name__)

#: loss(prediction, target) -> scalar tensor
LossFn = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run.

    Attributes
    ----------
    max_epochs
        Upper bound on epochs.
    batch_size
        Mini-batch size (the last, smaller batch is kept).
    learning_rate, weight_decay
        AdamW settings.
    patience
        Stop after this many epochs without a validation-loss improvement of ``min_delta``.
    validation_fraction
        Share of samples held out for early stopping (0: no split; train for
        ``max_epochs`` and keep the last state).
    seed
        Seeds the split, the weight initialisation done inside training, and shuffling.
    device
        ``"auto"`` (CUDA when torch sees it), ``"cpu"`` or ``"cuda"``.
    """

    max_epochs: int = 200
    batch_size: int = 32
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    patience: int = 20
    min_delta: float = 1e-4
    validation_fraction: float = 0.2
    seed: int = 0
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.max_epochs < 1:
            raise OptionsError(f"max_epochs must be >= 1, got {self.max_epochs}")
        if self.batch_size < 1:
            raise OptionsError(f"batch_size must be >= 1, got {self.batch_size}")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise OptionsError(
                f"validation_fraction must be in [0, 1), got {self.validation_fraction}")
        if self.patience < 1:
            raise OptionsError(f"patience must be >= 1, got {self.patience}")
        if self.learning_rate <= 0:
            raise OptionsError(f"learning_rate must be > 0, got {self.learning_rate}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise OptionsError(f"device must be auto, cpu or cuda, got {self.device!r}")


@dataclass(frozen=True)
class TrainResult:
    """What a training run did.

    Attributes
    ----------
    best_epoch
        1-based epoch whose state was restored.
    epochs_run
        Epochs actually run (<= max_epochs).
    train_loss, validation_loss
        Mean loss per epoch (validation is empty when there was no split).
    validation_indices
        Row indices held out for early stopping (empty without a split).
    """

    best_epoch: int
    epochs_run: int
    train_loss: tuple[float, ...]
    validation_loss: tuple[float, ...] = ()
    validation_indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        if not 1 <= self.best_epoch <= self.epochs_run:
            raise ValueError(f"best_epoch {self.best_epoch} outside 1..{self.epochs_run}")
        if len(self.train_loss) != self.epochs_run:
            raise ValueError("train_loss must have one value per epoch run")


def resolve_device(device: str) -> str:
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise OptionsError("device 'cuda' requested but torch sees no GPU; use --device cpu")
    return device


def split_validation(n_samples: int, *, fraction: float, seed: int,
                     stratify: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation row indices; stratified when ``stratify`` is given and possible.

    Classes with fewer than two samples stay entirely in training.
    """
    rng = np.random.default_rng(seed)
    if fraction <= 0 or n_samples < 4:
        return np.arange(n_samples), np.zeros(0, dtype=np.int64)
    if stratify is None:
        order = rng.permutation(n_samples)
        n_val = max(1, round(fraction * n_samples))
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    validation = []
    for label in np.unique(stratify):
        members = rng.permutation(np.flatnonzero(stratify == label))
        if len(members) < 2:
            continue
        n_val = min(len(members) - 1, max(1, round(fraction * len(members))))
        validation.extend(members[:n_val].tolist())
    val = np.sort(np.asarray(validation, dtype=np.int64))
    train = np.setdiff1d(np.arange(n_samples), val)
    return train, val


def train_module(module: Any, X: np.ndarray, y: np.ndarray, *, loss: LossFn,
                 config: TrainConfig, stratify: np.ndarray | None = None,
                 sample_weight: np.ndarray | None = None,
                 forward: Callable[[Any, Any], Any] | None = None) -> TrainResult:
    """Train ``module`` in place on ``(X, y)`` with early stopping; restore the best state.

    Parameters
    ----------
    module
        A ``torch.nn.Module``; moved to the chosen device and left there in eval mode.
    X
        Inputs, first axis = samples (float32 after conversion).
    y
        Targets, first axis = samples (int64 class indices for classification, float
        for regression; NaN targets are the loss function's business).
    loss
        ``loss(output, target)``; with ``sample_weight`` it must return per-sample losses
        (``reduction="none"``), which are weighted and averaged here.
    config
        Training settings.
    stratify
        Labels to stratify the validation split by (classifiers).
    sample_weight
        Optional per-sample weights.
    forward
        ``forward(module, xb)``; default ``module(xb)``.

    Returns
    -------
    TrainResult
    """
    import torch

    if len(X) != len(y):
        raise OptionsError(f"X has {len(X)} samples but y has {len(y)}; they must match")
    if len(X) == 0:
        raise OptionsError("cannot train on 0 samples")
    torch.manual_seed(config.seed)
    device = resolve_device(config.device)
    module.to(device)
    train_idx, val_idx = split_validation(len(X), fraction=config.validation_fraction,
                                          seed=config.seed, stratify=stratify)
    X_t = torch.as_tensor(np.asarray(X, dtype=np.float32))
    y_arr = np.asarray(y)
    y_t = torch.as_tensor(y_arr.astype(np.int64) if y_arr.dtype.kind in "iub"
                          else y_arr.astype(np.float32))
    w_t = (torch.as_tensor(np.asarray(sample_weight, dtype=np.float32))
           if sample_weight is not None else None)
    call = forward or (lambda net, xb: net(xb))
    optimizer = torch.optim.AdamW(module.parameters(), lr=config.learning_rate,
                                  weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(config.seed)

    def batch_loss(idx: Any) -> Any:
        xb, yb = X_t[idx].to(device), y_t[idx].to(device)
        value = loss(call(module, xb), yb)
        if w_t is not None:
            wb = w_t[idx].to(device)
            value = (value * wb).sum() / wb.sum().clamp_min(1e-12)
        return value

    train_losses: list[float] = []
    val_losses: list[float] = []
    best_loss = math.inf
    best_epoch = 1
    best_state = copy.deepcopy(module.state_dict())
    stale = 0
    train_tensor = torch.as_tensor(train_idx)
    with Progress(config.max_epochs, "epochs", enabled=False) as progress:
        for epoch in range(1, config.max_epochs + 1):
            module.train()
            order = train_tensor[torch.randperm(len(train_tensor), generator=generator)]
            total, seen = 0.0, 0
            for start in range(0, len(order), config.batch_size):
                idx = order[start:start + config.batch_size]
                if len(idx) < 2 and len(order) > 1:
                    continue  # a batch of one breaks batch norm and adds only noise
                optimizer.zero_grad()
                value = batch_loss(idx)
                value.backward()
                optimizer.step()
                total += float(value.detach()) * len(idx)
                seen += len(idx)
            train_losses.append(total / max(seen, 1))
            progress.update(1)
            if len(val_idx):
                module.eval()
                with torch.no_grad():
                    current = float(batch_loss(torch.as_tensor(val_idx)))
                val_losses.append(current)
            else:
                current = train_losses[-1]
            if current < best_loss - config.min_delta:
                best_loss, best_epoch, stale = current, epoch, 0
                best_state = copy.deepcopy(module.state_dict())
            else:
                stale += 1
                if len(val_idx) and stale >= config.patience:
                    break
    if len(val_idx):
        module.load_state_dict(best_state)
    else:
        best_epoch = len(train_losses)
    module.eval()
    log.debug("trained %d epochs, best epoch %d (loss %.4f)", len(train_losses), best_epoch,
              best_loss)
    return TrainResult(best_epoch=best_epoch, epochs_run=len(train_losses),
                       train_loss=tuple(train_losses), validation_loss=tuple(val_losses),
                       validation_indices=val_idx)
