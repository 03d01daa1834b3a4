"""Sources of real somatic SNVs for the simulator (``--mutations``).

``brca-chr20`` is shipped with oncogen: the 11,413 chromosome-20 SNVs of the BRCA_bench set
(100 breast cancers, GRCh37) from SigProfilerMatrixGenerator (BSD-2-Clause), with REF
verified against GRCh37 chr20; see ``onco_genomics/data/brca_chr20_snv.README.md``.
A user can give any VCF/BCF or MAF (read by :mod:`onco_genomics.io.variants`) or a
tab-separated table with columns ``chrom``, ``pos`` (1-based), ``ref``, ``alt``.
"""

from __future__ import annotations

import gzip
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from onco_genomics.errors import InputFileError
from onco_genomics.io.atomic import atomic_path

log = logging.getLogger(__name__)

#: columns of a mutation table (pos is 0-based inside oncogen)
MUTATION_COLUMNS = ("chrom", "pos", "ref", "alt")

_BRCA_CHR20 = "brca_chr20_snv.tsv.gz"


def load_mutations(source: str | Path) -> pd.DataFrame:
    """Load somatic SNVs from a built-in set or a file.

    Parameters
    ----------
    source
        ``"brca-chr20"`` or a path to a VCF/BCF, MAF or TSV table.

    Returns
    -------
    pandas.DataFrame
        Columns ``chrom`` (str), ``pos`` (0-based int), ``ref``, ``alt`` (upper-case
        single bases), one row per distinct (chrom, pos, alt); only SNVs are kept.

    Examples
    --------
    >>> table = load_mutations("brca-chr20")
    >>> len(table) > 11000, sorted(table["chrom"].unique())
    (True, ['20'])
    """
    if str(source) == "brca-chr20":
        with resources.as_file(resources.files("onco_genomics") / "data" / _BRCA_CHR20) as path:
            table = _read_table(Path(path))
    else:
        path = Path(source)
        name = path.name.lower()
        if name.endswith((".vcf", ".vcf.gz", ".bcf", ".maf", ".maf.gz")):
            table = _read_variant_file(path)
        else:
            table = _read_table(path)
    snv = (table["ref"].str.len() == 1) & (table["alt"].str.len() == 1) & (
        table["ref"] != table["alt"]) & table["ref"].isin(list("ACGT")) & table["alt"].isin(
        list("ACGT"))
    dropped = int((~snv).sum())
    if dropped:
        log.info("mutation source %s: ignoring %d non-SNV rows", source, dropped)
    table = table.loc[snv].drop_duplicates(["chrom", "pos", "alt"])
    table = table.sort_values(["chrom", "pos", "alt"], kind="stable").reset_index(drop=True)
    log.info("mutation source %s: %d SNVs", source, len(table))
    return table


def _read_table(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, sep="\t", comment="#", dtype=str)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as err:
        raise InputFileError(
            f"cannot read mutation table {path}: {err}; expected a tab-separated table with "
            "columns chrom, pos (1-based), ref, alt, or a VCF/MAF"
        ) from err
    raw.columns = [str(c).strip().lower().lstrip("#") for c in raw.columns]
    missing = [c for c in MUTATION_COLUMNS if c not in raw.columns]
    if missing:
        raise InputFileError(
            f"mutation table {path}: expected columns chrom, pos, ref, alt, found "
            f"{', '.join(raw.columns)}; rename the columns (pos is 1-based)"
        )
    pos = pd.to_numeric(raw["pos"], errors="coerce")
    if pos.isna().any() or (pos < 1).any():
        bad = raw.loc[pos.isna() | (pos < 1), "pos"].iloc[0]
        raise InputFileError(
            f"mutation table {path}: expected 1-based integer positions, found {bad!r}"
        )
    return pd.DataFrame({
        "chrom": raw["chrom"].astype(str),
        "pos": pos.astype("int64") - 1,
        "ref": raw["ref"].astype(str).str.upper(),
        "alt": raw["alt"].astype(str).str.upper(),
    })


def _read_variant_file(path: Path) -> pd.DataFrame:
    from onco_genomics.io.variants import read_variants

    rows = [(v.chrom, v.pos, v.ref.upper(), v.alt.upper()) for v in read_variants(path)]
    return pd.DataFrame(rows, columns=list(MUTATION_COLUMNS)).astype({"pos": "int64"})


_BRCA_HEADER = (
    "# Somatic SNVs on chromosome 20 (GRCh37) from 100 breast cancers: the BRCA_bench set of\n"
    "# SigProfilerMatrixGenerator (pip sigprofilermatrixgenerator, BSD-2-Clause),\n"
    "# SigProfilerMatrixGenerator/scripts/Benchmark/BRCA_bench/SNV/'BRCA_ bench_SNV.txt',\n"
    "# rows with chromosome 20; REF verified against GRCh37 chr20 (Debian vt-examples 20.fa.gz).\n"
    "# Made by onco_genomics/simulate/mutations.py:make_brca_chr20_table. pos is 1-based.\n"
)


def make_brca_chr20_table(bench_txt: str | Path, reference: Any, out: str | Path) -> int:
    """Rebuild the shipped ``brca_chr20_snv.tsv.gz`` from SigProfilerMatrixGenerator's file.

    Parameters
    ----------
    bench_txt
        ``SigProfilerMatrixGenerator/scripts/Benchmark/BRCA_bench/SNV/BRCA_ bench_SNV.txt``
        (tab-separated: project, sample, source, build, type, chrom, start, end, ref, alt,
        origin).
    reference
        GRCh37 with contig ``20`` (a :class:`~onco_genomics.io.reference.Reference`), used to
        verify every REF.
    out
        Output path; gzip without a timestamp, so the bytes are reproducible.

    Returns
    -------
    int
        Rows written.
    """
    rows = []
    chr20: str | None = None
    with open(bench_txt, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 10 or fields[5] != "20":
                continue
            if chr20 is None:
                chr20 = reference.fetch("20", 0, reference.lengths["20"]).upper()
            pos = int(fields[6])
            found = chr20[pos - 1:pos]
            if fields[3] != "GRCh37" or fields[4] != "SNP" or found != fields[8]:
                raise InputFileError(
                    f"{bench_txt} line {line_no}: expected a GRCh37 SNP whose REF matches the "
                    f"reference, found build {fields[3]}, type {fields[4]}, REF {fields[8]} "
                    f"(reference {found}); use the BRCA_bench file and GRCh37 chr20"
                )
            rows.append((pos, fields[8], fields[9], fields[1]))
    rows.sort()
    text = _BRCA_HEADER + "chrom\tpos\tref\talt\tsample\n" + "".join(
        f"20\t{pos}\t{ref}\t{alt}\t{sample}\n" for pos, ref, alt, sample in rows)
    with atomic_path(out) as tmp, open(tmp, "wb") as raw, gzip.GzipFile(
            fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(text.encode("ascii"))
    return len(rows)
