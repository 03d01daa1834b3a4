"""Explaining chosen outputs of many-output models (issue 16: explain must scale)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import ModelError
from onco_genomics.explain import explain_model
from onco_genomics.explain.outputs import rank_outputs
from onco_genomics.explain.plots import plot_bar
from onco_genomics.omics.drug_response_data import prepare_drug_response
from onco_genomics.omics.drug_response_models import MultitaskDrugResponse, PerDrugElasticNet
from onco_genomics.omics.model_dir import save_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")

N_DRUGS = 14


@pytest.fixture(scope="module")
def screen() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(3)
    cells = [f"c{i}" for i in range(90)]
    feats = pd.DataFrame((rng.random((90, 12)) < 0.3).astype(float), index=cells,
                         columns=[f"G{j}_mut" for j in range(12)])
    effect = np.zeros((N_DRUGS, 12))
    effect[:, 0] = np.linspace(0, 3, N_DRUGS)  # drug d's response depends on G0 by d
    ic50 = 2.0 + feats.to_numpy() @ effect.T + rng.normal(0, 0.3, (90, N_DRUGS))
    wide = pd.DataFrame(ic50, index=cells, columns=[f"D{d}" for d in range(N_DRUGS)])
    return wide, feats


@pytest.fixture(scope="module")
def models(screen: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, Any]:
    wide, feats = screen
    data = prepare_drug_response(wide, feats, name="synthetic")
    return {"elastic-net": PerDrugElasticNet().fit(data),
            "multitask": MultitaskDrugResponse(epochs=15, hidden=(16,), code_size=4).fit(data)}


@pytest.mark.parametrize("name", ["elastic-net", "multitask"])
def test_chosen_outputs_equal_the_full_explanation_s_columns(
        name: str, models: dict[str, Any], screen: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, feats = screen
    X = feats.iloc[:6]
    full = explain_model(models[name], X, progress=False)
    part = explain_model(models[name], X, outputs=["D9", "D2"], progress=False)
    assert part.output_names == ("D9", "D2")
    keep = [full.output_names.index("D9"), full.output_names.index("D2")]
    np.testing.assert_allclose(part.values, full.values[:, :, keep], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(part.base_values, full.base_values[keep], rtol=1e-6)
    assert "ln(IC50)" in part.method


def test_unknown_output_is_an_error_naming_it(models: dict[str, Any],
                                              screen: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    with pytest.raises(ModelError, match="Nutlin"):
        explain_model(models["elastic-net"], screen[1].iloc[:3], outputs=["D1", "Nutlin"])


def test_default_outputs_are_the_drugs_that_vary_most(
        models: dict[str, Any], screen: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    chosen = rank_outputs(models["elastic-net"], screen[1], 3)
    assert chosen == ["D13", "D12", "D11"]  # the largest G0 effects
    assert rank_outputs(models["elastic-net"], screen[1], 0) == list(models["elastic-net"].drugs_)


def test_bar_plot_groups_many_outputs(models: dict[str, Any],
                                      screen: tuple[pd.DataFrame, pd.DataFrame],
                                      tmp_path: Path) -> None:
    explanation = explain_model(models["elastic-net"], screen[1].iloc[:10], progress=False)
    plot_bar(explanation, tmp_path / "bar.png", max_legend=5)
    assert (tmp_path / "bar.png").stat().st_size > 0


def test_cli_explains_chosen_drugs_with_log_progress(
        models: dict[str, Any], screen: tuple[pd.DataFrame, pd.DataFrame],
        tmp_path: Path) -> None:
    model = models["multitask"]
    save_model(model, tmp_path / "model",
               card={"feature_names": model.feature_names_, "preprocessing": {},
                     "training_data": {}, "metrics": {}, "targets": model.drugs_})
    screen[1].rename_axis("cell_line").to_csv(tmp_path / "cells.tsv", sep="\t")
    runner = CliRunner()
    log_file = tmp_path / "explain.log"
    result = runner.invoke(cli, ["--log-file", str(log_file), "explain", str(tmp_path / "model"),
                                 str(tmp_path / "cells.tsv"), "-o", str(tmp_path / "out"),
                                 "--drugs", "D3,D7"])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output  # not a terminal: log lines, no redrawn bar
    assert "done: 90/90 samples explained" in log_file.read_text()
    pngs = sorted(p.name for p in (tmp_path / "out").glob("beeswarm_*.png"))
    assert pngs == ["beeswarm_D3.png", "beeswarm_D7.png"]
    importance = pd.read_csv(tmp_path / "out" / "importance.tsv", sep="\t", index_col=0)
    assert list(importance.columns) == ["D3", "D7"]
    # default: the top 10 of 14 outputs
    result = runner.invoke(cli, ["explain", str(tmp_path / "model"), str(tmp_path / "cells.tsv"),
                                 "-o", str(tmp_path / "top")])
    assert result.exit_code == 0, result.output
    importance = pd.read_csv(tmp_path / "top" / "importance.tsv", sep="\t", index_col=0)
    assert importance.shape[1] == 10
    result = runner.invoke(cli, ["explain", str(tmp_path / "model"), str(tmp_path / "cells.tsv"),
                                 "-o", str(tmp_path / "bad"), "--drugs", "D3,Nutlin-3b"])
    assert result.exit_code == 2
    assert "Nutlin-3b" in result.output
    assert not (tmp_path / "bad").exists()


def test_xgboost_pair_model_is_explained_per_drug(
        screen: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    from onco_genomics.omics.drug_response_models import XGBoostDrugResponse

    wide, feats = screen
    model = XGBoostDrugResponse(n_estimators=30, min_feature_count=1).fit(
        prepare_drug_response(wide, feats, name="synthetic"))
    X = feats.iloc[:7]
    explanation = explain_model(model, X, outputs=["D12", "D3"], progress=False)
    assert explanation.output_names == ("D12", "D3")
    assert explanation.feature_names[-2:] == ("drug_train_mean", "drug_train_sd")
    for k, drug in enumerate(explanation.output_names):
        pairs = pd.DataFrame({"cell_line": X.index, "drug": drug})
        total = explanation.values[:, :, k].sum(axis=1) + explanation.base_values[k]
        np.testing.assert_allclose(total, model.predict(feats, pairs), rtol=1e-4, atol=1e-4)
