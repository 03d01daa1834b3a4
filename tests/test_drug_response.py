"""Drug response: data checks, baselines, xgboost, multitask network, splits, persistence.

Synthetic screen with a known answer: ln(IC50) = drug mean + drug-specific effect of two
marker mutations + noise, so a model that reads cell features must beat the per-drug mean
on held-out cell lines; one GDSC v17 check on the real loader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from onco_genomics.errors import OncogenError, TableFormatError
from onco_genomics.omics.drug_response_data import (
    DrugResponseData,
    prepare_drug_response,
    response_to_long,
)
from onco_genomics.omics.drug_response_eval import (
    SPLITS,
    evaluate_split,
    score_drug_response,
    split_mask,
)
from onco_genomics.omics.drug_response_lowrank import reduced_rank_ridge
from onco_genomics.omics.drug_response_models import (
    LowRankElasticNet,
    MultitaskDrugResponse,
    PerDrugElasticNet,
    PerDrugMean,
    XGBoostDrugResponse,
)
from onco_genomics.omics.model_dir import load_model, save_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def synthetic_screen(n_cells: int = 160, n_drugs: int = 12, n_features: int = 30,
                     seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wide ln(IC50) table (10% missing) and binary cell features."""
    rng = np.random.default_rng(seed)
    cells = [f"c{i}" for i in range(n_cells)]
    feats = pd.DataFrame((rng.random((n_cells, n_features)) < 0.3).astype(float), index=cells,
                         columns=[f"G{j}_mut" for j in range(n_features)])
    drug_mean = rng.normal(2.0, 1.5, n_drugs)
    effect = rng.normal(0, 1.5, (n_drugs, 2))  # drug-specific effect of G0 and G1
    ic50 = (drug_mean[None, :] + feats[["G0_mut", "G1_mut"]].to_numpy() @ effect.T
            + rng.normal(0, 0.5, (n_cells, n_drugs)))
    ic50[rng.random(ic50.shape) < 0.1] = np.nan
    wide = pd.DataFrame(ic50, index=cells, columns=[f"D{d}" for d in range(n_drugs)])
    return wide, feats


@pytest.fixture(scope="module")
def screen() -> DrugResponseData:
    wide, feats = synthetic_screen()
    return prepare_drug_response(wide, feats, name="synthetic")


# ---- bad input ------------------------------------------------------------------------------

def test_cell_lines_without_features_are_dropped_with_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    wide, feats = synthetic_screen(40, 3, 5)
    data = prepare_drug_response(wide, feats.iloc[:-4])
    assert len(data.cell_lines) == 36
    assert "4 cell lines in the response table have no features" in caplog.text


def test_drugs_with_too_few_cell_lines_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    wide, feats = synthetic_screen(40, 3, 5)
    wide.iloc[5:, 0] = np.nan  # D0 measured on <= 5 cell lines
    data = prepare_drug_response(wide, feats, min_cell_lines=10)
    assert data.drugs == ["D1", "D2"]
    assert "fewer than 10 cell lines" in caplog.text


def test_no_shared_cell_lines_is_an_error() -> None:
    wide, feats = synthetic_screen(20, 2, 3)
    feats.index = [f"other{i}" for i in range(20)]
    with pytest.raises(TableFormatError, match="same cell-line ids"):
        prepare_drug_response(wide, feats)


def test_duplicated_pairs_and_nan_features_are_errors() -> None:
    long = pd.DataFrame({"cell_line": ["a", "a"], "drug": ["x", "x"], "LN_IC50": [1.0, 2.0]})
    with pytest.raises(TableFormatError, match="duplicated pairs"):
        prepare_drug_response(long, pd.DataFrame({"f": [1.0]}, index=["a"]), min_cell_lines=1)
    wide, feats = synthetic_screen(20, 2, 3)
    feats.iloc[0, 0] = np.nan
    with pytest.raises(TableFormatError, match="NaN"):
        prepare_drug_response(wide, feats)


def test_long_and_wide_tables_agree() -> None:
    wide, _ = synthetic_screen(10, 3, 2)
    long = response_to_long(wide)
    long = long[np.isfinite(long["ln_ic50"])]
    back = response_to_long(long.rename(columns={"ln_ic50": "IC50"}))
    pd.testing.assert_frame_equal(long.reset_index(drop=True), back)


