"""Feature tables (expression, copy number, mutation features) and sample labels.

A feature table comes back as a float64 :class:`pandas.DataFrame` of samples x features
(index: sample ids named ``sample``; columns: feature names). Files may be TSV or CSV
(the delimiter is sniffed), optionally gzipped, with samples in rows or in columns.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from onco_genomics.errors import InputFileError, TableFormatError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.io.orientation import Orientation, OrientationDecision, resolve_orientation

log = logging.getLogger(__name__)

NanPolicy = Literal["error", "drop-features", "impute-median", "keep"]
DuplicatePolicy = Literal["error", "mean", "first"]

#: cell texts read as missing values
NA_VALUES = ["", "NA", "NaN", "nan", "N/A", "NULL", "null", "."]
_EXAMPLES = 3
#: key of ``DataFrame.attrs`` where :func:`read_table` leaves its :class:`OrientationDecision`
ORIENTATION_ATTR = "oncogen_orientation"


def _open_text(path: Path) -> io.TextIOBase:
    if not path.exists():
        raise InputFileError(f"table {path} does not exist")
    if path.is_dir():
        raise InputFileError(f"table {path} is a folder, expected a TSV/CSV file")
    if path.stat().st_size == 0:
        raise InputFileError(f"table {path} is empty (0 bytes)")
    with open(path, "rb") as handle:
        magic = handle.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _sniff_delimiter(path: Path, first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in ("\t", ",", ";")}
    sep = max(counts, key=lambda key: counts[key])
    if counts[sep] == 0:
        raise TableFormatError(
            f"table {path} has a single column (first line {first_line[:60]!r}); expected "
            "a tab- or comma-separated table with an id column and value columns")
    return sep


def _read_raw(path: Path) -> tuple[pd.DataFrame, str]:
    """The table as in the file: first column as string index, header as columns."""
    try:
        with _open_text(path) as handle:
            first_line = handle.readline().rstrip("\r\n")
            if not first_line.strip():
                raise TableFormatError(f"table {path} has an empty first line; expected a "
                                       "header line with column names")
            sep = _sniff_delimiter(path, first_line)
            header = next(csv.reader([first_line], delimiter=sep))
            body = pd.read_csv(handle, sep=sep, header=None, index_col=0,
                               converters={0: str}, na_values=NA_VALUES,
                               keep_default_na=False, engine="c")
        if body.index.isna().any() or "nan" in body.index:
            # a row named "NA" was read as missing: take the names as written
            with _open_text(path) as handle:
                handle.readline()
                names_column = pd.read_csv(handle, sep=sep, header=None, usecols=[0],
                                           dtype=str, na_filter=False, engine="c")
            body.index = pd.Index(names_column.iloc[:, 0])
        if body.shape[1] and body.iloc[:, -1].isna().any():
            # pandas pads short rows with NaN: tell them apart from empty cells
            _check_ragged(path, sep, len(header))
    except pd.errors.EmptyDataError as err:
        raise TableFormatError(f"table {path} has a header but no data rows") from err
    except pd.errors.ParserError as err:
        raise TableFormatError(f"table {path} has rows of unequal length: {err}; expected "
                               "the same number of fields on every line") from err
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile) as err:
        raise InputFileError(f"table {path} is not readable text ({err}); expected a "
                             "TSV/CSV file, optionally gzipped") from err
    n_values = body.shape[1]
    if len(header) == n_values + 1:
        corner, names = header[0], header[1:]
    elif len(header) == n_values:  # R write.table style: no corner cell
        corner, names = "", header
    else:
        raise TableFormatError(
            f"table {path}: the header has {len(header)} fields but data rows have "
            f"{n_values + 1}; expected a header with one name per column")
    body.columns = pd.Index([name.strip() for name in names])
    body.index = pd.Index([str(name).strip() for name in body.index])
    body.index.name = corner.strip() or None
    return body, sep


def _check_ragged(path: Path, sep: str, n_header: int) -> None:
    """Refuse lines with a field count unlike the first data line (streams the file)."""
    expected = -1
    with _open_text(path) as handle:
        handle.readline()
        for line_no, line in enumerate(handle, start=2):
            text = line.rstrip("\r\n")
            if not text or '"' in text:  # quoted fields may hold the delimiter
                continue
            n_fields = text.count(sep) + 1
            if expected < 0:
                expected = n_fields
            elif n_fields != expected:
                raise TableFormatError(
                    f"table {path} has rows of unequal length: line {line_no} has {n_fields} "
                    f"fields, earlier data lines {expected} (header {n_header}); expected the "
                    "same number of fields on every line")


def _check_numeric(path: Path, raw: pd.DataFrame) -> pd.DataFrame:
    dtypes = list(raw.dtypes)
    bad_columns = [col for col, dtype in enumerate(dtypes)
                   if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype)]
    if not bad_columns:
        return raw.astype(np.float64)
    examples: list[str] = []
    n_bad = 0
    for col in bad_columns:
        values = raw.iloc[:, col]
        numeric = pd.to_numeric(values.astype(str), errors="coerce")
        mask = numeric.isna() & values.notna()
        n_bad += int(mask.sum())
        for position in np.flatnonzero(mask.to_numpy())[:_EXAMPLES]:
            if len(examples) < _EXAMPLES:
                examples.append(f"line {position + 2}, row {raw.index[position]!r}, column "
                                f"{raw.columns[col]!r}: {values.iloc[position]!r}")
    raise TableFormatError(
        f"table {path} has {n_bad} non-numeric cell(s) in {len(bad_columns)} column(s), e.g. "
        f"{'; '.join(examples)}. Expected numbers (missing values as empty, NA or NaN); "
        "remove annotation columns such as gene descriptions before reading")


def _names_preview(names: Iterable[object]) -> str:
    return ", ".join(repr(str(n)) for n in list(names)[:_EXAMPLES])


def _apply_duplicates(path: Path, table: pd.DataFrame, duplicates: DuplicatePolicy,
                      orientation_hint: str) -> pd.DataFrame:
    dup_samples = table.index[table.index.duplicated()].unique()
    if len(dup_samples):
        raise TableFormatError(
            f"table {path} has {len(dup_samples)} duplicated sample id(s): "
            f"{_names_preview(dup_samples)}{'...' if len(dup_samples) > _EXAMPLES else ''}; "
            f"expected each sample once{orientation_hint}")
    dup_features = table.columns[table.columns.duplicated()].unique()
    if not len(dup_features):
        return table
    listed = ", ".join(repr(n) for n in list(dup_features)[:5])
    if duplicates == "error":
        raise TableFormatError(
            f"table {path} has {len(dup_features)} duplicated feature name(s): {listed}"
            f"{'...' if len(dup_features) > 5 else ''}; expected unique names. Pass "
            "duplicates='mean' or 'first' (--duplicates) to combine them")
    log.warning("%s: %d duplicated feature name(s) (%s) combined by %s", path,
                len(dup_features), listed, duplicates)
    if duplicates == "first":
        return table.loc[:, ~table.columns.duplicated()]
    if duplicates == "mean":
        order = list(dict.fromkeys(table.columns))
        return table.T.groupby(level=0, sort=False).mean().T[order]
    raise ValueError(f"duplicates must be error, mean or first, not {duplicates!r}")


def _apply_nan_policy(path: Path, table: pd.DataFrame, nan_policy: NanPolicy) -> pd.DataFrame:
    values = table.to_numpy()
    if np.isinf(values).any():
        n_inf = int(np.isinf(values).sum())
        column = table.columns[np.isinf(values).any(axis=0)][0]
        raise TableFormatError(f"table {path} has {n_inf} infinite value(s) (e.g. in feature "
                               f"{column!r}); expected finite numbers")
    missing = table.isna().sum()
    missing = missing[missing > 0]
    if missing.empty:
        return table
    total = int(missing.sum())
    listed = ", ".join(f"{name} ({count})" for name, count in
                       missing.sort_values(ascending=False, kind="stable").head(5).items())
    if nan_policy == "keep":
        log.info("%s: %d missing value(s) in %d feature(s) left for the model to impute",
                 path, total, len(missing))
        return table
    if nan_policy == "error":
        raise TableFormatError(
            f"table {path} has {total} missing value(s) in {len(missing)} feature(s): "
            f"{listed}{'...' if len(missing) > 5 else ''}; expected none. Pass "
            "nan_policy='drop-features' or 'impute-median' (--nan-policy) or fill them")
    if nan_policy == "drop-features":
        log.warning("%s: dropped %d feature(s) with missing values: %s", path, len(missing),
                    listed)
        return table.drop(columns=missing.index)
    if nan_policy == "impute-median":
        all_missing = [name for name in missing.index if table[name].isna().all()]
        if all_missing:
            log.warning("%s: dropped %d feature(s) with no values at all: %s", path,
                        len(all_missing), _names_preview(all_missing))
            table = table.drop(columns=all_missing)
        log.warning("%s: imputed %d missing value(s) in %d feature(s) with the feature median",
                    path, total, len(missing) - len(all_missing))
        return table.fillna(table.median())
    raise ValueError(f"nan_policy must be error, drop-features, impute-median or keep, "
                     f"not {nan_policy!r}")


def read_table(path: str | os.PathLike[str], *, orientation: Orientation = "auto",
               nan_policy: NanPolicy = "error",
               duplicates: DuplicatePolicy = "error",
               sample_ids: Iterable[object] | None = None,
               feature_names: Iterable[object] | None = None,
               ids_source: str = "the labels",
               features_source: str = "the model") -> pd.DataFrame:
    """Read a numeric feature table as samples x features (float64).

    Parameters
    ----------
    path
        TSV or CSV (delimiter sniffed from the header), optionally gzipped. The first
        column holds row names; the header holds column names (an R-style header without
        the corner cell is accepted).
    orientation
        ``"samples-rows"``, ``"features-rows"`` (transposed on reading) or ``"auto"``,
        resolved by :func:`onco_genomics.io.orientation.resolve_orientation`: from
        ``sample_ids``, else ``feature_names``, else gene-like / sample-like names, else the
        shape (with a WARNING); an error when nothing decides.
    nan_policy
        Missing cells: ``"error"``, ``"drop-features"`` (drop features with any missing
        value), ``"impute-median"`` (fill with the feature's median) or ``"keep"`` (leave
        NaN for a model's own preprocessing, which imputes as it did in training).
    duplicates
        Duplicated feature names: ``"error"``, ``"mean"`` (average them) or ``"first"``.
        Duplicated sample ids are always an error.
    sample_ids
        Sample ids the caller already has (labels, clinical or response table): under
        ``"auto"`` the axis holding them is the sample axis.
    feature_names
        Feature names the caller already has (a model's inputs): under ``"auto"`` the axis
        holding them is the feature axis (used when ``sample_ids`` is None).
    ids_source, features_source
        Where ``sample_ids`` / ``feature_names`` came from, for messages.

    Returns
    -------
    pandas.DataFrame
        float64, index = sample ids (named ``sample``), columns = feature names.

    Raises
    ------
    TableFormatError
        Non-numeric cells (with line/row/column/value of the first few), duplicated names,
        missing values under ``nan_policy="error"``, ragged rows.
    InputFileError
        Missing, empty or unreadable files.
    """
    path = Path(path)
    raw, _ = _read_raw(path)
    if raw.shape[1] == 0 or raw.shape[0] == 0:
        raise TableFormatError(f"table {path} has no values (shape {raw.shape})")
    decision = resolve_orientation(path, raw, orientation, sample_ids=sample_ids,
                                   feature_names=feature_names, ids_source=ids_source,
                                   features_source=features_source)
    table = _check_numeric(path, raw)
    if decision.transposed:
        table = table.T
    table = _apply_duplicates(path, table, duplicates, f" ({decision.hint()})")
    table = _apply_nan_policy(path, table, nan_policy)
    if table.shape[1] == 0:
        raise TableFormatError(f"table {path} has no feature left after dropping missing "
                               "values; use nan_policy='impute-median' or fix the file")
    table = table.astype(np.float64)
    table.index = pd.Index(table.index.astype(str), name="sample")
    table.columns = pd.Index(table.columns.astype(str)).rename(None)
    table.attrs[ORIENTATION_ATTR] = decision
    log.info("read %s: %d samples x %d features", path, table.shape[0], table.shape[1])
    return table


def orientation_hint(table: pd.DataFrame) -> str:
    """How :func:`read_table` oriented ``table`` and the option that flips it ('' if unknown)."""
    decision = table.attrs.get(ORIENTATION_ATTR)
    return decision.hint() if isinstance(decision, OrientationDecision) else ""


def read_labels(path: str | os.PathLike[str], *, column: str | None = None) -> pd.Series:
    """Read sample labels: the first column is the sample id, ``column`` the label.

    Parameters
    ----------
    path
        TSV/CSV, optionally gzipped, with a header.
    column
        Label column; may be omitted when the file has exactly one column besides the id.

    Returns
    -------
    pandas.Series
        sample id -> label, named after the label column. Numeric labels (all values
        numbers) come back as float64, others as strings. Samples with an empty label are
        dropped with a warning.

    Raises
    ------
    TableFormatError
        Unknown or ambiguous label column, duplicated sample ids, no labels at all.
    """
    path = Path(path)
    try:
        with _open_text(path) as handle:
            first_line = handle.readline().rstrip("\r\n")
            sep = _sniff_delimiter(path, first_line)
            header = [name.strip() for name in next(csv.reader([first_line], delimiter=sep))]
            table = pd.read_csv(handle, sep=sep, header=None, dtype=str, na_filter=False)
    except pd.errors.EmptyDataError as err:
        raise TableFormatError(f"label file {path} has a header but no rows") from err
    except pd.errors.ParserError as err:
        raise TableFormatError(f"label file {path} has rows of unequal length: {err}") from err
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile) as err:
        raise TableFormatError(f"label file {path} is not a text table ({err}); expected a "
                               "TSV/CSV with a header, optionally gzipped") from None
    if table.shape[1] != len(header):
        raise TableFormatError(f"label file {path}: the header has {len(header)} fields but "
                               f"rows have {table.shape[1]}")
    table.columns = pd.Index(header)
    label_columns = header[1:]
    if column is None:
        if len(label_columns) != 1:
            raise TableFormatError(
                f"label file {path} has {len(label_columns)} label columns "
                f"({', '.join(label_columns)}); choose one with column=... (--label-column)")
        column = label_columns[0]
    elif column not in label_columns:
        raise TableFormatError(f"label file {path} has no column {column!r}; found "
                               f"{', '.join(label_columns)}")
    samples = table.iloc[:, 0].astype(str).str.strip()
    duplicated = samples[samples.duplicated()].unique()
    if len(duplicated):
        raise TableFormatError(
            f"label file {path} lists {len(duplicated)} sample(s) more than once: "
            f"{', '.join(duplicated[:5])}; expected one label per sample")
    labels = pd.Series(table[column].str.strip().to_numpy(), index=pd.Index(samples,
                       name="sample"), name=column)
    missing = labels.isin(NA_VALUES)  # sample ids are never read as missing
    if missing.all():
        raise TableFormatError(f"label file {path}: column {column!r} has no labels")
    if missing.any():
        log.warning("%s: %d sample(s) without a %s label dropped (e.g. %s)", path,
                    int(missing.sum()), column, _names_preview(labels.index[missing]))
        labels = labels[~missing]
    numeric = pd.to_numeric(labels, errors="coerce")
    if numeric.notna().all():
        return numeric.astype(np.float64)
    return labels.astype(str)


def write_table(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as a TSV (gzipped if ``path`` ends in ``.gz``), atomically.

    The index is written as the first column (named after ``df.index.name`` or
    ``sample``); floats keep full precision so :func:`read_table` round-trips exactly.
    """
    target = Path(path)
    label = df.index.name or "sample"
    with atomic_path(target) as tmp:
        df.to_csv(tmp, sep="\t", index=True, index_label=str(label),
                  compression="gzip" if target.suffix == ".gz" else None)
    log.debug("wrote %s (%d x %d)", target, df.shape[0], df.shape[1])
    return target
