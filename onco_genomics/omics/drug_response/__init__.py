"""Drug response: predict ln(IC50) of (cell line, drug) pairs.

- :mod:`.workflow`: the API (:func:`train_drug_response`, :func:`predict_drug_response`),
  re-exported here; :mod:`.data` (the pair data object, Morgan fingerprints),
  :mod:`.table` (response tables), :mod:`.evaluation` (hold-out splits and scores);
- the models: :mod:`.base` (the shared interface), :mod:`.linear` (per-drug mean,
  per-drug elastic net, low-rank shared linear with :mod:`.lowrank`), :mod:`.boosted`
  (xgboost) and :mod:`.multitask` (the only module here that imports torch);
  :mod:`.models` names them for ``--model``.

The modules of the old flat layout (``omics.drug_response_models``, ``drug_response_data``,
``drug_response_eval``, ``drug_response_lowrank``, ``drug_response_table``) re-export these.
"""

from __future__ import annotations

from onco_genomics.omics.drug_response.workflow import (
    DRUG_FEATURE_MODELS,
    TrainedDrugResponse,
    make_drug_response_model,
    predict_drug_response,
    train_drug_response,
)

__all__ = ["DRUG_FEATURE_MODELS", "TrainedDrugResponse", "make_drug_response_model",
           "predict_drug_response", "train_drug_response"]
