"""The tumor-only model's operating point (PASS and germline thresholds), tuned on
validation tumors that training never saw.

A tumor-only model has two thresholds (``model.json``): PASS needs ``P(somatic)`` (PROB) at
or above ``threshold``, and FILTER germline is set where ``P(germline)`` is at or above
``germline_threshold`` or above PROB (:func:`~onco_genomics.caller.tumor_only_records.
tumor_only_filters`). The training loop's validation blocks are for early stopping; this
module picks the two thresholds on separate ``oncogen simulate --population-sites`` folders
(the validation tumors) by a rule fixed in advance:

1. call each validation tumor with the model, reporting every candidate with PROB >= 0.01;
2. for every pair on the grid (:data:`PASS_GRID` x :data:`GERMLINE_GRID`), apply the two
   thresholds and the unchanged hand filters, and score SNVs inside ``confident.bed``:
   recall of truth SNVs with truth VAF >= 10%, precision of PASS SNV calls with VAF >= 10%,
   and germline calls (PASS calls whose allele is in the person's ``germline.vcf.gz``) per
   Mb. A private germline allele (absent from the population) counts ``germline_weight``
   times, so that tumors simulated with more private germline variants than the target
   (more examples to tune on) are scored at the target's rate;
3. among pairs with recall >= ``min_recall``, take the fewest weighted germline calls per
   Mb, then the highest weighted precision, the highest recall, the highest PASS threshold
   and the highest germline threshold.

The choice, the rule and the validation metrics at it are written into ``model.json``
(``threshold``, ``germline_threshold``, ``metrics.operating_point``); the weights are not
touched.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from onco_genomics.errors import InputFileError, OptionsError

log = logging.getLogger(__name__)

#: PASS thresholds on P(somatic) tried
PASS_GRID: tuple[float, ...] = (0.01, 0.02, 0.05, *(round(0.1 + 0.05 * i, 2) for i in range(18)))
#: germline thresholds on P(germline) tried
GERMLINE_GRID: tuple[float, ...] = (0.01, 0.02, 0.05, *(round(0.1 + 0.05 * i, 2)
                                                       for i in range(9)))
#: truth VAF / call VAF from which SNVs are scored
VAF_MIN = 0.10
#: filters the operating point decides (the others are hand filters, kept as called)
_TUNED = frozenset({"LowQual", "germline"})


@dataclass(frozen=True)
class ScoredCandidates:
    """Reported SNV candidates of the validation tumors with what the grid needs."""

    prob: np.ndarray
    germline_prob: np.ndarray
    hand_filtered: np.ndarray  # bool: a filter other than LowQual/germline is set
    scored_vaf: np.ndarray  # bool: call VAF >= VAF_MIN
    somatic: np.ndarray  # bool: matches a truth SNV
    germline_weight: np.ndarray  # 0 (not germline), 1 (population) or the private weight
    found_key: np.ndarray  # index into the truth SNVs with VAF >= VAF_MIN, -1 otherwise
    truth_snvs: int
    mb: float


def _keys(path: Path) -> dict[tuple[int, str, str], float]:
    from onco_genomics.io.variants import read_variants

    return {(v.pos, v.ref, v.alt): float(v.info.get("VAF", float("nan")))
            for v in read_variants(path)}


def _inside(pos: int, starts: np.ndarray, ends: np.ndarray) -> bool:
    i = int(np.searchsorted(starts, pos, side="right")) - 1
    return i >= 0 and pos < ends[i]


def score_validation_calls(vcf: Path, folder: Path, *, germline_weight: float,
                           offset: int = 0) -> ScoredCandidates:
    """Grid inputs from one validation tumor's VCF (every candidate with PROB >= 0.01)."""
    from onco_genomics.io.bed import read_bed
    from onco_genomics.io.variants import read_variants

    intervals = sorted((r.start, r.end) for r in read_bed(folder / "confident.bed"))
    starts = np.array([s for s, _ in intervals])
    ends = np.array([e for _, e in intervals])
    mb = sum(e - s for s, e in intervals) / 1e6
    truth = {k: vaf for k, vaf in _keys(folder / "truth.vcf.gz").items()
             if len(k[1]) == len(k[2]) == 1 and _inside(k[0], starts, ends)}
    high = {k: i + offset for i, k in enumerate(sorted(k for k, vaf in truth.items()
                                                       if vaf >= VAF_MIN))}
    germline = set(_keys(folder / "germline.vcf.gz"))
    population = set(_keys(folder / "population.vcf.gz"))
    rows: list[tuple[float, float, bool, bool, bool, float, int]] = []
    for v in read_variants(vcf):
        key = (v.pos, v.ref, v.alt)
        if not _inside(v.pos, starts, ends):
            continue
        weight = 0.0
        if key in germline:
            weight = 1.0 if key in population else germline_weight
        is_snv = len(v.ref) == len(v.alt) == 1
        if not is_snv and weight == 0.0:
            continue  # indels and MNVs only count as germline calls
        data = next(iter(v.sample_data.values()))
        af = float(data.get("AF") or 0.0)
        rows.append((float(v.info["PROB"]), float(v.info["GERMLINE_PROB"]),
                     bool(set(v.filters) - _TUNED - {"PASS"}), is_snv and af >= VAF_MIN,
                     is_snv and key in truth, weight, high.get(key, -1) if is_snv else -1))
    if not rows:
        raise InputFileError(f"{folder.name}: no candidates were reported; is it a tumor "
                             "with somatic variants?")
    cols = list(zip(*rows, strict=True))
    return ScoredCandidates(np.array(cols[0]), np.array(cols[1]), np.array(cols[2], dtype=bool),
                            np.array(cols[3], dtype=bool), np.array(cols[4], dtype=bool),
                            np.array(cols[5]), np.array(cols[6], dtype=np.int64), len(high), mb)