# ---- splits and metrics ---------------------------------------------------------------------

def test_splits_hold_out_what_they_say(screen: DrugResponseData) -> None:
    for scheme in SPLITS:
        mask = split_mask(screen, scheme, seed=1)
        train, test = screen.response[~mask], screen.response[mask]
        assert 0.1 < mask.mean() < 0.3
        if scheme == "unseen-cell-lines":
            assert not set(train["cell_line"]) & set(test["cell_line"])
        if scheme == "unseen-drugs":
            assert not set(train["drug"]) & set(test["drug"])


def test_scores_known_values() -> None:
    observed = pd.DataFrame({"drug": ["a"] * 10 + ["b"] * 10,
                             "ln_ic50": np.r_[np.arange(10.0), np.arange(10.0)]})
    perfect = score_drug_response(observed, observed["ln_ic50"].to_numpy())
    assert perfect.rmse == 0 and perfect.per_drug_pearson == pytest.approx(1.0)
    constant = score_drug_response(observed, np.full(20, 4.5))
    assert constant.per_drug_pearson == 0.0
    assert constant.rmse == pytest.approx(np.sqrt(np.mean((np.arange(10) - 4.5) ** 2)))


# ---- models ---------------------------------------------------------------------------------

FAST: dict[str, Any] = {
    "per-drug-mean": PerDrugMean,
    "elastic-net": lambda: PerDrugElasticNet(n_alphas=5),
    "lowrank-elastic-net": lambda: LowRankElasticNet(rank=3, n_alphas=5),
    "xgboost": lambda: XGBoostDrugResponse(n_estimators=80, max_depth=4, n_jobs=1),
    "multitask": lambda: MultitaskDrugResponse(hidden=(32,), code_size=8, epochs=80,
                                               patience=15, dropout=0.1),
}


@pytest.fixture(scope="module")
def fitted(screen: DrugResponseData) -> dict[str, Any]:
    return {name: make().fit(screen) for name, make in FAST.items()}


@pytest.fixture(scope="module")
def unseen_cell_scores(screen: DrugResponseData) -> dict[str, Any]:
    return {name: evaluate_split(screen, make, scheme="unseen-cell-lines", seed=0)
            for name, make in FAST.items()}


def test_feature_models_beat_per_drug_mean_on_unseen_cell_lines(
        unseen_cell_scores: dict[str, Any]) -> None:
    base = unseen_cell_scores["per-drug-mean"]
    assert base.per_drug_pearson == 0.0
    for name in ("elastic-net", "lowrank-elastic-net", "xgboost", "multitask"):
        scores = unseen_cell_scores[name]
        assert scores.rmse < 0.8 * base.rmse, name
        assert scores.per_drug_pearson > 0.6, name


def test_unseen_drugs_fall_back_to_shared_knowledge(screen: DrugResponseData) -> None:
    mask = split_mask(screen, "unseen-drugs", seed=0)
    test = screen.subset(mask)
    for name, make in FAST.items():
        if name == "multitask":  # the shared-code fallback is tested on the fitted network
            model = MultitaskDrugResponse(hidden=(16,), code_size=4, epochs=5)
            model.fit(screen.subset(~mask))
        else:
            model = make().fit(screen.subset(~mask))
        pred = model.predict(screen.cell_features, test.response)
        assert np.isfinite(pred).all() and pred.shape == (len(test.response),)


def test_explain_attributes(screen: DrugResponseData, fitted: dict[str, Any]) -> None:
    enet = fitted["elastic-net"]
    pairs = screen.response.iloc[:50]
    X = screen.cell_features.loc[pd.Index(pairs["cell_line"])].to_numpy()
    d = pd.Index(enet.drugs_).get_indexer(pd.Index(pairs["drug"]))
    manual = np.einsum("ij,ij->i", X, enet.coef_[d]) + enet.intercept_[d]
    np.testing.assert_allclose(manual, enet.predict(screen.cell_features, pairs), atol=1e-8)
    # the two marker mutations carry the largest coefficients
    top = np.argsort(-np.abs(enet.coef_).sum(axis=0))[:2]
    assert set(top) == {0, 1}
    net = fitted["multitask"]
    cells = screen.cell_features.iloc[:5]
    out = net.torch_module_(net.to_tensor(cells)).detach().numpy()
    assert out.shape == (5, len(net.drugs_))
    grid = pd.DataFrame([(c, d) for c in cells.index for d in net.drugs_],
                        columns=["cell_line", "drug"])
    np.testing.assert_allclose(out.ravel(), net.predict(screen.cell_features, grid), atol=1e-5)


