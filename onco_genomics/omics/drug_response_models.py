"""Old path of the drug-response models, now in :mod:`onco_genomics.omics.drug_response`
(base, linear, boosted, multitask); kept for existing imports. Importing this module
imports every model, torch included; import the submodules to avoid that."""

from __future__ import annotations

from onco_genomics.omics.drug_response.base import (
    DrugResponseModel,
    _pairs_check,
)
from onco_genomics.omics.drug_response.boosted import (
    XGBoostDrugResponse,
)
from onco_genomics.omics.drug_response.linear import (
    LowRankElasticNet,
    PerDrugElasticNet,
    PerDrugMean,
)
from onco_genomics.omics.drug_response.multitask import (
    MultitaskDrugResponse,
    MultitaskNet,
    masked_mse,
)

#: ``--model`` name -> class (the old eager table; see
#: :data:`onco_genomics.omics.drug_response.models.DRUG_RESPONSE_MODELS` for the lazy one)
DRUG_RESPONSE_MODELS: dict[str, type[DrugResponseModel]] = {
    "per-drug-mean": PerDrugMean,
    "elastic-net": PerDrugElasticNet,
    "lowrank-elastic-net": LowRankElasticNet,
    "xgboost": XGBoostDrugResponse,
    "multitask": MultitaskDrugResponse,
}

__all__ = ["DRUG_RESPONSE_MODELS", "DrugResponseModel", "LowRankElasticNet",
           "MultitaskDrugResponse", "MultitaskNet", "PerDrugElasticNet", "PerDrugMean",
           "XGBoostDrugResponse", "_pairs_check", "masked_mse"]
