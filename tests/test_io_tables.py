"""Tests of onco_genomics.io.tables: orientation, delimiters, duplicates, NaNs, labels."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onco_genomics.errors import InputFileError, TableFormatError
from onco_genomics.io.tables import read_labels, read_table, write_table

DATA = Path(__file__).parent / "data" / "io"
ALL_SAMPLES = ["01005", "01010", "03002", "04006", "04007", "04008"]


def test_samples_rows_csv() -> None:
    table = read_table(DATA / "samples_rows.csv")
    assert table.shape == (6, 10)
    assert table.index.tolist() == ALL_SAMPLES  # leading zeros kept: ids are strings
    assert table.index.name == "sample"
    assert table.columns[:3].tolist() == ["1000_at", "1001_at", "1002_f_at"]
    assert (table.dtypes == np.float64).all()
    assert table.loc["01005", "1000_at"] == 7.597


def test_auto_transposes_probe_rows_by_the_names_rule(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="onco_genomics.io.orientation"):
        table = read_table(DATA / "transposed.tsv")
    assert table.shape == (6, 40)
    assert table.index.tolist() == ALL_SAMPLES
    assert "transposed" in caplog.text and "'1000_at'" in caplog.text
    # the names decide: logged, but no warning (only the shape rule warns)
    assert [r.levelno for r in caplog.records
            if r.name == "onco_genomics.io.orientation"] == [logging.INFO]
    same = read_table(DATA / "samples_rows.csv")
    pd.testing.assert_frame_equal(table.iloc[:, :10], same)


def test_explicit_orientation() -> None:
    features_rows = read_table(DATA / "transposed.tsv", orientation="features-rows")
    as_is = read_table(DATA / "transposed.tsv", orientation="samples-rows")
    assert features_rows.shape == (6, 40) and as_is.shape == (40, 6)
    pd.testing.assert_frame_equal(features_rows, read_table(DATA / "transposed.tsv"))


def test_auto_keeps_samples_rows_with_gene_columns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        table = read_table(DATA / "r_style_header.tsv")
    assert table.index.tolist() == ["S01", "S02"]  # R header without a corner cell
    assert table.columns.tolist() == ["TP53", "BRCA1", "EGFR"]
    assert not caplog.records


def test_auto_uses_shape_when_names_say_nothing(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    rng = np.random.default_rng(0)
    tall = pd.DataFrame(rng.normal(size=(200, 5)), index=[f"{i}" for i in range(200)],
                        columns=[f"c{i}" for i in range(5)])
    write_table(tall, tmp_path / "tall.tsv")
    with caplog.at_level(logging.WARNING):
        table = read_table(tmp_path / "tall.tsv")
    assert table.shape == (5, 200)
    assert "200 rows" in caplog.text


def test_excel_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("TP53,KRAS\nS01,1,2\nS02,3,4\n".encode("utf-8-sig"))
    table = read_table(path)
    assert table.columns.tolist() == ["TP53", "KRAS"]
    labels = tmp_path / "labels.csv"
    labels.write_bytes("sample,type\nS01,EWS\n".encode("utf-8-sig"))
    assert read_labels(labels).name == "type"


def test_row_names_are_never_missing_values(tmp_path: Path) -> None:
    path = tmp_path / "na.tsv"
    path.write_text("sample\tTP53\nNA\t1\nnan\t2\n.\t3\n")
    assert read_table(path, orientation="samples-rows").index.tolist() == ["NA", "nan", "."]


def test_tcga_barcodes_are_not_genes(tmp_path: Path) -> None:
    path = tmp_path / "tcga.tsv"
    path.write_text("gene\tTCGA-A1-A0SB-01A\tTCGA-A2-A04P-01A\nTP53\t1\t2\nKRAS\t3\t4\n"
                    "EGFR\t5\t6\n")
    table = read_table(path)
    assert table.index.tolist() == ["TCGA-A1-A0SB-01A", "TCGA-A2-A04P-01A"]
    assert table.loc["TCGA-A2-A04P-01A", "EGFR"] == 6


def test_duplicated_genes() -> None:
    path = DATA / "duplicated_genes.tsv"
    with pytest.raises(TableFormatError, match=r"2 duplicated feature name\(s\): 'TP53', 'EGFR'"):
        read_table(path)
    mean = read_table(path, duplicates="mean")
    assert mean.columns.tolist() == ["TP53", "BRCA1", "EGFR", "KRAS", "MYC"]
    assert mean.loc["S01", "TP53"] == pytest.approx(5.2)
    assert mean.loc["S03", "EGFR"] == pytest.approx(6.6)
    first = read_table(path, duplicates="first")
    assert first.loc["S01", "TP53"] == 5.1 and first.shape == (3, 5)


def test_duplicated_samples_always_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.tsv"
    path.write_text("sample\tTP53\tKRAS\nS1\t1\t2\nS2\t3\t4\nS1\t5\t6\n")
    with pytest.raises(TableFormatError, match=r"1 duplicated sample id\(s\): 'S1'"):
        read_table(path, duplicates="mean")


def test_nan_cells_policies(caplog: pytest.LogCaptureFixture) -> None:
    path = DATA / "nan_cells.tsv"  # real missing values of the Khan SRBCT set
    with pytest.raises(TableFormatError,
                       match=r"5 missing value\(s\) in 3 feature\(s\): GENE19 \(2\), GENE28 \(2\), "
                             r"GENE40 \(1\)"):
        read_table(path)
    dropped = read_table(path, nan_policy="drop-features")
    assert dropped.columns.tolist() == ["GENE1", "GENE2", "GENE3", "GENE4", "GENE5"]
    with caplog.at_level(logging.WARNING):
        imputed = read_table(path, nan_policy="impute-median")
    assert "imputed 5 missing value(s) in 3 feature(s)" in caplog.text
    assert not imputed.isna().any().any()
    expected = pd.Series([-0.9044, 0.3256, -1.0464, -1.299, 0.6461, 1.2383]).median()
    assert imputed.loc["sample4", "GENE19"] == pytest.approx(expected)
    assert imputed.loc["sample1", "GENE19"] == -1.0464


def test_all_missing_feature_is_dropped_by_impute(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("sample\tTP53\tKRAS\nS1\t1\tNA\nS2\t\tNA\n")
    table = read_table(path, nan_policy="impute-median")
    assert table.columns.tolist() == ["TP53"] and table["TP53"].tolist() == [1.0, 1.0]
    with pytest.raises(TableFormatError, match="no feature left"):
        read_table(tmp_path / "t.tsv", nan_policy="drop-features")


def test_non_numeric_cells_are_located() -> None:
    with pytest.raises(TableFormatError, match=r"3 non-numeric cell\(s\) in 1 column\(s\), e\.g\. "
                                               r"line 2, row 'TP53', column 'Description': "
                                               r"'tumor protein p53'"):
        read_table(DATA / "non_numeric.tsv")


def test_infinite_values(tmp_path: Path) -> None:
    path = tmp_path / "inf.csv"
    path.write_text("sample,TP53\nS1,inf\nS2,1\n")
    with pytest.raises(TableFormatError, match="infinite"):
        read_table(path)


def test_bad_table_files(tmp_path: Path) -> None:
    with pytest.raises(TableFormatError, match="unequal length"):
        read_table(DATA / "ragged_rows.csv")
    with pytest.raises(InputFileError, match="empty"):
        read_table(DATA / "empty.vcf")
    with pytest.raises(InputFileError, match="does not exist"):
        read_table(tmp_path / "absent.tsv")
    one_column = tmp_path / "one.txt"
    one_column.write_text("TP53\nKRAS\n")
    with pytest.raises(TableFormatError, match="single column"):
        read_table(one_column)
    header_only = tmp_path / "header.tsv"
    header_only.write_text("sample\tTP53\n")
    with pytest.raises(TableFormatError, match="no data rows"):
        read_table(header_only)
    bad_header = tmp_path / "hdr.tsv"
    bad_header.write_text("a\tb\tc\td\tf\nS1\t1\t2\n")
    with pytest.raises(TableFormatError, match="header has 5 fields"):
        read_table(bad_header)
    binary = tmp_path / "bin.tsv"
    binary.write_bytes(b"\xff\xfe\t\x00\n\x01\t\x02\n")
    with pytest.raises(InputFileError, match="not readable text"):
        read_table(binary)
    with pytest.raises(ValueError, match="orientation"):
        read_table(DATA / "samples_rows.csv", orientation="sideways")  # type: ignore[arg-type]


def test_gzipped_and_roundtrip(tmp_path: Path) -> None:
    table = read_table(DATA / "transposed.tsv")
    out = write_table(table, tmp_path / "expr.tsv.gz")
    with gzip.open(out, "rt") as handle:
        assert handle.readline().startswith("sample\t1000_at\t")
    back = read_table(out)
    pd.testing.assert_frame_equal(back, table)
    plain = write_table(table, tmp_path / "expr.tsv")
    pd.testing.assert_frame_equal(read_table(plain), table)


def test_write_table_precision(tmp_path: Path) -> None:
    df = pd.DataFrame({"TP53": [1 / 3, 1e-12]}, index=pd.Index(["S1", "S2"], name="sample"))
    back = read_table(write_table(df, tmp_path / "p.tsv"))
    assert back["TP53"].tolist() == [1 / 3, 1e-12]


# --------------------------------------------------------------------------- labels


def test_read_labels() -> None:
    labels = read_labels(DATA / "labels.tsv", column="mol_biol")
    assert labels.index.tolist() == ALL_SAMPLES
    assert labels.name == "mol_biol" and labels.index.name == "sample"
    assert labels["01005"] == "BCR/ABL"
    with pytest.raises(TableFormatError, match=r"3 label columns \(BT, lineage, mol_biol\)"):
        read_labels(DATA / "labels.tsv")
    with pytest.raises(TableFormatError, match="no column 'subtype'"):
        read_labels(DATA / "labels.tsv", column="subtype")


def test_read_labels_sample_called_na(tmp_path: Path) -> None:
    path = tmp_path / "labels.tsv"
    path.write_text("sample\ttype\nNA\tEWS\nS2\tNA\nS3\tBL\n")
    assert read_labels(path).to_dict() == {"NA": "EWS", "S3": "BL"}


def test_read_labels_duplicated_samples() -> None:
    with pytest.raises(TableFormatError, match=r"1 sample\(s\) more than once: 03002"):
        read_labels(DATA / "duplicated_samples_labels.tsv", column="BT")


def test_read_labels_single_column_numeric_and_missing(tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ic50.csv"
    path.write_text("cell_line,ln_ic50\nA549,1.5\nMCF7,NA\nHeLa,-0.25\n")
    with caplog.at_level(logging.WARNING):
        labels = read_labels(path)
    assert labels.dtype == np.float64
    assert labels.to_dict() == {"A549": 1.5, "HeLa": -0.25}
    assert "1 sample(s) without a ln_ic50 label dropped" in caplog.text
    path.write_text("cell_line,ln_ic50\nA549,\n")
    with pytest.raises(TableFormatError, match="has no labels"):
        read_labels(path)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_write_read_roundtrip_property(tmp_path: Path, data: st.DataObject) -> None:
    n_samples = data.draw(st.integers(1, 6))
    n_features = data.draw(st.integers(1, 6))
    names = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Nd"),
                                  whitelist_characters="-_."), min_size=1, max_size=8)
    samples = data.draw(st.lists(names, min_size=n_samples, max_size=n_samples, unique=True))
    features = data.draw(st.lists(names.filter(lambda n: n not in samples),
                                  min_size=n_features, max_size=n_features, unique=True))
    values = data.draw(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64),
                                min_size=n_samples * n_features,
                                max_size=n_samples * n_features))
    df = pd.DataFrame(np.array(values).reshape(n_samples, n_features),
                      index=pd.Index(samples, name="sample"), columns=features)
    back = read_table(write_table(df, tmp_path / "t.tsv.gz"), orientation="samples-rows")
    pd.testing.assert_frame_equal(back, df, check_exact=True)


def test_real_golub_set_read_both_ways(tmp_path: Path) -> None:
    source = (Path(__file__).parent.parent / "onco_genomics" / "data" / "expression"
              / "golub_expression.csv.gz")
    if not source.exists():
        pytest.skip("the exported Golub set (onco_genomics/data/expression) is absent")
    table = read_table(source)
    assert table.shape == (38, 3051)
    transposed = tmp_path / "golub_features_rows.tsv.gz"
    table.T.to_csv(transposed, sep="\t", index_label="probe")
    pd.testing.assert_frame_equal(read_table(transposed), table)
