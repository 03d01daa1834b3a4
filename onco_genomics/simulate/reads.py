"""Paired-end reads of one sample from the haplotypes of a window.

For each stretch (chunk) of a window and each of the two haplotypes, fragments are drawn
with uniform starts and a truncated normal length. Then, in this order:

1. somatic alleles are spiked into fragments that cover them, each fragment carrying a
   variant with probability ``2 * VAF`` (one haplotype) or ``VAF`` (both);
2. each fragment gets an orientation: F1R2 (read 1 on the forward strand) or F2R1;
3. artefacts are written into the fragment *template*, so both mates agree where they
   overlap: 8-oxoG (G>T on the strand read 1 sequences: reference G>T on F1R2 pairs and
   C>A on F2R1 pairs) and FFPE deamination (C>T on that strand: C>T on F1R2 pairs, G>A on
   F2R1 pairs), each at a low background rate and at recurrent hotspot sites; and, for
   duplicate families, a PCR substitution shared by every copy;
4. PCR duplicates are copies of a fragment (same template, same ends), flagged by the
   aligner step as ``samtools markdup`` would;
5. base qualities, homopolymer slippage and substitution errors are drawn per read
   (:mod:`.sequencing`); with binned qualities, the qualities are then reported in the
   8 bins of Illumina's quality-score binning (errors follow the unbinned values).

All arrays are ASCII codes (uint8).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from onco_genomics.simulate.genome import COMPLEMENT, A, C, G, Haplotype, N, T, reverse_complement
from onco_genomics.simulate.plant import ArtefactSite, PlantedVariant
from onco_genomics.simulate.sequencing import READ1_MODEL, READ2_MODEL, ErrorModel, bin_qualities

log = logging.getLogger(__name__)

#: fragments with more than this share of N in either read are dropped
MAX_N_FRACTION = 0.05

F1R2, F2R1 = 0, 1

_BASES = np.array([A, C, G, T], dtype=np.uint8)


@dataclass(frozen=True)
class ReadSettings:
    """The read-level settings of one sample."""

    depth: float
    read_length: int
    fragment_mean: float
    fragment_sd: float
    dup_rate: float
    pcr_error_fraction: float
    oxog_rate: float
    read1_model: ErrorModel = READ1_MODEL
    read2_model: ErrorModel = READ2_MODEL
    ffpe_rate: float = 0.0
    binned_qualities: bool = False

    def __post_init__(self) -> None:
        if self.depth <= 0 or self.read_length <= 0 or self.fragment_mean < self.read_length:
            raise ValueError(f"invalid read settings {self}")
        if not 0.0 <= self.dup_rate < 1.0:
            raise ValueError("dup_rate must be in [0, 1)")

    @property
    def max_fragment(self) -> int:
        return max(self.read_length, int(np.ceil(self.fragment_mean + 4 * self.fragment_sd)))


@dataclass(frozen=True)
class SpikeIn:
    """A somatic allele and the probability that a covering fragment of its haplotype has it."""

    variant: PlantedVariant
    probability: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"spike-in probability must be in [0, 1]: {self}")


@dataclass(frozen=True)
class ReadPairs:
    """Simulated read pairs, in sequencing orientation.

    Attributes
    ----------
    read1, read2
        Bases, shape ``(n, read_length)``.
    qual1, qual2
        Phred qualities, same shape.
    duplicate
        True for PCR duplicate copies (the first member of each family is False).
    orientation
        :data:`F1R2` or :data:`F2R1` per pair.
    """

    read1: np.ndarray = field(repr=False)
    read2: np.ndarray = field(repr=False)
    qual1: np.ndarray = field(repr=False)
    qual2: np.ndarray = field(repr=False)
    duplicate: np.ndarray = field(repr=False)
    orientation: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        n = self.read1.shape[0]
        for array in (self.read2, self.qual1, self.qual2):
            if array.shape != self.read1.shape:
                raise ValueError("reads and qualities must share one shape")
        if self.duplicate.shape != (n,) or self.orientation.shape != (n,):
            raise ValueError("duplicate and orientation need one value per pair")

    def __len__(self) -> int:
        return int(self.read1.shape[0])


@dataclass
class _Fragments:
    """Fragments of one haplotype chunk while they are being built (mutable scratch)."""

    starts: np.ndarray
    lengths: np.ndarray
    left: np.ndarray
    right: np.ndarray
    orientation: np.ndarray


def _draw_fragments(hap: Haplotype, lo: int, hi: int, mean_count: float,
                    settings: ReadSettings, rng: np.random.Generator) -> _Fragments:
    read_len = settings.read_length
    count = int(rng.poisson(mean_count))
    lengths = np.rint(rng.normal(settings.fragment_mean, settings.fragment_sd, count))
    lengths = np.clip(lengths, read_len, settings.max_fragment).astype(np.int64)
    starts = rng.integers(lo, max(hi, lo + 1), size=count, dtype=np.int64)
    keep = starts + lengths <= len(hap)
    starts, lengths = starts[keep], lengths[keep]
    order = np.argsort(starts, kind="stable")
    starts, lengths = starts[order], lengths[order]
    offsets = np.arange(read_len, dtype=np.int64)[None, :]
    left = hap.bases[starts[:, None] + offsets]
    right = hap.bases[(starts + lengths - read_len)[:, None] + offsets]
    orientation = rng.integers(0, 2, size=starts.size).astype(np.uint8)
    return _Fragments(starts, lengths, left, right, orientation)


def _spike(frags: _Fragments, hap: Haplotype, hap_index: int, spikes: Sequence[SpikeIn],
           settings: ReadSettings, rng: np.random.Generator) -> int:
    """Write somatic alleles into fragments that carry them; returns the number changed."""
    carried: dict[int, list[tuple[int, PlantedVariant]]] = {}
    for spike in spikes:
        variant = spike.variant
        if hap_index not in variant.haplotypes or spike.probability <= 0:
            continue
        offset = hap.to_hap(variant.pos)
        ref_end = offset + len(variant.ref)
        first = int(np.searchsorted(frags.starts, offset - settings.max_fragment, side="left"))
        last = int(np.searchsorted(frags.starts, offset, side="right"))
        idx = np.arange(first, last)
        idx = idx[frags.starts[idx] + frags.lengths[idx] > ref_end]
        hit = idx[rng.random(idx.size) < spike.probability]
        for i in hit.tolist():
            carried.setdefault(i, []).append((offset, variant))
    read_len = settings.read_length
    for i, edits in carried.items():
        start, length = int(frags.starts[i]), int(frags.lengths[i])
        template = bytearray(hap.bases[start:start + length + 2 * 20 + 2].tobytes())
        for offset, variant in sorted(edits, key=lambda e: -e[0]):
            rel = offset - start
            if template[rel:rel + len(variant.ref)] != variant.ref.encode():
                raise RuntimeError(f"haplotype does not hold the REF of {variant}")
            template[rel:rel + len(variant.ref)] = variant.alt.encode()
        if len(template) < length:
            template.extend(b"N" * (length - len(template)))
        seq = np.frombuffer(bytes(template[:length]), dtype=np.uint8)
        frags.left[i] = seq[:read_len]
        frags.right[i] = seq[length - read_len:length]
    return len(carried)


def _apply_template_edits(frags: _Fragments, index: np.ndarray, offset: np.ndarray,
                          base: np.ndarray, read_len: int) -> None:
    """Set template base ``offset`` of fragment ``index`` in whichever reads cover it."""
    if index.size == 0:
        return
    in_left = offset < read_len
    frags.left[index[in_left], offset[in_left]] = base[in_left]
    right_start = frags.lengths[index] - read_len
    in_right = offset >= right_start
    frags.right[index[in_right], (offset - right_start)[in_right]] = base[in_right]


def _oxog_background(frags: _Fragments, rate: float, read_len: int,
                     rng: np.random.Generator, *, damaged: int = G, changed: int = T) -> int:
    """Strand damage at ``rate`` per susceptible base: ``damaged``>``changed`` on the strand
    read 1 sequences (F1R2 pairs), its complement on F2R1 pairs. Defaults: 8-oxoG G>T."""
    if rate <= 0 or frags.starts.size == 0:
        return 0
    susceptible = np.where(frags.orientation == F1R2, damaged,
                           COMPLEMENT[damaged]).astype(np.uint8)[:, None]
    index_parts, offset_parts = [], []
    right_start = (frags.lengths - read_len)[:, None]
    cols = np.arange(read_len)[None, :]
    for reads, template_offset, overlap_ok in (
            (frags.left, np.broadcast_to(cols, frags.left.shape), None),
            (frags.right, right_start + cols, (right_start + cols) >= read_len)):
        mask = reads == susceptible
        if overlap_ok is not None:
            mask &= overlap_ok  # bases also in the left read were drawn there
        rows, columns = np.nonzero(mask)
        hit = rng.random(rows.size) < rate
        index_parts.append(rows[hit])
        offset_parts.append(np.asarray(template_offset)[rows[hit], columns[hit]])
    index = np.concatenate(index_parts)
    offset = np.concatenate(offset_parts)
    base = np.where(frags.orientation[index] == F1R2, changed,
                    COMPLEMENT[changed]).astype(np.uint8)
    _apply_template_edits(frags, index, offset, base, read_len)
    return int(index.size)


def _oxog_hotspots(frags: _Fragments, hap: Haplotype, sites: Sequence[ArtefactSite],
                   read_len: int, rng: np.random.Generator) -> int:
    count = 0
    for site in sites:
        if not hap.window.start <= site.pos < hap.window.end:
            continue
        offset = hap.to_hap(site.pos)
        first = int(np.searchsorted(frags.starts, offset - len(hap), side="left"))
        last = int(np.searchsorted(frags.starts, offset, side="right"))
        idx = np.arange(first, last)
        idx = idx[frags.starts[idx] + frags.lengths[idx] > offset]
        wanted = F1R2 if site.orientation == "F1R2" else F2R1
        idx = idx[frags.orientation[idx] == wanted]
        idx = idx[rng.random(idx.size) < site.fraction]
        base = np.full(idx.size, ord(site.alt), dtype=np.uint8)
        _apply_template_edits(frags, idx, offset - frags.starts[idx], base, read_len)
        count += int(idx.size)
    return count


def _duplicates(frags: _Fragments, settings: ReadSettings,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Choose duplicate families; add shared PCR errors; return (source index, is_dup)."""
    n = frags.starts.size
    wanted = round(settings.dup_rate * n / (1.0 - settings.dup_rate))
    if wanted == 0 or n == 0:
        return np.arange(n), np.zeros(n, dtype=bool)
    # family sizes: 1 + geometric extra copies (mean 2 extra), until enough copies
    originals = rng.choice(n, size=min(n, wanted), replace=False)
    extra = rng.geometric(0.5, size=originals.size)
    cumulative = np.cumsum(extra)
    keep = int(np.searchsorted(cumulative, wanted, side="left")) + 1
    originals, extra = originals[:keep], extra[:keep]
    if cumulative.size and keep <= cumulative.size and cumulative[keep - 1] > wanted:
        extra[-1] -= int(cumulative[keep - 1] - wanted)
    originals, extra = originals[extra > 0], extra[extra > 0]
    # a PCR error early in amplification: one substitution in every copy of the family
    with_error = originals[rng.random(originals.size) < settings.pcr_error_fraction]
    if with_error.size:
        read_len = settings.read_length
        in_right = rng.random(with_error.size) < 0.5
        column = rng.integers(0, read_len, size=with_error.size)
        offset = np.where(in_right, frags.lengths[with_error] - read_len + column, column)
        current = np.where(in_right, frags.right[with_error, column],
                           frags.left[with_error, column])
        shift = rng.integers(1, 4, size=with_error.size)
        lookup = np.full(256, 0, dtype=np.int64)
        lookup[_BASES] = np.arange(4)
        base = _BASES[(lookup[current] + shift) % 4]
        _apply_template_edits(frags, with_error, offset, base, read_len)
    source = np.concatenate([np.arange(n), np.repeat(originals, extra)])
    is_dup = np.concatenate([np.zeros(n, dtype=bool), np.ones(int(extra.sum()), dtype=bool)])
    return source, is_dup


