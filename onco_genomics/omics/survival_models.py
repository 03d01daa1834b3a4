"""Old path of the survival estimators, now in :mod:`onco_genomics.omics.survival`
(base, coxnet, deep, xgboost_cox, ensemble); kept for existing imports. Importing this
module imports every estimator, torch included; import the submodules to avoid that."""

from __future__ import annotations

from onco_genomics.omics.survival.base import (
    FEATURE_SELECTIONS,
    SurvivalEstimator,
    _as_outcome,
    _group_labels,
    cox_score_statistic,
    select_by_cox_score,
    select_features,
)
from onco_genomics.omics.survival.coxnet import CoxnetSurvival
from onco_genomics.omics.survival.deep import (
    AutoencoderCox,
    DeepSurv,
    cox_loss_on_outcome,
    cox_partial_likelihood_loss,
    outcome_target,
)
from onco_genomics.omics.survival.ensemble import (
    _ENSEMBLE_COXNET,
    ENSEMBLE_PAYLOAD_VERSION,
    EnsembleCox,
)
from onco_genomics.omics.survival.models import params_json
from onco_genomics.omics.survival.xgboost_cox import XGBoostCox

#: ``--model`` name -> estimator class (the old eager table; see
#: :data:`onco_genomics.omics.survival.models.SURVIVAL_MODELS` for the lazy one)
SURVIVAL_MODELS: dict[str, type[SurvivalEstimator]] = {
    "coxnet": CoxnetSurvival,
    "deepsurv": DeepSurv,
    "autoencoder-cox": AutoencoderCox,
    "xgboost-cox": XGBoostCox,
    "ensemble-cox": EnsembleCox,
}

__all__ = ["ENSEMBLE_PAYLOAD_VERSION", "FEATURE_SELECTIONS", "SURVIVAL_MODELS", "_ENSEMBLE_COXNET",
           "AutoencoderCox", "CoxnetSurvival", "DeepSurv", "EnsembleCox", "SurvivalEstimator",
           "XGBoostCox", "_as_outcome", "_group_labels", "cox_loss_on_outcome",
           "cox_partial_likelihood_loss", "cox_score_statistic", "outcome_target", "params_json",
           "select_by_cox_score", "select_features"]
