"""``og.load_model``: one entry point for the caller's and the omics models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import onco_genomics as og
from onco_genomics.errors import ModelError


def test_every_listed_model_loads_through_one_entry_point() -> None:
    listed = og.list_models()
    assert {"caller_default", "cup_example"} <= {m.name for m in listed}
    for shipped in listed:
        model = og.load_model(shipped.name)
        if shipped.kind == "caller/cnn-tumor-only":
            assert type(model).__name__ == "TumorOnlyModel"
            assert model.path == shipped.path
        elif shipped.kind.startswith("caller/"):
            assert type(model).__name__ == "CallerModel"
            assert model.path == shipped.path
        else:
            assert model.model_card_ == shipped.card
            assert model.model_dir_ == shipped.path


def test_folders_and_model_json_paths_load_too() -> None:
    shipped = {m.name: m for m in og.list_models()}
    cup = shipped["cup_example"].path
    assert og.model_kind(cup) == og.model_kind(cup / "model.json") == shipped["cup_example"].kind
    assert og.load_model(cup / "model.json", expect_kind="classifier/").model_dir_ == cup
    assert og.model_kind("caller_default").startswith("caller/")


def test_family_loaders_keep_their_own_checks() -> None:
    with pytest.raises(ModelError, match="expected a model of kind"):
        og.load_caller_model("cup_example")
    with pytest.raises(ModelError, match="expected a 'survival/' model"):
        og.load_omics_model("cup_example", expect_kind="survival/")


def test_unknown_names_and_damaged_files_are_model_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no shipped model named .nope.; shipped: .*cup_example"):
        og.load_model("nope")
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(ModelError, match=r"not valid JSON.*damaged"):
        og.load_model(tmp_path)
    (tmp_path / "model.json").write_text('{"format": "oncogen-model"}')
    with pytest.raises(ModelError, match="records no model kind"):
        og.model_kind(tmp_path)


def test_reading_the_kind_does_not_import_torch() -> None:
    code = ("import sys, onco_genomics as og; og.model_kind('caller_default'); "
            "og.model_kind('cup_example'); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