def _pool(parts: Sequence[ScoredCandidates]) -> ScoredCandidates:
    fields = ("prob", "germline_prob", "hand_filtered", "scored_vaf", "somatic",
              "germline_weight", "found_key")
    arrays: dict[str, Any] = {f: np.concatenate([getattr(p, f) for p in parts])
                              for f in fields}
    return ScoredCandidates(**arrays, truth_snvs=sum(p.truth_snvs for p in parts),
                            mb=sum(p.mb for p in parts))


def grid_metrics(data: ScoredCandidates, threshold: float,
                 germline_threshold: float) -> dict[str, float]:
    """Validation metrics of one operating point."""
    germline_filtered = ((data.germline_prob >= germline_threshold)
                         | (data.germline_prob > data.prob))
    passed = (data.prob >= threshold) & ~germline_filtered & ~data.hand_filtered
    scored = passed & data.scored_vaf
    tp = float((scored & data.somatic).sum())
    fp = float(np.where(data.germline_weight > 0, data.germline_weight, 1.0)[
        scored & ~data.somatic].sum())
    found = len(np.unique(data.found_key[passed & (data.found_key >= 0)]))
    germline = float(data.germline_weight[passed].sum())
    return {"threshold": threshold, "germline_threshold": germline_threshold,
            "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
            "recall": round(found / data.truth_snvs, 4) if data.truth_snvs else 0.0,
            "germline_per_mb": round(germline / data.mb, 3) if data.mb else 0.0}


def choose_operating_point(data: ScoredCandidates, *, min_recall: float
                           ) -> tuple[dict[str, float], list[dict[str, float]]]:
    """The rule of the module docstring; returns the choice and the whole grid."""
    grid = [grid_metrics(data, t, g) for t in PASS_GRID for g in GERMLINE_GRID]
    eligible = [m for m in grid if m["recall"] >= min_recall]
    if not eligible:
        best = max(m["recall"] for m in grid)
        raise OptionsError(f"no operating point reaches validation recall {min_recall} "
                           f"(best {best:.3f}); lower the recall floor or check the model")
    chosen = min(eligible, key=lambda m: (m["germline_per_mb"], -m["precision"], -m["recall"],
                                          -m["threshold"], -m["germline_threshold"]))
    return chosen, grid


def tune_operating_point(model: str | Path, validation: Sequence[str | Path], *,
                         reference: str | Path, min_recall: float = 0.85,
                         germline_weight: float = 1.0, threads: int = 1,
                         write: bool = True) -> dict[str, Any]:
    """Pick the model's PASS and germline thresholds on validation tumors (see the module
    docstring) and write them into its ``model.json``.

    Parameters
    ----------
    model
        Tumor-only model folder (rewritten in place when ``write``).
    validation
        ``oncogen simulate --population-sites`` folders never used in training; each is
        called over its ``confident.bed`` with its ``population.vcf.gz`` as the resource.
    reference
        FASTA of the tumors.
    min_recall
        Validation SNV recall (truth VAF >= 10%) the operating point must reach.
    germline_weight
        Weight of a private germline allele (e.g. 0.2 for tumors simulated with 100 private
        germline variants per Mb when the target has 20).
    threads
        Calling worker processes.
    write
        Rewrite ``model.json`` (False: only report).

    Returns
    -------
    dict
        ``chosen`` (thresholds and validation metrics), ``rule``, ``sets``, ``grid_size``.
    """
    from onco_genomics.caller.metadata import METADATA_NAME
    from onco_genomics.caller.records import FilterOptions
    from onco_genomics.caller.tumor_only_calling import call_tumor_only
    from onco_genomics.caller.tumor_only_model import read_tumor_only_metadata
    from onco_genomics.io.atomic import atomic_path

    if not validation:
        raise OptionsError("tuning the operating point needs at least one validation tumor")
    if not 0.0 < min_recall <= 1.0 or germline_weight < 0.0:
        raise OptionsError(f"min_recall must be in (0, 1] and germline_weight >= 0, got "
                           f"{min_recall} and {germline_weight}")
    folder, metadata = read_tumor_only_metadata(model)
    parts: list[ScoredCandidates] = []
    with tempfile.TemporaryDirectory(prefix="oncogen_tune_") as tmp:
        for i, item in enumerate(validation):
            root = Path(item)
            vcf = Path(tmp) / f"{i}.vcf.gz"
            call_tumor_only(root / "tumor.bam", reference=reference, output=vcf,
                            germline_resource=root / "population.vcf.gz",
                            bed=root / "confident.bed", threads=threads, model=folder,
                            device="cpu", filters=FilterOptions(min_prob_to_report=0.01))
            parts.append(score_validation_calls(vcf, root, germline_weight=germline_weight,
                                                offset=sum(p.truth_snvs for p in parts)))
    chosen, grid = choose_operating_point(_pool(parts), min_recall=min_recall)
    report = {"chosen": chosen, "min_recall": min_recall, "germline_weight": germline_weight,
              "rule": "fewest weighted germline calls per Mb among grid points with validation "
                      "SNV recall (truth VAF >= 10%) >= min_recall; ties: precision, recall, "
                      "higher thresholds",
              "sets": [Path(v).name for v in validation], "grid_size": len(grid)}
    log.info("operating point: %s", json.dumps(chosen))
    if write:
        metadata["threshold"] = chosen["threshold"]
        metadata["germline_threshold"] = chosen["germline_threshold"]
        metadata.setdefault("metrics", {})["operating_point"] = report
        with atomic_path(folder / METADATA_NAME) as path:
            path.write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
        (folder / METADATA_NAME).chmod(0o644)
    return report
