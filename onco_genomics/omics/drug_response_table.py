"""Old path of :mod:`onco_genomics.omics.drug_response.table`, kept for existing imports."""

from __future__ import annotations

from onco_genomics.omics.drug_response.table import (
    NA_VALUES,
    read_response_table,
)

__all__ = ["NA_VALUES", "read_response_table"]
