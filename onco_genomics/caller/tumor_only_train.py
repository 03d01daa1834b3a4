"""Training the tumor-only network on simulated tumors with a population.

A training set is an ``oncogen simulate --population-sites`` folder: ``tumor.bam``, the
somatic truth, the individual's ``germline.vcf.gz``, the population (the germline
resource) and ``confident.bed``. Its tumor is scanned alone over the confident intervals
(chunks of 50 kb, as when calling), each candidate gets the context inputs of
:func:`~onco_genomics.caller.tumor_only_model.context_features` and a label: somatic (in
the truth), germline (in the germline VCF) or artefact (anything else: sequencing errors,
8-oxoG, FFPE, PCR errors). Artefact candidates are subsampled (``negative_keep``) after
the context is computed.

Training: AdamW on class-weighted cross-entropy, validation on 20% of the 100 kb blocks
(chosen by a seeded hash, never trained on), early stopping on the validation loss. The
PASS threshold on ``P(somatic)`` maximises the validation SNV F1 of PASS calls (no
germline FILTER), with artefacts re-weighted by ``1 / negative_keep`` (their share before
subsampling).
"""

from __future__ import annotations

import json
import logging
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from onco_genomics.errors import InputFileError, OptionsError

log = logging.getLogger(__name__)

#: bases per validation block
BLOCK = 100_000


@dataclass(frozen=True)
class TumorOnlySet:
    """One simulated tumor with the files tumor-only training reads."""

    name: str
    tumor: Path
    truth: Path
    germline: Path
    resource: Path
    bed: Path

    @classmethod
    def from_simulation(cls, folder: str | Path) -> TumorOnlySet:
        root = Path(folder)
        names = ("tumor.bam", "truth.vcf.gz", "germline.vcf.gz", "population.vcf.gz",
                 "confident.bed")
        missing = [n for n in names if not (root / n).is_file()]
        if missing:
            raise InputFileError(f"{root} is not an `oncogen simulate --population-sites` "
                                 f"folder: missing {', '.join(missing)}")
        return cls(root.name, *(root / n for n in names))


@dataclass(frozen=True)
class EncodedTumorOnly:
    """Encoded candidates of one or more sets (arrays of one length)."""

    tensors: np.ndarray  # (N, tumor-only channels, window) float16
    context: np.ndarray  # (N, context) float32
    labels: np.ndarray  # 0 artefact, 1 germline, 2 somatic
    vartypes: np.ndarray  # "SNV" / "INS" / "DEL"
    validation: np.ndarray  # bool
    weight: np.ndarray  # 1 / keep probability (artefacts subsampled)


def _validation_block(name: str, chrom: str, pos: int, seed: int, fraction: float,
                      block_size: int = BLOCK) -> bool:
    key = f"{seed}:{name}:{chrom}:{pos // block_size}".encode()
    return (zlib.crc32(key) % 1000) < fraction * 1000


