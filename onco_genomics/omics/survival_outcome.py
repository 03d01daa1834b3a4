"""Old path of :mod:`onco_genomics.omics.survival.outcome`, kept for existing imports."""

from __future__ import annotations

from onco_genomics.omics.survival.outcome import SURV_DTYPE, SurvivalOutcome, make_outcome

__all__ = ["SURV_DTYPE", "SurvivalOutcome", "make_outcome"]
