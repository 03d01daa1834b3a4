"""``--model auto``: the choice by inner cross-validation and how it is saved."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import OptionsError
from onco_genomics.omics.classifiers import LogisticClassifier, XGBoostClassifier
from onco_genomics.omics.cup import load_classifier, train_classifier
from onco_genomics.omics.model_choice import AutoClassifier


def _frame(X: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(X, index=[f"s{i}" for i in range(len(X))],
                        columns=[f"g{j}" for j in range(X.shape[1])])


def test_auto_keeps_the_linear_model_on_linear_data() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 6))
    y = np.where(X[:, 0] + X[:, 1] - X[:, 2] > 0, "a", "b")  # an oblique line: trees need steps
    auto = AutoClassifier().fit(_frame(X), y)
    assert auto.chosen_ == "logistic" and isinstance(auto.chosen_model_, LogisticClassifier)
    assert set(auto.inner_scores_) == {"logistic", "xgboost"}
    assert auto.inner_scores_["logistic"]["macro_f1"] > 0.8
    np.testing.assert_allclose(auto.predict_proba(_frame(X)),
                               auto.chosen_model_.predict_proba(_frame(X)))


def test_auto_takes_the_trees_where_no_line_separates() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 4))
    y = np.where(np.abs(X[:, 0]) > 0.7, "a", "b")  # both tails against the middle: no line
    auto = AutoClassifier().fit(_frame(X), y)
    assert auto.chosen_ == "xgboost" and isinstance(auto.chosen_model_, XGBoostClassifier)
    assert auto.inner_scores_["xgboost"]["macro_f1"] > auto.inner_scores_["logistic"][
        "macro_f1"] + 0.2


def test_auto_with_a_two_sample_class_still_chooses_and_bad_candidates_are_refused() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 3))
    y = np.array(["a"] * 18 + ["b"] * 2)
    assert AutoClassifier(inner_splits=3).fit(_frame(X), y).chosen_ in ("logistic", "xgboost")
    with pytest.raises(OptionsError, match="candidates"):
        AutoClassifier(candidates=("svm",)).fit(_frame(X), y)


def test_train_auto_saves_the_chosen_model_and_says_so(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    X = _frame(rng.normal(size=(45, 30)) * np.r_[3.0, np.ones(29)])  # g0 is kept by variance
    y = pd.Series(np.where(X["g0"] > 0, "x", "y"), index=X.index)
    trained = train_classifier(X, y, n_features=20, cv_splits=3)  # the default model: auto
    card = trained.card
    chosen = card["model_choice"]["chosen"]
    assert card["model"] == "auto" and chosen in ("logistic", "xgboost")
    assert set(card["model_choice"]["inner_scores"]) == {"logistic", "xgboost"}
    assert trained.report is not None and trained.report.macro_f1 > 0.65  # chance: 0.5
    path = trained.save(tmp_path / "model")
    assert f"`--model auto` chose **{chosen}**" in (path / "MODEL_CARD.md").read_text()
    assert json.loads((path / "model.json").read_text())["card"]["model_choice"]["chosen"] \
        == chosen
    loaded = load_classifier(path)
    kinds = {"logistic": LogisticClassifier, "xgboost": XGBoostClassifier}
    assert isinstance(loaded.steps[-1][1], kinds[chosen])
    np.testing.assert_allclose(loaded.predict_proba(X), trained.pipeline.predict_proba(X),
                               rtol=1e-5)


def test_cli_default_model_is_auto(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    X = _frame(rng.normal(size=(30, 12)))
    expr, labels = tmp_path / "expr.tsv", tmp_path / "labels.tsv"
    X.to_csv(expr, sep="\t", index_label="sample")
    pd.Series(np.where(X["g1"] > 0, "x", "y"), index=X.index).to_frame("type").to_csv(
        labels, sep="\t", index_label="sample")
    result = CliRunner().invoke(cli, ["train", "cup", str(expr), str(labels), "-o",
                                      str(tmp_path / "m"), "--cv-splits", "0",
                                      "--n-features", "0"])
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "m" / "model.json").read_text())["card"]
    assert card["model"] == "auto" and card["model_choice"]["chosen"] in ("logistic", "xgboost")
