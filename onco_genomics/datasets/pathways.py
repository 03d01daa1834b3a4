"""Reactome pathways by gene symbol, shipped as a small export in ``data/pathways/``.

The export (``reactome_gene_pathway.tsv.gz``: gene symbol -> lowest-level human pathway;
``reactome_hierarchy.tsv.gz``: parent -> child; ``reactome_names.tsv.gz``) was made by
:func:`build_reactome_export` from

* Reactome (Jan 2025, CC-BY-4.0) as shipped in pip ``binn`` 0.1.1:
  ``binn/data/downloads/uniprot_2_reactome_2025_01_14.txt``,
  ``reactome_pathways_relation_2025_01_14.txt``, ``reactome_pathways_names_2025_01_21.txt``;
* UniProt -> gene symbol from Debian ``r-bioc-org.hs.eg.db`` 3.16.0
  (``org.Hs.eg.sqlite``, tables ``uniprot`` and ``gene_info``; Entrez Gene 2022-09).

so users need neither package.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
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


def build_reactome_export(binn_downloads: str | os.PathLike[str],
                          orgdb_sqlite: str | os.PathLike[str],
                          out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write the three export files from binn's Reactome files and org.Hs.eg.db."""
    src = Path(binn_downloads)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    uni = pd.read_csv(src / "uniprot_2_reactome_2025_01_14.txt", sep="\t", header=None,
                      usecols=[0, 1, 5], names=["uniprot", "pathway", "species"], dtype=str)
    uni = uni[uni["species"] == "Homo sapiens"]
    with sqlite3.connect(str(orgdb_sqlite)) as db:
        symbols = pd.read_sql_query(
            "select u.uniprot_id as uniprot, g.symbol as gene from uniprot u "
            "join gene_info g on u._id = g._id", db)
    gene_pathway = (uni.merge(symbols, on="uniprot")[["gene", "pathway"]]
                    .drop_duplicates().sort_values(["gene", "pathway"]))
    rel = pd.read_csv(src / "reactome_pathways_relation_2025_01_14.txt", sep="\t", header=None,
                      names=["parent", "child"], dtype=str)
    rel = rel[rel["parent"].str.startswith("R-HSA") & rel["child"].str.startswith("R-HSA")]
    names = pd.read_csv(src / "reactome_pathways_names_2025_01_21.txt", sep="\t", header=None,
                        names=["pathway", "name", "species"], dtype=str)
    names = names[names["species"] == "Homo sapiens"][["pathway", "name"]]
    paths = []
    for frame, name in zip((gene_pathway, rel.sort_values(["parent", "child"]),
                            names.sort_values("pathway")), EXPORT_FILES, strict=True):
        path = out / name
        frame.to_csv(path, sep="\t", index=False, compression="gzip")
        paths.append(path)
    log.info("Reactome export: %d gene-pathway rows (%d genes), %d links, %d names",
             len(gene_pathway), gene_pathway["gene"].nunique(), len(rel), len(names))
    return paths