def encode_tumor_only_set(training_set: TumorOnlySet, *, reference: str | Path,
                          threads: int = 1, min_af: float = 0.02, negative_keep: float = 1.0,
                          val_fraction: float = 0.2, seed: int = 0,
                          block_size: int = BLOCK, chunk_size: int = 50_000
                          ) -> EncodedTumorOnly:
    """Scan, annotate and label one set (see the module docstring); the arrays are in chunk
    order whatever ``threads`` (``chunk_size``: bases per chunk, as when calling)."""
    from onco_genomics.caller.labels import label_candidates, load_truth
    from onco_genomics.caller.scanning import ChunkScanner
    from onco_genomics.caller.tumor_only_calling import chunk_annotations
    from onco_genomics.caller.tumor_only_model import context_features, tumor_only_channels
    from onco_genomics.io.bed import read_bed
    from onco_genomics.io.reference import Reference
    from onco_genomics.io.site_sets import GermlineResource
    from onco_genomics.pileup.candidates import PileupOptions
    from onco_genomics.pileup.encode import CHANNELS

    keep_channels = np.asarray(tumor_only_channels(CHANNELS))
    name_key = zlib.crc32(training_set.name.encode())
    chunks = [c for r in read_bed(training_set.bed) for c in r.chunks(chunk_size)]
    # workers finish chunks in any order: keep each chunk's arrays under its index and join
    # them in chunk order, with one RNG per chunk, so the data do not depend on timing
    by_chunk: dict[int, dict[str, np.ndarray]] = {}
    with Reference(reference) as ref, GermlineResource(training_set.resource) as resource:
        truth = load_truth(training_set.truth, ref, germline_vcf=training_set.germline)
        with ChunkScanner(training_set.tumor, None, reference, chunks,
                          options=PileupOptions(min_af=min_af), threads=threads) as scanner:
            for index, batch in scanner:
                if not len(batch):
                    continue
                population_af, _ = chunk_annotations(batch, chunks[index], resource, None)
                context = context_features(batch.candidates, population_af)
                marks = label_candidates(batch.candidates, truth, ref)
                labels = np.where(marks.type_target > 0, 2, np.where(marks.germline, 1, 0))
                keep_prob = np.where(labels == 0, negative_keep, 1.0)
                rng = np.random.default_rng([seed, name_key, index])
                keep = rng.random(len(labels)) < keep_prob
                region = chunks[index]
                by_chunk[index] = {
                    "tensors": batch.tensors[keep][:, keep_channels].astype(np.float16),
                    "context": context[keep], "labels": labels[keep],
                    "vartypes": np.array([c.vartype for c in batch.candidates])[keep],
                    "validation": np.array([_validation_block(
                        training_set.name, region.chrom, c.pos, seed, val_fraction, block_size)
                        for c, kept in zip(batch.candidates, keep, strict=True) if kept],
                        dtype=bool),
                    "weight": 1.0 / keep_prob[keep]}
    if not by_chunk:
        raise InputFileError(f"{training_set.name}: no candidates in its confident regions")
    order = sorted(by_chunk)
    encoded = EncodedTumorOnly(**{k: np.concatenate([by_chunk[i][k] for i in order])
                                  for k in EncodedTumorOnly.__dataclass_fields__})
    counts = np.bincount(encoded.labels, minlength=3)
    log.info("%s: %d candidates kept (artefact %d, germline %d, somatic %d)",
             training_set.name, len(encoded.labels), *counts.tolist())
    return encoded


def _concatenate(items: Sequence[EncodedTumorOnly]) -> EncodedTumorOnly:
    return EncodedTumorOnly(**{k: np.concatenate([getattr(i, k) for i in items])
                               for k in EncodedTumorOnly.__dataclass_fields__})


