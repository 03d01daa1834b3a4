"""Omics classification: the classifiers, their one training path and its validation.

- :mod:`.estimators`: MLP, 1D-CNN over ordered genes, xgboost and L2 logistic (sklearn API);
- :mod:`.model_choice`: ``auto``, the candidate with the best inner-CV score;
- :mod:`.training`: :func:`train_classifier` (preprocessing -> classifier Pipeline, repeated
  stratified CV, temperature calibration, confidence threshold), :func:`predict_classes`,
  :func:`load_classifier`, re-exported here;
- :mod:`.evaluation` (the cross-validation report) and :mod:`.calibration`.

:mod:`onco_genomics.omics.cup` (tumour type) and :mod:`onco_genomics.omics.subtype`
(subtypes) use it; the flat modules of the old layout (``omics.classifiers``,
``calibration``, ``evaluation``, ``model_choice``) re-export these.
"""

from __future__ import annotations

from onco_genomics.omics.classification.training import (
    MODEL_NAMES,
    TASKS,
    TrainedClassifier,
    TrainingOptions,
    load_classifier,
    predict_classes,
    read_gene_positions,
    train_classifier,
)

__all__ = ["MODEL_NAMES", "TASKS", "TrainedClassifier", "TrainingOptions", "load_classifier",
           "predict_classes", "read_gene_positions", "train_classifier"]
