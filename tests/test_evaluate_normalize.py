"""Tests for onco_genomics.io.normalize (left-alignment and trimming; old path evaluate.normalize).

Known answers are worked by hand; the properties (idempotence, one normal form for every
representation of the same haplotype) are checked with Hypothesis on random sequences over
small alphabets, which are full of homopolymers and short tandem repeats.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onco_genomics.errors import InputFileError
from onco_genomics.io.normalize import normalize_variant
from onco_genomics.io.variants import Variant


class SeqRef:
    """In-memory reference with the fetch(chrom, start, end) interface."""

    def __init__(self, seqs: dict[str, str]) -> None:
        self.seqs = seqs

    def fetch(self, chrom: str, start: int, end: int) -> str:
        return self.seqs[chrom][start:end]


def _key(v: Variant) -> tuple[int, str, str]:
    return (v.pos, v.ref, v.alt)


#       0123456789
SEQ = "GCAAAATCACACAG"
REF = SeqRef({"1": SEQ})


@pytest.mark.parametrize(
    ("pos", "ref", "alt", "expected"),
    [
        # deletion of one A in the AAAA run, written at its right end -> leftmost, anchored on C
        (4, "AA", "A", (1, "CA", "C")),
        (5, "AT", "T", (1, "CA", "C")),  # right-anchored style
        (1, "CAAAAT", "CAAAT", (1, "CA", "C")),  # padded on both sides
        # insertion of A in the run
        (5, "A", "AA", (1, "C", "CA")),
        (1, "C", "CA", (1, "C", "CA")),  # already normal
        # CA repeat at 7..12 (CACACA): deleting one CA unit anywhere -> leftmost, anchor T
        (10, "ACA", "A", (6, "TCA", "T")),
        (9, "CAC", "C", (6, "TCA", "T")),
        # SNV and MNV padding is trimmed, no anchor kept
        (0, "GC", "TC", (0, "G", "T")),
        (0, "GC", "GT", (1, "C", "T")),
        (2, "AAA", "ACG", (3, "AA", "CG")),
        # contig start: nothing to extend into, the anchor stays after the event
        (0, "GC", "C", (0, "GC", "C")),
        (0, "G", "AG", (0, "G", "AG")),
    ],
)
def test_known_answers(pos: int, ref: str, alt: str, expected: tuple[int, str, str]) -> None:
    assert _key(normalize_variant(Variant("1", pos, ref, alt), REF)) == expected


def test_other_fields_kept_and_lower_case_accepted() -> None:
    v = Variant("1", 4, "aa", "a", id="x", info={"VAF": 0.2}, filters=("PASS",))
    out = normalize_variant(v, REF)
    assert _key(out) == (1, "CA", "C")
    assert out.id == "x" and out.info == {"VAF": 0.2} and out.filters == ("PASS",)


def test_symbolic_and_identity_unchanged() -> None:
    for v in (Variant("1", 2, "A", "<DEL>"), Variant("1", 2, "A", "*"), Variant("1", 2, "A", "A")):
        assert normalize_variant(v, REF) is v


def test_without_reference_only_trims() -> None:
    assert _key(normalize_variant(Variant("1", 4, "AAT", "AT"), None)) == (4, "AA", "A")
    assert _key(normalize_variant(Variant("1", 0, "GC", "GT"), None)) == (1, "C", "T")


def test_ref_mismatch_is_a_user_error() -> None:
    with pytest.raises(InputFileError, match="expected REF to match the reference"):
        normalize_variant(Variant("1", 0, "T", "A"), REF)
    with pytest.raises(InputFileError, match="none"):
        normalize_variant(Variant("1", 40, "A", "T"), REF)


def test_long_repeat_crosses_fetch_blocks() -> None:
    seq = "G" + "A" * 1000 + "T"
    ref = SeqRef({"1": seq})
    out = normalize_variant(Variant("1", 1000, "AT", "T"), ref)
    assert _key(out) == (0, "GA", "G")


# ----------------------------------------------------------------------------- properties

sequences = st.text(alphabet="AC", min_size=6, max_size=30) | st.text(
    alphabet="ACGT", min_size=6, max_size=30)


@st.composite
def indel_cases(draw: st.DrawFn) -> tuple[str, int, int, str]:
    """A reference and an indel as (seq, start, end, inserted): seq[start:end] -> inserted."""
    seq = draw(sequences)
    start = draw(st.integers(1, len(seq) - 2))
    if draw(st.booleans()):  # deletion
        end = draw(st.integers(start + 1, min(len(seq) - 1, start + 6)))
        inserted = ""
    else:
        end = start
        inserted = draw(st.text(alphabet="AC", min_size=1, max_size=5))
    return seq, start, end, inserted


def _representation(seq: str, start: int, end: int, inserted: str, left: int,
                    right: int) -> Variant:
    """The change seq[start:end] -> inserted, written with `left`/`right` padding bases."""
    a, b = start - left, end + right
    return Variant("1", a, seq[a:b], seq[a:start] + inserted + seq[end:b])


@settings(max_examples=300, deadline=None)
@given(indel_cases(), st.data())
def test_padded_representations_normalise_to_one(case: tuple[str, int, int, str],
                                                 data: st.DataObject) -> None:
    seq, start, end, inserted = case
    ref = SeqRef({"1": seq})
    left = data.draw(st.integers(1, start))
    right = data.draw(st.integers(0, len(seq) - end))
    anchored = normalize_variant(_representation(seq, start, end, inserted, 1, 0), ref)
    padded = normalize_variant(_representation(seq, start, end, inserted, left, right), ref)
    assert _key(padded) == _key(anchored)


@settings(max_examples=200, deadline=None)
@given(sequences, st.integers(1, 3), st.data())
def test_all_equivalent_deletions_normalise_to_one(seq: str, length: int,
                                                   data: st.DataObject) -> None:
    """Every deletion of `length` bases that yields the same haplotype has one normal form."""
    ref = SeqRef({"1": seq})
    by_haplotype: dict[str, set[tuple[int, str, str]]] = {}
    for start in range(1, len(seq) - length + 1):
        haplotype = seq[:start] + seq[start + length:]
        v = Variant("1", start - 1, seq[start - 1:start + length], seq[start - 1])
        by_haplotype.setdefault(haplotype, set()).add(_key(normalize_variant(v, ref)))
    for forms in by_haplotype.values():
        assert len(forms) == 1


@settings(max_examples=200, deadline=None)
@given(sequences, st.text(alphabet="AC", min_size=1, max_size=3))
def test_all_equivalent_insertions_normalise_to_one(seq: str, inserted: str) -> None:
    ref = SeqRef({"1": seq})
    by_haplotype: dict[str, set[tuple[int, str, str]]] = {}
    for start in range(1, len(seq) + 1):
        haplotype = seq[:start] + inserted + seq[start:]
        v = Variant("1", start - 1, seq[start - 1], seq[start - 1] + inserted)
        by_haplotype.setdefault(haplotype, set()).add(_key(normalize_variant(v, ref)))
    for forms in by_haplotype.values():
        assert len(forms) == 1


@settings(max_examples=300, deadline=None)
@given(indel_cases(), st.data())
def test_idempotent_and_leftmost(case: tuple[str, int, int, str], data: st.DataObject) -> None:
    seq, start, end, inserted = case
    ref = SeqRef({"1": seq})
    left = data.draw(st.integers(1, start))
    right = data.draw(st.integers(0, len(seq) - end))
    v = _representation(seq, start, end, inserted, left, right)
    once = normalize_variant(v, ref)
    assert normalize_variant(once, ref) == once
    # the normal form describes the same haplotype
    hap = seq[:v.pos] + v.alt + seq[v.end:]
    assert seq[:once.pos] + once.alt + seq[once.end:] == hap
    # parsimonious: an indel keeps exactly one shared anchor base, or none for substitutions
    if len(once.ref) != len(once.alt) and once.pos > 0:
        assert once.ref[0] == once.alt[0]
        assert min(len(once.ref), len(once.alt)) == 1
        # leftmost: the bases before cannot be shifted (the last bases of the alleles differ)
        assert once.ref[-1] != once.alt[-1]


def test_old_import_paths_still_work() -> None:
    """normalize moved from evaluate/ to io/, and io/variants.py was split in four; the old
    paths re-export the same objects so user code keeps working."""
    import onco_genomics.evaluate.normalize as old_normalize
    import onco_genomics.io.normalize as new_normalize
    import onco_genomics.io.variants as variants
    from onco_genomics.io import maf, variant_record, vcf_reader, vcf_writer

    assert old_normalize.normalize_variant is new_normalize.normalize_variant
    assert old_normalize.SequenceSource is new_normalize.SequenceSource
    assert variants.Variant is variant_record.Variant
    assert variants.VcfHeader is variant_record.VcfHeader
    assert variants.write_vcf is vcf_writer.write_vcf
    assert variants.detect_format is vcf_reader.detect_format
    assert variants.vcf_info is vcf_reader.vcf_info
    assert callable(maf.read_maf)
    for name in variants.__all__:
        assert getattr(variants, name) is not None
