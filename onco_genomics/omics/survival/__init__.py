"""Prognosis from omics: survival models, their cross-validation, metrics and plots.

- :mod:`.workflow`: the API (:func:`prepare_survival_data`, :func:`train_survival`,
  :func:`predict_survival`, :func:`feature_effects`), re-exported here;
- :mod:`.outcome` (time + event), :mod:`.metrics` (C-index, Brier, log-rank),
  :mod:`.cv` (nested cross-validation), :mod:`.plots`;
- the estimators: :mod:`.base` (the shared fit/selection/Breslow base), :mod:`.coxnet`,
  :mod:`.xgboost_cox`, :mod:`.ensemble`, and :mod:`.deep` (DeepSurv, autoencoder-Cox: the
  only module here that imports torch); :mod:`.models` names them for ``--model``.

The modules of the old flat layout (``omics.survival_models``, ``survival_cv``,
``survival_metrics``, ``survival_outcome``, ``survival_plots``) re-export these.
"""

from __future__ import annotations

from onco_genomics.omics.survival.workflow import (
    MAX_MISSING_FEATURE_FRACTION,
    FeatureEffect,
    SurvivalData,
    SurvivalPrediction,
    TrainedSurvival,
    align_features,
    feature_effects,
    make_survival_model,
    predict_survival,
    prepare_survival_data,
    read_clinical,
    train_survival,
)

__all__ = ["MAX_MISSING_FEATURE_FRACTION", "FeatureEffect", "SurvivalData", "SurvivalPrediction",
           "TrainedSurvival", "align_features", "feature_effects", "make_survival_model",
           "predict_survival", "prepare_survival_data", "read_clinical", "train_survival"]
