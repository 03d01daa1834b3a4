"""Recompute a caller model's threshold and validation metrics with the current scoring code.

The shipped model was trained while the allele probability was ``P(type) * P(alt or
length)``; the scoring then changed to ``P(type)`` (see
onco_genomics.caller.network.allele_probability). This script re-scores the model's own
region-held-out validation split (same sets, seed, block size and margin, read from its
model.json), picks the threshold with the best F1 as training does, and rewrites
model.json (weights unchanged). Training with the current code needs no such step.

Usage::

    python models/recalibrate_caller.py onco_genomics/data/models/caller_default \\
        --data /tmp/oncogen_caller_training/t01 ... --ref /tmp/oncogen_caller_training/ref/20.fa \\
        --cache-dir /tmp/oncogen_caller_training/cache
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from onco_genomics.caller.dataset import TrainingSet, encode_training_set
from onco_genomics.caller.model import load_model, save_model
from onco_genomics.caller.train import (
    _gather,
    best_threshold,
    predict_probabilities,
    split_by_region,
    validation_metrics,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--ref", type=Path, required=True)
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    model = load_model(args.model, device="cpu")
    meta = dict(model.metadata)
    training = dict(meta["training"])
    options = training["options"]
    sets = [encode_training_set(TrainingSet.from_simulation(d), reference=args.ref,
                                cache_dir=args.cache_dir, min_af=training["min_af"])
            for d in args.data]
    if [s.name for s in sets] != [s["name"] for s in training["sets"]]:
        raise SystemExit("the --data sets differ from those the model was trained on")
    splits = [split_by_region(s, val_fraction=options["val_fraction"],
                              block_size=options["block_size"], margin=options["margin"],
                              seed=options["seed"] + i) for i, s in enumerate(sets)]
    val = _gather(sets, splits, "validation")
    truth = val["type_target"] > 0
    prob = predict_probabilities(model.network, val["tensors"], val["vartype"])
    threshold = best_threshold(truth, prob)
    metrics = validation_metrics(truth, prob, val["vartype"], val["truth_vaf"],
                                 val["germline"], threshold=threshold)
    metrics["split"] = meta["metrics"]["validation"]["split"]
    old = meta["metrics"]["validation"]
    training["recalibrated"] = (
        "threshold and validation metrics recomputed with allele probability P(type) "
        f"(trained with P(type) x P(alt/length): threshold {meta['threshold']:.2f}, "
        f"validation F1 {old['all']['f1']:.3f}, AP {old['average_precision']:.3f})")
    save_model(args.model, model.network, encoder=meta["encoder"], threshold=threshold,
               training=training, metrics={"validation": metrics})
    print(f"threshold {threshold:.2f}; F1 {metrics['all']['f1']:.3f} (was "
          f"{old['all']['f1']:.3f}); AP {metrics['average_precision']:.3f}; "
          f"{int(np.sum(truth))} validation positives")
    return 0


if __name__ == "__main__":
    sys.exit(main())
