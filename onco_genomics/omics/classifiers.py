"""Old path of :mod:`onco_genomics.omics.classification.estimators`, kept for existing
imports."""

from __future__ import annotations

from onco_genomics.omics.classification.estimators import (
    BACKGROUND_SIZE,
    CLASSIFIER_NAMES,
    CNN1DClassifier,
    LogisticClassifier,
    MLPClassifier,
    XGBoostClassifier,
    check_labels,
    chromosome_order,
    correlation_order,
    make_classifier,
    stratified_subsample,
)

__all__ = ["BACKGROUND_SIZE", "CLASSIFIER_NAMES", "CNN1DClassifier", "LogisticClassifier",
           "MLPClassifier", "XGBoostClassifier", "check_labels", "chromosome_order",
           "correlation_order", "make_classifier", "stratified_subsample"]
