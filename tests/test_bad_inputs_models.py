"""Damaged or tampered model files: "the model file is damaged", one line (issue 14, class 6).

Each case copies a freshly saved model folder and damages one thing: a weight file replaced
by one of tests/data/bad_inputs/models/ (a pickle that would run code, a truncated .pt, an
object-array .npy, bytes that are no tensor file, broken JSON), or an edit to model.json
or the coefficients (wrong shapes, a missing file or entry). Loading must refuse with a
:class:`ModelError` that says so on one line, never repeats torch's advice to use
``weights_only=False``, and never runs the pickled code.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import ModelError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

BAD = Path(__file__).parent / "data" / "bad_inputs"
MODELS = BAD / "models"
RUNS_CODE = "this pickled code must never run"
Tamper = Callable[[Path], None]


def _card(names: list[str], classes: list[str] | None = None) -> dict[str, object]:
    card: dict[str, object] = {"feature_names": names, "preprocessing": {},
                               "training_data": {"name": "synthetic"}, "metrics": {}}
    if classes is not None:
        card["classes"] = classes
    else:
        card["targets"] = ["risk"]
    return card


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small logistic, MLP and Coxnet models saved with :func:`save_model`."""
    from onco_genomics.omics.classifiers import LogisticClassifier, MLPClassifier
    from onco_genomics.omics.model_dir import save_model
    from onco_genomics.omics.survival_models import CoxnetSurvival

    rng = np.random.default_rng(0)
    names = [f"g{i}" for i in range(6)]
    x = pd.DataFrame(rng.normal(size=(40, 6)), columns=names)
    y = np.array(["a", "b"] * 20)
    x.loc[y == "b", "g0"] += 2.0
    root = tmp_path_factory.mktemp("models")
    folders = {
        "logistic": save_model(LogisticClassifier().fit(x, y), root / "logistic",
                               card=_card(names, ["a", "b"])),
        "mlp": save_model(MLPClassifier(hidden=(4,), max_epochs=3, device="cpu").fit(x, y),
                          root / "mlp", card=_card(names, ["a", "b"])),
    }
    time = rng.exponential(10, size=40) + 1
    event = rng.integers(0, 2, size=40).astype(bool)
    event[:4] = True
    outcome = np.array(list(zip(event, time, strict=True)),
                       dtype=[("event", bool), ("time", float)])
    folders["coxnet"] = save_model(CoxnetSurvival().fit(x.to_numpy(), outcome),
                                   root / "coxnet", card=_card(names))
    return folders


def _payload(folder: Path) -> tuple[dict[str, object], dict[str, object]]:
    document = json.loads((folder / "model.json").read_text())
    return document, document["payload"]


def _edit_payload(change: Callable[[dict[str, object]], None]) -> Tamper:
    def tamper(folder: Path) -> None:
        document, payload = _payload(folder)
        change(payload)
        (folder / "model.json").write_text(json.dumps(document))
    return tamper


def _replace(name: str, fixture: str) -> Tamper:
    def tamper(folder: Path) -> None:
        shutil.copy(MODELS / fixture, folder / name)
    return tamper


def _edit_coefficients(change: Callable[[dict[str, list[object]]], None]) -> Tamper:
    def tamper(folder: Path) -> None:
        data = json.loads((folder / "coefficients.json").read_text())
        change(data)
        (folder / "coefficients.json").write_text(json.dumps(data))
    return tamper


def _drop_column(data: dict[str, list[object]]) -> None:
    data["coef"] = [row[:-1] for row in data["coef"]]  # type: ignore[index]


def _drop_class(data: dict[str, list[object]]) -> None:
    data["coef"] = data["coef"][:1]
    data["intercept"] = data["intercept"][:1]


def _wrong_shape_weights(folder: Path) -> None:
    import torch

    state = torch.load(folder / "weights.pt", weights_only=True)
    state = {k: torch.zeros(tuple(s + 1 for s in v.shape)) for k, v in state.items()}
    torch.save(state, folder / "weights.pt")


def _extra_weights(folder: Path) -> None:
    import torch

    state = torch.load(folder / "weights.pt", weights_only=True)
    state["surplus.weight"] = torch.zeros(3)
    torch.save(state, folder / "weights.pt")


