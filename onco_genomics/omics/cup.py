"""Cancer of unknown primary: tumour type from expression (or mutation features).

CUP is one user of :mod:`onco_genomics.omics.classification`: the training, calibration
and confidence rule are the generic classifier's; what is CUP's own is the default shipped
model (:data:`DEFAULT_CUP_MODEL`, what `oncogen cup` uses without --model) and the name
:func:`predict_tumour_type`. The names below are re-exported from there, so imports from
this module keep working.

Examples
--------
>>> from onco_genomics.datasets import load_expression_set
>>> data = load_expression_set("khan")  # doctest: +SKIP
>>> trained = train_classifier(data.expression, data.labels)  # doctest: +SKIP
>>> predict_tumour_type(trained.pipeline, data.expression).head()  # doctest: +SKIP
"""

from __future__ import annotations

from onco_genomics.omics.classification.training import (
    DEFAULT_CUP_MODEL,
    MODEL_NAMES,
    TASKS,
    TrainedClassifier,
    TrainingOptions,
    drop_small_classes,
    load_classifier,
    make_pipeline,
    match_labels,
    model_card_markdown,
    predict_classes,
    predict_tumour_type,
    train_classifier,
)

__all__ = ["DEFAULT_CUP_MODEL", "MODEL_NAMES", "TASKS", "TrainedClassifier", "TrainingOptions",
           "drop_small_classes", "load_classifier", "make_pipeline", "match_labels",
           "model_card_markdown", "predict_classes", "predict_tumour_type", "train_classifier"]
