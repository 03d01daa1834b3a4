"""Old path of :mod:`onco_genomics.omics.core.preprocess` (the expression transformers), kept
for existing imports."""

from __future__ import annotations

from onco_genomics.omics.core.preprocess import (
    INPUT_TYPES,
    AlignmentReport,
    ExpressionNormaliser,
    FeatureSelector,
    GeneAligner,
    GeneIdHarmoniser,
    InputType,
    as_frame,
    build_preprocessing,
    describe_preprocessing,
    harmonise_gene_id,
)

__all__ = [
    "INPUT_TYPES",
    "AlignmentReport",
    "ExpressionNormaliser",
    "FeatureSelector",
    "GeneAligner",
    "GeneIdHarmoniser",
    "InputType",
    "as_frame",
    "build_preprocessing",
    "describe_preprocessing",
    "harmonise_gene_id",
]
