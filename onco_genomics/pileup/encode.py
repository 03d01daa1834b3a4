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
* encoder 1.1 appends, per sample, ``f1r2_{a}`` = share of allele a's reads that are in
  F1R2 pair orientation (read 1 forward or read 2 reverse; 0 where a has no reads): the
  orientation balance of each allele. A true variant is read from both original strands
  (about 0.5), while 8-oxoG (G>T) and FFPE deamination (C>T) put an artefact on one strand,
  so all its reads share one pair orientation (0 or 1). The first 70 channels of 1.1 are
  exactly 1.0's.

Both versions are produced (``version=``); a model records the version it was trained with
and the caller scans with that version.
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
from onco_genomics.pileup.phasing import MnvCandidate

log = logging.getLogger(__name__)

#: bump whenever channels, window or normalisation change (models record it); the version
#: new models are trained with
ENCODER_VERSION = "1.1"
#: versions this encoder can produce (a model of any of them can be run)
ENCODER_VERSIONS: tuple[str, ...] = ("1.0", "1.1")
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

#: channel names of encoder 1.0, in tensor order
CHANNELS_V1_0: tuple[str, ...] = (
    *(f"ref_{a}" for a in ALLELES),
    *(f"alt_{a}" for a in ALLELES),
    *(f"{sample}_{name}" for sample in SAMPLES for name in _SAMPLE_CHANNELS),
)
#: channels encoder 1.1 appends: per sample, F1R2-orientation reads of each allele / depth
ORIENTATION_CHANNELS: tuple[str, ...] = tuple(
    f"{sample}_f1r2_{a}" for sample in SAMPLES for a in ALLELES)
#: channel names of each encoder version
CHANNELS_BY_VERSION: dict[str, tuple[str, ...]] = {
    "1.0": CHANNELS_V1_0,
    "1.1": CHANNELS_V1_0 + ORIENTATION_CHANNELS,
}
#: channel names of the current version (:data:`ENCODER_VERSION`), in tensor order
CHANNELS: tuple[str, ...] = CHANNELS_BY_VERSION[ENCODER_VERSION]
_N_SAMPLE = len(_SAMPLE_CHANNELS)
_SAMPLE_OFFSET = {sample: 2 * len(ALLELES) + i * _N_SAMPLE for i, sample in enumerate(SAMPLES)}


def channels_of(version: str) -> tuple[str, ...]:
    """Channel names of encoder ``version``; ValueError for a version this encoder lacks."""
    try:
        return CHANNELS_BY_VERSION[version]
    except KeyError:
        raise ValueError(f"unknown encoder version {version!r}; this oncogen encodes "
                         f"{', '.join(ENCODER_VERSIONS)}") from None


@dataclass(frozen=True)
class PileupBatch:
    """Candidates of one chunk and their tensors, ``tensors[i]`` encoding ``candidates[i]``.

    ``tensors`` is float32 with shape ``(len(candidates), n_channels, WINDOW)``, where
    ``n_channels`` is that of one encoder version (:data:`CHANNELS_BY_VERSION`).
    ``mnvs`` are the adjacent SNV candidates that the same reads carry
    (:mod:`onco_genomics.pileup.phasing`); they have no tensor of their own: the caller
    scores their SNVs and reports them as one record.
    """

    candidates: tuple[Candidate, ...]
    tensors: np.ndarray
    mnvs: tuple[MnvCandidate, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.tensors, np.ndarray) or self.tensors.dtype != np.float32:
            raise ValueError("PileupBatch.tensors must be a float32 numpy array")
        counts = sorted({len(c) for c in CHANNELS_BY_VERSION.values()})
        shape = self.tensors.shape
        if (len(shape) != 3 or shape[0] != len(self.candidates) or shape[1] not in counts
                or shape[2] != WINDOW):
            raise ValueError(f"PileupBatch.tensors must have shape ({len(self.candidates)}, "
                             f"one of {counts}, {WINDOW}), got {shape}")

    def __len__(self) -> int:
        return len(self.candidates)

    @property
    def n_channels(self) -> int:
        return int(self.tensors.shape[1])

    @classmethod
    def empty(cls, version: str = ENCODER_VERSION) -> PileupBatch:
        """A batch without candidates (tensors of encoder ``version``)."""
        return cls(candidates=(), tensors=np.zeros((0, len(channels_of(version)), WINDOW),
                                                   np.float32))

    @classmethod
    def concatenate(cls, batches: Sequence[PileupBatch]) -> PileupBatch:
        """Join batches (e.g. of consecutive chunks) in the order given."""
        if not batches:
            return cls.empty()
        if len({b.n_channels for b in batches}) > 1:
            raise ValueError("cannot join batches of different encoder versions")
        return cls(candidates=tuple(c for b in batches for c in b.candidates),
                   tensors=np.concatenate([b.tensors for b in batches], axis=0),
                   mnvs=tuple(m for b in batches for m in b.mnvs))


