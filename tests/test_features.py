"""`oncogen features`: TMB, gene status, SBS96 fractions and density bins from a real MAF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import InputFileError, OptionsError
from onco_genomics.omics.mutation_features import (
    FeatureOptions,
    mutation_features,
    read_gene_intervals,
)

DATA = Path(__file__).parent / "data" / "omics"
MAF = DATA / "brca_chr20.maf"
CHR20 = Path("/usr/share/doc/vt/examples/ref/20.fa.gz")


def test_counts_tmb_gene_status_and_density() -> None:
    genes = read_gene_intervals(DATA / "genes_chr20.bed")
    table = mutation_features([MAF], options=FeatureOptions(territory_mb=15.0, genes=genes))
    assert sorted(table.index) == ["PD11345a", "PD11365a", "PD11379a"]
    assert (table["n_snv"] == 15).all() and (table["tmb"] == 1.0).all()
    assert table.loc["PD11345a", "mut_GENE_A"] == 1 and table.loc["PD11379a", "mut_GENE_A"] == 1
    assert table.loc["PD11365a", "mut_GENE_A"] == 0 and table.loc["PD11365a", "mut_GENE_B"] == 1
    bins = table.filter(like="bin_20_")
    np.testing.assert_allclose(bins.sum(axis=1), 1.0)
    # PD11379a: 164616 and 524315.. lie in the first megabase
    assert list(bins.columns[:2]) == ["bin_20_0", "bin_20_1"]


@pytest.mark.skipif(not CHR20.exists(), reason="needs Debian vt-examples (chr20 FASTA)")
def test_sbs96_fractions_from_the_spectrum_package() -> None:
    table = mutation_features([MAF], reference=CHR20,
                              options=FeatureOptions(density_bins=False))
    sbs = table.filter(like="sbs96_")
    assert sbs.shape[1] == 96
    np.testing.assert_allclose(sbs.sum(axis=1), 1.0)


def test_bad_gene_bed_and_options(tmp_path: Path) -> None:
    bed = tmp_path / "genes.bed"
    bed.write_text("20\t100\t200\n")
    with pytest.raises(InputFileError, match="gene name"):
        read_gene_intervals(bed)
    with pytest.raises(OptionsError, match="territory"):
        FeatureOptions(territory_mb=0)
    with pytest.raises(OptionsError, match="--ref"):
        mutation_features([MAF], options=FeatureOptions(signatures="cosmic:v3.4"))


def test_cli_features(tmp_path: Path) -> None:
    out = tmp_path / "features.tsv"
    result = CliRunner().invoke(cli, ["features", str(MAF), "-o", str(out), "--genes",
                                      str(DATA / "genes_chr20.bed"), "--no-density"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, sep="\t", index_col=0)
    assert list(table.columns) == ["n_snv", "n_indel", "n_other", "tmb", "mut_GENE_A",
                                   "mut_GENE_B"]
