"""The tumor-only model: its operating point (the grid rule, tuning on validation tumors) and
deterministic training data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from onco_genomics.caller.tumor_only_operating_point import (
    GERMLINE_GRID,
    PASS_GRID,
    ScoredCandidates,
    choose_operating_point,
    grid_metrics,
    tune_operating_point,
)
from onco_genomics.cli import cli
from onco_genomics.errors import OptionsError

REF = Path(__file__).parent / "data" / "simulate" / "chr20_10000000.fa"


def _candidates() -> ScoredCandidates:
    """Four somatic SNVs (truth 0-3), one private germline SNV (weight 0.5), one artefact."""
    return ScoredCandidates(
        prob=np.array([0.9, 0.8, 0.6, 0.3, 0.7, 0.4]),
        germline_prob=np.array([0.05, 0.1, 0.2, 0.3, 0.25, 0.1]),
        hand_filtered=np.array([False, False, False, False, False, False]),
        scored_vaf=np.array([True, True, True, True, True, True]),
        somatic=np.array([True, True, True, True, False, False]),
        germline_weight=np.array([0.0, 0.0, 0.0, 0.0, 0.5, 0.0]),
        found_key=np.array([0, 1, 2, 3, -1, -1]),
        truth_snvs=4, mb=0.5)


def test_grid_metrics_apply_both_thresholds_and_the_germline_weight() -> None:
    data = _candidates()
    everything = grid_metrics(data, 0.01, 0.5)
    # the fourth somatic SNV has P(germline) = PROB: not above it, so not FILTER germline
    assert everything["recall"] == 1.0
    assert everything["germline_per_mb"] == pytest.approx(0.5 / 0.5)
    assert everything["precision"] == pytest.approx(4 / (4 + 0.5 + 1), abs=1e-4)
    strict = grid_metrics(data, 0.5, 0.22)
    assert strict["recall"] == 0.75 and strict["germline_per_mb"] == 0.0
    assert strict["precision"] == 1.0


def test_the_rule_takes_the_fewest_germline_calls_at_the_recall_floor() -> None:
    data = _candidates()
    chosen, grid = choose_operating_point(data, min_recall=0.75)
    assert len(grid) == len(PASS_GRID) * len(GERMLINE_GRID)
    assert chosen["recall"] >= 0.75 and chosen["germline_per_mb"] == 0.0
    assert chosen["precision"] == 1.0
    # among the ties the highest thresholds win
    ties = [m for m in grid if m["recall"] >= 0.75 and m["germline_per_mb"] == 0.0
            and m["precision"] == 1.0 and m["recall"] == chosen["recall"]]
    assert chosen["threshold"] == max(m["threshold"] for m in ties)
    full, _ = choose_operating_point(data, min_recall=1.0)
    assert full["recall"] == 1.0 and full["germline_per_mb"] == pytest.approx(1.0)
    with pytest.raises(OptionsError, match="no operating point reaches"):
        choose_operating_point(ScoredCandidates(**{**data.__dict__, "truth_snvs": 10}),
                               min_recall=0.9)


def test_tuning_rewrites_only_the_thresholds(population_sim: Path, tmp_path: Path) -> None:
    from onco_genomics.caller.tumor_only_model import (
        default_tumor_only_model_path,
        load_tumor_only_model,
    )

    model = tmp_path / "model"
    shutil.copytree(default_tumor_only_model_path(), model)
    for path in model.iterdir():
        path.chmod(0o644)
    before = json.loads((model / "model.json").read_text())
    report = tune_operating_point(model, [population_sim], reference=REF, min_recall=0.5)
    after = json.loads((model / "model.json").read_text())
    chosen = report["chosen"]
    assert chosen["recall"] >= 0.5
    assert (after["threshold"], after["germline_threshold"]) == (
        chosen["threshold"], chosen["germline_threshold"])
    assert after["metrics"]["operating_point"]["sets"] == [population_sim.name]
    assert after["weights_sha256"] == before["weights_sha256"]
    loaded = load_tumor_only_model(model)
    assert loaded.threshold == chosen["threshold"]
    assert loaded.germline_threshold == chosen["germline_threshold"]
    dry = tune_operating_point(model, [population_sim], reference=REF, min_recall=0.5,
                               write=False)
    assert dry["chosen"] == chosen


def test_train_refuses_tuning_on_a_training_tumor(population_sim: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = CliRunner().invoke(cli, [
        "train", "caller-tumor-only", "--data", str(population_sim), "--ref", str(REF),
        "-o", str(out), "--tune-on", str(population_sim)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("oncogen: error: --tune-on")
    assert not out.exists()


def test_the_shipped_model_runs_at_its_tuned_operating_point() -> None:
    from onco_genomics.caller.tumor_only_model import read_tumor_only_metadata

    _, meta = read_tumor_only_metadata(None)
    point = meta["metrics"]["operating_point"]
    chosen = point["chosen"]
    assert (meta["threshold"], meta["germline_threshold"]) == (
        chosen["threshold"], chosen["germline_threshold"])
    # tuned on tumors it was not trained on, inside the grid (not at its low edge)
    assert not set(point["sets"]) & {s["name"] for s in meta["training"]["sets"]}
    assert chosen["threshold"] > PASS_GRID[0] and chosen["germline_threshold"] > GERMLINE_GRID[0]
    assert chosen["recall"] >= point["min_recall"] == 0.85


def test_training_data_do_not_depend_on_worker_timing(population_sim: Path) -> None:
    from onco_genomics.caller.tumor_only_train import TumorOnlySet, encode_tumor_only_set

    data = TumorOnlySet.from_simulation(population_sim)
    one, two = (encode_tumor_only_set(data, reference=REF, threads=threads, chunk_size=4000,
                                      negative_keep=0.5)
                for threads in (1, 2))
    assert len(one.labels) > 0
    for name in ("tensors", "context", "labels", "validation", "weight"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
