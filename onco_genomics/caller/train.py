"""Training the caller network.

* **Validation held out by region**: each set's candidates are grouped into blocks of
  ``block_size`` bases; a seeded random ``val_fraction`` of the blocks is held out, and
  candidates within ``margin`` bases of any block edge are used in neither split, so no
  validation site sits next to a training site.
* **Class balancing**: every epoch uses all positive candidates and a fresh random sample of
  ``negative_ratio`` negatives per positive (hard and easy negatives alike). The decision
  threshold is then chosen on the full, unbalanced validation set (maximum F1), which
  removes the bias the balancing puts into the probabilities.
* **Substitution balancing** (``balance_substitutions``): SNV positives are weighted in the
  loss so that each of the six pyrimidine-centred substitution classes (C>A, C>G, C>T, T>A,
  T>C, T>G) carries the same total weight. Without it the network learns the training
  set's mutational spectrum as a prior (simulated from real breast cancers: APOBEC C>T/C>G
  and T>C heavy, C>A and T>G rare) and under-calls the rare classes, which distorts the
  spectra and signatures computed from its calls.
* **Augmentation**: random coverage jitter (apparent depth multiplied by up to about 1.3
  either way) and small Gaussian noise on the non-zero entries of the tensors.
* **Early stopping** on validation average precision (patience ``patience`` epochs); the
  best epoch's weights are kept. Learning rate halves when validation stalls.
* A ``seed`` fixes the split, sampling, augmentation and initialisation.

Training runs on CUDA when available (``device="auto"``).
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from onco_genomics.caller.dataset import EncodedSet, TrainingSet, encode_training_set
from onco_genomics.caller.inference import resolve_device
from onco_genomics.caller.model import save_caller_model
from onco_genomics.caller.network import (
    VARIANT_CLASSES,
    NetworkConfig,
    NetworkOutput,
    SomaticNet,
    allele_probability,
    count_parameters,
)
from onco_genomics.caller.records import SUBSTITUTION_CLASSES
from onco_genomics.caller.records import substitution_class as class_name
from onco_genomics.errors import OptionsError

log = logging.getLogger(__name__)

#: VAF bins (upper edges) used in the validation report, centred on 5/10/20/40 %
VAF_BIN_EDGES: tuple[float, ...] = (0.0, 0.075, 0.15, 0.30, 1.0)


@dataclass(frozen=True)
class TrainOptions:
    """Hyper-parameters of :func:`fit_caller` (all have defaults)."""

    epochs: int = 30
    batch_size: int = 256
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    patience: int = 4
    seed: int = 0
    val_fraction: float = 0.2
    block_size: int = 100_000
    margin: int = 1_000
    negative_ratio: float = 3.0
    augment: bool = True
    balance_substitutions: bool = True
    width: int = 32
    blocks: int = 3
    hidden: int = 64
    dropout: float = 0.2
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.patience < 1:
            raise OptionsError("epochs, batch size and patience must be at least 1")
        if not 0.0 < self.val_fraction < 1.0:
            raise OptionsError(f"--val-fraction must be in (0, 1), found {self.val_fraction}")
        if self.block_size < 1 or self.margin < 0 or 2 * self.margin >= self.block_size:
            raise OptionsError(f"--block-size ({self.block_size}) must exceed twice the margin "
                               f"({self.margin})")
        if self.negative_ratio <= 0 or self.learning_rate <= 0:
            raise OptionsError("negative ratio and learning rate must be positive")


@dataclass(frozen=True)
class RegionSplit:
    """Indices of one set's training and validation candidates."""

    train: np.ndarray
    validation: np.ndarray

    def __post_init__(self) -> None:
        if np.intersect1d(self.train, self.validation).size:
            raise ValueError("a candidate is in both the training and the validation split")


@dataclass(frozen=True)
class FitResult:
    """A trained network with its decision threshold, held-out metrics and history."""

    network: SomaticNet
    threshold: float
    metrics: Mapping[str, Any]
    history: tuple[Mapping[str, float], ...] = field(default_factory=tuple)
    best_epoch: int = 0


