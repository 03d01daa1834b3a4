"""Per-sample features from somatic variants, for the tumour-type/subtype/drug models.

Features (one row per sample, columns grouped by prefix):

- ``n_snv``, ``n_indel``, ``n_other``, ``tmb``: counts of (PASS) variants and tumour
  mutational burden in mutations per megabase of the stated territory
  (``territory_mb``; 30 Mb, roughly a whole exome, by default).
- ``mut_<GENE>``: 1 when the sample has a variant overlapping the gene's interval (genes
  from a BED whose 4th column is the gene name), else 0.
- ``sbs96_<channel>``: SBS96 fractions, from :mod:`onco_genomics.spectrum` (needs the
  reference FASTA); ``sig_<SIGNATURE>``: fitted COSMIC signature exposures as fractions
  of the sample's SBS, from :func:`onco_genomics.spectrum.fit.fit_catalog`.
- ``bin_<chrom>_<Mb>``: share of the sample's variants in each 1 Mb bin (bins seen in
  any sample), the regional mutation density used by Jiao et al. (2020).

Samples and filters follow :func:`onco_genomics.spectrum.samples.variants_by_sample`.
"""

from __future__ import annotations

import bisect
import gzip
import logging
import os
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from onco_genomics.errors import InputFileError, OptionsError
from onco_genomics.io.variants import Variant

log = logging.getLogger(__name__)

BIN_SIZE = 1_000_000


@dataclass(frozen=True)
class GeneInterval:
    """A gene's 0-based half-open interval."""

    gene: str
    chrom: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if not self.gene or self.start < 0 or self.end <= self.start:
            raise ValueError(f"invalid gene interval {self.gene} {self.chrom}:{self.start}-"
                             f"{self.end}")


@dataclass(frozen=True)
class FeatureOptions:
    """What to compute, checked before any work.

    Attributes
    ----------
    territory_mb
        Megabases the calls cover (TMB denominator).
    genes
        Gene intervals for ``mut_<GENE>`` (empty: no gene columns).
    density_bins
        Add ``bin_<chrom>_<Mb>`` columns.
    signatures
        Reference for signature exposures (``cosmic:v3.4`` ...); None: no exposures.
    pass_only
        Count only PASS records.
    """

    territory_mb: float = 30.0
    genes: tuple[GeneInterval, ...] = ()
    density_bins: bool = True
    signatures: str | None = None
    pass_only: bool = True

    def __post_init__(self) -> None:
        if self.territory_mb <= 0:
            raise OptionsError(f"--territory-mb must be > 0, got {self.territory_mb}")


def read_gene_intervals(path: str | os.PathLike[str]) -> tuple[GeneInterval, ...]:
    """Genes from a BED with the gene name in column 4 (``chrom start end name``).

    :func:`onco_genomics.io.bed.read_bed` keeps only the intervals, so the names are read
    here; lines starting with ``#``, ``track`` or ``browser`` are skipped.
    """
    source = Path(path)
    if not source.is_file():
        raise InputFileError(f"gene BED {source} does not exist")
    try:
        return _read_gene_lines(source)
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile) as err:
        raise InputFileError(f"gene BED {source} is not a text BED file ({err}); expected "
                             "lines of chrom, start, end and gene name") from None


def _read_gene_lines(source: Path) -> tuple[GeneInterval, ...]:
    genes = []
    with (gzip.open(source, "rt") if source.suffix == ".gz" else source.open()) as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            fields = line.split()
            if len(fields) < 4:
                raise InputFileError(f"gene BED {source} line {line_no}: expected chrom, start, "
                                     f"end and gene name; found {len(fields)} columns")
            try:
                genes.append(GeneInterval(fields[3], fields[0], int(fields[1]), int(fields[2])))
            except ValueError as err:
                raise InputFileError(f"gene BED {source} line {line_no}: {err}") from err
    if not genes:
        raise InputFileError(f"gene BED {source} holds no genes")
    return tuple(genes)


