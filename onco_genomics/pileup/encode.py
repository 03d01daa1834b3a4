"""Tensor encoding of candidates: one ``(len(CHANNELS), WINDOW)`` float32 array each.

The window is a slice of the augmented alignment (:mod:`onco_genomics.pileup.columns`)
centred on the candidate's column (``CENTER``; for an indel the anchor base): the columns
to the left and right are reference positions and the inserted columns between them, so
a window covers at most ``WINDOW // 2`` reference positions either side and fewer where
insertions add columns. Columns beyond the contig ends are all zero.

Channels (see :func:`encoder_spec` and docs/encoder.md):

* ``ref_{A,C,G,T,gap}``: one-hot reference (``gap`` marks an inserted column; all zero for
  N);
* ``alt_{A,C,G,T,gap}``: the candidate's own allele: the ALT base at the centre (SNV), the
  inserted bases in the inserted columns after the anchor (INS), gaps over the deleted
  positions (DEL); this tells apart several candidates at one site;
* then for each sample (``tumor_``, ``normal_``):
  ``depth`` = log1p(depth) / log1p(DEPTH_SCALE), clipped to 1;
  ``frac_{a}`` = reads showing allele a / depth (sums to 1 over the five alleles where
  depth > 0); ``fwd_{a}`` = forward-strand reads showing a / depth;
  ``baseq_{A,C,G,T}`` = mean base quality of a's reads / QUALITY_SCALE, clipped to 1;
  ``mapq_{a}`` = mean mapping quality / QUALITY_SCALE, clipped to 1;
  ``clipped_{a}`` = fraction of a's reads that are soft-clipped;
  ``end_{a}`` = mean distance (bases, capped at 50) from the base to the nearer end of
  the read's aligned part / 50.
  Means are 0 where the allele has no reads, so a column without reads is all zero.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from onco_genomics.pileup.candidates import ALLELES, Candidate
from onco_genomics.pileup.columns import (
    FEATURES,
    MAX_END_DISTANCE,
    MAX_INSERT_COLUMNS,
    ColumnLayout,
    ColumnStats,
)

log = logging.getLogger(__name__)

#: bump whenever channels, window or normalisation change (models record it)
ENCODER_VERSION = "1.0"
#: columns per window
WINDOW = 41
#: column of the candidate (its base, or an indel's anchor base)
CENTER = WINDOW // 2
#: depth that maps to 1.0 in the log-scaled depth channel
DEPTH_SCALE = 2000
#: base and mapping qualities are divided by this (then clipped to 1)
QUALITY_SCALE = 60.0

_SAMPLE_CHANNELS: tuple[str, ...] = (
    "depth",
    *(f"frac_{a}" for a in ALLELES),
    *(f"fwd_{a}" for a in ALLELES),
    *(f"baseq_{a}" for a in ALLELES[:4]),
    *(f"mapq_{a}" for a in ALLELES),
    *(f"clipped_{a}" for a in ALLELES),
    *(f"end_{a}" for a in ALLELES),
)
SAMPLES: tuple[str, ...] = ("tumor", "normal")

#: channel names, in tensor order
CHANNELS: tuple[str, ...] = (
    *(f"ref_{a}" for a in ALLELES),
    *(f"alt_{a}" for a in ALLELES),
    *(f"{sample}_{name}" for sample in SAMPLES for name in _SAMPLE_CHANNELS),
)
_N_SAMPLE = len(_SAMPLE_CHANNELS)
_SAMPLE_OFFSET = {sample: 2 * len(ALLELES) + i * _N_SAMPLE for i, sample in enumerate(SAMPLES)}


@dataclass(frozen=True)
class PileupBatch:
    """Candidates of one chunk and their tensors, ``tensors[i]`` encoding ``candidates[i]``.

    ``tensors`` is float32 with shape ``(len(candidates), len(CHANNELS), WINDOW)``.
    """

    candidates: tuple[Candidate, ...]
    tensors: np.ndarray

    def __post_init__(self) -> None:
        expected = (len(self.candidates), len(CHANNELS), WINDOW)
        if not isinstance(self.tensors, np.ndarray) or self.tensors.dtype != np.float32:
            raise ValueError("PileupBatch.tensors must be a float32 numpy array")
        if self.tensors.shape != expected:
            raise ValueError(f"PileupBatch.tensors must have shape {expected}, "
                             f"got {self.tensors.shape}")

    def __len__(self) -> int:
        return len(self.candidates)

    @classmethod
    def empty(cls) -> PileupBatch:
        """A batch without candidates."""
        return cls(candidates=(), tensors=np.zeros((0, len(CHANNELS), WINDOW), np.float32))

    @classmethod
    def concatenate(cls, batches: Sequence[PileupBatch]) -> PileupBatch:
        """Join batches (e.g. of consecutive chunks) in the order given."""
        if not batches:
            return cls.empty()
        return cls(candidates=tuple(c for b in batches for c in b.candidates),
                   tensors=np.concatenate([b.tensors for b in batches], axis=0))


def encoder_spec() -> dict[str, object]:
    """The tensor contract as JSON-able data; model files store it and compare on load.

    Examples
    --------
    >>> spec = encoder_spec()
    >>> spec["window"] == WINDOW and spec["channels"] == list(CHANNELS)
    True
    """
    return {
        "version": ENCODER_VERSION,
        "window": WINDOW,
        "center": CENTER,
        "channels": list(CHANNELS),
        "alleles": list(ALLELES),
        "max_insert_columns": MAX_INSERT_COLUMNS,
        "normalisation": {
            "ref_*, alt_*": "one-hot (0/1)",
            "*_depth": f"log1p(depth) / log1p({DEPTH_SCALE}), clipped to 1",
            "*_frac_*": "reads showing the allele / depth",
            "*_fwd_*": "forward-strand reads showing the allele / depth",
            "*_baseq_*": f"mean base quality of the allele's reads / {QUALITY_SCALE:g}, "
                         "clipped to 1",
            "*_mapq_*": f"mean mapping quality of the allele's reads / {QUALITY_SCALE:g}, "
                        "clipped to 1",
            "*_clipped_*": "fraction of the allele's reads that are soft-clipped",
            "*_end_*": f"mean distance to the nearer aligned read end, capped at "
                       f"{MAX_END_DISTANCE}, / {MAX_END_DISTANCE}",
            "empty": "means are 0 where an allele has no reads; columns past contig ends are 0",
        },
    }


def _allele_code(base: str) -> int:
    return ALLELES.index(base)


def window_columns(candidates: Sequence[Candidate], layout: ColumnLayout) -> npt.NDArray[np.int64]:
    """Column indices of each candidate's window, shape ``(n, WINDOW)`` (may be out of range)."""
    pos = np.fromiter((c.pos for c in candidates), dtype=np.int64, count=len(candidates))
    idx = pos - layout.span_start
    if np.any((idx < 0) | (idx >= layout.n_ref)):
        raise ValueError("candidate outside the layout's span")
    anchor = layout.column_of[idx]
    return anchor[:, None] + (np.arange(WINDOW, dtype=np.int64) - CENTER)[None, :]