def _snv_f1_threshold(prob: np.ndarray, labels: np.ndarray, weight: np.ndarray,
                      germline_flag: np.ndarray) -> tuple[float, dict[str, float]]:
    """Threshold on P(somatic) maximising weighted SNV F1 of PASS calls (PROB >= t and no
    germline FILTER), and the metrics there."""
    best = (0.5, {"precision": 0.0, "recall": 0.0, "f1": 0.0})
    positives = float(weight[labels == 2].sum())
    for threshold in np.round(np.arange(0.2, 0.96, 0.05), 2):
        called = (prob >= threshold) & ~germline_flag
        tp = float(weight[called & (labels == 2)].sum())
        fp = float(weight[called & (labels != 2)].sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best[1]["f1"]:
            best = (float(threshold), {"precision": round(precision, 4),
                                       "recall": round(recall, 4), "f1": round(f1, 4)})
    return best


def train_tumor_only_caller(sets: Sequence[TumorOnlySet], *, reference: str | Path,
                            output: str | Path, epochs: int = 20, batch_size: int = 256,
                            learning_rate: float = 2e-3, patience: int = 4, seed: int = 0,
                            threads: int = 1, negative_keep: float = 1.0,
                            germline_threshold: float = 0.5, weight_decay: float = 1e-4,
                            dropout: float = 0.2,
                            block_size: int = BLOCK) -> dict[str, Any]:
    """Train and save a tumor-only model; returns the training summary written into it.

    Parameters
    ----------
    sets
        Simulated tumors with a population (:class:`TumorOnlySet`).
    reference
        The FASTA of all sets.
    output
        Model folder to write.
    epochs, batch_size, learning_rate, patience, seed
        Optimisation (AdamW, early stopping on validation loss).
    threads
        Scanning worker processes.
    negative_keep
        Share of artefact candidates kept.
    germline_threshold
        ``P(germline)`` from which FILTER germline is set (before any tuning by
        :func:`~onco_genomics.caller.tumor_only_operating_point.tune_operating_point`).
    weight_decay, dropout
        Regularisation: AdamW's decoupled weight decay and the dropout of the network's
        head.
    block_size
        Bases per validation block (20% of blocks validate).
    """
    import torch
    from torch import nn

    from onco_genomics.caller.tumor_only_model import (
        TumorOnlyConfig,
        build_network,
        save_tumor_only_model,
    )
    from onco_genomics.pileup.encode import WINDOW, encoder_spec

    torch.manual_seed(seed)
    data = _concatenate([encode_tumor_only_set(s, reference=reference, threads=threads,
                                               negative_keep=negative_keep, seed=seed,
                                               block_size=block_size)
                         for s in sets])
    train_idx = np.flatnonzero(~data.validation)
    val_idx = np.flatnonzero(data.validation)
    if not len(train_idx) or not len(val_idx):
        raise OptionsError(f"the sets give {len(train_idx)} training and {len(val_idx)} "
                           f"validation candidates; expected both (validation is 20% of the "
                           f"{block_size:,}-base blocks): give more or larger regions")
    config = TumorOnlyConfig(in_channels=data.tensors.shape[1], window=WINDOW, dropout=dropout)
    network = build_network(config)
    counts = np.bincount(data.labels[train_idx], minlength=3).astype(np.float64)
    class_weight = torch.tensor(counts.sum() / (3 * np.maximum(counts, 1)), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=class_weight)
    optimizer = torch.optim.AdamW(network.parameters(), lr=learning_rate,
                                  weight_decay=weight_decay)
    x_all = torch.from_numpy(data.tensors)
    c_all = torch.from_numpy(data.context)
    y_all = torch.from_numpy(data.labels.astype(np.int64))
    rng = np.random.default_rng(seed)

    def predict(index: np.ndarray) -> tuple[float, np.ndarray]:
        network.eval()
        total, probs = 0.0, []
        with torch.no_grad():
            for start in range(0, len(index), 1024):
                part = torch.from_numpy(index[start:start + 1024])
                logits = network(x_all[part].float(), c_all[part])
                total += float(loss_fn(logits, y_all[part])) * len(part)
                probs.append(torch.softmax(logits, dim=1).numpy())
        return total / max(len(index), 1), np.concatenate(probs)

    best_loss, best_state, best_epoch, stale, history = math.inf, None, 0, 0, []
    for epoch in range(1, epochs + 1):
        network.train()
        order = rng.permutation(train_idx)
        running = 0.0
        for start in range(0, len(order), batch_size):
            part = torch.from_numpy(order[start:start + batch_size])
            optimizer.zero_grad()
            loss = loss_fn(network(x_all[part].float(), c_all[part]), y_all[part])
            loss.backward()
            optimizer.step()
            running += float(loss.detach()) * len(part)
        val_loss, _ = predict(val_idx)
        history.append({"epoch": epoch, "train_loss": round(running / len(order), 4),
                        "val_loss": round(val_loss, 4)})
        log.info("epoch %d: train loss %.4f, validation loss %.4f", epoch,
                 running / len(order), val_loss)
        if val_loss < best_loss - 1e-4:
            best_loss, best_epoch, stale = val_loss, epoch, 0
            best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
        else:
            stale += 1
            if stale >= patience:
                break
    assert best_state is not None
    network.load_state_dict(best_state)
    _, val_probs = predict(val_idx)
    is_snv = data.vartypes[val_idx] == "SNV"
    # the FILTER germline rule of tumor_only_records.tumor_only_filters
    germline_called = (val_probs[:, 1] >= germline_threshold) | (val_probs[:, 1]
                                                                 > val_probs[:, 2])
    threshold, snv_metrics = _snv_f1_threshold(val_probs[is_snv, 2],
                                               data.labels[val_idx][is_snv],
                                               data.weight[val_idx][is_snv],
                                               germline_called[is_snv])
    val_labels = data.labels[val_idx]
    metrics = {
        "validation_snv_at_threshold": snv_metrics,
        "validation_germline_recall": round(float(
            germline_called[val_labels == 1].mean()) if (val_labels == 1).any() else 0.0, 4),
        "validation_somatic_flagged_germline": round(float(
            germline_called[val_labels == 2].mean()) if (val_labels == 2).any() else 0.0, 4),
        "best_epoch": best_epoch, "epochs_run": len(history), "history": history,
    }
    training = {
        "sets": [{"name": s.name, "tumor": str(s.tumor)} for s in sets],
        "candidates": {"train": len(train_idx), "validation": len(val_idx)},
        "labels_train": {"artefact": int(counts[0]), "germline": int(counts[1]),
                         "somatic": int(counts[2])},
        "negative_keep": negative_keep, "seed": seed, "learning_rate": learning_rate,
        "batch_size": batch_size, "weight_decay": weight_decay, "dropout": dropout,
    }
    save_tumor_only_model(output, network, encoder=encoder_spec(), threshold=threshold,
                          germline_threshold=germline_threshold, training=training,
                          metrics=metrics)
    log.info("saved %s: threshold %.2f, validation SNV %s", output, threshold,
             json.dumps(snv_metrics))
    return {"training": training, "metrics": metrics, "threshold": threshold}