def test_reduced_rank_ridge_recovers_a_low_rank_map_with_missing_entries() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(200, 12))
    B = rng.normal(size=(12, 2)) @ rng.normal(size=(2, 20))  # rank 2
    R = X @ B + rng.normal(0, 0.1, (200, 20))
    R[rng.random(R.shape) < 0.3] = np.nan
    coef = reduced_rank_ridge(X, R, ridge=1.0, rank=2, iterations=10)
    assert np.linalg.matrix_rank(coef, tol=1e-8) == 2
    assert np.abs(coef - B).max() < 0.1 * np.abs(B).max()
    with pytest.raises(OncogenError, match="rank >= 1"):
        reduced_rank_ridge(X, R, ridge=1.0, rank=0)


def test_lowrank_shares_a_weak_common_pattern_across_drugs() -> None:
    """Every drug responds to one weak, dense cell-line pattern (general sensitivity):
    pooling the drugs (lowrank-elastic-net) ranks held-out cell lines better than one elastic
    net per drug, and its linear coefficients reproduce its predictions."""
    rng = np.random.default_rng(11)
    cells = [f"c{i}" for i in range(150)]
    feats = pd.DataFrame((rng.random((150, 40)) < 0.3).astype(float), index=cells,
                         columns=[f"G{j}_mut" for j in range(40)])
    pattern = feats.to_numpy()[:, :10] @ rng.normal(0, 0.5, 10)
    ic50 = (rng.normal(2, 1, 30)[None, :] + np.outer(pattern, rng.uniform(0.5, 1.5, 30))
            + rng.normal(0, 1.0, (150, 30)))
    data = prepare_drug_response(pd.DataFrame(ic50, index=cells,
                                              columns=[f"D{d}" for d in range(30)]), feats)
    enet = evaluate_split(data, lambda: PerDrugElasticNet(n_alphas=5),
                          scheme="unseen-cell-lines", seed=0)
    for combine in ("blend", "residual"):
        lowrank = evaluate_split(
            data, lambda c=combine: LowRankElasticNet(ranks=(1, 3), rank=2, n_alphas=5,
                                                      combine=c),
            scheme="unseen-cell-lines", seed=0)
        assert lowrank.per_drug_pearson > enet.per_drug_pearson + 0.05, combine
        assert lowrank.rmse < enet.rmse, combine
    model = LowRankElasticNet(ranks=(2,), n_alphas=5).fit(data)
    own, shared = model.blend_weight_
    assert own >= 0 and shared > 0  # the validation uses the shared pattern
    assert {row["rank"] for row in model.inner_validation_} == {2.0}
    pairs = data.response.iloc[:60]
    X = feats.loc[pd.Index(pairs["cell_line"])].to_numpy()
    d = pd.Index(model.drugs_).get_indexer(pd.Index(pairs["drug"]))
    np.testing.assert_allclose(np.einsum("ij,ij->i", X, model.coef_[d]) + model.intercept_[d],
                               model.predict(feats, pairs), atol=1e-8)
    assert np.linalg.matrix_rank(model.coef_shared_, tol=1e-8) <= 2
    for bad in ({"residuals": "maybe"}, {"combine": "stack"}, {"inner_fraction": 1.0}):
        with pytest.raises(OncogenError, match="expected"):
            LowRankElasticNet(**bad).fit(data)  # type: ignore[arg-type]


