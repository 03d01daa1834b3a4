"""Tests for the column kernels and the tensor encoder (onco_genomics.pileup.columns/encode).

Property tests (Hypothesis) draw random reads with matches, insertions, deletions and
soft clips over a random reference, build :class:`ReadArrays` directly (no BAM), and check
the encoder's invariants: counts sum to depth in every column, allele fractions sum to
one where there are reads, a site without reads encodes to zeros, and the encoding is
deterministic.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onco_genomics.pileup.candidates import ALLELES, AlleleDepths, Candidate
from onco_genomics.pileup.columns import (
    FEATURES,
    MAX_INSERT_COLUMNS,
    ColumnLayout,
    ColumnStats,
    accumulate_columns,
    augmented_layout,
    scan_indels,
)
from onco_genomics.pileup.encode import (
    CENTER,
    CHANNELS,
    CHANNELS_BY_VERSION,
    DEPTH_SCALE,
    ENCODER_VERSION,
    WINDOW,
    PileupBatch,
    encode_candidates,
    encoder_spec,
    window_columns,
)
from onco_genomics.pileup.fetch import ReadArrays

SPAN = 120  # reference positions of the synthetic span (starting at 0)

ReadSpec = tuple[int, list[tuple[int, int]], list[int], list[int], bool]


def make_reads(specs: list[ReadSpec]) -> ReadArrays:
    """ReadArrays from (pos, cigar, base codes, qualities, reverse) tuples."""
    specs = sorted(specs, key=lambda s: s[0])
    seq_start = np.zeros(len(specs) + 1, dtype=np.int64)
    cigar_start = np.zeros(len(specs) + 1, dtype=np.int64)
    bases: list[int] = []
    quals: list[int] = []
    ops: list[int] = []
    lens: list[int] = []
    for i, (_, cigar, seq, qual, _) in enumerate(specs):
        bases += seq
        quals += qual
        ops += [op for op, _ in cigar]
        lens += [n for _, n in cigar]
        seq_start[i + 1] = len(bases)
        cigar_start[i + 1] = len(ops)
    pos = np.array([s[0] for s in specs], dtype=np.int64)
    return ReadArrays(ref_start=pos, count_from=pos.copy(),
                      mapq=np.full(len(specs), 60, dtype=np.int32),
                      reverse=np.array([s[4] for s in specs], dtype=bool),
                      f1r2=np.array([not s[4] for s in specs], dtype=bool),  # unpaired
                      seq_start=seq_start, bases=np.array(bases, dtype=np.uint8),
                      quals=np.array(quals, dtype=np.uint8), cigar_start=cigar_start,
                      cigar_ops=np.array(ops, dtype=np.uint8),
                      cigar_lens=np.array(lens, dtype=np.int64))


@st.composite
def read_specs(draw: st.DrawFn) -> ReadSpec:
    pos = draw(st.integers(0, SPAN - 30))
    cigar: list[tuple[int, int]] = []
    if draw(st.booleans()):
        cigar.append((4, draw(st.integers(1, 5))))
    cigar.append((0, draw(st.integers(1, 10))))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from([1, 2]))
        cigar.append((op, draw(st.integers(1, 6))))
        cigar.append((0, draw(st.integers(1, 10))))
    if draw(st.booleans()):
        cigar.append((4, draw(st.integers(1, 5))))
    qlen = sum(n for op, n in cigar if op in (0, 1, 4))
    seq = draw(st.lists(st.integers(0, 4), min_size=qlen, max_size=qlen))
    qual = draw(st.lists(st.integers(0, 40), min_size=qlen, max_size=qlen))
    return (pos, cigar, seq, qual, draw(st.booleans()))


def columns_for(samples: list[ReadArrays], ref_codes: np.ndarray, *, min_baseq: int = 10,
                max_depth: int = 2000) -> tuple[ColumnLayout, list[ColumnStats]]:
    scans = [scan_indels(reads, ref_codes, 0, 0, SPAN) for reads in samples]
    layout = augmented_layout(0, np.maximum.reduce([s.max_insert for s in scans]))
    stats = [accumulate_columns(r, s, layout, min_baseq=min_baseq, max_depth=max_depth)
             for r, s in zip(samples, scans, strict=True)]
    return layout, stats


def snv(pos: int, ref_codes: np.ndarray) -> Candidate:
    ref = "ACGT"[int(ref_codes[pos]) % 4]
    alt = "ACGT"[(int(ref_codes[pos]) + 1) % 4]
    depths = AlleleDepths(0, 0, 0)
    return Candidate("c", pos, ref, alt, "SNV", depths, depths)


def channel(name: str) -> int:
    return CHANNELS.index(name)


ref_strategy = st.lists(st.integers(0, 3), min_size=SPAN + 40, max_size=SPAN + 40).map(
    lambda v: np.array(v, dtype=np.int8))


@settings(max_examples=40, deadline=None)
@given(tumor=st.lists(read_specs(), max_size=12), normal=st.lists(read_specs(), max_size=6),
       ref_codes=ref_strategy, site=st.integers(0, SPAN - 1))
def test_counts_sum_to_depth_and_fractions_to_one(tumor: list[ReadSpec], normal: list[ReadSpec],
                                                   ref_codes: np.ndarray, site: int) -> None:
    samples = [make_reads(tumor), make_reads(normal)]
    layout, stats = columns_for(samples, ref_codes)
    for s in stats:
        np.testing.assert_array_equal(s.sums[FEATURES.index("reads")].sum(axis=0), s.depth)
        assert np.all(s.sums[FEATURES.index("forward")] <= s.sums[FEATURES.index("reads")])
        # unpaired reads count as read 1: F1R2 exactly when forward
        np.testing.assert_array_equal(s.sums[FEATURES.index("f1r2")],
                                      s.sums[FEATURES.index("forward")])
    assert np.all(layout.inserted <= MAX_INSERT_COLUMNS)
    batch = encode_candidates([snv(site, ref_codes)], layout=layout,
                              reference_columns=layout.reference_columns(ref_codes[:SPAN]),
                              tumor=stats[0], normal=stats[1])
    tensor = batch.tensors[0]
    assert np.all(np.isfinite(tensor)) and tensor.min() >= 0.0 and tensor.max() <= 1.0
    cols = layout.column_of[site] + np.arange(WINDOW) - CENTER
    for sample, s in zip(("tumor", "normal"), stats, strict=True):
        frac = tensor[[channel(f"{sample}_frac_{a}") for a in ALLELES]].sum(axis=0)
        depth = np.where((cols >= 0) & (cols < layout.n_columns),
                         s.depth[np.clip(cols, 0, layout.n_columns - 1)], 0)
        np.testing.assert_allclose(frac, (depth > 0).astype(np.float32), atol=1e-5)
        decoded = np.expm1(tensor[channel(f"{sample}_depth")] * np.log1p(DEPTH_SCALE))
        np.testing.assert_allclose(decoded, depth, rtol=1e-4, atol=1e-3)
    # deterministic
    again = encode_candidates([snv(site, ref_codes)], layout=layout,
                              reference_columns=layout.reference_columns(ref_codes[:SPAN]),
                              tumor=stats[0], normal=stats[1])
    np.testing.assert_array_equal(again.tensors, batch.tensors)
    _, stats2 = columns_for([make_reads(tumor), make_reads(normal)], ref_codes)
    for a, b in zip(stats, stats2, strict=True):
        np.testing.assert_array_equal(a.sums, b.sums)


@settings(max_examples=20, deadline=None)
@given(tumor=st.lists(read_specs(), min_size=1, max_size=10), ref_codes=ref_strategy,
       site=st.integers(0, SPAN - 1), seed=st.integers(0, 2**16))
def test_pair_orientation_is_counted_and_encoded_from_1_1(tumor: list[ReadSpec],
                                                     ref_codes: np.ndarray, site: int,
                                                     seed: int) -> None:
    """The ``f1r2`` feature counts F1R2 reads per allele; encoder 1.0 ignores it, 1.1 shows
    it as ``f1r2_*`` channels (share of the allele's reads in F1R2 orientation)."""
    unpaired = make_reads(tumor)
    flipped = np.random.default_rng(seed).random(len(unpaired)) < 0.5
    paired = dataclasses.replace(unpaired, f1r2=unpaired.f1r2 ^ flipped)
    layout, (stats_u, _) = columns_for([unpaired, make_reads([])], ref_codes)
    _, (stats_p, _) = columns_for([paired, make_reads([])], ref_codes)
    f1r2 = FEATURES.index("f1r2")
    assert FEATURES[:f1r2] == ("reads", "forward", "baseq", "mapq", "clipped", "end_distance")
    np.testing.assert_array_equal(stats_u.sums[:f1r2], stats_p.sums[:f1r2])
    assert np.all(stats_p.sums[f1r2] <= stats_p.sums[FEATURES.index("reads")])
    # every counted read is F1R2 or F2R1: the two orientations' counts add up to the reads
    negated = dataclasses.replace(paired, f1r2=~paired.f1r2)
    _, (stats_n, _) = columns_for([negated, make_reads([])], ref_codes)
    np.testing.assert_array_equal(stats_p.sums[f1r2] + stats_n.sums[f1r2],
                                  stats_p.sums[FEATURES.index("reads")])
    empty = ColumnStats(sums=np.zeros_like(stats_u.sums), depth=np.zeros_like(stats_u.depth))
    encoded = {version: [encode_candidates(
        [snv(site, ref_codes)], layout=layout,
        reference_columns=layout.reference_columns(ref_codes[:SPAN]), tumor=stats,
        normal=empty, version=version).tensors for stats in (stats_u, stats_p)]
        for version in ("1.0", "1.1")}
    np.testing.assert_array_equal(encoded["1.0"][0], encoded["1.0"][1])
    old = encoded["1.0"][0].shape[1]
    for tensors, stats in zip(encoded["1.1"], (stats_u, stats_p), strict=True):
        np.testing.assert_array_equal(tensors[:, :old], encoded["1.0"][0])
        names = CHANNELS_BY_VERSION["1.1"]
        first = names.index(f"tumor_f1r2_{ALLELES[0]}")
        f1r2 = tensors[0, first:first + len(ALLELES)]  # (alleles, WINDOW)
        frac = tensors[0, names.index(f"tumor_frac_{ALLELES[0]}"):][:len(ALLELES)]
        assert np.all((f1r2 >= 0) & (f1r2 <= 1)) and not np.any(f1r2[frac == 0])
        assert not tensors[0, names.index(f"normal_f1r2_{ALLELES[0]}"):].any()
        # the counts come back from the shares at the centre column
        columns = window_columns([snv(site, ref_codes)], layout)[0]
        col = columns[CENTER]
        reads = stats.sums[FEATURES.index("reads"), :, col]
        np.testing.assert_allclose(f1r2[:, CENTER] * reads,
                                   stats.sums[FEATURES.index("f1r2"), :, col], atol=1e-3)


@settings(max_examples=25, deadline=None)
@given(ref_codes=ref_strategy, site=st.integers(0, SPAN - 1))
def test_site_without_reads_encodes_to_zeros(ref_codes: np.ndarray, site: int) -> None:
    layout, stats = columns_for([make_reads([]), make_reads([])], ref_codes)
    batch = encode_candidates([snv(site, ref_codes)], layout=layout,
                              reference_columns=layout.reference_columns(ref_codes[:SPAN]),
                              tumor=stats[0], normal=stats[1])
    reads_part = batch.tensors[0, 2 * len(ALLELES):]
    assert not reads_part.any()
    # the reference and the candidate allele are still shown
    assert batch.tensors[0, channel("alt_" + batch.candidates[0].alt), CENTER] == 1.0
    assert batch.tensors[0, channel("ref_" + batch.candidates[0].ref), CENTER] == 1.0


def test_insertion_columns_and_gaps() -> None:
    ref_codes = np.zeros(SPAN + 40, dtype=np.int8)  # all A
    # read 1: 10M 2I 10M from 40 (insertion "CG" after position 49); read 2: 30M from 35
    ins = (40, [(0, 10), (1, 2), (0, 10)], [0] * 10 + [1, 2] + [0] * 10, [30] * 22, False)
    plain = (35, [(0, 30)], [0] * 30, [30] * 30, True)
    layout, stats = columns_for([make_reads([ins, plain]), make_reads([])], ref_codes)
    assert layout.inserted[49] == 2 and layout.inserted.sum() == 2
    col = layout.column_of[49]
    assert layout.column_of[50] == col + 3
    sums = stats[0].sums[FEATURES.index("reads")]
    # inserted columns: read 1 shows C then G, read 2 a gap in each
    assert sums[ALLELES.index("C"), col + 1] == 1 and sums[ALLELES.index("gap"), col + 1] == 1
    assert sums[ALLELES.index("G"), col + 2] == 1 and sums[ALLELES.index("gap"), col + 2] == 1
    assert stats[0].depth[col] == 2 and stats[0].depth[col + 1] == 2
    # the insertion's tensor marks its bases in the inserted columns
    cand = Candidate("c", 49, "A", "ACG", "INS", AlleleDepths(1, 1, 2), AlleleDepths(0, 0, 0))
    batch = encode_candidates([cand], layout=layout,
                              reference_columns=layout.reference_columns(ref_codes[:SPAN]),
                              tumor=stats[0], normal=stats[1])
    t = batch.tensors[0]
    assert t[channel("alt_C"), CENTER + 1] == 1.0 and t[channel("alt_G"), CENTER + 2] == 1.0
    assert t[channel("ref_gap"), CENTER + 1] == 1.0 and t[channel("ref_A"), CENTER + 3] == 1.0
    assert t[channel("tumor_frac_C"), CENTER + 1] == pytest.approx(0.5)
    # strand: read 1 forward, read 2 reverse
    assert t[channel("tumor_fwd_C"), CENTER + 1] == pytest.approx(0.5)
    assert t[channel("tumor_fwd_gap"), CENTER + 1] == 0.0


def test_deletion_marks_and_max_depth() -> None:
    ref_codes = np.array([0, 1, 2, 3] * 40, dtype=np.int8)
    dels = [(30, [(0, 20), (2, 3), (0, 20)], [int(c) for c in np.r_[ref_codes[30:50],
                                                                   ref_codes[53:73]]],
             [35] * 40, False)] * 3
    layout, stats = columns_for([make_reads(dels), make_reads([])], ref_codes, max_depth=2)
    assert stats[0].depth.max() == 2  # capped
    deleted = "".join("ACGT"[c] for c in ref_codes[49:53])  # anchor + 3 deleted bases
    cand = Candidate("c", 49, deleted, deleted[0], "DEL", AlleleDepths(0, 2, 2),
                     AlleleDepths(0, 0, 0))
    batch = encode_candidates([cand], layout=layout,
                              reference_columns=layout.reference_columns(ref_codes[:SPAN]),
                              tumor=stats[0], normal=stats[1])
    t = batch.tensors[0]
    np.testing.assert_array_equal(np.flatnonzero(t[channel("alt_gap")]), CENTER + np.arange(1, 4))
    assert t[channel("tumor_frac_gap"), CENTER + 1] == 1.0
    assert t[channel("tumor_baseq_A"), CENTER + 4 - 1] == 0.0  # deletions have no base quality


def test_pileup_batch_invariants() -> None:
    depths = AlleleDepths(1, 1, 2)
    cand = Candidate("c", 5, "A", "C", "SNV", depths, depths)
    ok = np.zeros((1, len(CHANNELS), WINDOW), dtype=np.float32)
    assert len(PileupBatch((cand,), ok)) == 1
    with pytest.raises(ValueError, match="shape"):
        PileupBatch((cand, cand), ok)
    with pytest.raises(ValueError, match="float32"):
        PileupBatch((cand,), ok.astype(np.float64))
    with pytest.raises(ValueError, match="shape"):
        PileupBatch((cand,), ok[:, :, :-1])
    assert PileupBatch.empty().tensors.shape == (0, len(CHANNELS), WINDOW)
    with pytest.raises(ValueError, match="ref \\+ alt <= depth"):
        AlleleDepths(2, 1, 2)
    with pytest.raises(ValueError, match="DEL"):
        Candidate("c", 5, "A", "AC", "DEL", depths, depths)
    assert depths.af == 0.5 and AlleleDepths(0, 0, 0).af == 0.0


def test_encoder_spec_is_json_and_matches_constants() -> None:
    spec = json.loads(json.dumps(encoder_spec()))
    assert spec["version"] == ENCODER_VERSION
    assert spec["window"] == WINDOW and spec["center"] == CENTER
    assert spec["channels"] == list(CHANNELS) and len(set(CHANNELS)) == len(CHANNELS)
    assert "normalisation" in spec


@st.composite
def match_reads(draw: st.DrawFn) -> ReadSpec:
    """Reads without indels (optionally soft-clipped) lying inside the span."""
    n = draw(st.integers(1, 30))
    pos = draw(st.integers(0, SPAN - n))
    left = draw(st.integers(0, 4))
    right = draw(st.integers(0, 4))
    cigar = ([(4, left)] if left else []) + [(0, n)] + ([(4, right)] if right else [])
    qlen = left + n + right
    seq = draw(st.lists(st.integers(0, 4), min_size=qlen, max_size=qlen))
    qual = draw(st.lists(st.integers(0, 40), min_size=qlen, max_size=qlen))
    return (pos, cigar, seq, qual, draw(st.booleans()))


def reverse_complement(spec: ReadSpec) -> ReadSpec:
    pos, cigar, seq, qual, reverse = spec
    n = sum(length for op, length in cigar if op == 0)
    comp = [3 - c if c < 4 else c for c in reversed(seq)]
    return (SPAN - pos - n, cigar[::-1], comp, qual[::-1], not reverse)


@settings(max_examples=30, deadline=None)
@given(tumor=st.lists(match_reads(), max_size=10), normal=st.lists(match_reads(), max_size=5),
       ref_codes=ref_strategy, site=st.integers(0, SPAN - 1))
def test_reverse_complement_symmetry(tumor: list[ReadSpec], normal: list[ReadSpec],
                                     ref_codes: np.ndarray, site: int) -> None:
    """Without indels, reverse-complementing reads and reference mirrors the window."""
    rc_ref = np.concatenate([3 - ref_codes[:SPAN][::-1], ref_codes[SPAN:]]).astype(np.int8)

    def encode(t: list[ReadSpec], n: list[ReadSpec], ref: np.ndarray, pos: int) -> np.ndarray:
        layout, stats = columns_for([make_reads(t), make_reads(n)], ref)
        return encode_candidates([snv(pos, ref)], layout=layout,
                                 reference_columns=layout.reference_columns(ref[:SPAN]),
                                 tumor=stats[0], normal=stats[1]).tensors[0]

    forward = encode(tumor, normal, ref_codes, site)
    mirrored = encode([reverse_complement(r) for r in tumor],
                      [reverse_complement(r) for r in normal], rc_ref, SPAN - 1 - site)
    # snv() picks alt = ref + 1, which is not the complement's ref + 1: compare alt apart
    complement = {"A": "T", "C": "G", "G": "C", "T": "A", "gap": "gap"}
    for name in CHANNELS:
        prefix, _, allele = name.rpartition("_")
        if name.startswith("alt_"):
            continue
        if allele in complement and not name.endswith("_depth"):
            twin = f"{prefix}_{complement[allele]}"
        else:
            twin = name
        expected = forward[channel(name)]
        if "_fwd_" in name:  # strands swap: forward reads become reverse reads
            expected = forward[channel(name.replace("_fwd_", "_frac_"))] - expected
        if "_f1r2_" in name:  # unpaired reads: F1R2 = forward, so orientations swap too
            has_reads = forward[channel(name.replace("_f1r2_", "_frac_"))] > 0
            expected = np.where(has_reads, 1.0 - expected, 0.0)
        np.testing.assert_allclose(mirrored[channel(twin)][::-1], expected, atol=1e-6,
                                   err_msg=name)


class _SeqRef:
    def __init__(self, seq: str) -> None:
        self.seq = seq

    def fetch(self, chrom: str, start: int, end: int) -> str:
        return self.seq[start:end]


@settings(max_examples=60, deadline=None)
@given(ref_text=st.text(alphabet="AC", min_size=200, max_size=200),
       site=st.integers(60, 120), size=st.integers(1, 6), is_insertion=st.booleans(),
       inserted=st.text(alphabet="AC", min_size=6, max_size=6))
def test_read_indels_are_left_aligned_like_vcf_normalisation(
        ref_text: str, site: int, size: int, is_insertion: bool, inserted: str) -> None:
    """An indel placed anywhere in a repeat ends up at the anchor ``normalize_variant``
    gives, so the inserted columns and the candidate agree (two-letter references are
    full of homopolymers and tandem repeats)."""
    from onco_genomics.io.normalize import normalize_variant
    from onco_genomics.io.variants import Variant

    codes = np.array(["ACGT".index(b) for b in ref_text], dtype=np.int8)
    if is_insertion:
        piece = inserted[:size]
        seq = ref_text[:site + 1] + piece + ref_text[site + 1:site + 60]
        cigar = [(0, site + 1), (1, size), (0, 59)]
        truth = Variant("c", site, ref_text[site], ref_text[site] + piece)
    else:
        seq = ref_text[:site + 1] + ref_text[site + 1 + size:site + 60 + size]
        cigar = [(0, site + 1), (2, size), (0, 59)]
        truth = Variant("c", site, ref_text[site:site + 1 + size], ref_text[site])
    spec = (0, cigar, ["ACGT".index(b) for b in seq], [30] * len(seq), False)
    reads = make_reads([spec])
    found = scan_indels(reads, codes, 0, 0, 200)
    expected = normalize_variant(truth, _SeqRef(ref_text))
    assert len(found.events) == 1
    event_anchor = int(found.events.anchor[0])
    assert event_anchor == expected.pos
    assert int(found.events.length[0]) == (size if is_insertion else -size)
    if is_insertion:
        offset = int(found.events.query_offset[0])
        got = "".join("ACGT"[c] for c in reads.bases[offset:offset + size])
        assert got == expected.alt[1:]
    # the CIGAR still spells the same read: aligned length unchanged
    assert int(found.ref_end[0]) == (site + 60 if is_insertion else site + 60 + size)