class _GeneIndex:
    """Find genes overlapping a variant (sorted starts per chromosome)."""

    def __init__(self, genes: Sequence[GeneInterval]) -> None:
        self.by_chrom: dict[str, list[GeneInterval]] = defaultdict(list)
        for gene in genes:
            self.by_chrom[gene.chrom.removeprefix("chr")].append(gene)
        for items in self.by_chrom.values():
            items.sort(key=lambda g: g.start)
        self.starts = {c: [g.start for g in items] for c, items in self.by_chrom.items()}
        self.longest = max((g.end - g.start for g in genes), default=0)

    def overlapping(self, variant: Variant) -> list[str]:
        chrom = variant.chrom.removeprefix("chr")
        items = self.by_chrom.get(chrom, [])
        if not items:
            return []
        hi = bisect.bisect_right(self.starts[chrom], variant.end - 1)
        lo = bisect.bisect_left(self.starts[chrom], variant.pos - self.longest)
        return [g.gene for g in items[lo:hi] if g.end > variant.pos]


def basic_features(variants: Mapping[str, Sequence[Variant]], *,
                   options: FeatureOptions) -> pd.DataFrame:
    """Counts, TMB, gene status and density bins (no reference needed)."""
    index = _GeneIndex(options.genes)
    gene_names = sorted({g.gene for g in options.genes})
    rows = {}
    bins: dict[str, dict[str, float]] = {}
    for sample, records in variants.items():
        n_snv = sum(v.vartype in ("SNV", "MNV") for v in records)
        n_indel = sum(v.is_indel for v in records)
        row: dict[str, float] = {"n_snv": n_snv, "n_indel": n_indel,
                                 "n_other": len(records) - n_snv - n_indel,
                                 "tmb": len(records) / options.territory_mb}
        hit = {gene for v in records for gene in index.overlapping(v)}
        row.update({f"mut_{g}": float(g in hit) for g in gene_names})
        rows[sample] = row
        if options.density_bins and records:
            counts: dict[str, float] = defaultdict(float)
            for v in records:
                counts[f"bin_{v.chrom.removeprefix('chr')}_{v.pos // BIN_SIZE}"] += 1
            bins[sample] = {k: n / len(records) for k, n in counts.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    if options.density_bins:
        density = pd.DataFrame.from_dict(bins, orient="index").reindex(table.index)

        def bin_key(name: str) -> tuple[int, str, int]:
            _, chrom, mb = name.rsplit("_", 2)
            return (int(chrom), "", int(mb)) if chrom.isdigit() else (100, chrom, int(mb))

        names: list[str] = [str(c) for c in density.columns]
        names.sort(key=bin_key)
        density = density.loc[:, names].fillna(0.0)
        table = table.join(density)
    table.index.name = "sample"
    return table.astype(np.float64)


def mutation_features(paths: Sequence[str | os.PathLike[str]], *,
                      reference: str | os.PathLike[str] | None = None,
                      options: FeatureOptions | None = None) -> pd.DataFrame:
    """Feature table of VCF/MAF files: the API behind ``oncogen features``.

    Parameters
    ----------
    paths
        VCF/BCF/MAF files (samples as in :mod:`onco_genomics.spectrum.samples`).
    reference
        FASTA of the calls' genome build; needed for SBS96 fractions and signatures.
    options
        What to compute.

    Returns
    -------
    pandas.DataFrame
        Samples x features (float), index named ``sample``.
    """
    from onco_genomics.io.reference import Reference
    from onco_genomics.spectrum.samples import variants_by_sample

    options = options or FeatureOptions()
    if options.signatures and reference is None:
        raise OptionsError("signature exposures need the reference FASTA (--ref)")
    ref = Reference(reference) if reference is not None else None
    variants = variants_by_sample(paths, reference=ref, pass_only=options.pass_only)
    table = basic_features(variants, options=options)
    if ref is not None:
        from onco_genomics.spectrum.catalog import catalogs_from_variants

        catalog = catalogs_from_variants(variants, ref, contexts=("sbs96",))["sbs96"]
        totals = catalog.total.replace(0, np.nan)
        fractions = (catalog.counts / totals).T.fillna(0.0)
        fractions.columns = [f"sbs96_{c}" for c in fractions.columns]
        table = table.join(fractions)
        if options.signatures:
            from onco_genomics.spectrum.fit import fit_catalog

            fit = fit_catalog(catalog, options.signatures)
            exposures = (fit.exposures / fit.exposures.sum(axis=0).replace(0, np.nan)).T
            exposures.columns = [f"sig_{c}" for c in exposures.columns]
            table = table.join(exposures.fillna(0.0))
    log.info("features: %d samples x %d columns", table.shape[0], table.shape[1])
    return table.astype(np.float64)
