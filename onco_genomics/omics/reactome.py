"""Reactome pathways by gene symbol, read from the small export oncogen ships in
``data/pathways/`` (or a folder of the same three files): what the pathway-structured
networks of :mod:`onco_genomics.omics.pathway_network` are built from.

How the export was made, and from what, is in :mod:`onco_genomics.datasets.pathways`
(:func:`~onco_genomics.datasets.pathways.build_reactome_export`), which re-exports these
names.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from onco_genomics.errors import InputFileError

log = logging.getLogger(__name__)

EXPORT_FILES = ("reactome_gene_pathway.tsv.gz", "reactome_hierarchy.tsv.gz",
                "reactome_names.tsv.gz")


@dataclass(frozen=True)
class Reactome:
    """Human Reactome by gene symbol.

    Attributes
    ----------
    gene_pathway
        Columns ``gene``, ``pathway``: membership in the pathways Reactome annotates directly.
    hierarchy
        Columns ``parent``, ``child`` (pathway ids).
    names
        Pathway id -> name.
    """

    gene_pathway: pd.DataFrame
    hierarchy: pd.DataFrame
    names: dict[str, str]

    def __post_init__(self) -> None:
        if list(self.gene_pathway.columns) != ["gene", "pathway"]:
            raise ValueError("gene_pathway must have columns gene, pathway")
        if list(self.hierarchy.columns) != ["parent", "child"]:
            raise ValueError("hierarchy must have columns parent, child")


def load_reactome(directory: str | os.PathLike[str] | None = None) -> Reactome:
    """Load the shipped export (or one written by :func:`build_reactome_export`)."""
    if directory is None:
        return _load_shipped()
    return _load(Path(directory))


@functools.cache
def _load_shipped() -> Reactome:
    return _load(Path(str(resources.files("onco_genomics") / "data" / "pathways")))


def _load(base: Path) -> Reactome:
    missing = [f for f in EXPORT_FILES if not (base / f).is_file()]
    if missing:
        raise InputFileError(f"expected the Reactome export files {', '.join(EXPORT_FILES)} "
                             f"in {base}, missing {', '.join(missing)}; reinstall oncogen or "
                             "rebuild them with build_reactome_export()")
    gene_pathway = pd.read_csv(base / EXPORT_FILES[0], sep="\t", dtype=str)
    hierarchy = pd.read_csv(base / EXPORT_FILES[1], sep="\t", dtype=str)
    names = pd.read_csv(base / EXPORT_FILES[2], sep="\t", dtype=str)
    return Reactome(gene_pathway[["gene", "pathway"]], hierarchy[["parent", "child"]],
                    dict(zip(names["pathway"], names["name"], strict=True)))
