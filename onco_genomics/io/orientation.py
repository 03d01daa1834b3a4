"""Which way round a feature table is: samples in rows, or samples in columns.

``orientation="auto"`` is resolved from the identifiers the caller already has, then from the
names, and from the shape only as a last resort:

1. **sample ids** (training: the labels, clinical or response table): the orientation whose
   sample axis holds more of them wins;
2. **feature names** (prediction and explanation: the model's features): the orientation whose
   feature axis holds more of them wins;
3. **names**: the axis whose names look like genes/probes (Ensembl, RefSeq, Affymetrix,
   Illumina, HGNC-like symbols) is the feature axis; otherwise the axis whose names look like
   sample ids (TCGA/TARGET barcodes, GSM/SRR accessions, ``sample...``) is the sample axis;
4. **shape**, with a WARNING naming the rule: 10x more rows than columns (at least 100 rows)
   means features in rows; 10x more columns than rows means features in columns;
5. otherwise a :class:`~onco_genomics.errors.TableFormatError` that asks for ``--orientation``.

When identifiers are given but match neither axis, that is an error (the files do not
describe the same samples or model), whatever the names and shape say; when they match both
axes equally, the names and then the shape decide.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from onco_genomics.errors import TableFormatError

log = logging.getLogger(__name__)

Orientation = Literal["auto", "samples-rows", "features-rows"]

_GENE_PATTERNS = re.compile(
    r"""^(?:
        ENS[A-Z]*[GTP]\d{6,}(?:\.\d+)?            # Ensembl gene/transcript/protein
      | (?:AFFX-)?[\w/.\-]*_at                     # Affymetrix probe sets
      | ILMN_\d+                                   # Illumina probes
      | [NX][MR]_\d+(?:\.\d+)?                     # RefSeq
      | [A-Z][A-Z0-9]*(?:orf\d+)?[A-Z0-9]*(?:-[A-Z0-9]+)*(?:\.\d+)?  # HGNC-like symbols
    )$""",
    re.VERBOSE,
)
_SAMPLE_PATTERNS = re.compile(
    r"^(?:TCGA-|TARGET-|GSM\d+$|[SED]RR\d+$|[A-Z]_?\d{1,4}$"
    r"|(?i:sample|patient|case|subject|donor|tumou?r))",
)
_ENSEMBL_VERSION = re.compile(r"^(ENS[A-Z]*[GTP]\d+)\.\d+$", re.IGNORECASE)
#: share of an axis's names that must look like genes (or samples) for the names rule
_NAMES_MAJORITY = 0.6
#: ... while the other axis stays below this share
_NAMES_MINORITY = 0.3
_SHAPE_RATIO = 10
_SHAPE_MIN = 100
_EXAMPLES = 3

_FLIP = {"samples-rows": "features-rows", "features-rows": "samples-rows"}


@dataclass(frozen=True)
class OrientationDecision:
    """How a table was read, and why.

    Attributes
    ----------
    orientation
        ``"samples-rows"`` (read as in the file) or ``"features-rows"`` (transposed).
    rule
        What decided: ``"given"``, ``"sample ids"``, ``"feature names"``, ``"gene names"``,
        ``"sample names"`` or ``"shape"``.
    reason
        One sentence for logs and error hints.
    """

    orientation: Literal["samples-rows", "features-rows"]
    rule: str
    reason: str

    @property
    def transposed(self) -> bool:
        return self.orientation == "features-rows"

    def describe(self) -> str:
        """``read with samples as rows`` / ``transposed (samples were its columns)``."""
        return ("transposed (its columns were read as samples)" if self.transposed
                else "read as-is (its rows were read as samples)")

    def hint(self) -> str:
        """What was done and the option that flips it, for error messages."""
        return (f"the table was {self.describe()} by the {self.rule} rule; if that is wrong "
                f"pass --orientation {_FLIP[self.orientation]} "
                f"(orientation='{_FLIP[self.orientation]}')")


def _canonical(name: object) -> str:
    text = str(name).strip()
    match = _ENSEMBL_VERSION.match(text)
    return (match.group(1) if match else text).upper()


def _overlap(names: Iterable[object], wanted: set[str]) -> int:
    return sum(1 for name in names if _canonical(name) in wanted)


def _share(names: Sequence[str], pattern: re.Pattern[str],
           exclude: re.Pattern[str] | None = None) -> float:
    if not len(names):
        return 0.0
    hits = sum(1 for name in names
               if pattern.match(name) and not (exclude is not None and exclude.match(name)))
    return hits / len(names)


def looks_like_genes(names: Sequence[str]) -> float:
    """Fraction of ``names`` shaped like gene symbols or probe/transcript ids."""
    return _share(names, _GENE_PATTERNS, exclude=_SAMPLE_PATTERNS)


def looks_like_samples(names: Sequence[str]) -> float:
    """Fraction of ``names`` shaped like sample ids (TCGA barcodes, accessions, ``sample1``)."""
    return _share(names, _SAMPLE_PATTERNS)


def _preview(names: Iterable[object]) -> str:
    return ", ".join(repr(str(n)) for n in list(names)[:_EXAMPLES])


def _by_identifiers(path: Path, table: pd.DataFrame, ids: Iterable[object], *, what: str,
                    source: str) -> OrientationDecision | None:
    wanted = {_canonical(i) for i in ids}
    in_rows = _overlap(table.index, wanted)
    in_cols = _overlap(table.columns, wanted)
    rows_are = "samples-rows" if what == "sample ids" else "features-rows"
    cols_are = _FLIP[rows_are]
    if in_rows == in_cols == 0:
        raise TableFormatError(
            f"table {path}: none of its {len(table.index):,} row names (e.g. "
            f"{_preview(table.index)}) nor of its {len(table.columns):,} column names (e.g. "
            f"{_preview(table.columns)}) is one of the {len(wanted):,} {what} of {source} (e.g. "
            f"{_preview(sorted(wanted))}); expected the same identifiers in both. Check the id "
            "column of each file (spelling, case, version suffixes)")
    if in_rows == in_cols:
        log.info("%s: %d of %s's %s are row names and as many are column names; the names "
                 "and the shape decide", path, in_rows, source, what)
        return None
    rows_win = in_rows > in_cols
    n_best, n_axis = (in_rows, len(table.index)) if rows_win else (in_cols, len(table.columns))
    axis = "rows" if rows_win else "columns"
    return OrientationDecision(
        orientation=rows_are if rows_win else cols_are,  # type: ignore[arg-type]
        rule=what,
        reason=f"{n_best:,} of its {n_axis:,} {axis} are {what} of {source}")


def _by_names(table: pd.DataFrame) -> OrientationDecision | None:
    rows = [str(n) for n in table.index]
    cols = [str(n) for n in table.columns]
    rules = (("gene names", "genes/probes", looks_like_genes, "features-rows"),
             ("sample names", "sample ids", looks_like_samples, "samples-rows"))
    for rule, what, share, when_rows_match in rules:
        in_rows, in_cols = share(rows), share(cols)
        if in_rows >= _NAMES_MAJORITY and in_cols < _NAMES_MINORITY:
            return OrientationDecision(when_rows_match, rule,  # type: ignore[arg-type]
                                       f"its row names look like {what} ({_preview(rows)})")
        if in_cols >= _NAMES_MAJORITY and in_rows < _NAMES_MINORITY:
            return OrientationDecision(_FLIP[when_rows_match], rule,  # type: ignore[arg-type]
                                       f"its column names look like {what} ({_preview(cols)})")
    return None


def _by_shape(table: pd.DataFrame) -> OrientationDecision | None:
    n_rows, n_cols = table.shape
    if n_rows >= _SHAPE_RATIO * n_cols and n_rows >= _SHAPE_MIN:
        return OrientationDecision(
            "features-rows", "shape",
            f"it has {n_rows:,} rows and only {n_cols:,} columns (the shape rule: "
            f">= {_SHAPE_RATIO}x more rows than columns means features in rows)")
    if n_cols >= _SHAPE_RATIO * n_rows and n_cols >= _SHAPE_MIN:
        return OrientationDecision(
            "samples-rows", "shape",
            f"it has {n_cols:,} columns and only {n_rows:,} rows (the shape rule: "
            f">= {_SHAPE_RATIO}x more columns than rows means features in columns)")
    return None


def resolve_orientation(path: str | Path, table: pd.DataFrame, orientation: Orientation = "auto",
                        *, sample_ids: Iterable[object] | None = None,
                        feature_names: Iterable[object] | None = None,
                        ids_source: str = "the labels",
                        features_source: str = "the model") -> OrientationDecision:
    """Decide whether ``table`` (as in the file) has samples in rows or in columns.

    Parameters
    ----------
    path
        The file, for messages.
    table
        The table as read: first column as index, header as columns.
    orientation
        ``"samples-rows"`` / ``"features-rows"`` are taken as given; ``"auto"`` applies the
        rules in the module docstring.
    sample_ids
        Sample ids the command already has (labels, clinical or response table).
    feature_names
        Feature names the command already has (a model's input features).
    ids_source, features_source
        Where those came from, for messages (``"labels.tsv"``, ``"model cup_example"``).

    Raises
    ------
    TableFormatError
        Identifiers given but matching neither axis, or nothing decides.
    """
    path = Path(path)
    if orientation in _FLIP:
        return OrientationDecision(orientation, "given",  # type: ignore[arg-type]
                                   f"--orientation {orientation} was given")
    if orientation != "auto":
        raise ValueError(f"orientation must be auto, samples-rows or features-rows, "
                         f"not {orientation!r}")
    found: OrientationDecision | None = None
    if sample_ids is not None:
        found = _by_identifiers(path, table, sample_ids, what="sample ids", source=ids_source)
    elif feature_names is not None:
        found = _by_identifiers(path, table, feature_names, what="feature names",
                                source=features_source)
    decision = found or _by_names(table) or _by_shape(table)
    if decision is None:
        n_rows, n_cols = table.shape
        raise TableFormatError(
            f"table {path} ({n_rows:,} rows x {n_cols:,} columns): cannot tell whether its "
            f"rows (e.g. {_preview(table.index)}) or its columns (e.g. "
            f"{_preview(table.columns)}) are the samples: the names look like neither genes "
            "nor sample ids and the shape does not decide; pass --orientation samples-rows "
            "or --orientation features-rows (orientation=... in Python)")
    shape_rule = decision.rule == "shape"
    log.log(logging.WARNING if shape_rule else logging.INFO,
            "%s: %s, so it was %s%s", path, decision.reason, decision.describe(),
            f"; pass --orientation {_FLIP[decision.orientation]} if that is wrong"
            if shape_rule else "")
    return decision