def _allele_marks(candidates: Sequence[Candidate], layout: ColumnLayout,
                  columns: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """The ``alt_*`` one-hot channels, shape ``(n, len(ALLELES), WINDOW)``."""
    marks = np.zeros((len(candidates), len(ALLELES), WINDOW), dtype=np.float32)
    for i, cand in enumerate(candidates):
        anchor_col = columns[i, CENTER]
        if cand.vartype == "SNV":
            marks[i, _allele_code(cand.alt), CENTER] = 1.0
        elif cand.vartype == "INS":
            n_cols = int(layout.inserted[cand.pos - layout.span_start])
            for j, base in enumerate(cand.alt[1:1 + n_cols]):
                marks[i, _allele_code(base), CENTER + 1 + j] = 1.0
        else:
            first = cand.pos + 1 - layout.span_start
            last = min(first + cand.length, layout.n_ref)
            offsets = layout.column_of[first:last] - anchor_col + CENTER
            offsets = offsets[offsets < WINDOW]
            marks[i, ALLELES.index("gap"), offsets] = 1.0
    return marks


def _sample_channels(stats: ColumnStats, columns: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """Per-sample channels for windows ``columns`` (n, WINDOW), shape (n, _N_SAMPLE, WINDOW)."""
    n_cols = stats.sums.shape[2]
    inside = (columns >= 0) & (columns < n_cols)
    safe = np.clip(columns, 0, max(n_cols - 1, 0))
    if n_cols == 0:
        return np.zeros((len(columns), _N_SAMPLE, WINDOW), dtype=np.float32)
    # only the features the tensor uses (f1r2, the last one, is for the records only)
    used = FEATURES.index("f1r2")
    sums = stats.sums[:used, :, safe].astype(np.float32)  # (F, A, n, W)
    sums *= inside[None, None]
    depth = sums[FEATURES.index("reads")].sum(axis=0)  # (n, W)
    reads = sums[FEATURES.index("reads")]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_depth = np.where(depth > 0, 1.0 / depth, 0.0).astype(np.float32)
        per_read = np.where(reads > 0, 1.0 / reads, 0.0).astype(np.float32)
    out = np.empty((len(columns), _N_SAMPLE, WINDOW), dtype=np.float32)
    n_a = len(ALLELES)
    k = 0
    out[:, k] = np.minimum(np.log1p(depth) / np.log1p(DEPTH_SCALE), 1.0)
    k += 1
    out[:, k:k + n_a] = (reads * per_depth[None]).transpose(1, 0, 2)
    k += n_a
    out[:, k:k + n_a] = (sums[FEATURES.index("forward")] * per_depth[None]).transpose(1, 0, 2)
    k += n_a
    baseq = sums[FEATURES.index("baseq"), :4] * per_read[:4] / QUALITY_SCALE
    out[:, k:k + 4] = np.minimum(baseq, 1.0).transpose(1, 0, 2)
    k += 4
    mapq = sums[FEATURES.index("mapq")] * per_read / QUALITY_SCALE
    out[:, k:k + n_a] = np.minimum(mapq, 1.0).transpose(1, 0, 2)
    k += n_a
    out[:, k:k + n_a] = (sums[FEATURES.index("clipped")] * per_read).transpose(1, 0, 2)
    k += n_a
    end = sums[FEATURES.index("end_distance")] * per_read / MAX_END_DISTANCE
    out[:, k:k + n_a] = end.transpose(1, 0, 2)
    k += n_a
    assert k == _N_SAMPLE
    return out


def encode_candidates(candidates: Sequence[Candidate], *, layout: ColumnLayout,
                      reference_columns: npt.NDArray[np.int8], tumor: ColumnStats,
                      normal: ColumnStats) -> PileupBatch:
    """Encode candidates from the column statistics of one chunk.

    Parameters
    ----------
    candidates
        Candidates whose positions lie in ``layout``'s span, in the batch's order.
    layout
        The augmented columns shared by tumour and normal.
    reference_columns
        :meth:`ColumnLayout.reference_columns` of the span's reference.
    tumor, normal
        :func:`onco_genomics.pileup.columns.accumulate_columns` of each sample.
    """
    n = len(candidates)
    if n == 0:
        return PileupBatch.empty()
    columns = window_columns(candidates, layout)
    tensors = np.zeros((n, len(CHANNELS), WINDOW), dtype=np.float32)
    inside = (columns >= 0) & (columns < len(reference_columns))
    ref = np.where(inside, reference_columns[np.clip(columns, 0, len(reference_columns) - 1)], 5)
    for a in range(len(ALLELES)):
        tensors[:, a] = ref == a
    tensors[:, len(ALLELES):2 * len(ALLELES)] = _allele_marks(candidates, layout, columns)
    for sample, stats in zip(SAMPLES, (tumor, normal), strict=True):
        start = _SAMPLE_OFFSET[sample]
        tensors[:, start:start + _N_SAMPLE] = _sample_channels(stats, columns)
    return PileupBatch(candidates=tuple(candidates), tensors=tensors)