def simulate_reads(haplotypes: Sequence[Haplotype], lo: int, hi: int, *,
                   settings: ReadSettings, spikes: Sequence[SpikeIn] = (),
                   oxog_sites: Sequence[ArtefactSite] = (),
                   rng: np.random.Generator) -> ReadPairs:
    """Read pairs whose fragments start in window offsets ``[lo, hi)`` (reference scale).

    Parameters
    ----------
    haplotypes
        The two haplotypes of the window (each supplies half the depth).
    lo, hi
        Window offsets (reference coordinates minus window start) of the chunk.
    settings
        Depth, read and fragment lengths, artefact rates.
    spikes
        Somatic alleles to spike in, with per-fragment probabilities.
    oxog_sites
        Recurrent 8-oxoG sites of this sample.
    rng
        Random stream of this chunk.

    Returns
    -------
    ReadPairs
        Pairs in random order, duplicates included.
    """
    read_len = settings.read_length
    parts: list[_Fragments] = []
    for hap_index, hap in enumerate(haplotypes):
        window_start = hap.window.start
        hap_lo = hap.to_hap(window_start + lo)
        hap_hi = hap.to_hap(window_start + hi) if hi < hap.window.end - window_start else len(hap)
        # unique fragments; duplicates add dup_rate on top so the depth includes them
        mean_count = (settings.depth * (1.0 - settings.dup_rate) * (hap_hi - hap_lo)
                      / (2 * read_len) / len(haplotypes))
        frags = _draw_fragments(hap, hap_lo, hap_hi, mean_count, settings, rng)
        _spike(frags, hap, hap_index, spikes, settings, rng)
        _oxog_hotspots(frags, hap, oxog_sites, read_len, rng)
        _oxog_background(frags, settings.oxog_rate, read_len, rng)
        if settings.ffpe_rate > 0:
            _oxog_background(frags, settings.ffpe_rate, read_len, rng, damaged=C, changed=T)
        parts.append(frags)
    frags = _Fragments(*(np.concatenate([getattr(p, name) for p in parts])
                         for name in ("starts", "lengths", "left", "right", "orientation")))
    n_left = np.count_nonzero(frags.left == N, axis=1)
    n_right = np.count_nonzero(frags.right == N, axis=1)
    ok = (n_left <= MAX_N_FRACTION * read_len) & (n_right <= MAX_N_FRACTION * read_len)
    frags = _Fragments(*(getattr(frags, name)[ok]
                         for name in ("starts", "lengths", "left", "right", "orientation")))
    source, is_dup = _duplicates(frags, settings, rng)
    order = rng.permutation(source.size)
    source, is_dup = source[order], is_dup[order]
    left, right = frags.left[source], frags.right[source]
    orientation = frags.orientation[source]
    right_rc = reverse_complement(right)
    forward = (orientation == F1R2)[:, None]
    read1 = np.where(forward, left, right_rc)
    read2 = np.where(forward, right_rc, left)
    qual1 = settings.read1_model.qualities(source.size, read_len, rng)
    qual2 = settings.read2_model.qualities(source.size, read_len, rng)
    read1, qual1 = settings.read1_model.apply_slippage(read1, qual1, rng)
    read2, qual2 = settings.read2_model.apply_slippage(read2, qual2, rng)
    read1 = settings.read1_model.apply_errors(read1, qual1, rng)
    read2 = settings.read2_model.apply_errors(read2, qual2, rng)
    if settings.binned_qualities:
        qual1, qual2 = bin_qualities(qual1), bin_qualities(qual2)
    return ReadPairs(read1, read2, qual1, qual2, is_dup, orientation)


__all__ = ["COMPLEMENT", "F1R2", "F2R1", "ReadPairs", "ReadSettings", "SpikeIn",
           "simulate_reads"]
