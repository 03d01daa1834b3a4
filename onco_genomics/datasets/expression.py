"""Labelled expression sets shipped with oncogen (exported from Bioconductor packages).

The exports live in ``onco_genomics/data/expression/`` (see the README there for
provenance, licences and how missing values are handled): Khan SRBCT (4 tumour types),
ALL (B/T lineage, molecular subtypes) and Golub ALL/AML.

Examples
--------
>>> from onco_genomics.datasets import load_expression_set
>>> data = load_expression_set("khan")  # doctest: +SKIP
>>> data.expression.shape, data.labels.value_counts().to_dict()  # doctest: +SKIP
((63, 2308), {'EWS': 23, 'RMS': 20, 'NB': 12, 'BL': 8})
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from onco_genomics.errors import OptionsError

log = logging.getLogger(__name__)

#: set name -> (default label column, other label columns, input type of the values)
EXPRESSION_SETS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "khan": ("tumour_type", (), "log"),
    "all": ("lineage", ("BT", "mol_biol"), "log"),
    "golub": ("leukaemia", (), "log"),
}


@dataclass(frozen=True)
class ExpressionSet:
    """A labelled expression matrix.

    Attributes
    ----------
    name
        Set name (``khan``, ``all``, ``golub``).
    expression
        Samples x features (float; NaN where the source has missing values).
    labels
        The chosen label per sample, indexed like ``expression``.
    input_type
        What the values are, for :class:`~onco_genomics.omics.core.preprocess.ExpressionNormaliser`.
    """

    name: str
    expression: pd.DataFrame
    labels: pd.Series
    input_type: str

    def __post_init__(self) -> None:
        if not self.expression.index.equals(self.labels.index):
            raise ValueError("expression rows and labels must have the same samples in order")


def _data_dir() -> Path:
    return Path(str(resources.files("onco_genomics") / "data" / "expression"))


def load_expression_set(name: str, *, label: str | None = None) -> ExpressionSet:
    """Load a shipped labelled expression set.

    Parameters
    ----------
    name
        ``khan``, ``all`` or ``golub``.
    label
        Label column (default: the set's main one; ALL also has ``BT`` and ``mol_biol``).
    """
    if name not in EXPRESSION_SETS:
        raise OptionsError(f"unknown expression set {name!r}; choose one of "
                           f"{', '.join(EXPRESSION_SETS)}")
    default, others, input_type = EXPRESSION_SETS[name]
    column = label or default
    if column not in (default, *others):
        raise OptionsError(f"set {name!r} has labels {', '.join((default, *others))}; "
                           f"got {column!r}")
    folder = _data_dir()
    expression = pd.read_csv(folder / f"{name}_expression.csv.gz", index_col="sample",
                             dtype={"sample": str})
    expression.index = expression.index.astype(str)
    table = pd.read_csv(folder / f"{name}_labels.csv.gz", dtype=str).set_index("sample")
    labels = table.loc[expression.index, column].rename(column)
    return ExpressionSet(name=name, expression=expression.astype(float), labels=labels,
                         input_type=input_type)
