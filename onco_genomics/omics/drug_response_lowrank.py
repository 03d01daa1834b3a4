"""Old path of :mod:`onco_genomics.omics.drug_response.lowrank`, kept for existing imports."""

from __future__ import annotations

from onco_genomics.omics.drug_response.lowrank import (
    reduced_rank_ridge,
)

__all__ = ["reduced_rank_ridge"]
