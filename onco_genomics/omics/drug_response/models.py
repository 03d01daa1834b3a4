"""The drug-response models by ``--model`` name, as "module:Class" paths imported on use, so
a linear or xgboost model never imports torch."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from onco_genomics.errors import OptionsError

if TYPE_CHECKING:
    from onco_genomics.omics.drug_response.base import DrugResponseModel

_PACKAGE = "onco_genomics.omics.drug_response"

#: ``--model`` name -> "module:Class"
DRUG_RESPONSE_MODELS: dict[str, str] = {
    "per-drug-mean": f"{_PACKAGE}.linear:PerDrugMean",
    "elastic-net": f"{_PACKAGE}.linear:PerDrugElasticNet",
    "lowrank-elastic-net": f"{_PACKAGE}.linear:LowRankElasticNet",
    "xgboost": f"{_PACKAGE}.boosted:XGBoostDrugResponse",
    "multitask": f"{_PACKAGE}.multitask:MultitaskDrugResponse",
}


def drug_response_model_class(name: str) -> type[DrugResponseModel]:
    """The model class of ``--model`` ``name`` (its module imported now)."""
    if name not in DRUG_RESPONSE_MODELS:
        raise OptionsError(f"unknown drug-response model {name!r}; expected one of "
                           f"{', '.join(DRUG_RESPONSE_MODELS)}")
    module, _, attribute = DRUG_RESPONSE_MODELS[name].partition(":")
    cls: type[DrugResponseModel] = getattr(importlib.import_module(module), attribute)
    return cls
