"""Base qualities and sequencing errors of simulated Illumina reads.

Qualities fall along the read (faster for read 2), vary per read and per base, and a few
reads end in a low-quality tail. Each base is then miscalled with the probability its
quality states (``10 ** (-Q / 10)``), so errors are position- and quality-dependent and
the qualities are calibrated, as a caller's quality-aware model expects. Long
homopolymers occasionally gain or lose a base (polymerase slippage), the indel error a
caller sees in both samples.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from onco_genomics.simulate.genome import A, C, G, N, T

log = logging.getLogger(__name__)

_BASES = np.array([A, C, G, T], dtype=np.uint8)
#: probability of a miscalled base for each Phred score
_ERROR_PROBABILITY = np.power(10.0, -np.arange(256) / 10.0).astype(np.float32)
_INDEX = np.full(256, 4, dtype=np.int64)
for _i, _b in enumerate(_BASES):
    _INDEX[_b] = _i


@dataclass(frozen=True)
class ErrorModel:
    """Quality profile and error process of one read of a pair.

    Attributes
    ----------
    start_quality, end_quality
        Mean Phred quality at the first and last cycle (quadratic decline between).
    read_sd, base_sd
        Standard deviation of the per-read offset and of per-base noise.
    tail_fraction
        Share of reads whose last cycles (from a random point in the last 40%) drop to
        quality 5-15.
    slip_rate, slip_min_run
        Homopolymer slippage: a read whose longest homopolymer has ``r >= slip_min_run``
        bases gains or loses one base of it with probability
        ``min(0.05, slip_rate * (r - slip_min_run + 2))``.
    min_quality, max_quality
        Clipping bounds of the Phred scores.
    """

    start_quality: float = 37.0
    end_quality: float = 31.0
    read_sd: float = 1.5
    base_sd: float = 2.5
    tail_fraction: float = 0.04
    min_quality: int = 2
    max_quality: int = 41
    slip_rate: float = 0.003
    slip_min_run: int = 6

    def __post_init__(self) -> None:
        if not 0.0 <= self.slip_rate <= 1.0 or self.slip_min_run < 2:
            raise ValueError("slip_rate must be in [0, 1] and slip_min_run >= 2")
        if not 0 <= self.min_quality < self.max_quality <= 93:
            raise ValueError("qualities must satisfy 0 <= min < max <= 93")
        if not 0.0 <= self.tail_fraction <= 1.0:
            raise ValueError("tail_fraction must be in [0, 1]")

    def qualities(self, n_reads: int, read_length: int, rng: np.random.Generator) -> np.ndarray:
        """Phred qualities, shape ``(n_reads, read_length)``, uint8, in sequencing order."""
        cycle = np.arange(read_length) / max(read_length - 1, 1)
        profile = self.start_quality - (self.start_quality - self.end_quality) * cycle ** 2
        noise = rng.standard_normal(size=(n_reads, read_length), dtype=np.float32)
        quality = (profile[None, :].astype(np.float32)
                   + rng.normal(0.0, self.read_sd, size=(n_reads, 1)).astype(np.float32)
                   + noise * np.float32(self.base_sd))
        tails = np.flatnonzero(rng.random(n_reads) < self.tail_fraction)
        if tails.size:
            first = rng.integers(int(read_length * 0.6), read_length, size=tails.size)
            in_tail = np.arange(read_length)[None, :] >= first[:, None]
            low = rng.uniform(5.0, 15.0, size=(tails.size, read_length)).astype(np.float32)
            quality[tails] = np.where(in_tail, low, quality[tails])
        return np.clip(np.rint(quality), self.min_quality, self.max_quality).astype(np.uint8)

    def apply_slippage(self, reads: np.ndarray, qualities: np.ndarray,
                       rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One-base insertion or deletion errors in long homopolymers (polymerase slippage).

        The read keeps its length: an insertion pushes the last base out; a deletion pulls
        the rest of the read one base left and ends it with an N of quality
        ``min_quality`` (the template base after the read is not known here).

        Returns
        -------
        tuple of numpy.ndarray
            Reads and qualities (copies where changed).
        """
        n, length = reads.shape
        if self.slip_rate <= 0 or n == 0 or length < self.slip_min_run:
            return reads, qualities
        run = np.ones(n, dtype=np.int64)
        longest = np.ones(n, dtype=np.int64)
        longest_end = np.zeros(n, dtype=np.int64)
        for col in range(1, length):
            same = (reads[:, col] == reads[:, col - 1]) & (reads[:, col] != N)
            run = np.where(same, run + 1, 1)
            better = run > longest
            longest = np.where(better, run, longest)
            longest_end = np.where(better, col, longest_end)
        probability = np.where(
            longest >= self.slip_min_run,
            np.minimum(0.05, self.slip_rate * (longest - self.slip_min_run + 2)), 0.0)
        slipped = np.flatnonzero(rng.random(n) < probability)
        if slipped.size == 0:
            return reads, qualities
        reads, qualities = reads.copy(), qualities.copy()
        insertion = rng.random(slipped.size) < 0.5
        for row, is_insertion in zip(slipped.tolist(), insertion.tolist(), strict=True):
            end = int(longest_end[row])  # last base of the run
            if is_insertion:
                reads[row, end + 1:] = reads[row, end:-1].copy()
                qualities[row, end + 1:] = qualities[row, end:-1].copy()
            else:
                reads[row, end:-1] = reads[row, end + 1:].copy()
                qualities[row, end:-1] = qualities[row, end + 1:].copy()
                reads[row, -1] = N
                qualities[row, -1] = self.min_quality
        return reads, qualities

    def apply_errors(self, reads: np.ndarray, qualities: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
        """Miscall bases with the probability their quality states.

        Parameters
        ----------
        reads
            ASCII-coded bases, shape ``(n, L)``, in sequencing order.
        qualities
            Phred scores of the same shape.

        Returns
        -------
        numpy.ndarray
            A copy of ``reads`` with substitutions (a miscalled base becomes one of the
            three others with equal probability; N stays N).
        """
        if reads.shape != qualities.shape:
            raise ValueError("reads and qualities must have the same shape")
        out = reads.copy()
        p_error = _ERROR_PROBABILITY[qualities]
        rows, cols = np.nonzero(rng.random(reads.shape, dtype=np.float32) < p_error)
        if rows.size:
            current = _INDEX[out[rows, cols]]
            shift = rng.integers(1, 4, size=rows.size)
            new = _BASES[(current + shift) % 4]
            out[rows, cols] = np.where(current == 4, N, new)
        return out


#: default models for read 1 and read 2 (read 2 degrades faster, as on Illumina)
READ1_MODEL = ErrorModel()
#: Illumina's 8-level quality-score binning (RTA "Q-score binning" of HiSeq X/4000/NovaSeq
#: era instruments): Phred ranges -> the one value written; N calls keep Q2
QUALITY_BINS: tuple[tuple[int, int, int], ...] = (
    (0, 2, 2), (3, 9, 6), (10, 19, 15), (20, 24, 22), (25, 29, 27), (30, 34, 33),
    (35, 39, 37), (40, 93, 40))
_BIN_TABLE = np.zeros(94, dtype=np.uint8)
for _low, _high, _value in QUALITY_BINS:
    _BIN_TABLE[_low:_high + 1] = _value


def bin_qualities(qualities: np.ndarray) -> np.ndarray:
    """Qualities mapped to the 8 levels of :data:`QUALITY_BINS` (same shape, uint8)."""
    return _BIN_TABLE[np.asarray(qualities, dtype=np.uint8)]


READ2_MODEL = ErrorModel(start_quality=36.0, end_quality=28.0)
