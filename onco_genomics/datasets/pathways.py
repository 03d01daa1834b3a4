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

import logging
import os
import sqlite3
from pathlib import Path

import pandas as pd

from onco_genomics.omics.reactome import EXPORT_FILES, Reactome, load_reactome

__all__ = ["EXPORT_FILES", "Reactome", "build_reactome_export", "load_reactome"]

log = logging.getLogger(__name__)



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
