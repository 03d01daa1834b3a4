"""Old path of :mod:`onco_genomics.omics.classification.evaluation`, kept for existing
imports."""

from __future__ import annotations

from onco_genomics.omics.classification.evaluation import (
    CrossValidationReport,
    cross_validate,
    plot_confusion,
    usable_splits,
)

__all__ = ["CrossValidationReport", "cross_validate", "plot_confusion", "usable_splits"]