def test_lowrank_explains_with_linear_shap(screen: DrugResponseData,
                                           fitted: dict[str, Any]) -> None:
    from onco_genomics.explain.shap_values import explain_model

    model = fitted["lowrank-elastic-net"]
    cells = screen.cell_features.iloc[:20]
    explanation = explain_model(model, cells, n_background=20)
    assert explanation.frame(model.drugs_[0]).shape == (20, screen.cell_features.shape[1])
    # the marker mutations carry the largest attributions over all drugs
    importance = np.abs(explanation.values).mean(axis=(0, 2))
    top = {explanation.feature_names[i] for i in np.argsort(-importance)[:2]}
    assert top == {"G0_mut", "G1_mut"}


@pytest.mark.parametrize("name", list(FAST))
def test_save_load_round_trip(name: str, screen: DrugResponseData, fitted: dict[str, Any],
                              tmp_path: Path) -> None:
    model = fitted[name]
    card = {"feature_names": list(screen.cell_features.columns), "preprocessing": {},
            "targets": ["ln_ic50"], "training_data": screen.summary(), "metrics": {}}
    loaded = load_model(save_model(model, tmp_path / name, card=card),
                        expect_kind="drug-response/")
    pairs = pd.concat([screen.response.iloc[:40],
                       pd.DataFrame({"cell_line": ["c0"], "drug": ["new"], "ln_ic50": [0.0]})])
    np.testing.assert_allclose(loaded.predict(screen.cell_features, pairs),
                               model.predict(screen.cell_features, pairs), rtol=1e-5, atol=1e-5)


def test_predict_refuses_cell_lines_without_features(screen: DrugResponseData,
                                                     fitted: dict[str, Any]) -> None:
    model = fitted["elastic-net"]
    pairs = pd.DataFrame({"cell_line": ["nowhere"], "drug": ["D0"]})
    with pytest.raises(OncogenError, match="without"):
        model.predict(screen.cell_features, pairs)


@pytest.mark.needs_package("gdsctools")
def test_gdsc_v17_loader() -> None:
    import importlib.util

    if importlib.util.find_spec("gdsctools") is None:
        pytest.skip("gdsctools not installed (pip install --no-deps gdsctools)")
    from onco_genomics.datasets.drug import load_gdsc_v17

    data = load_gdsc_v17()
    assert data.summary()["n_cell_lines"] == 988 and data.summary()["n_drugs"] == 265
    assert len(data.response) == 213_787
    assert -10 < data.response["ln_ic50"].median() < 10


def test_morgan_fingerprints_need_rdkit_or_work() -> None:
    from onco_genomics.omics.drug_response_data import morgan_fingerprints

    smiles = pd.Series({"aspirin": "CC(=O)OC1=CC=CC=C1C(=O)O", "ethanol": "CCO"})
    try:
        import rdkit  # noqa: F401
    except ImportError:
        with pytest.raises(OncogenError, match="pip install rdkit"):
            morgan_fingerprints(smiles)
        return
    fps = morgan_fingerprints(smiles, n_bits=128)
    assert fps.shape == (2, 128) and fps.loc["aspirin"].sum() > fps.loc["ethanol"].sum() > 0
    with pytest.raises(TableFormatError, match="valid SMILES"):
        morgan_fingerprints(pd.Series({"bad": "C1CC"}))


def test_drug_features_from_a_table_smiles_or_both() -> None:
    from onco_genomics.omics.drug_response.data import combine_drug_features

    table = pd.DataFrame({"target_egfr": [1.0, 0.0]}, index=["aspirin", "other"])
    smiles = pd.Series({"aspirin": "CC(=O)OC1=CC=CC=C1C(=O)O", "ethanol": "CCO"})
    assert combine_drug_features(None, None) is None
    assert combine_drug_features(table, None) is table
    pytest.importorskip("rdkit", reason="fingerprints need the optional rdkit")
    alone = combine_drug_features(None, smiles)
    assert alone is not None and list(alone.index) == ["aspirin", "ethanol"]
    both = combine_drug_features(table, smiles)
    assert both is not None and list(both.index) == ["aspirin"]  # drugs in both only
    assert both.shape[1] == 1 + alone.shape[1] and both.loc["aspirin", "target_egfr"] == 1.0


