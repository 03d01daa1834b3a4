"""SigProfiler-layout matrix files: catalogs, signature tables and exposure tables.

The layout is a tab-separated table whose first column names the mutation channels
(SigProfiler writes ``MutationType``; COSMIC signature files ``Type``; SigProfilerAssignment's
example catalog ``Mutation Types``) followed by one column per sample or signature. oncogen
writes ``MutationType`` and SigProfiler's row order, so either tool reads the other's files.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from onco_genomics.errors import InputFileError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.spectrum.catalog import CHANNELS, MutationCatalog
from onco_genomics.spectrum.contexts import ContextKind

log = logging.getLogger(__name__)


def _read_table(path: Path, what: str) -> pd.DataFrame:
    if not path.exists():
        raise InputFileError(f"{what} {path} does not exist")
    try:
        table = pd.read_csv(path, sep="\t", index_col=0)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputFileError(f"{what} {path} is not a tab-separated matrix "
                             f"(MutationType column + one column per sample): {err}") from err
    table = table.loc[:, [c for c in table.columns if not str(c).startswith("Unnamed")]]
    table.index = table.index.astype(str)
    return table


def infer_kind(channels: list[str], *, source: str = "matrix") -> ContextKind:
    """The catalog kind whose channel set equals ``channels`` (any order).

    Raises
    ------
    InputFileError
        The rows match no SBS96, SBS1536, DBS78 or ID83 channel set.
    """
    found = set(channels)
    for kind, expected in CHANNELS.items():
        if found == set(expected) and len(channels) == len(expected):
            return kind  # type: ignore[return-value]
    raise InputFileError(
        f"{source} has {len(channels)} rows (first {channels[:3]}) that match none of the "
        f"SBS96, SBS1536, DBS78 or ID83 channel sets; expected a SigProfiler-layout matrix "
        "whose first column holds e.g. A[C>A]A, AC>CA or 1:Del:C:0")


def read_catalog(path: str | os.PathLike[str]) -> MutationCatalog:
    """Read a catalog in SigProfiler's layout (written by oncogen or SigProfiler).

    Raises
    ------
    InputFileError
        Missing file, unknown channels, non-numeric or negative counts.
    """
    path = Path(path)
    table = _read_table(path, "catalog")
    kind = infer_kind(list(table.index), source=f"catalog {path}")
    table = table.reindex(list(CHANNELS[kind]))
    table.index.name = "MutationType"
    try:
        values = table.to_numpy(dtype=float)
    except ValueError as err:
        raise InputFileError(f"catalog {path} holds non-numeric counts: {err}") from err
    if not np.isfinite(values).all() or (values < 0).any():
        raise InputFileError(f"catalog {path} must hold finite non-negative counts; found "
                             "missing, negative or infinite values")
    if np.allclose(values, np.round(values)):
        table = table.astype(np.int64)
    else:
        table = table.astype(float)
    return MutationCatalog(kind, table)


def read_signatures(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a signature table (COSMIC/SigProfiler layout): channels x signatures.

    Columns are re-normalised to sum to 1 (COSMIC files are rounded).

    Raises
    ------
    InputFileError
        Missing file, unknown channels, or a column that is not a probability profile.
    """
    path = Path(path)
    table = _read_table(path, "signature file")
    kind = infer_kind(list(table.index), source=f"signature file {path}")
    table = table.reindex(list(CHANNELS[kind])).astype(float)
    values = table.to_numpy()
    sums = values.sum(axis=0)
    if not np.isfinite(values).all() or (values < 0).any() or (sums <= 0).any():
        raise InputFileError(f"signature file {path} must hold non-negative profiles with a "
                             "positive sum per column")
    table = table / sums
    table.index.name = "MutationType"
    return table


def write_matrix(table: pd.DataFrame, path: str | os.PathLike[str], *,
                 index_name: str = "MutationType", float_format: str = "%.6g") -> None:
    """Write a table in SigProfiler's tab-separated layout, atomically."""
    out = table.copy()
    out.index.name = index_name
    with atomic_path(path) as tmp:
        out.to_csv(tmp, sep="\t", float_format=float_format)


def write_catalog(catalog: MutationCatalog, path: str | os.PathLike[str]) -> None:
    """Write a catalog as SigProfiler does (``MutationType`` + one column per sample)."""
    write_matrix(catalog.counts, path)