def split_by_region(encoded: EncodedSet, *, val_fraction: float, block_size: int, margin: int,
                    seed: int) -> RegionSplit:
    """Hold out whole blocks of ``block_size`` bases, dropping candidates near block edges."""
    if len(encoded) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return RegionSplit(empty, empty)
    block = encoded.pos // block_size
    keys = np.char.add(np.char.add(encoded.chrom.astype(str), ":"), block.astype(str))
    unique = np.unique(keys)
    rng = np.random.default_rng([seed, len(unique), len(encoded)])
    n_val = min(len(unique) - 1, max(1, math.ceil(val_fraction * len(unique))))
    val_blocks = rng.choice(unique, size=n_val, replace=False) if n_val > 0 else unique[:0]
    offset = encoded.pos % block_size
    interior = (offset >= margin) & (offset < block_size - margin)
    in_val = np.isin(keys, val_blocks)
    return RegionSplit(train=np.flatnonzero(interior & ~in_val),
                       validation=np.flatnonzero(interior & in_val))


def _depth_channels(channels: Sequence[str]) -> list[int]:
    return [i for i, name in enumerate(channels) if "depth" in name.lower()]


def augment_batch(x: torch.Tensor, *, generator: torch.Generator,
                  depth_channels: Sequence[int], depth_shift: float = 0.035,
                  noise: float = 0.01) -> torch.Tensor:
    """Coverage jitter on depth channels and Gaussian noise on non-zero entries.

    The encoder scales depth as ``log1p(depth) / log1p(2000)``, so adding ``u *
    depth_shift`` (``u`` uniform in [-1, 1], one draw per candidate) to the non-zero depth
    entries multiplies the apparent coverage by up to about 1.3 either way.
    """
    out = x.clone()
    if depth_channels:
        shift = ((torch.rand(x.shape[0], 1, 1, generator=generator) * 2 - 1)
                 * depth_shift).to(x.device)
        idx = torch.tensor(list(depth_channels), device=x.device)
        depth = out[:, idx, :]
        out[:, idx, :] = torch.where(depth > 0, (depth + shift).clamp(0.0, 1.0), depth)
    jitter = torch.randn(x.shape, generator=generator).to(x.device) * noise
    return out + jitter * (out != 0)


def _gather(sets: Sequence[EncodedSet], splits: Sequence[RegionSplit], part: str
            ) -> dict[str, np.ndarray]:
    fields = ("tensors", "type_target", "alt_target", "length_target", "vartype", "truth_vaf",
              "germline", "ref", "alt")
    out: dict[str, np.ndarray] = {}
    for name in fields:
        arrays = [getattr(s, name)[getattr(sp, part)] for s, sp in zip(sets, splits, strict=True)]
        out[name] = np.concatenate(arrays) if arrays else np.zeros(0)
    return out


@torch.no_grad()
def predict_probabilities(network: SomaticNet, tensors: np.ndarray, vartype: np.ndarray, *,
                          batch_size: int = 1024) -> np.ndarray:
    """Allele probabilities of candidates given their type classes."""
    network.eval()
    device = next(network.parameters()).device
    out = np.empty(len(tensors), dtype=np.float64)
    for start in range(0, len(tensors), batch_size):
        stop = min(start + batch_size, len(tensors))
        x = torch.from_numpy(tensors[start:stop].astype(np.float32)).to(device)
        output = network(x)
        out[start:stop] = allele_probability(output, vartype[start:stop])
    return out


