"""Prediction applies exactly the training preprocessing (issue 16, finding 3).

The Khan table has missing cells. `train cup` imputes each with its gene's training median
(saved in the model); `cup` and `explain` on the same file must do the same, not drop the
genes and treat them as absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.datasets import load_expression_set
from onco_genomics.io.tables import read_table
from onco_genomics.omics.cup import load_classifier


def test_train_and_predict_impute_the_same_way(tmp_path: Path) -> None:
    data = load_expression_set("khan")
    X = data.expression.iloc[:, :200]
    nan_genes = X.columns[X.isna().any()]
    assert len(nan_genes) > 10  # the real missing values of the set
    expr, labels = tmp_path / "expr.tsv", tmp_path / "labels.tsv"
    X.to_csv(expr, sep="\t", index_label="sample")
    data.labels.to_csv(labels, sep="\t", index_label="sample")
    runner = CliRunner()
    model_dir = tmp_path / "model"
    result = runner.invoke(cli, ["train", "cup", str(expr), str(labels), "-o", str(model_dir),
                                 "--model", "logistic", "--n-features", "0", "--cv-splits", "0"])
    assert result.exit_code == 0, result.output
    pipeline = load_classifier(model_dir)
    aligner = pipeline.named_steps["align"]
    assert list(aligner.genes_) == list(X.columns)  # no gene dropped for its NaNs
    medians = dict(zip(aligner.genes_, aligner.median_values_, strict=True))
    for gene in nan_genes:
        assert np.isclose(medians[gene], X[gene].median())
    log_file = tmp_path / "cup.log"
    out = tmp_path / "pred.tsv"
    result = runner.invoke(cli, ["--log-file", str(log_file), "cup", str(expr), "--model",
                                 str(model_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    log = log_file.read_text()
    assert "missing from the data" not in log
    assert f"{int(X.isna().sum().sum())} NaN values imputed" in log
    # the CLI's probabilities are the pipeline's on the training matrix with its NaNs
    table = read_table(expr, nan_policy="keep")
    expected = pipeline.predict_proba(table)
    got = pd.read_csv(out, sep="\t", index_col=0)
    classes = [str(c) for c in pipeline.classes_]
    raw = got[[f"p_{c}" for c in classes]].to_numpy()
    # calibrated probabilities keep the order of the raw ones
    assert (raw.argmax(axis=1) == expected.argmax(axis=1)).all()
