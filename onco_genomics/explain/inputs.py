"""The table a model is explained on, read the way the model's own prediction reads it."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from onco_genomics.io.orientation import Orientation

__all__ = ["read_model_input"]


def read_model_input(model: Any, path: str | os.PathLike[str], *,
                     orientation: Orientation = "auto", source: str | None = None,
                     ) -> pd.DataFrame:
    """The samples x features table at ``path`` read as ``model``'s prediction command reads it.

    A classifier Pipeline imputes missing values itself, with the training medians it
    saved (so NaNs and duplicated genes are kept for it); other models refuse missing
    values, as in training. Orientation is decided by the model's feature names.

    Parameters
    ----------
    model
        A loaded model (with ``model_card_`` or ``feature_names_``).
    path
        The table (TSV/CSV, .gz ok).
    orientation
        As :func:`onco_genomics.io.tables.read_table`.
    source
        How to name the model in messages (default: "the model").
    """
    from onco_genomics.io.tables import read_table

    own_imputation = hasattr(model, "steps")
    card = getattr(model, "model_card_", None) or {}
    names = card.get("feature_names") or getattr(model, "feature_names_", None)
    return read_table(path, orientation=orientation,
                      nan_policy="keep" if own_imputation else "error",
                      duplicates="mean" if own_imputation else "error",
                      feature_names=names,
                      features_source=f"model {source}" if source else "the model")
