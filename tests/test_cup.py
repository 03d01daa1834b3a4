"""CUP: training with CV + calibration, saving/loading, prediction, CLI, bad input.

Tolerance policy: a model reloaded from its directory must reproduce the in-memory
probabilities within rtol 1e-5 (float32 weights); metrics are checked against floors that
a broken model (chance level: macro-F1 ~0.25 on 4 classes) cannot pass.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.datasets import load_expression_set
from onco_genomics.errors import OptionsError, TableFormatError
from onco_genomics.omics.classifiers import make_classifier
from onco_genomics.omics.cup import (
    TrainingOptions,
    load_classifier,
    predict_tumour_type,
    train_classifier,
)
from onco_genomics.omics.model_dir import list_models


@pytest.fixture(scope="module")
def khan() -> tuple[pd.DataFrame, pd.Series]:
    data = load_expression_set("khan")
    return data.expression.iloc[:, :300], data.labels


@pytest.fixture(scope="module")
def trained_logistic(khan: tuple[pd.DataFrame, pd.Series]) -> object:
    X, y = khan
    return train_classifier(X, y, model="logistic", n_features=150, cv_splits=3)


def test_train_reports_cv_and_calibration(trained_logistic: object) -> None:
    report = trained_logistic.report  # type: ignore[attr-defined]
    assert report.classes == ("BL", "EWS", "NB", "RMS")
    assert report.macro_f1 > 0.85 and report.accuracy > 0.85
    assert int(report.confusion.to_numpy().sum()) == 63
    confidence = trained_logistic.confidence  # type: ignore[attr-defined]
    assert confidence.precision >= 0.95 and 0 < confidence.confident_share <= 1
    card = trained_logistic.card  # type: ignore[attr-defined]
    assert card["classes"] == ["BL", "EWS", "NB", "RMS"]
    assert len(card["feature_names"]) == 300 and len(card["model_features"]) == 150


def test_save_load_predict_roundtrip(trained_logistic: object, khan: tuple[pd.DataFrame, pd.Series],
                                     tmp_path: Path) -> None:
    X, y = khan
    path = trained_logistic.save(tmp_path / "model")  # type: ignore[attr-defined]
    assert (path / "MODEL_CARD.md").read_text().startswith("# Model card")
    document = json.loads((path / "model.json").read_text())
    assert document["kind"] == "classifier/logistic"
    loaded = load_classifier(path, task="cup")
    np.testing.assert_allclose(loaded.predict_proba(X),
                               trained_logistic.pipeline.predict_proba(X),  # type: ignore[attr-defined]
                               rtol=1e-5, atol=1e-7)
    calls = predict_tumour_type(loaded, X)
    assert list(calls.columns[:5]) == ["predicted", "probability", "confident", "top1",
                                       "top1_probability"]
    assert (calls["predicted"] == calls["top1"]).all()
    assert np.allclose(calls[[f"p_{c}" for c in ("BL", "EWS", "NB", "RMS")]].sum(axis=1), 1.0)
    assert (calls["predicted"].to_numpy() == y.to_numpy()).mean() > 0.9


def test_save_writes_the_report_with_the_model_or_nothing(
        trained_logistic: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TrainedClassifier.save gives a script the files `oncogen train cup` writes, and a
    failure while writing the report leaves no model folder behind."""
    import onco_genomics.omics.classification.evaluation as evaluation

    folder = trained_logistic.save(tmp_path / "model")  # type: ignore[attr-defined]
    assert {p.name for p in folder.iterdir()} >= {"model.json", "MODEL_CARD.md",
                                                  "cv_report.tsv", "confusion_matrix.png"}
    report = pd.read_csv(folder / "cv_report.tsv", sep="\t", index_col="class")
    assert list(report.index) == ["BL", "EWS", "NB", "RMS"]
    assert report["n"].dtype.kind == "i" and int(report["n"].sum()) == 63
    assert report["recall"].between(0, 1).all()

    def broken_plot(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(evaluation, "plot_confusion", broken_plot)
    with pytest.raises(OSError, match="No space"):
        trained_logistic.save(tmp_path / "other")  # type: ignore[attr-defined]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.parametrize("name", ["xgboost", "mlp", "cnn1d"])
def test_other_classifiers_fit_save_load(name: str, khan: tuple[pd.DataFrame, pd.Series],
                                         tmp_path: Path) -> None:
    X, y = khan
    params: dict[str, object] = {"n_estimators": 20}
    if name == "mlp":
        params = {"max_epochs": 15, "hidden": (32,)}
    elif name == "cnn1d":
        params = {"max_epochs": 15, "channels": (4, 8)}
    trained = train_classifier(X, y, model=name, n_features=60, cv_splits=0,
                               model_params=params)
    path = trained.save(tmp_path / name)
    loaded = load_classifier(path)
    np.testing.assert_allclose(loaded.predict_proba(X), trained.pipeline.predict_proba(X),
                               rtol=1e-5, atol=1e-6)
    # learned something: above the majority-class rate (23/63 = 0.37) on the training set
    assert (loaded.predict(X) == y.to_numpy()).mean() > 0.45


def test_estimators_compose_with_sklearn(khan: tuple[pd.DataFrame, pd.Series]) -> None:
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    X, y = khan
    model = make_classifier("logistic", C=0.5)
    assert clone(model).get_params()["C"] == 0.5
    scores = cross_val_score(model, X.fillna(0.0), y, cv=3)
    assert scores.mean() > 0.8


def test_class_with_one_sample_is_dropped_with_warning(
        khan: tuple[pd.DataFrame, pd.Series], caplog: pytest.LogCaptureFixture) -> None:
    X, y = khan
    y = y.copy()
    y.iloc[0] = "LONELY"
    with caplog.at_level(logging.WARNING):
        trained = train_classifier(X, y, model="logistic", n_features=50, cv_splits=3)
    assert "LONELY (1)" in caplog.text
    assert "LONELY" not in trained.card["classes"]


def test_labels_that_do_not_match_the_samples(khan: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = khan
    wrong = y.set_axis([f"other{i}" for i in range(len(y))])
    with pytest.raises(TableFormatError, match="none of the 63 sample ids"):
        train_classifier(X, wrong, model="logistic", cv_splits=0)


def test_one_class_only_is_an_error(khan: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = khan
    with pytest.raises(TableFormatError, match="at least 2 classes"):
        train_classifier(X, y.where(y == "EWS", "EWS"), model="logistic", cv_splits=0)


def test_options_checked_before_work() -> None:
    with pytest.raises(OptionsError, match="--model"):
        TrainingOptions(model="svm")
    with pytest.raises(OptionsError, match="--input-type"):
        TrainingOptions(input_type="rpkm")
    with pytest.raises(OptionsError, match="--cv-splits"):
        TrainingOptions(cv_splits=1)


def test_genes_as_rows_is_recognised(trained_logistic: object,
                                     khan: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = khan
    with pytest.raises(TableFormatError, match="genes as rows"):
        predict_tumour_type(trained_logistic.pipeline, X.T)  # type: ignore[attr-defined]


def test_cli_train_and_predict(khan: tuple[pd.DataFrame, pd.Series], tmp_path: Path) -> None:
    X, y = khan
    expr = tmp_path / "expr.tsv"
    X.iloc[:, :120].to_csv(expr, sep="\t", index_label="sample")
    labels = tmp_path / "labels.tsv"
    y.to_frame("tumour_type").to_csv(labels, sep="\t", index_label="sample")
    runner = CliRunner()
    model = tmp_path / "model"
    result = runner.invoke(cli, ["train", "cup", str(expr), str(labels), "-o", str(model),
                                 "--model", "logistic", "--n-features", "80",
                                 "--cv-splits", "3"])
    assert result.exit_code == 0, result.output
    assert (model / "confusion_matrix.png").stat().st_size > 1000
    assert (model / "cv_report.tsv").is_file()
    out = tmp_path / "pred.tsv"
    result = runner.invoke(cli, ["cup", str(expr), "--model", str(model), "-o", str(out),
                                 "--explain", "3"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, sep="\t", index_col=0)
    assert len(table) == 63 and {"predicted", "confident", "top_gene_3"} <= set(table.columns)
    bad = tmp_path / "bad.tsv"
    X.iloc[:, :120].set_axis([f"X{i}" for i in range(120)], axis=1).to_csv(
        bad, sep="\t", index_label="sample")
    result = runner.invoke(cli, ["cup", str(bad), "--model", str(model), "-o", str(out)])
    assert result.exit_code == 2 and "oncogen: error: " in result.output
    assert "is one of the 120 feature names of model" in result.output


def test_shipped_example_model_is_listed_and_works() -> None:
    shipped = {m.name: m for m in list_models()}
    if "cup_example" not in shipped:
        pytest.skip("cup_example not built in this checkout")
    model = shipped["cup_example"]
    assert "not a pan-cancer classifier" in model.card_text.lower()
    result = CliRunner().invoke(cli, ["models", "list"])
    assert result.exit_code == 0 and "cup_example" in result.output
    data = load_expression_set("khan")
    calls = predict_tumour_type(load_classifier(None), data.expression.iloc[:10])
    assert (calls["predicted"] == data.labels.iloc[:10]).mean() >= 0.9


def test_cli_cnn1d_with_chromosome_gene_order(khan: tuple[pd.DataFrame, pd.Series],
                                              tmp_path: Path) -> None:
    X, y = khan
    genes = list(X.columns[:40])
    expr = tmp_path / "expr.tsv"
    X[genes].to_csv(expr, sep="\t", index_label="sample")
    labels = tmp_path / "labels.tsv"
    y.to_frame("tumour_type").to_csv(labels, sep="\t", index_label="sample")
    bed = tmp_path / "genes.bed"  # made-up positions: reversed order on chr2, the rest unplaced
    bed.write_text("".join(f"chr2\t{1000 * (40 - i)}\t{1000 * (40 - i) + 500}\t{g}\n"
                           for i, g in enumerate(genes[:30])))
    model = tmp_path / "cnn"
    result = CliRunner().invoke(cli, ["train", "cup", str(expr), str(labels), "-o", str(model),
                                      "--model", "cnn1d", "--gene-positions", str(bed),
                                      "--max-epochs", "3", "--cv-splits", "0",
                                      "--n-features", "0"])
    assert result.exit_code == 0, result.output
    estimator = load_classifier(model).steps[-1][1]
    order = [estimator.feature_names_in_[i] for i in estimator.gene_order_]
    assert order[:30] == genes[:30][::-1] and sorted(order[30:]) == sorted(genes[30:])
    result = CliRunner().invoke(cli, ["train", "cup", str(expr), str(labels), "-o", str(model),
                                      "--model", "mlp", "--gene-positions", str(bed)])
    assert result.exit_code == 2 and "cnn1d only" in result.output
