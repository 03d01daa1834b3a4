"""Reading drug-response tables, which unlike feature tables are sparse (not every drug is
screened on every cell line), so :func:`onco_genomics.io.tables.read_table`'s missing-value
policies (error, drop, impute) do not fit: empty cells must stay "not measured"."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd

from onco_genomics.errors import InputFileError, TableFormatError

log = logging.getLogger(__name__)

#: cell texts read as "not measured"
NA_VALUES = ["", "NA", "NaN", "nan", "N/A", "NULL", "null", "."]


def read_response_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a wide (cell lines x drugs) or long (cell_line, drug, ln_ic50) response table.

    TSV or CSV (delimiter sniffed), optionally gzipped; the first column of a wide table
    holds the cell-line ids. Returns the table as read (see
    :func:`onco_genomics.omics.drug_response_data.response_to_long`).
    """
    target = Path(path)
    if not target.is_file() or target.stat().st_size == 0:
        raise InputFileError(f"expected a response table at {target}, found "
                             f"{'an empty file' if target.exists() else 'nothing'}")
    try:
        table = pd.read_csv(target, sep=None, engine="python", na_values=NA_VALUES,
                            keep_default_na=False, dtype=str)
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise TableFormatError(f"cannot parse the response table {target}: {err}; expected "
                               "TSV/CSV with a header row") from err
    lower = [str(c).lower() for c in table.columns]
    if "cell_line" in lower and "drug" in lower:
        return table
    table = table.set_index(table.columns[0])
    numeric = table.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna() & table.notna()
    if bad.to_numpy().any():
        row, col = next(zip(*bad.to_numpy().nonzero(), strict=True))
        raise TableFormatError(
            f"expected numeric ln(IC50) values in {target}, found {int(bad.to_numpy().sum())} "
            f"non-numeric cells (e.g. {table.index[row]} x {table.columns[col]} = "
            f"{table.iloc[row, col]!r}); leave unmeasured pairs empty")
    return numeric
