"""Old path of :mod:`onco_genomics.omics.survival.cv`, kept for existing imports."""

from __future__ import annotations

from onco_genomics.omics.survival.cv import (
    SurvivalCVResult,
    SurvivalFoldResult,
    nested_cross_validate,
)

__all__ = ["SurvivalCVResult", "SurvivalFoldResult", "nested_cross_validate"]
