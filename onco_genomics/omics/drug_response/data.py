"""Typed drug-response data: measured ln(IC50) per (cell line, drug), with checked features.

:func:`prepare_drug_response` turns a response table (wide: cell lines x drugs, or long:
``cell_line``, ``drug``, ``ln_ic50``), a cell-line feature table and optional drug features
into a :class:`DrugResponseData`, handling the issues real screens have: cell lines without
features (dropped, warned), drugs measured on too few cell lines (dropped, warned), missing
or non-finite responses (dropped).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from onco_genomics.errors import OncogenError, TableFormatError

log = logging.getLogger(__name__)

#: columns of :attr:`DrugResponseData.response`
RESPONSE_COLUMNS = ("cell_line", "drug", "ln_ic50")


@dataclass(frozen=True)
class DrugResponseData:
    """Measured responses plus the features of every cell line (and drug) they involve.

    Attributes
    ----------
    response
        Long table with columns ``cell_line``, ``drug`` (str) and ``ln_ic50`` (finite float),
        one row per measured pair.
    cell_features
        Cell lines x features, numeric and finite; contains every ``response.cell_line``.
    drug_features
        Drugs x features (numeric, finite) or None; when given it contains every drug.
    name
        Data set name, for model cards.
    """

    response: pd.DataFrame
    cell_features: pd.DataFrame
    drug_features: pd.DataFrame | None = None
    name: str = "user data"

    def __post_init__(self) -> None:
        if tuple(self.response.columns[:3]) != RESPONSE_COLUMNS:
            raise ValueError(f"response columns must start with {RESPONSE_COLUMNS}")
        missing = set(self.response["cell_line"]) - set(self.cell_features.index)
        if missing:
            raise ValueError(f"{len(missing)} response cell lines lack features")
        if not np.isfinite(self.response["ln_ic50"].to_numpy(dtype=float)).all():
            raise ValueError("responses must be finite")
        if self.drug_features is not None:
            lacking = set(self.response["drug"]) - set(self.drug_features.index)
            if lacking:
                raise ValueError(f"{len(lacking)} drugs lack drug features")

    @property
    def drugs(self) -> list[str]:
        """Drugs in the response table, sorted."""
        return sorted(self.response["drug"].unique())

    @property
    def cell_lines(self) -> list[str]:
        """Cell lines in the response table, sorted."""
        return sorted(self.response["cell_line"].unique())

    def subset(self, mask: np.ndarray) -> DrugResponseData:
        """The same data restricted to the response rows where ``mask`` is True."""
        return DrugResponseData(self.response.loc[mask].reset_index(drop=True),
                                self.cell_features, self.drug_features, self.name)

    def matrix(self, cell_lines: list[str], drugs: list[str]) -> np.ndarray:
        """Responses as a cell lines x drugs float array, NaN where not measured."""
        out = np.full((len(cell_lines), len(drugs)), np.nan)
        row = pd.Index(cell_lines).get_indexer(pd.Index(self.response["cell_line"]))
        col = pd.Index(drugs).get_indexer(pd.Index(self.response["drug"]))
        keep = (row >= 0) & (col >= 0)
        out[row[keep], col[keep]] = self.response["ln_ic50"].to_numpy(dtype=float)[keep]
        return out

    def summary(self) -> dict[str, Any]:
        """Counts for model cards."""
        return {"name": self.name, "n_pairs": len(self.response),
                "n_cell_lines": len(self.cell_lines), "n_drugs": len(self.drugs),
                "n_cell_features": int(self.cell_features.shape[1]),
                "n_drug_features": (0 if self.drug_features is None
                                    else int(self.drug_features.shape[1]))}


def response_to_long(table: pd.DataFrame) -> pd.DataFrame:
    """Wide (cell lines x drugs, NaN = not measured) or long response table -> long table.

    A long table has columns ``cell_line``, ``drug`` and a response column named
    ``ln_ic50`` (or ``ic50``/``response``; case-insensitive); anything else is read as
    wide, with the index as cell line ids.
    """
    lower = {str(c).lower(): c for c in table.columns}
    if "cell_line" in lower and "drug" in lower:
        value = next((lower[k] for k in ("ln_ic50", "ic50", "response") if k in lower), None)
        if value is None:
            raise TableFormatError(
                "expected a response column named ln_ic50 in the long response table "
                f"(columns found: {', '.join(map(str, table.columns))}); rename it")
        long = pd.DataFrame({"cell_line": table[lower["cell_line"]].astype(str),
                             "drug": table[lower["drug"]].astype(str),
                             "ln_ic50": pd.to_numeric(table[value], errors="coerce")})
    else:
        wide = table.apply(pd.to_numeric, errors="coerce")
        wide.index = pd.Index(table.index.astype(str), name="cell_line")
        wide.columns = pd.Index(table.columns.astype(str), name="drug")
        long = wide.reset_index().melt(id_vars="cell_line", var_name="drug",
                                       value_name="ln_ic50")
    return long.reset_index(drop=True)


def prepare_drug_response(response: pd.DataFrame, cell_features: pd.DataFrame, *,
                          drug_features: pd.DataFrame | None = None,
                          min_cell_lines: int = 10, name: str = "user data",
                          ) -> DrugResponseData:
    """Check and join a response table with cell-line (and drug) features.

    Parameters
    ----------
    response
        Wide or long response table (see :func:`response_to_long`), ln(IC50) values.
    cell_features
        Cell lines x numeric features (mutations, copy number, expression, tissue one-hot).
    drug_features
        Optional drugs x numeric features (targets, pathways, fingerprints).
    min_cell_lines
        Drugs measured on fewer cell lines (after joining) are dropped with a warning.
    name
        Data set name.

    Raises
    ------
    TableFormatError
        Duplicated pairs, non-numeric or missing features, no pair left after joining.
    """
    long = response_to_long(response)
    finite = np.isfinite(long["ln_ic50"].to_numpy(dtype=float))
    if not finite.all():
        log.info("%d response cells empty or non-numeric (not measured); ignored",
                 int((~finite).sum()))
        long = long.loc[finite]
    dup = long.duplicated(["cell_line", "drug"])
    if dup.any():
        first = long.loc[dup].iloc[0]
        raise TableFormatError(
            f"expected one response per (cell line, drug), found {int(dup.sum())} duplicated "
            f"pairs (e.g. {first['cell_line']} x {first['drug']}); average replicates first")
    cells = _check_features(cell_features, "cell-line")
    unknown = sorted(set(long["cell_line"]) - set(cells.index))
    if unknown:
        n_pairs = int(long["cell_line"].isin(unknown).sum())
        log.warning("%d cell lines in the response table have no features (e.g. %s); their "
                    "%d measurements are dropped", len(unknown), ", ".join(unknown[:5]), n_pairs)
        long = long.loc[~long["cell_line"].isin(unknown)]
    drugs = None
    if drug_features is not None:
        drugs = _check_features(drug_features, "drug")
        no_feat = sorted(set(long["drug"]) - set(drugs.index))
        if no_feat:
            log.warning("%d drugs have no drug features (e.g. %s); dropped", len(no_feat),
                        ", ".join(no_feat[:5]))
            long = long.loc[~long["drug"].isin(no_feat)]
    counts = long["drug"].value_counts()
    sparse = sorted(counts.index[counts < min_cell_lines])
    if sparse:
        log.warning("%d drugs are measured on fewer than %d cell lines (e.g. %s); dropped",
                    len(sparse), min_cell_lines, ", ".join(sparse[:5]))
        long = long.loc[~long["drug"].isin(sparse)]
    if long.empty:
        raise TableFormatError(
            "no (cell line, drug) pair is left after matching the response table to the "
            "features: check that both use the same cell-line ids (e.g. COSMIC ids) and "
            f"that drugs have >= {min_cell_lines} measured cell lines (--min-cell-lines)")
    return DrugResponseData(long.reset_index(drop=True), cells, drugs, name)


def _check_features(table: pd.DataFrame, role: str) -> pd.DataFrame:
    out = table.copy()
    out.index = pd.Index(out.index.astype(str))
    out.columns = pd.Index(out.columns.astype(str))
    if out.index.has_duplicates:
        raise TableFormatError(f"expected one row per {role} in the {role} features, found "
                               "duplicated ids; remove the duplicates")
    non_numeric = [c for c in out.columns if not pd.api.types.is_numeric_dtype(out[c])]
    if non_numeric:
        raise TableFormatError(
            f"expected numeric {role} features, found non-numeric columns "
            f"({', '.join(non_numeric[:5])}); one-hot encode them")
    values = out.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise TableFormatError(f"expected no missing {role} feature values, found NaN in "
                               f"{int((~np.isfinite(values)).any(axis=0).sum())} columns; "
                               "impute them or drop those features")
    return out.astype(float)


def combine_drug_features(drug_features: pd.DataFrame | None,
                          smiles: pd.Series | None) -> pd.DataFrame | None:
    """Drug features for training: the given table, Morgan fingerprints of ``smiles``
    (drug -> SMILES), or both joined on the drugs they share; None when neither is given."""
    if smiles is None:
        return drug_features
    fingerprints = morgan_fingerprints(smiles)
    if drug_features is None:
        return fingerprints
    return pd.concat([drug_features, fingerprints], axis=1, join="inner")


def morgan_fingerprints(smiles: pd.Series, *, radius: int = 2, n_bits: int = 256) -> pd.DataFrame:
    """Morgan (ECFP-like) bit fingerprints of drugs from SMILES, as drug features.

    Parameters
    ----------
    smiles
        Drug id -> SMILES string.
    radius, n_bits
        Fingerprint radius and length.

    Returns
    -------
    pandas.DataFrame
        Drugs x ``morgan_<bit>`` columns of 0/1.

    Raises
    ------
    OncogenError
        RDKit is not installed, or a SMILES string does not parse.
    """
    try:
        from rdkit import Chem
        from rdkit.Chem import rdFingerprintGenerator
    except ImportError as err:
        raise OncogenError("drug fingerprints from SMILES need RDKit, which is not installed; "
                           "install it with: pip install rdkit (or pass numeric drug "
                           "features with --drug-features)") from err
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    rows = {}
    for drug, text in smiles.items():
        molecule = Chem.MolFromSmiles(str(text))
        if molecule is None:
            raise TableFormatError(f"expected a valid SMILES for drug {drug}, found {text!r}; "
                                   "fix or remove it")
        rows[str(drug)] = np.asarray(generator.GetFingerprintAsNumPy(molecule), dtype=float)
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=[f"morgan_{i}" for i in range(n_bits)])