def encoder_spec(version: str = ENCODER_VERSION) -> dict[str, object]:
    """The tensor contract of encoder ``version`` as JSON-able data; model files store it
    and compare it on load.

    Examples
    --------
    >>> spec = encoder_spec()
    >>> spec["window"] == WINDOW and spec["channels"] == list(CHANNELS)
    True
    >>> len(encoder_spec("1.0")["channels"])
    70
    """
    normalisation: dict[str, str] = {
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
    }
    if version != "1.0":
        normalisation["*_f1r2_*"] = ("fraction of the allele's reads in F1R2 pair "
                                     "orientation (read 1 forward or read 2 reverse)")
    return {
        "version": version,
        "window": WINDOW,
        "center": CENTER,
        "channels": list(channels_of(version)),
        "alleles": list(ALLELES),
        "max_insert_columns": MAX_INSERT_COLUMNS,
        "normalisation": normalisation,
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


def _sample_channels(stats: ColumnStats, columns: npt.NDArray[np.int64], *,
                     orientation: bool = False) -> npt.NDArray[np.float32]:
    """Per-sample channels for windows ``columns`` (n, WINDOW), shape (n, _N_SAMPLE, WINDOW);
    with ``orientation`` (encoder 1.1) also the ``f1r2_*`` channels, (n, len(ALLELES), W)
    appended (shape (n, _N_SAMPLE + len(ALLELES), WINDOW))."""
    n_cols = stats.sums.shape[2]
    inside = (columns >= 0) & (columns < n_cols)
    safe = np.clip(columns, 0, max(n_cols - 1, 0))
    n_out = _N_SAMPLE + (len(ALLELES) if orientation else 0)
    if n_cols == 0:
        return np.zeros((len(columns), n_out, WINDOW), dtype=np.float32)
    # only the features the tensor uses (f1r2, the last one, only for encoder 1.1)
    used = FEATURES.index("f1r2") + (1 if orientation else 0)
    sums = stats.sums[:used, :, safe].astype(np.float32)  # (F, A, n, W)
    sums *= inside[None, None]
    depth = sums[FEATURES.index("reads")].sum(axis=0)  # (n, W)
    reads = sums[FEATURES.index("reads")]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_depth = np.where(depth > 0, 1.0 / depth, 0.0).astype(np.float32)
        per_read = np.where(reads > 0, 1.0 / reads, 0.0).astype(np.float32)
    out = np.empty((len(columns), n_out, WINDOW), dtype=np.float32)
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
    if orientation:
        f1r2 = sums[FEATURES.index("f1r2")] * per_read
        out[:, k:k + n_a] = f1r2.transpose(1, 0, 2)
    return out


def encode_candidates(candidates: Sequence[Candidate], *, layout: ColumnLayout,
                      reference_columns: npt.NDArray[np.int8], tumor: ColumnStats,
                      normal: ColumnStats, version: str = ENCODER_VERSION) -> PileupBatch:
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
    version
        Encoder version (:data:`ENCODER_VERSIONS`).
    """
    names = channels_of(version)
    n = len(candidates)
    if n == 0:
        return PileupBatch.empty(version)
    orientation = version != "1.0"
    columns = window_columns(candidates, layout)
    tensors = np.zeros((n, len(names), WINDOW), dtype=np.float32)
    inside = (columns >= 0) & (columns < len(reference_columns))
    ref = np.where(inside, reference_columns[np.clip(columns, 0, len(reference_columns) - 1)], 5)
    for a in range(len(ALLELES)):
        tensors[:, a] = ref == a
    tensors[:, len(ALLELES):2 * len(ALLELES)] = _allele_marks(candidates, layout, columns)
    for sample, stats in zip(SAMPLES, (tumor, normal), strict=True):
        start = _SAMPLE_OFFSET[sample]
        values = _sample_channels(stats, columns, orientation=orientation)
        tensors[:, start:start + _N_SAMPLE] = values[:, :_N_SAMPLE]
        if orientation:
            first = names.index(f"{sample}_f1r2_{ALLELES[0]}")
            tensors[:, first:first + len(ALLELES)] = values[:, _N_SAMPLE:]
    return PileupBatch(candidates=tuple(candidates), tensors=tensors)