def _prf(truth: np.ndarray, called: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(truth & called))
    fp = int(np.sum(~truth & called))
    fn = int(np.sum(truth & ~called))
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def best_threshold(truth: np.ndarray, prob: np.ndarray) -> float:
    """Threshold in [0.05, 0.95] maximising F1 on (truth, prob)."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [(_prf(truth, prob >= t)["f1"], -abs(t - 0.5), t) for t in grid]
    scores = [s for s in scores if not math.isnan(s[0])]
    return float(max(scores)[2]) if scores else 0.5


def validation_metrics(truth: np.ndarray, prob: np.ndarray, vartype: np.ndarray,
                       truth_vaf: np.ndarray, germline: np.ndarray, *,
                       threshold: float, classes: np.ndarray | None = None) -> dict[str, Any]:
    """Candidate-level precision/recall/F1 overall, for SNVs and indels, and recall per VAF bin."""
    from sklearn.metrics import average_precision_score

    called = prob >= threshold
    snv = vartype == VARIANT_CLASSES.index("SNV")
    metrics: dict[str, Any] = {
        "candidates": len(truth), "positives": int(truth.sum()),
        "threshold": threshold,
        "average_precision": float(average_precision_score(truth, prob)) if truth.any()
        else math.nan,
        "all": _prf(truth, called), "snv": _prf(truth[snv], called[snv]),
        "indel": _prf(truth[~snv], called[~snv]),
        "germline_false_positives": int(np.sum(called & germline & ~truth)),
    }
    bins = {}
    for low, high in itertools.pairwise(VAF_BIN_EDGES):
        in_bin = truth & (truth_vaf >= low) & (truth_vaf < high)
        bins[f"{low:.3f}-{high:.3f}"] = {"positives": int(in_bin.sum()),
                                         "recall": float(called[in_bin].mean()) if in_bin.any()
                                         else math.nan}
    metrics["recall_by_vaf"] = bins
    if classes is not None:
        metrics["snv_by_substitution"] = {
            name: _prf(truth[classes == i], called[classes == i])
            for i, name in enumerate(SUBSTITUTION_CLASSES)}
    return metrics


def substitution_class(ref: np.ndarray, alt: np.ndarray) -> np.ndarray:
    """Index into :data:`SUBSTITUTION_CLASSES` of each single-base ref/alt pair; -1 otherwise
    (indels, N)."""
    out = np.full(len(ref), -1, dtype=np.int64)
    lookup = {name: i for i, name in enumerate(SUBSTITUTION_CLASSES)}
    for i, (r, a) in enumerate(zip(ref, alt, strict=True)):
        r, a = str(r).upper(), str(a).upper()
        if len(r) == 1 and len(a) == 1:
            out[i] = lookup.get(class_name(r, a), -1)
    return out


def substitution_weights(is_positive: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Loss weights giving each substitution class of the SNV positives the same total weight.

    Negatives, indels and classes without positives keep weight 1; the weights of the SNV
    positives are scaled so that their sum is unchanged (the SNV share of the loss stays what
    the data give).
    """
    weights = np.ones(len(classes), dtype=np.float64)
    snv_pos = is_positive & (classes >= 0)
    counts = np.bincount(classes[snv_pos], minlength=len(SUBSTITUTION_CLASSES))
    present = counts > 0
    if not present.any():
        return weights
    per_class = snv_pos.sum() / present.sum() / np.where(present, counts, 1)
    weights[snv_pos] = per_class[classes[snv_pos]]
    return weights


def batch_loss(output: NetworkOutput, type_target: np.ndarray, alt_target: np.ndarray,
               length_target: np.ndarray, weights: np.ndarray | None = None) -> torch.Tensor:
    """Cross-entropy of the type head plus half that of the alt and length heads, the latter
    two over the positives they apply to (targets of -1 are ignored). ``weights`` (one per
    candidate) weight the type head's loss (a weighted mean)."""
    device = output.type_logits.device
    types = torch.from_numpy(type_target).to(device)
    if weights is None:
        loss = nn.functional.cross_entropy(output.type_logits, types)
    else:
        w = torch.from_numpy(weights.astype(np.float32)).to(device)
        per_item = nn.functional.cross_entropy(output.type_logits, types, reduction="none")
        loss = (per_item * w).sum() / w.sum()
    for logits, target in ((output.alt_logits, alt_target),
                           (output.length_logits, length_target)):
        mask = target >= 0
        if mask.any():
            loss = loss + 0.5 * nn.functional.cross_entropy(
                logits[torch.from_numpy(mask).to(device)],
                torch.from_numpy(target[mask]).to(device))
    return loss


