"""The survival estimators by ``--model`` name, as "module:Class" paths imported on use, so
asking for Coxnet never imports torch (DeepSurv and the autoencoder-Cox do)."""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING

from onco_genomics.errors import OptionsError

if TYPE_CHECKING:
    from onco_genomics.omics.survival.base import SurvivalEstimator

_PACKAGE = "onco_genomics.omics.survival"

#: ``--model`` name -> "module:Class"
SURVIVAL_MODELS: dict[str, str] = {
    "coxnet": f"{_PACKAGE}.coxnet:CoxnetSurvival",
    "deepsurv": f"{_PACKAGE}.deep:DeepSurv",
    "autoencoder-cox": f"{_PACKAGE}.deep:AutoencoderCox",
    "xgboost-cox": f"{_PACKAGE}.xgboost_cox:XGBoostCox",
    "ensemble-cox": f"{_PACKAGE}.ensemble:EnsembleCox",
}


def survival_model_class(name: str) -> type[SurvivalEstimator]:
    """The estimator class of ``--model`` ``name`` (its module imported now)."""
    if name not in SURVIVAL_MODELS:
        raise OptionsError(f"unknown survival model {name!r}; expected one of "
                           f"{', '.join(SURVIVAL_MODELS)}")
    module, _, attribute = SURVIVAL_MODELS[name].partition(":")
    cls: type[SurvivalEstimator] = getattr(importlib.import_module(module), attribute)
    return cls


def params_json(model: SurvivalEstimator) -> str:
    """The estimator's hyper-parameters as canonical JSON (for logs and model cards)."""
    return json.dumps(model.get_params(), sort_keys=True, default=list)
