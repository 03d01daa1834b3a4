"""Model directories and the shared torch training loop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from onco_genomics.errors import ModelError, OptionsError
from onco_genomics.omics import model_dir
from onco_genomics.omics.torch_training import TrainConfig, split_validation, train_module

CARD = {"feature_names": ["a", "b"], "preprocessing": [], "training_data": {"n_samples": 3},
        "metrics": {}, "classes": ["x", "y"]}


@model_dir.register_model_kind
class _Offset:
    model_kind: ClassVar[str] = "test/offset"

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def save_payload(self, directory: Path) -> dict[str, Any]:
        (directory / "offset.json").write_text(json.dumps({"offset": self.offset}))
        return {"file": "offset.json"}

    @classmethod
    def load_payload(cls, directory: Path, payload: dict[str, Any]) -> _Offset:
        return cls(json.loads((directory / payload["file"]).read_text())["offset"])


def test_save_load_roundtrip(tmp_path: Path) -> None:
    out = model_dir.save_model(_Offset(2.5), tmp_path / "m", card=CARD)
    document = json.loads((out / "model.json").read_text())
    assert document["format"] == "oncogen-model" and document["kind"] == "test/offset"
    assert "created" in document["card"]
    loaded = model_dir.load_model(out)
    assert isinstance(loaded, _Offset) and loaded.offset == 2.5
    assert loaded.model_card_["feature_names"] == ["a", "b"]
    # overwriting replaces atomically and leaves no temporary directories behind
    model_dir.save_model(_Offset(3.0), out, card=CARD)
    assert model_dir.load_model(out).offset == 3.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"model\.json"):
        model_dir.load_model(tmp_path)
    out = model_dir.save_model(_Offset(), tmp_path / "m", card=CARD)
    with pytest.raises(ModelError, match="expected a 'cup/' model"):
        model_dir.load_model(out, expect_kind="cup/")
    document = json.loads((out / "model.json").read_text())
    document["format_version"] = 99
    (out / "model.json").write_text(json.dumps(document))
    with pytest.raises(ModelError, match="Upgrade oncogen"):
        model_dir.load_model(out)
    document["format_version"], document["kind"] = 1, "nope/unknown"
    (out / "model.json").write_text(json.dumps(document))
    with pytest.raises(ModelError, match="unknown model kind"):
        model_dir.load_model(out)


def test_card_must_be_complete(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="feature_names"):
        model_dir.save_model(_Offset(), tmp_path / "m", card={"classes": []})
    with pytest.raises(ModelError, match="cannot save"):
        model_dir.save_model(object(), tmp_path / "m", card=CARD)
    assert not (tmp_path / "m").exists()


def test_split_validation_is_stratified_and_seeded() -> None:
    labels = np.array([0] * 10 + [1] * 10 + [2])
    train, val = split_validation(21, fraction=0.2, seed=3, stratify=labels)
    assert set(train) | set(val) == set(range(21)) and not set(train) & set(val)
    assert np.bincount(labels[val], minlength=3).tolist() == [2, 2, 0]  # singleton stays
    again = split_validation(21, fraction=0.2, seed=3, stratify=labels)
    assert np.array_equal(val, again[1])


def test_train_module_learns_and_restores_best_state() -> None:
    import torch

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)

    def run(seed: int) -> tuple[Any, Any]:
        torch.manual_seed(seed)
        net = torch.nn.Linear(4, 2)
        result = train_module(net, X, y, loss=torch.nn.CrossEntropyLoss(),
                              config=TrainConfig(max_epochs=60, patience=10, seed=seed,
                                                 learning_rate=0.05), stratify=y)
        return net, result

    net, result = run(1)
    assert result.best_epoch < result.epochs_run <= 60  # trained past its best epoch
    best = result.validation_loss[result.best_epoch - 1]
    assert best <= min(result.validation_loss) + 1e-4
    # the weights returned are those of the best epoch, not of the last one
    val = result.validation_indices
    with torch.no_grad():
        returned = float(torch.nn.CrossEntropyLoss()(net(torch.as_tensor(X[val])),
                                                     torch.as_tensor(y[val])))
    assert abs(best - result.validation_loss[-1]) > 1e-5  # so the two can be told apart
    assert returned == pytest.approx(best, abs=1e-6)
    accuracy = (net(torch.as_tensor(X)).argmax(1).numpy() == y).mean()
    assert accuracy > 0.9
    _, result2 = run(1)
    assert result.train_loss == result2.train_loss  # seeded: identical runs


def test_train_config_validation() -> None:
    with pytest.raises(OptionsError, match="validation_fraction"):
        TrainConfig(validation_fraction=1.0)
    with pytest.raises(OptionsError, match="max_epochs"):
        TrainConfig(max_epochs=0)
