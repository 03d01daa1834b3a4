"""One entry point for every model oncogen writes or ships.

oncogen has two model families in one file format (a folder with ``model.json``,
``"format": "oncogen-model"``): the caller's network (kind ``caller/...``, loaded by
:func:`load_caller_model` into a :class:`~onco_genomics.caller.model.CallerModel`) and the
omics estimators (kinds ``classifier/...``, ``survival/...``, ``drug-response/...``, loaded by
:func:`load_omics_model` into a scikit-learn style estimator or Pipeline). :func:`load_model`
reads the kind first and dispatches, so every name :func:`list_models` prints loads::

    >>> import onco_genomics as og
    >>> [type(og.load_model(m.name)).__name__ for m in og.list_models()]  # doctest: +SKIP
    ['CallerModel', 'Pipeline']

Nothing here imports torch; the caller's loader does, when a caller model is loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from onco_genomics.errors import ModelError
from onco_genomics.omics.core.model_dir import MODEL_FILE, list_models, shipped_model_path

__all__ = ["list_models", "load_caller_model", "load_model", "load_omics_model", "model_kind",
           "resolve_model"]

#: kind prefix of the caller's models
CALLER_KIND_PREFIX = "caller/"
#: kind of the tumor-only caller's models (the same as in caller/tumor_only_model.py,
#: which imports numpy; this module stays light)
TUMOR_ONLY_KIND = "caller/cnn-tumor-only"


def resolve_model(model: str | os.PathLike[str]) -> Path:
    """The folder of ``model``: an existing folder (or its ``model.json``), else the name of
    a shipped model (:class:`ModelError` listing the shipped names when neither)."""
    path = Path(model)
    if path.is_file() and path.name == MODEL_FILE:
        return path.parent
    if path.exists():
        return path
    return shipped_model_path(str(model))


def model_kind(model: str | os.PathLike[str]) -> str:
    """The ``kind`` recorded in a model folder's ``model.json`` (no weights are read)."""
    meta = resolve_model(model) / MODEL_FILE
    if not meta.is_file():
        raise ModelError(f"expected an oncogen model folder containing {MODEL_FILE}, found "
                         f"none in {meta.parent}; pass a folder written by `oncogen train ...` "
                         "or a name from `oncogen models list`")
    try:
        document = json.loads(meta.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelError(f"{meta} is not valid JSON ({err}); the model file is damaged") from err
    kind = document.get("kind") if isinstance(document, dict) else None
    if not isinstance(kind, str) or not kind:
        raise ModelError(f"{meta} records no model kind; the model file is damaged")
    return kind


def load_caller_model(model: str | os.PathLike[str] | None = None, **kwargs: Any) -> Any:
    """The caller's network (:func:`onco_genomics.caller.model.load_caller_model`): a folder, a
    shipped name, or None for the default model; ``kwargs`` go to that loader."""
    from onco_genomics.caller.model import load_caller_model as load

    return load(None if model is None else resolve_model(model), **kwargs)


def load_omics_model(model: str | os.PathLike[str], **kwargs: Any) -> Any:
    """An omics estimator or Pipeline (:func:`onco_genomics.omics.core.model_dir.load_model`):
    a folder or a shipped name; ``kwargs`` (e.g. ``expect_kind``) go to that loader."""
    from onco_genomics.omics.core.model_dir import load_model as load

    return load(resolve_model(model), **kwargs)


def load_model(model: str | os.PathLike[str], **kwargs: Any) -> Any:
    """Any oncogen model by folder or shipped name, dispatched on the kind it records.

    Parameters
    ----------
    model
        A model folder (or its ``model.json``), or a name from :func:`list_models`.
    kwargs
        Passed to the family's loader: ``device``/``encoder`` for the caller,
        ``expect_kind`` for omics models.

    Returns
    -------
    CallerModel or estimator
        A :class:`~onco_genomics.caller.model.CallerModel` for ``caller/...`` kinds (a
        :class:`~onco_genomics.caller.tumor_only_model.TumorOnlyModel` for the tumor-only
        kind), else the
        omics estimator or Pipeline with ``model_card_`` set.
    """
    kind = model_kind(model)
    if kind == TUMOR_ONLY_KIND:
        from onco_genomics.caller.tumor_only_model import load_tumor_only_model

        return load_tumor_only_model(resolve_model(model), **kwargs)
    if kind.startswith(CALLER_KIND_PREFIX):
        return load_caller_model(model, **kwargs)
    return load_omics_model(model, **kwargs)
