"""Which of a model's outputs to explain: named ones, or the most informative few.

A classifier has one output per class, a drug-response model one per training drug (265
for GDSC), a survival model one risk score. SHAP time and the number of plots grow with the
outputs, so ``oncogen explain`` explains the outputs asked for (``--drugs``/``--classes``)
and otherwise, for a model with many, the ``n`` that matter most on the data at hand
(:func:`rank_outputs`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from onco_genomics.errors import ModelError

log = logging.getLogger(__name__)


def final_estimator(model: Any) -> Any:
    """The last step of a Pipeline, or the model itself."""
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model


def model_outputs(model: Any) -> tuple[str, ...] | None:
    """The model's output names (classes, drugs), or None when it does not say."""
    estimator = final_estimator(model)
    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        return tuple(str(c) for c in classes)
    names = getattr(estimator, "output_names_", None)
    if names is not None:
        return tuple(str(n) for n in names)
    return None


def check_outputs(model: Any, requested: Sequence[str]) -> list[str]:
    """``requested`` in order without duplicates; :class:`ModelError` naming unknown ones."""
    known = model_outputs(model)
    wanted = list(dict.fromkeys(str(r) for r in requested))
    if known is None:
        raise ModelError("this model does not name its outputs, so none can be chosen")
    unknown = [r for r in wanted if r not in known]
    if unknown:
        shown = ", ".join(known[:8]) + (f", ... ({len(known)} in all)" if len(known) > 8 else "")
        raise ModelError(f"unknown output(s) {', '.join(unknown)}; the model has {shown}")
    return wanted


def rank_outputs(model: Any, X: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` outputs most worth explaining on samples ``X`` (all when there are <= n).

    Classifiers: the classes with the highest mean predicted probability over ``X``.
    Drug-response models: the drugs whose predicted ln(IC50) varies most across ``X`` (a
    drug predicted the same for every sample has nothing per sample to explain). Other
    models: the first ``n``.
    """
    names = model_outputs(model)
    if names is None or n <= 0 or len(names) <= n:
        return list(names or ())
    estimator = final_estimator(model)
    if hasattr(model, "predict_proba") and hasattr(estimator, "classes_"):
        score = np.asarray(model.predict_proba(X), dtype=float).mean(axis=0)
        why = "highest mean predicted probability"
    elif hasattr(estimator, "drugs_") and hasattr(estimator, "predict"):
        from onco_genomics.omics.drug_response import predict_drug_response

        table = predict_drug_response(estimator, X)
        spread = table.groupby("drug")["predicted_ln_ic50"].std()
        score = spread.reindex(list(names)).fillna(0.0).to_numpy()
        why = "largest spread of predicted ln(IC50) across the samples"
    else:
        return list(names[:n])
    order = np.argsort(-score, kind="stable")[:n]
    chosen = [names[i] for i in order]
    log.info("explaining %d of %d outputs (%s): %s; choose others with --outputs",
             n, len(names), why, ", ".join(chosen))
    return chosen
