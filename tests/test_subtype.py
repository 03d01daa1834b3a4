"""Subtype discovery (consensus NMF) and the subtype classifier CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.datasets import load_expression_set
from onco_genomics.errors import OptionsError
from onco_genomics.omics.subtype import discover_subtypes, parse_k_range


def test_parse_k_range() -> None:
    assert parse_k_range("2..4") == [2, 3, 4]
    assert parse_k_range("5,3") == [3, 5]
    with pytest.raises(OptionsError, match="k values >= 2"):
        parse_k_range("1..3")
    with pytest.raises(OptionsError, match="expected -k"):
        parse_k_range("two")


def test_discovers_planted_groups() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat([0, 1, 2], 10)
    centres = rng.normal(scale=3.0, size=(3, 60))
    values = centres[groups] + rng.normal(size=(30, 60))
    frame = pd.DataFrame(values, index=[f"s{i}" for i in range(30)],
                         columns=[f"g{j}" for j in range(60)])
    result = discover_subtypes(frame, k_values=[2, 3, 4], n_resamples=8, n_genes=60)
    assert result.best_k == 3
    assert set(result.scores.columns) == {"cophenetic", "silhouette", "score"}
    # every planted group maps to exactly one cluster
    table = pd.crosstab(groups, result.assignments.to_numpy())
    assert (table.to_numpy() > 0).sum() == 3
    assert np.allclose(np.diag(result.consensus.to_numpy()), 1.0)


def test_cli_discover_and_train_predict(tmp_path: Path) -> None:
    data = load_expression_set("golub")
    X = data.expression[data.expression.var().sort_values().index[-150:]]
    expr = tmp_path / "golub.tsv"
    X.to_csv(expr, sep="\t", index_label="sample")
    runner = CliRunner()
    out = tmp_path / "discover"
    result = runner.invoke(cli, ["subtype", "discover", str(expr), "-k", "2..3", "-o", str(out),
                                 "--resamples", "5", "--n-genes", "100"])
    assert result.exit_code == 0, result.output
    assignments = pd.read_csv(out / "assignments.tsv", sep="\t", index_col=0)
    assert len(assignments) == 38
    assert (out / "consensus_heatmap.png").stat().st_size > 1000
    labels = tmp_path / "labels.tsv"
    data.labels.to_frame("leukaemia").to_csv(labels, sep="\t", index_label="sample")
    model = tmp_path / "model"
    result = runner.invoke(cli, ["train", "subtype", str(expr), str(labels), "-o", str(model),
                                 "--model", "logistic", "--cv-splits", "3",
                                 "--n-features", "100"])
    assert result.exit_code == 0, result.output
    calls = tmp_path / "calls.tsv"
    result = runner.invoke(cli, ["subtype", "predict", str(expr), "--model", str(model),
                                 "-o", str(calls)])
    assert result.exit_code == 0, result.output
    predicted = pd.read_csv(calls, sep="\t", index_col=0)["predicted"]
    assert (predicted.to_numpy() == data.labels.to_numpy()).mean() > 0.9
    # a subtype model is not a CUP model
    result = runner.invoke(cli, ["cup", str(expr), "--model", str(model), "-o", str(calls)])
    assert result.exit_code == 2 and "expected a 'cup' model" in result.output
