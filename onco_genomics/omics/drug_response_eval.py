"""Old path of :mod:`onco_genomics.omics.drug_response.evaluation`, kept for existing
imports."""

from __future__ import annotations

from onco_genomics.omics.drug_response.evaluation import (
    SPLITS,
    DrugResponseScores,
    evaluate_split,
    score_drug_response,
    split_mask,
)

__all__ = ["SPLITS", "DrugResponseScores", "evaluate_split", "score_drug_response", "split_mask"]