def fit_caller(sets: Sequence[EncodedSet], *, channels: Sequence[str],
               options: TrainOptions | None = None) -> FitResult:
    """Train a :class:`SomaticNet` on encoded sets with a region-held-out validation split.

    Parameters
    ----------
    sets
        Encoded, labelled training sets (all with the same tensor shape).
    channels
        Channel names of the encoder (used to find depth channels for augmentation).
    options
        Hyper-parameters.
    """
    options = options or TrainOptions()
    if not sets or sum(len(s) for s in sets) == 0:
        raise OptionsError("no candidates in the training sets; check the BAMs and BED files")
    shapes = {s.tensors.shape[1:] for s in sets if len(s)}
    if len(shapes) != 1:
        raise OptionsError(f"training sets have different tensor shapes {sorted(shapes)}; "
                           "re-encode them with one oncogen version")
    (n_channels, window), = shapes
    device = resolve_device(options.device)
    torch.manual_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    generator = torch.Generator().manual_seed(options.seed)
    splits = [split_by_region(s, val_fraction=options.val_fraction,
                              block_size=options.block_size, margin=options.margin,
                              seed=options.seed + i) for i, s in enumerate(sets)]
    train = _gather(sets, splits, "train")
    val = _gather(sets, splits, "validation")
    val_truth = val["type_target"] > 0
    if not len(val["type_target"]) or not val_truth.any():
        raise OptionsError(
            "the region-held-out validation split has no somatic variants; use larger training "
            "regions, a smaller --block-size, or more variants per Mb"
        )
    positives = np.flatnonzero(train["type_target"] > 0)
    negatives = np.flatnonzero(train["type_target"] == 0)
    if not len(positives):
        raise OptionsError("the training split has no somatic variants; check the truth VCFs "
                           "match the BAMs (same reference and contig names)")
    log.info("training on %d candidates (%d somatic), validating on %d (%d somatic), %s",
             len(train["type_target"]), len(positives), len(val_truth), int(val_truth.sum()),
             device)
    classes = substitution_class(train["ref"], train["alt"])
    is_positive = train["type_target"] > 0
    counts = np.bincount(classes[is_positive & (classes >= 0)],
                         minlength=len(SUBSTITUTION_CLASSES))
    log.info("SNV positives by class: %s", ", ".join(
        f"{name} {int(n)}" for name, n in zip(SUBSTITUTION_CLASSES, counts, strict=True)))
    weights = (substitution_weights(is_positive, classes) if options.balance_substitutions
               else None)

    config = NetworkConfig(in_channels=int(n_channels), window=int(window), width=options.width,
                           blocks=options.blocks, hidden=options.hidden, dropout=options.dropout)
    network = SomaticNet(config).to(device)
    log.info("network: %d parameters", count_parameters(network))
    optimiser = torch.optim.AdamW(network.parameters(), lr=options.learning_rate,
                                  weight_decay=options.weight_decay)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimiser, mode="max", factor=0.5,
                                                           patience=1)
    depth_channels = _depth_channels(channels)
    history: list[dict[str, float]] = []
    best: tuple[float, int, dict[str, torch.Tensor]] | None = None
    for epoch in range(1, options.epochs + 1):
        started = time.monotonic()
        n_neg = min(len(negatives), round(options.negative_ratio * len(positives)))
        chosen = np.concatenate([positives, rng.choice(negatives, size=n_neg, replace=False)])
        chosen = rng.permutation(chosen)
        network.train()
        total, batches = 0.0, 0
        for start in range(0, len(chosen), options.batch_size):
            idx = np.sort(chosen[start:start + options.batch_size])
            if len(idx) < 2:
                continue
            x = torch.from_numpy(train["tensors"][idx].astype(np.float32))
            if options.augment:
                x = augment_batch(x, generator=generator, depth_channels=depth_channels)
            x = x.to(device)
            output = network(x)
            loss = batch_loss(output, train["type_target"][idx], train["alt_target"][idx],
                              train["length_target"][idx],
                              None if weights is None else weights[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())
            batches += 1
        prob = predict_probabilities(network, val["tensors"], val["vartype"])
        metrics = validation_metrics(val_truth, prob, val["vartype"], val["truth_vaf"],
                                     val["germline"], threshold=best_threshold(val_truth, prob))
        score = float(metrics["average_precision"])
        scheduler.step(score)
        record = {"epoch": epoch, "train_loss": total / max(batches, 1),
                  "val_average_precision": score, "val_f1": metrics["all"]["f1"],
                  "seconds": time.monotonic() - started}
        history.append(record)
        log.info("epoch %d: train loss %.4f, val AP %.4f, val F1 %.4f (%.0f s)", epoch,
                 record["train_loss"], score, record["val_f1"], record["seconds"])
        if best is None or score > best[0]:
            state = {k: v.detach().cpu().clone() for k, v in network.state_dict().items()}
            best = (score, epoch, state)
        elif epoch - best[1] >= options.patience:
            log.info("early stopping: no improvement for %d epochs", options.patience)
            break
    assert best is not None
    network.load_state_dict(best[2])
    network.eval()
    prob = predict_probabilities(network, val["tensors"], val["vartype"])
    threshold = best_threshold(val_truth, prob)
    metrics = validation_metrics(val_truth, prob, val["vartype"], val["truth_vaf"],
                                 val["germline"], threshold=threshold,
                                 classes=substitution_class(val["ref"], val["alt"]))
    metrics["split"] = {"block_size": options.block_size, "margin": options.margin,
                        "val_fraction": options.val_fraction,
                        "train_candidates": len(train["type_target"]),
                        "train_positives": len(positives)}
    return FitResult(network=network.cpu(), threshold=threshold, metrics=metrics,
                     history=tuple(history), best_epoch=best[1])


@dataclass(frozen=True)
class TrainingReport:
    """What :func:`train_caller` wrote: the model folder, its threshold and metrics."""

    model_dir: Path
    threshold: float
    metrics: Mapping[str, Any]
    best_epoch: int
    epochs_run: int


def train_caller(sets: Sequence[TrainingSet], *, reference: str | Path, output: str | Path,
                 cache_dir: str | Path | None = None, cache: bool = True,
                 options: TrainOptions | None = None,
                 threads: int = 1, torch_threads: int | None = None,
                 min_af: float = 0.02) -> TrainingReport:
    """Encode (or load cached) training sets, train the network and save the model folder.

    Parameters
    ----------
    sets
        (tumor, normal, truth VCF, confident BED) sets, e.g. from
        :meth:`TrainingSet.from_simulation`.
    reference
        The FASTA all sets were aligned to.
    output
        Model folder to write (``model.json`` + ``weights.pt``).
    cache_dir
        Where encoded tensors are cached (``.npz`` per set); None: ``.oncogen_cache``
        beside each set's tumor BAM.
    cache
        False: do not read or write caches.
    options
        Training hyper-parameters.
    threads
        Worker processes for scanning.
    torch_threads
        Torch intra-op threads for training on the CPU (None: torch's default).
    min_af
        Candidate allele-fraction floor (keep the same for calling).
    """
    from onco_genomics.pileup.encode import CHANNELS, encoder_spec

    options = options or TrainOptions()
    if not sets:
        raise OptionsError("no training sets given; pass --data DIR or --set TUMOR NORMAL TRUTH "
                           "BED at least once")
    names = [s.name for s in sets]
    if len(set(names)) != len(names):
        raise OptionsError(f"training set names must be unique, found {names}; give each "
                           "simulation its own folder name")
    if torch_threads is not None:
        torch.set_num_threads(max(1, torch_threads))
    encoded = [encode_training_set(s, reference=reference, cache_dir=cache_dir, cache=cache,
                                   min_af=min_af, threads=threads) for s in sets]
    result = fit_caller(encoded, channels=list(CHANNELS), options=options)
    training = {
        "sets": [{**s.summary(), "bases": e.summary.get("bases"), "candidates": len(e),
                  "somatic_candidates": e.positives, "truth_variants": e.n_truth}
                 for s, e in zip(sets, encoded, strict=True)],
        "options": asdict(options),
        "min_af": min_af,
        "best_epoch": result.best_epoch,
        "history": list(result.history),
    }
    model_dir = save_caller_model(output, result.network, encoder=encoder_spec(),
                                  threshold=result.threshold, training=training,
                                  metrics={"validation": result.metrics})
    return TrainingReport(model_dir=model_dir, threshold=result.threshold,
                          metrics=result.metrics, best_epoch=result.best_epoch,
                          epochs_run=len(result.history))