def test_drug_features_predict_unseen_drugs(tmp_path: Path) -> None:
    """Drug effect = a drug feature x a marker mutation: models with drug features carry it
    over to held-out drugs."""
    rng = np.random.default_rng(3)
    cells = [f"c{i}" for i in range(120)]
    feats = pd.DataFrame((rng.random((120, 6)) < 0.4).astype(float), index=cells,
                         columns=[f"G{j}_mut" for j in range(6)])
    drug_feat = pd.DataFrame({"targets_G0": rng.normal(0, 1.5, 30)},
                             index=[f"D{d}" for d in range(30)])
    ic50 = 2.0 + np.outer(feats["G0_mut"], drug_feat["targets_G0"]) \
        + rng.normal(0, 0.3, (120, 30))
    data = prepare_drug_response(pd.DataFrame(ic50, index=cells, columns=drug_feat.index),
                                 feats, drug_features=drug_feat)
    mask = split_mask(data, "unseen-drugs", seed=0)
    test = data.subset(mask)
    for model in (XGBoostDrugResponse(n_estimators=80, max_depth=3, n_jobs=1,
                                      min_feature_count=1),
                  MultitaskDrugResponse(hidden=(16,), code_size=4, epochs=150, dropout=0.0,
                                        min_feature_count=1)):
        model.fit(data.subset(~mask))
        pred = model.predict(feats, test.response, drug_features=drug_feat)
        scores = score_drug_response(test.response, pred)
        assert scores.per_drug_pearson > 0.5, type(model).__name__
    card = {"feature_names": list(feats.columns), "preprocessing": {}, "targets": ["x"],
            "training_data": {}, "metrics": {}}
    loaded = load_model(save_model(model, tmp_path / "m", card=card))
    np.testing.assert_allclose(loaded.predict(feats, test.response, drug_features=drug_feat),
                               pred, atol=1e-5)


def test_cli_trains_applies_and_explains_lowrank(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from onco_genomics.cli import cli

    wide, feats = synthetic_screen(80, 6, 10)
    wide.index.name = "cell_line"
    wide.to_csv(tmp_path / "ic50.tsv", sep="\t")
    feats.rename_axis("cell_line").to_csv(tmp_path / "cells.tsv", sep="\t")
    runner = CliRunner()
    model_dir = tmp_path / "model"
    result = runner.invoke(cli, ["train", "drug-response", "--response",
                                 str(tmp_path / "ic50.tsv"), "--features",
                                 str(tmp_path / "cells.tsv"), "-o", str(model_dir),
                                 "--model", "lowrank-elastic-net"])
    assert result.exit_code == 0, result.output
    evaluation = pd.read_csv(model_dir / "evaluation.tsv", sep="\t", index_col=0)
    assert evaluation.loc["unseen-cell-lines", "per_drug_pearson"] > 0.5
    result = runner.invoke(cli, ["drug-response", str(model_dir), "--features",
                                 str(tmp_path / "cells.tsv"), "-o", str(tmp_path / "p.tsv")])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "p.tsv", sep="\t")) == 80 * 6
    # a misspelt drug is an error naming it, with the close training name
    args = ["drug-response", str(model_dir), "--features", str(tmp_path / "cells.tsv"),
            "--drugs", "D1,D01x", "-o", str(tmp_path / "q.tsv")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2 and "D01x" in result.output and "--allow-new-drugs" in \
        result.output
    assert not (tmp_path / "q.tsv").exists()
    result = runner.invoke(cli, [*args, "--allow-new-drugs"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "q.tsv", sep="\t")) == 80 * 2
    result = runner.invoke(cli, ["explain", str(model_dir), str(tmp_path / "cells.tsv"), "-o",
                                 str(tmp_path / "shap"), "--orientation", "samples-rows"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shap" / "beeswarm_D0.png").stat().st_size > 0


def test_default_model_is_lowrank_and_warns_that_it_ignores_drug_features(
        caplog: pytest.LogCaptureFixture) -> None:
    from onco_genomics.omics.drug_response import train_drug_response

    wide, feats = synthetic_screen(60, 4, 8)
    drugs = pd.DataFrame({"target_a": [1.0, 0.0, 1.0, 0.0]}, index=wide.columns)
    with caplog.at_level("WARNING"):
        trained = train_drug_response(wide, feats, drug_features=drugs, splits=())
    assert trained.card["model"] == "lowrank-elastic-net"
    assert "does not use drug features" in caplog.text
