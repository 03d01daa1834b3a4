"""Old path of :mod:`onco_genomics.omics.drug_response.data`, kept for existing imports."""

from __future__ import annotations

from onco_genomics.omics.drug_response.data import (
    RESPONSE_COLUMNS,
    DrugResponseData,
    morgan_fingerprints,
    prepare_drug_response,
    response_to_long,
)

__all__ = [
    "RESPONSE_COLUMNS",
    "DrugResponseData",
    "morgan_fingerprints",
    "prepare_drug_response",
    "response_to_long",
]
