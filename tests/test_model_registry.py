"""The omics model registry is an explicit kind -> "module:Class" table: loading a model
imports only the module of its kind (a Coxnet model never imports torch), and every
estimator oncogen defines is in the table."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import onco_genomics.omics
from onco_genomics.errors import ModelError
from onco_genomics.omics.core import model_dir
from onco_genomics.omics.survival.models import SURVIVAL_MODELS, survival_model_class


def _import_every_omics_module() -> None:
    for info in pkgutil.walk_packages(onco_genomics.omics.__path__, "onco_genomics.omics."):
        importlib.import_module(info.name)


def test_every_table_entry_names_the_class_of_its_kind() -> None:
    for kind in model_dir.MODEL_KINDS:
        cls = model_dir.model_class(kind)
        assert cls.model_kind == kind
        module, _, name = model_dir.MODEL_KINDS[kind].partition(":")
        assert cls.__module__ == module and cls.__name__ == name


def test_every_registered_estimator_is_in_the_table() -> None:
    """A new estimator with @register_model_kind but no MODEL_KINDS line would load only
    after something happened to import its module: the table must list it."""
    _import_every_omics_module()
    shipped = {kind for kind, cls in model_dir._REGISTRY.items()
               if cls.__module__.startswith("onco_genomics.")}
    assert shipped == set(model_dir.MODEL_KINDS)
    assert set(model_dir.registered_kinds()) >= shipped


def test_survival_names_resolve_to_their_estimators() -> None:
    for name in SURVIVAL_MODELS:
        assert survival_model_class(name).model_kind == f"survival/{name}"


def test_unknown_kind_is_a_model_error() -> None:
    with pytest.raises(ModelError, match=r"unknown model kind 'survival/nope'.*survival/coxnet"):
        model_dir.model_class("survival/nope")


def test_a_coxnet_model_loads_and_predicts_without_importing_torch(tmp_path: Path) -> None:
    from onco_genomics.omics.survival import prepare_survival_data, train_survival

    rng = np.random.default_rng(0)
    ids = [f"s{i}" for i in range(60)]
    features = pd.DataFrame(rng.normal(size=(60, 5)), index=ids,
                            columns=[f"g{j}" for j in range(5)])
    clinical = pd.DataFrame({"time": rng.exponential(1.0, 60) + 0.01,
                             "event": rng.random(60) < 0.7}, index=ids)
    data = prepare_survival_data(features, clinical)
    trained = train_survival(data, model="coxnet", cv_folds=0)
    folder = trained.save(tmp_path / "coxnet")
    features.to_csv(tmp_path / "x.csv")
    code = (
        "import sys, pandas as pd, onco_genomics as og\n"
        f"model = og.load_model({str(folder)!r})\n"
        f"x = pd.read_csv({str(tmp_path / 'x.csv')!r}, index_col=0)\n"
        "risk = og.predict_survival(model, x).samples['risk_score']\n"
        "assert len(risk) == 60\n"
        "print(type(model).__name__, 'torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["CoxnetSurvival", "False"]
