"""GDSC v17 drug response (Genomics of Drug Sensitivity in Cancer), from ``gdsctools``.

988 cell lines (COSMIC ids) x 265 drugs, ln(IC50 in µM), with 677 binary genomic features
per cell line (driver mutations ``*_mut``, recurrent copy-number gains/losses
``gain_cnaPANCAN*``/``loss_cnaPANCAN*``), the tissue (one-hot here, ``tissue:<name>``) and
MSI status. The files ship inside the ``gdsctools`` package (install it with
``pip install --no-deps gdsctools``; its own import needs the long-gone ``pkg_resources``,
so the data files are located without importing it).
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import pandas as pd

from onco_genomics.errors import OncogenError
from onco_genomics.omics.drug_response.data import DrugResponseData, prepare_drug_response

log = logging.getLogger(__name__)


def gdsctools_data_dir() -> Path:
    """Folder of the data files inside the installed ``gdsctools`` package."""
    spec = importlib.util.find_spec("gdsctools")
    if spec is None or not spec.submodule_search_locations:
        raise OncogenError("GDSC v17 ships with the 'gdsctools' package, which is not "
                           "installed; install it with: pip install --no-deps gdsctools")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def load_gdsc_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw GDSC v17 tables: ln(IC50) (cell lines x drugs, NaN = not screened) and the
    numeric cell-line features (index: COSMIC id as str)."""
    base = gdsctools_data_dir()
    ic50 = pd.read_csv(base / "IC50_v17.csv.gz", index_col=0)
    ic50.index = pd.Index(ic50.index.astype(str), name="cell_line")
    ic50.columns = pd.Index([str(c).removesuffix("_IC50") for c in ic50.columns], name="drug")
    features = pd.read_csv(base / "genomic_features_v17.csv.gz", index_col=0)
    features.index = pd.Index(features.index.astype(str), name="cell_line")
    tissue = pd.get_dummies(features.pop("TISSUE_FACTOR"), prefix="tissue",
                            prefix_sep=":").astype(float)
    features = features.rename(columns={"MSI_FACTOR": "MSI"}).astype(float)
    return ic50, pd.concat([features, tissue], axis=1)


def load_gdsc_v17(*, min_cell_lines: int = 10) -> DrugResponseData:
    """GDSC v17 as :class:`DrugResponseData` (long response table, cell-line features)."""
    ic50, features = load_gdsc_tables()
    return prepare_drug_response(ic50, features, min_cell_lines=min_cell_lines,
                                 name="GDSC v17 (gdsctools)")