CASES: list[tuple[str, str, Tamper]] = [
    ("logistic", "coefficients.json missing", lambda f: (f / "coefficients.json").unlink()),
    ("logistic", "coefficients.json not JSON", _replace("coefficients.json", "not_json.json")),
    ("logistic", "coefficients of a missing feature", _edit_coefficients(_drop_column)),
    ("logistic", "coefficients of one class only", _edit_coefficients(_drop_class)),
    ("logistic", "coefficients without intercept",
     _edit_coefficients(lambda d: d.pop("intercept"))),
    ("logistic", "payload without params", _edit_payload(lambda p: p.pop("params"))),
    ("logistic", "payload with an unknown param",
     _edit_payload(lambda p: p.update(params={"bogus": 1}))),
    ("logistic", "payload without classes", _edit_payload(lambda p: p.pop("classes"))),
    ("logistic", "scale of the wrong length",
     _edit_payload(lambda p: p.update(scale=[1.0]))),
    ("logistic", "background.npy an object array", _replace("background.npy",
                                                           "object_array.npy")),
    ("logistic", "background.npy missing", lambda f: (f / "background.npy").unlink()),
    ("mlp", "weights.pt runs code when unpickled", _replace("weights.pt", "runs_code.pt")),
    ("mlp", "weights.pt truncated", _replace("weights.pt", "truncated.pt")),
    ("mlp", "weights.pt not a tensor file", _replace("weights.pt", "not_a_tensor_file.pt")),
    ("mlp", "weights of the wrong shapes", _wrong_shape_weights),
    ("mlp", "weights with a surplus tensor", _extra_weights),
    ("mlp", "weights.pt missing", lambda f: (f / "weights.pt").unlink()),
    ("coxnet", "payload that is not an object", _edit_payload(lambda p: p.clear())),
    ("coxnet", "model.json payload emptied", _edit_payload(
        lambda p: [p.pop(k) for k in list(p) if k != "params"])),
]


@pytest.mark.parametrize(("model", "what", "tamper"), CASES, ids=[c[1] for c in CASES])
def test_tampered_model_is_damaged(saved: dict[str, Path], tmp_path: Path, model: str,
                                   what: str, tamper: Tamper,
                                   capfd: pytest.CaptureFixture[str]) -> None:
    from onco_genomics.omics.model_dir import load_model

    folder = tmp_path / model
    shutil.copytree(saved[model], folder)
    load_model(folder)  # the untouched copy loads
    tamper(folder)
    with pytest.raises(ModelError) as info:
        load_model(folder)
    message = str(info.value)
    assert "damaged" in message or "incomplete" in message, message
    assert "\n" not in message and "weights_only" not in message, message
    assert RUNS_CODE not in capfd.readouterr().out


def test_cli_refuses_a_model_that_would_run_code(saved: dict[str, Path], tmp_path: Path,
                                                 capfd: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mlp"
    shutil.copytree(saved["mlp"], folder)
    shutil.copy(MODELS / "runs_code.pt", folder / "weights.pt")
    table = tmp_path / "expr.tsv"
    pd.DataFrame(np.zeros((2, 6)), columns=[f"g{i}" for i in range(6)],
                 index=pd.Index(["s1", "s2"], name="sample")).to_csv(table, sep="\t")
    result = CliRunner().invoke(cli, ["cup", str(table), "--model", str(folder),
                                      "-o", str(tmp_path / "out.tsv")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if "error" in line]
    assert len(lines) == 1 and "the model file is damaged" in lines[0], result.output
    assert "weights_only" not in result.output and "Traceback" not in result.output
    assert RUNS_CODE not in capfd.readouterr().out + result.output
    assert not (tmp_path / "out.tsv").exists()


# --- the caller's model --------------------------------------------------------------------

def _caller_copy(tmp_path: Path) -> Path:
    from onco_genomics.caller.model import default_model_path

    folder = tmp_path / "caller"
    shutil.copytree(default_model_path(), folder)
    return folder


def _without_checksum(folder: Path) -> None:
    meta = json.loads((folder / "model.json").read_text())
    meta.pop("weights_sha256", None)  # a tamperer edits the checksum away too
    (folder / "model.json").write_text(json.dumps(meta))


@pytest.mark.parametrize(("what", "tamper"), [
    ("runs code", _replace("weights.pt", "runs_code.pt")),
    ("truncated", _replace("weights.pt", "truncated.pt")),
    ("not a tensor file", _replace("weights.pt", "not_a_tensor_file.pt")),
    ("wrong shapes", _wrong_shape_weights),
    ("surplus tensor", _extra_weights),
])
def test_tampered_caller_weights_are_damaged(tmp_path: Path, what: str, tamper: Tamper,
                                             capfd: pytest.CaptureFixture[str]) -> None:
    from onco_genomics.caller.model import load_model

    folder = _caller_copy(tmp_path)
    tamper(folder)
    _without_checksum(folder)
    with pytest.raises(ModelError, match="the model file is damaged") as info:
        load_model(folder)
    assert "\n" not in str(info.value) and "weights_only" not in str(info.value)
    assert len(str(info.value)) < 400
    assert RUNS_CODE not in capfd.readouterr().out


def test_caller_weights_changed_under_the_checksum(tmp_path: Path) -> None:
    from onco_genomics.caller.model import load_model

    folder = _caller_copy(tmp_path)
    shutil.copy(MODELS / "truncated.pt", folder / "weights.pt")
    with pytest.raises(ModelError, match="checksum"):
        load_model(folder)


@pytest.mark.parametrize("edit", [
    {"network": {"width": "wide"}},
    {"network": None},
    {"threshold": "high"},
])
def test_caller_metadata_edits_are_damaged(tmp_path: Path, edit: dict[str, object]) -> None:
    from onco_genomics.caller.model import load_model

    folder = _caller_copy(tmp_path)
    meta = json.loads((folder / "model.json").read_text())
    meta.update(edit)
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError) as info:
        load_model(folder)
    assert "\n" not in str(info.value)
