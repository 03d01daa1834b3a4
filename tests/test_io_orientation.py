"""Tests of onco_genomics.io.orientation: each rule of ``orientation="auto"``, in order."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import TableFormatError
from onco_genomics.io.orientation import resolve_orientation
from onco_genomics.io.tables import orientation_hint, read_table, write_table
from onco_genomics.omics.cup import match_labels

RNG = np.random.default_rng(7)


def _mutation_matrix(n_samples: int = 300, n_features: int = 20) -> pd.DataFrame:
    """Samples x mutation features, 15x more samples than features, names that look like
    neither genes nor sample ids (the shape rule alone would transpose it)."""
    names = [f"GENE{i}_mut" for i in range(n_features - 1)] + ["log10_mutation_count"]
    values = RNG.integers(0, 2, size=(n_samples, n_features)).astype(float)
    return pd.DataFrame(values, index=pd.Index([f"pt{i:04d}" for i in range(n_samples)],
                                                name="sample"), columns=names)


def test_sample_ids_beat_the_shape(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    table = _mutation_matrix()
    path = write_table(table, tmp_path / "features.tsv")
    labels = pd.Series("A", index=table.index[::2])
    with caplog.at_level(logging.INFO, logger="onco_genomics.io.orientation"):
        read = read_table(path, sample_ids=labels.index, ids_source="labels.tsv")
    assert read.shape == (300, 20)
    assert "150 of its 300 rows are sample ids of labels.tsv" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # without the labels the shape rule decides, with a warning naming the rule
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="onco_genomics.io.orientation"):
        guessed = read_table(path)
    assert guessed.shape == (20, 300)
    assert "the shape rule" in caplog.text and "--orientation samples-rows" in caplog.text


def test_sample_ids_transpose_a_features_rows_table(tmp_path: Path) -> None:
    genes = pd.DataFrame(RNG.normal(size=(30, 12)),
                         index=[f"probe{i}" for i in range(30)],
                         columns=[f"x{i}" for i in range(12)])
    path = write_table(genes, tmp_path / "expr.tsv")
    read = read_table(path, sample_ids=["x0", "x3", "x11"])
    assert read.shape == (12, 30) and read.index[0] == "x0"
    assert orientation_hint(read).startswith("the table was transposed")
    assert "--orientation samples-rows" in orientation_hint(read)


def test_ids_matching_neither_axis_are_a_clear_error(tmp_path: Path) -> None:
    path = write_table(_mutation_matrix(40, 5), tmp_path / "features.tsv")
    with pytest.raises(TableFormatError, match=r"none of its 40 row names .* nor of its 5 "
                       r"column names .* is one of the 2 sample ids of labels.tsv"):
        read_table(path, sample_ids=["TCGA-01", "TCGA-02"], ids_source="labels.tsv")


def test_feature_names_decide_at_prediction(tmp_path: Path) -> None:
    table = _mutation_matrix(12, 40)  # as wide as it is tall would not decide by shape
    path = write_table(table.T, tmp_path / "features_rows.tsv")
    model_features = [*table.columns[:30], "not_in_table"]
    read = read_table(path, feature_names=model_features, features_source="model m")
    assert read.shape == (12, 40)
    assert read.index[0] == "pt0000"
    assert "feature names" in orientation_hint(read)


def test_feature_names_ignore_ensembl_versions_and_case(tmp_path: Path) -> None:
    table = pd.DataFrame(RNG.normal(size=(3, 4)), index=["a1", "a2", "a3"],
                         columns=["ENSG00000141510.17", "ENSG00000012048.2", "kras", "egfr"])
    path = write_table(table, tmp_path / "t.tsv")
    read = read_table(path, feature_names=["ENSG00000141510", "KRAS"])
    assert read.shape == (3, 4)


def test_names_rule_sample_like_rows(tmp_path: Path) -> None:
    table = _mutation_matrix(300, 20).set_axis(
        [f"TCGA-A1-{i:04d}" for i in range(300)], axis=0)
    read = read_table(write_table(table, tmp_path / "t.tsv"))
    assert read.shape == (300, 20)
    assert "sample names" in orientation_hint(read)


def test_nothing_decides_asks_for_orientation(tmp_path: Path) -> None:
    table = pd.DataFrame(RNG.normal(size=(30, 40)), index=[f"r{i}" for i in range(30)],
                         columns=[f"c{i}" for i in range(40)])
    path = write_table(table, tmp_path / "t.tsv")
    with pytest.raises(TableFormatError, match="pass --orientation samples-rows or "
                                               "--orientation features-rows"):
        read_table(path)
    assert read_table(path, orientation="features-rows").shape == (40, 30)


def test_tied_identifiers_fall_back_to_the_names() -> None:
    table = pd.DataFrame(np.zeros((2, 3)), index=["S1", "TP53"], columns=["TP53", "KRAS", "S1"])
    with pytest.raises(TableFormatError, match="cannot tell whether its rows"):
        resolve_orientation("t.tsv", table, sample_ids=["S1", "TP53"])
    genes = pd.DataFrame(np.zeros((2, 3)), index=["S1", "S2"], columns=["TP53", "KRAS", "S1"])
    decision = resolve_orientation("t.tsv", genes, sample_ids=["S1"])
    assert decision.orientation == "samples-rows" and decision.rule == "gene names"


def test_match_labels_hint_says_what_was_done(tmp_path: Path) -> None:
    path = write_table(_mutation_matrix(), tmp_path / "features.tsv")
    table = read_table(path)  # no labels given: the shape rule transposes it
    labels = pd.Series("A", index=[f"pt{i:04d}" for i in range(10)])
    with pytest.raises(TableFormatError, match=r"transposed .* by the shape rule; if that is "
                       r"wrong pass --orientation samples-rows"):
        match_labels(table, labels)


def test_train_cup_reads_a_samples_rows_table_by_its_labels(tmp_path: Path) -> None:
    """The issue's case: samples as rows, 15x more samples than features, default options."""
    table = _mutation_matrix()
    classes = np.where(table.iloc[:, 0] + table.iloc[:, 1] > 0, "luad", "brca")
    features = write_table(table, tmp_path / "features.tsv")
    labels = tmp_path / "labels.tsv"
    pd.Series(classes, index=table.index, name="type").to_csv(labels, sep="\t")
    model = tmp_path / "model"
    result = CliRunner().invoke(cli, ["train", "cup", str(features), str(labels), "-o",
                                      str(model), "--model", "logistic", "--input-type", "none",
                                      "--cv-splits", "0", "--n-features", "0"])
    assert result.exit_code == 0, result.output
    # prediction resolves the same file by the model's feature names
    out = tmp_path / "pred.tsv"
    result = CliRunner().invoke(cli, ["cup", str(features), "--model", str(model), "-o",
                                      str(out)])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out, sep="\t", index_col=0)) == 300
