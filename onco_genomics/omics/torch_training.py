"""Old path of :mod:`onco_genomics.omics.core.torch_training` (the shared torch training loop),
kept for existing imports."""

from __future__ import annotations

from onco_genomics.omics.core.torch_training import (
    LossFn,
    TrainConfig,
    TrainResult,
    resolve_device,
    split_validation,
    train_module,
)

__all__ = [
    "LossFn",
    "TrainConfig",
    "TrainResult",
    "resolve_device",
    "split_validation",
    "train_module",
]
