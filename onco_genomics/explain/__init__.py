"""SHAP explanations for every omics model: values, per-sample tables, global plots."""

from __future__ import annotations

from onco_genomics.explain.shap_values import (
    Explanation,
    explain_model,
    global_importance,
    top_features,
    top_features_wide,
)

__all__ = ["Explanation", "explain_model", "global_importance", "top_features",
           "top_features_wide"]
