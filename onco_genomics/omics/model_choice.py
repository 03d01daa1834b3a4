"""Old path of :mod:`onco_genomics.omics.classification.model_choice`, kept for existing
imports."""

from __future__ import annotations

from onco_genomics.omics.classification.model_choice import (
    AUTO_CANDIDATES,
    AutoClassifier,
)

__all__ = ["AUTO_CANDIDATES", "AutoClassifier"]
