"""SHAP explanations: additivity per explainer route, tables, plots, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.datasets import load_expression_set
from onco_genomics.errors import ModelError
from onco_genomics.explain import explain_model, top_features
from onco_genomics.omics.classifiers import make_classifier


@pytest.fixture(scope="module")
def golub() -> tuple[pd.DataFrame, pd.Series]:
    data = load_expression_set("golub")
    X = data.expression
    top = X.var().sort_values(ascending=False).index[:40]
    return X[top], data.labels


def _logits(model: object, X: pd.DataFrame) -> np.ndarray:
    return np.log(np.clip(model.predict_proba(X), 1e-12, 1))  # type: ignore[attr-defined]


def test_linear_shap_is_exact_and_additive(golub: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = golub
    model = make_classifier("logistic").fit(X, y)
    explanation = explain_model(model, X.iloc[:5])
    assert explanation.values.shape == (5, 40, 2)
    total = explanation.values.sum(axis=1) + explanation.base_values
    np.testing.assert_allclose(total, model.class_logits(X.iloc[:5]), rtol=1e-6, atol=1e-6)


def test_tree_shap_is_additive_in_margin(golub: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = golub
    model = make_classifier("xgboost", n_estimators=30).fit(X, y)
    explanation = explain_model(model, X.iloc[:6])
    margin = explanation.values.sum(axis=1) + explanation.base_values
    prob = 1 / (1 + np.exp(-margin[:, -1]))  # binary xgboost: one margin, for class 1
    np.testing.assert_allclose(prob, model.predict_proba(X.iloc[:6])[:, 1], rtol=1e-4)


@pytest.mark.parametrize("name", ["mlp", "cnn1d"])
def test_gradient_shap_for_torch(name: str, golub: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = golub
    extra = {"hidden": (32,)} if name == "mlp" else {}
    model = make_classifier(name, max_epochs=8, **extra).fit(X, y)
    explanation = explain_model(model, X.iloc[:4])
    assert explanation.values.shape == (4, 40, 2)
    assert explanation.method.startswith("expected gradients")
    # expected gradients are approximately additive: compare with logit - mean logit
    import torch

    with torch.no_grad():
        logits = model.torch_module_(model.to_tensor(X.iloc[:4])).numpy()
    total = explanation.values.sum(axis=1) + explanation.base_values
    assert np.corrcoef(total.ravel(), logits.ravel())[0, 1] > 0.9


def test_expected_gradients_agree_with_shap_gradient_explainer(
        golub: tuple[pd.DataFrame, pd.Series]) -> None:
    """Same estimator as shap.GradientExplainer (other random draws): agree within MC noise."""
    import shap

    from onco_genomics.explain.expected_gradients import expected_gradients

    X, y = golub
    model = make_classifier("mlp", max_epochs=8, hidden=(32,)).fit(X, y)
    inputs = model.to_tensor(X.iloc[:4])
    reference = model.to_tensor(pd.DataFrame(model.background_, columns=X.columns))
    ours = expected_gradients(model.torch_module_, inputs, reference, [0, 1], n_samples=3000)
    theirs = np.asarray(shap.GradientExplainer(model.torch_module_, reference).shap_values(
        inputs, nsamples=3000, rseed=1)).reshape(4, 40, 2)
    assert np.corrcoef(ours.ravel(), theirs.ravel())[0, 1] > 0.99
    np.testing.assert_allclose(ours.sum(axis=1), theirs.sum(axis=1), atol=0.05 * np.abs(
        theirs.sum(axis=1)).max())


def test_cnn_attributions_are_mapped_back_to_genes(
        golub: tuple[pd.DataFrame, pd.Series]) -> None:
    from onco_genomics.explain.expected_gradients import expected_gradients

    X, y = golub
    model = make_classifier("cnn1d", max_epochs=3).fit(X, y)
    assert not np.array_equal(model.gene_order_, np.arange(40))  # genes really reordered
    explanation = explain_model(model, X.iloc[:3], seed=5)
    raw = expected_gradients(model.torch_module_, model.to_tensor(X.iloc[:3]),
                             model.to_tensor(pd.DataFrame(model.background_, columns=X.columns)),
                             [0, 1], seed=5)
    # tensor column j holds gene gene_order_[j]
    np.testing.assert_allclose(explanation.values[:, model.gene_order_, :], raw, rtol=1e-5,
                               atol=1e-7)


def test_top_features_table(golub: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = golub
    model = make_classifier("logistic").fit(X, y)
    explanation = explain_model(model, X.iloc[:3])
    table = top_features(explanation, 4)
    assert list(table.columns) == ["sample", "output", "rank", "feature", "shap", "value"]
    assert len(table) == 12
    first = table[table["sample"] == X.index[0]]
    assert first["shap"].is_monotonic_decreasing
    assert set(first["output"]) == {model.predict(X.iloc[:1])[0]}


def test_unexplainable_model_is_an_error() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    model = KNeighborsClassifier(1).fit([[0.0], [1.0]], ["a", "b"])
    with pytest.raises(ModelError, match="cannot explain"):
        explain_model(model, [[0.5]])


def test_explain_cli_writes_tables_and_plots(golub: tuple[pd.DataFrame, pd.Series],
                                            tmp_path: Path) -> None:
    from onco_genomics.omics.cup import train_classifier

    X, y = golub
    trained = train_classifier(X, y, model="xgboost", n_features=None, cv_splits=0,
                               model_params={"n_estimators": 20})
    model_dir = trained.save(tmp_path / "model")
    data = tmp_path / "data.tsv"
    X.iloc[:8].to_csv(data, sep="\t", index_label="sample")
    out = tmp_path / "explained"
    result = CliRunner().invoke(cli, ["explain", str(model_dir), str(data), "-o", str(out),
                                      "--top", "5"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "top_features.tsv", sep="\t")
    assert len(table) == 8 * 5
    for name in ("bar.png", "beeswarm_ALL.png", "beeswarm_AML.png", "importance.tsv"):
        assert (out / name).stat().st_size > 100


def test_a_user_estimator_joins_through_the_written_protocol() -> None:
    """explain_model needs no oncogen base class: an object with coef_ and intercept_ (and
    standardise) is a LinearModel of explain.protocol and is explained exactly."""
    from onco_genomics.explain.protocol import LinearModel, TorchModel, TreeModel

    class Mine:
        coef_ = np.array([[2.0, -1.0]])
        intercept_ = np.array([0.5])
        output_names_ = ("y",)

        def standardise(self, X: pd.DataFrame) -> np.ndarray:
            return X.to_numpy(dtype=float) / 2.0

    model = Mine()
    assert isinstance(model, LinearModel)
    assert not isinstance(model, TorchModel | TreeModel)
    X = pd.DataFrame({"a": [0.0, 2.0, 4.0], "b": [2.0, 2.0, 8.0]}, index=["s1", "s2", "s3"])
    explanation = explain_model(model, X)
    z = X.to_numpy() / 2.0
    expected = (z - z.mean(axis=0)) * np.array([2.0, -1.0])
    assert np.allclose(explanation.values[:, :, 0], expected)


def test_explanation_files_are_written_together_or_not_at_all(
        golub: tuple[pd.DataFrame, pd.Series], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from onco_genomics.explain import plots

    X, y = golub
    model = make_classifier("logistic").fit(X, y)
    explanation = explain_model(model, X.iloc[:3])
    out = tmp_path / "explained"
    out.mkdir()
    (out / "importance.tsv").write_text("earlier run\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(plots, "plot_beeswarm", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        plots.write_explanation(explanation, out)
    assert sorted(p.name for p in out.iterdir()) == ["importance.tsv"]
    assert (out / "importance.tsv").read_text() == "earlier run\n"
    monkeypatch.undo()
    written = plots.write_explanation(explanation, out)
    assert {p.name for p in written} == {p.name for p in out.iterdir()}
    assert {"top_features.tsv", "importance.tsv", "bar.png"} <= {p.name for p in written}
    assert (out / "importance.tsv").read_text() != "earlier run\n"
