"""`oncogen train survival` / `oncogen survival` and `oncogen train drug-response` /
`oncogen drug-response`, in-process with CliRunner, including bad-input exits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def write_survival_inputs(tmp: Path, n: int = 90, seed: int = 0) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 12))
    event_time = rng.exponential(1 / np.exp(X[:, 0] - 0.8 * X[:, 1]))
    censor = rng.uniform(0, 3, n)
    ids = [f"p{i}" for i in range(n)]
    features = pd.DataFrame(X, index=pd.Index(ids, name="sample"),
                            columns=[f"GENE{j}" for j in range(12)])
    clinical = pd.DataFrame({"time": np.round(np.minimum(event_time, censor) + 0.01, 4),
                             "event": (event_time <= censor).astype(int)},
                            index=pd.Index(ids, name="sample"))
    features.to_csv(tmp / "features.tsv", sep="\t")
    clinical.to_csv(tmp / "clinical.tsv", sep="\t")
    return tmp / "features.tsv", tmp / "clinical.tsv"


def test_train_and_apply_survival(tmp_path: Path) -> None:
    features, clinical = write_survival_inputs(tmp_path)
    runner = CliRunner()
    model_dir = tmp_path / "model"
    result = runner.invoke(cli, ["train", "survival", "--features", str(features),
                                 "--clinical", str(clinical), "-o", str(model_dir),
                                 "--model", "coxnet", "--cv-folds", "3"])
    assert result.exit_code == 0, result.output
    document = json.loads((model_dir / "model.json").read_text())
    assert document["kind"] == "survival/coxnet"
    assert document["card"]["metrics"]["harrell_c_mean"] > 0.6
    for name in ("cv_folds.tsv", "cv_risk_groups.tsv", "km_risk_groups.png"):
        assert (model_dir / name).stat().st_size > 0
    out = tmp_path / "pred"
    result = runner.invoke(cli, ["survival", str(model_dir), "--features", str(features),
                                 "--clinical", str(clinical), "-o", str(out),
                                 "--effects", "3"])
    assert result.exit_code == 0, result.output
    risk = pd.read_csv(out / "risk.tsv", sep="\t")
    assert list(risk.columns) == ["sample", "risk_score", "risk_group"] and len(risk) == 90
    curves = pd.read_csv(out / "curves.tsv", sep="\t")
    assert {"survival_low", "survival_high"} <= set(curves.columns)
    for name in ("curves.png", "km.png", "feature_effects.png"):
        assert (out / name).stat().st_size > 0
    shap_dir = tmp_path / "shap"  # SHAP per sample and global plots via the explain module
    result = runner.invoke(cli, ["explain", str(model_dir), str(features), "-o", str(shap_dir)])
    assert result.exit_code == 0, result.output
    for name in ("top_features.tsv", "importance.tsv", "bar.png", "beeswarm_risk_score.png"):
        assert (shap_dir / name).stat().st_size > 0


def test_train_ensemble_survival_and_explain(tmp_path: Path) -> None:
    features, clinical = write_survival_inputs(tmp_path)
    runner = CliRunner()
    model_dir = tmp_path / "model"
    result = runner.invoke(cli, ["train", "survival", "--features", str(features),
                                 "--clinical", str(clinical), "-o", str(model_dir),
                                 "--model", "ensemble-cox", "--cv-folds", "0"])
    assert result.exit_code == 0, result.output
    document = json.loads((model_dir / "model.json").read_text())
    assert document["kind"] == "survival/ensemble-cox"
    assert 0.0 <= document["payload"]["coxnet_weight"] <= 1.0
    result = runner.invoke(cli, ["survival", str(model_dir), "--features", str(features),
                                 "-o", str(tmp_path / "pred"), "--effects", "2"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["explain", str(model_dir), str(features), "-o",
                                 str(tmp_path / "shap")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shap" / "importance.tsv").stat().st_size > 0


@pytest.mark.parametrize(("edit", "message"), [
    (lambda c: c.assign(time=np.r_[-1.0, c["time"].to_numpy()[1:]]), "times >= 0"),
    (lambda c: c.assign(event=0), "censored"),
    (lambda c: c.rename(columns={"time": "os_months"}), "no column 'time'"),
])
def test_survival_bad_clinical_exits_2(tmp_path: Path, edit: object, message: str) -> None:
    features, clinical = write_survival_inputs(tmp_path, n=30)
    table = pd.read_csv(clinical, sep="\t", index_col=0)
    edit(table).to_csv(clinical, sep="\t")  # type: ignore[operator]
    result = CliRunner().invoke(cli, ["train", "survival", "--features", str(features),
                                      "--clinical", str(clinical), "-o",
                                      str(tmp_path / "m"), "--cv-folds", "0"])
    assert result.exit_code == 2, result.output
    assert "oncogen: error:" in result.output and message in result.output


def write_drug_inputs(tmp: Path, n_cells: int = 60, n_drugs: int = 5,
                      seed: int = 0) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    cells = [f"CL{i}" for i in range(n_cells)]
    feats = pd.DataFrame((rng.random((n_cells, 8)) < 0.4).astype(float),
                         index=pd.Index(cells, name="cell_line"),
                         columns=[f"G{j}_mut" for j in range(8)])
    ic50 = rng.normal(2, 1, n_drugs) + feats[["G0_mut"]].to_numpy() * rng.normal(0, 2, n_drugs)
    wide = pd.DataFrame(ic50 + rng.normal(0, 0.3, ic50.shape),
                        index=pd.Index(cells, name="cell_line"),
                        columns=[f"drug{d}" for d in range(n_drugs)])
    wide.iloc[::7, 1] = np.nan
    wide.to_csv(tmp / "ic50.tsv", sep="\t")
    feats.to_csv(tmp / "cells.tsv", sep="\t")
    return tmp / "ic50.tsv", tmp / "cells.tsv"


def test_train_and_apply_drug_response(tmp_path: Path) -> None:
    response, cells = write_drug_inputs(tmp_path)
    runner = CliRunner()
    model_dir = tmp_path / "model"
    result = runner.invoke(cli, ["train", "drug-response", "--response", str(response),
                                 "--features", str(cells), "-o", str(model_dir),
                                 "--model", "elastic-net", "--evaluate", "unseen-cell-lines",
                                 "--evaluate", "random-pairs"])
    assert result.exit_code == 0, result.output
    evaluation = pd.read_csv(model_dir / "evaluation.tsv", sep="\t", index_col=0)
    assert evaluation.loc["unseen-cell-lines", "per_drug_pearson"] > 0.3
    out = tmp_path / "pred.tsv"
    result = runner.invoke(cli, ["drug-response", str(model_dir), "--features", str(cells),
                                 "--drugs", "drug0,drug3,newdrug", "--allow-new-drugs", "-o",
                                 str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, sep="\t")
    assert len(table) == 60 * 3
    result = runner.invoke(cli, ["explain", str(model_dir), str(cells), "-o",
                                 str(tmp_path / "shap"), "--orientation", "samples-rows"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shap" / "beeswarm_drug0.png").stat().st_size > 0
    assert table.loc[table["drug"] == "newdrug", "seen_drug"].eq(False).all()


def test_drug_response_bad_inputs(tmp_path: Path) -> None:
    response, cells = write_drug_inputs(tmp_path, n_cells=30)
    table = pd.read_csv(response, sep="\t", index_col=0)
    table.loc["UNKNOWN_CELL"] = 1.0  # a cell line without features: dropped with a warning
    table.iloc[3:, 4] = np.nan       # drug4 measured on 3 cell lines: dropped with a warning
    table.to_csv(response, sep="\t")
    runner = CliRunner()
    result = runner.invoke(cli, ["train", "drug-response", "--response", str(response),
                                 "--features", str(cells), "-o", str(tmp_path / "m"),
                                 "--model", "per-drug-mean"])
    assert result.exit_code == 0, result.output
    # the CLI configures logging onto stderr, which CliRunner captures
    assert "1 cell lines in the response table have no features" in result.output
    assert "fewer than 10 cell lines" in result.output
    text = table.astype(object)
    text.iloc[0, 0] = "high"  # text where a number belongs: exit 2
    text.to_csv(response, sep="\t")
    result = runner.invoke(cli, ["train", "drug-response", "--response", str(response),
                                 "--features", str(cells), "-o", str(tmp_path / "m2")])
    assert result.exit_code == 2 and "non-numeric" in result.output
