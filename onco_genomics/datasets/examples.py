"""Small example inputs for every omics command, written from bundled or installed data.

``oncogen example NAME -o DIR`` (and :func:`write_example`) writes ready-to-use tables, so
each documented command runs by copy-paste without writing pandas code:

- ``cup``: the bundled Khan SRBCT set (4 tumour types, 2,308 genes, missing cells kept
  empty): ``expression.tsv`` + ``labels.tsv`` (50 samples, for training) and
  ``new.tsv`` + ``new_labels.tsv`` (the other 13, to predict and check).
- ``subtype``: the bundled ALL set, its 1,000 most variable probes: ``expression.tsv`` +
  ``subtypes.tsv`` (molecular subtype, 108 samples), ``new.tsv`` (the other 20).
- ``survival``: breast cancer GSE7390 from scikit-survival (a dependency): ``features.tsv``
  (198 samples x 76 genes) and ``clinical.tsv`` (``sample``, ``time``, ``event``).
- ``drug-response``: GDSC v17 from an installed ``gdsctools`` (``pip install --no-deps
  gdsctools``): ``ic50.tsv`` (ln IC50 of the 12 most screened drugs, wide, for all but 40
  cell lines), ``cells.tsv`` (their 705 features) and ``new_cells.tsv`` (the 40 held out).

The held-out samples are chosen with a fixed seed, so the files are the same every time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from onco_genomics.errors import OptionsError

log = logging.getLogger(__name__)

SEED = 16


def _held_out(index: pd.Index, n: int, *, strata: pd.Series | None = None) -> pd.Index:
    rng = np.random.default_rng(SEED)
    if strata is None:
        return pd.Index(sorted(rng.choice(np.asarray(index), size=n, replace=False)))
    picked: list[str] = []
    share = n / len(index)
    for _, members in strata.groupby(strata, sort=True):
        take = max(1, round(share * len(members))) if len(members) > 1 else 0
        picked += list(rng.choice(np.asarray(members.index), size=take, replace=False))
    return pd.Index(sorted(picked))


def _write(frame: pd.DataFrame, path: Path, *, index_label: str = "sample") -> Path:
    from onco_genomics.io.tables import write_table

    frame = frame.copy()
    frame.index.name = index_label
    return write_table(frame, path)


def _cup(out: Path) -> list[Path]:
    from onco_genomics.datasets import load_expression_set

    data = load_expression_set("khan")
    new = _held_out(data.expression.index, 13, strata=data.labels)
    train = data.expression.index.difference(new, sort=False)
    labels = data.labels.to_frame("tumour_type")
    return [_write(data.expression.loc[train], out / "expression.tsv"),
            _write(labels.loc[train], out / "labels.tsv"),
            _write(data.expression.loc[new], out / "new.tsv"),
            _write(labels.loc[new], out / "new_labels.tsv")]


def _subtype(out: Path) -> list[Path]:
    from onco_genomics.datasets import load_expression_set

    data = load_expression_set("all", label="mol_biol")
    expression = data.expression
    top = expression.var().sort_values(ascending=False, kind="stable").index[:1000]
    expression = expression[top]
    new = _held_out(expression.index, 20, strata=data.labels)
    train = expression.index.difference(new, sort=False)
    return [_write(expression.loc[train], out / "expression.tsv"),
            _write(data.labels.loc[train].to_frame("subtype"), out / "subtypes.tsv"),
            _write(expression.loc[new], out / "new.tsv")]


def _survival(out: Path) -> list[Path]:
    from onco_genomics.datasets.survival import load_survival_dataset

    data = load_survival_dataset("gse7390")
    outcome = data.outcome
    clinical = pd.DataFrame({"time": outcome.time, "event": outcome.event.astype(int)},
                            index=pd.Index(outcome.sample_ids))
    return [_write(data.features, out / "features.tsv"),
            _write(clinical, out / "clinical.tsv")]


def _drug_response(out: Path) -> list[Path]:
    from onco_genomics.datasets.drug import load_gdsc_tables

    ic50, features = load_gdsc_tables()
    drugs = ic50.notna().sum().sort_values(ascending=False, kind="stable").index[:12]
    cells = ic50.index.intersection(features.index)
    new = _held_out(cells, 40)
    train = cells.difference(new, sort=False)
    return [_write(ic50.loc[train, drugs], out / "ic50.tsv", index_label="cell_line"),
            _write(features.loc[train], out / "cells.tsv", index_label="cell_line"),
            _write(features.loc[new], out / "new_cells.tsv", index_label="cell_line")]


EXAMPLES: dict[str, tuple[Callable[[Path], list[Path]], str]] = {
    "cup": (_cup, "Khan SRBCT expression and tumour types (bundled)"),
    "subtype": (_subtype, "ALL leukaemia expression, 1,000 probes, molecular subtypes "
                          "(bundled)"),
    "survival": (_survival, "breast cancer GSE7390 genes, time and event (scikit-survival)"),
    "drug-response": (_drug_response, "GDSC v17 ln(IC50) of 12 drugs and cell-line features "
                                      "(needs: pip install --no-deps gdsctools)"),
}


def write_example(name: str, directory: str | os.PathLike[str]) -> list[Path]:
    """Write example ``name``'s tables into ``directory`` (created); return their paths."""
    if name not in EXAMPLES:
        raise OptionsError(f"unknown example {name!r}; expected one of {', '.join(EXAMPLES)}")
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = EXAMPLES[name][0](out)
    log.info("example %s: wrote %s", name, ", ".join(p.name for p in written))
    return written
