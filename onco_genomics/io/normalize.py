"""Variant normalisation: left-align and trim alleles against the reference.

Two callers can write the same indel in different ways (``CAA>C`` at the start of an
``AAAA`` run, or ``AAA>A`` at its end; with or without extra padding bases). Comparing
calls with a truth set needs one representation, the one ``vt normalize`` and
``bcftools norm`` produce (Tan, Abecasis and Kang 2015, *Bioinformatics* 31:2202):

1. while both alleles end with the same base, drop it; when an allele becomes empty,
   prepend the reference base to the left of the variant to both alleles (the variant
   moves one base left);
2. then, while both alleles are at least two bases long and start with the same base,
   drop that base (the variant moves one base right), so an indel keeps exactly one
   anchor base and an SNV/MNV keeps none.

The result is the leftmost, most parsimonious representation, and it is unique for all
representations of the same haplotype change.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Protocol

from onco_genomics.errors import InputFileError
from onco_genomics.io.variant_record import Variant

log = logging.getLogger(__name__)

#: bases fetched per step while sliding an indel left through a repeat
_CONTEXT_BLOCK = 256

_NUCLEOTIDES = frozenset("ACGTN")


class SequenceSource(Protocol):
    """Anything that returns reference bases for a 0-based half-open interval."""

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Bases of ``chrom`` in ``[start, end)``."""
        ...


class _LeftContext:
    """Reference bases to the left of a position, fetched in blocks as the variant moves."""

    def __init__(self, reference: SequenceSource, chrom: str) -> None:
        self.reference = reference
        self.chrom = chrom
        self.start = 0
        self.end = 0
        self.bases = ""

    def base(self, pos: int) -> str:
        """The (upper-case) reference base at 0-based ``pos``."""
        if not self.start <= pos < self.end:
            start = max(0, pos - _CONTEXT_BLOCK + 1)
            self.bases = self.reference.fetch(self.chrom, start, pos + 1).upper()
            self.start, self.end = start, start + len(self.bases)
            if not self.start <= pos < self.end:
                raise InputFileError(
                    f"expected reference sequence at {self.chrom}:{pos + 1}, found none "
                    "(the position is past the contig end); check that the VCF and the "
                    "reference are the same genome build"
                )
        return self.bases[pos - self.start]


def is_normalizable(variant: Variant) -> bool:
    """Whether both alleles are plain sequence (no symbolic ``<DEL>``, ``*`` or breakends)."""
    return set(variant.ref.upper()) <= _NUCLEOTIDES and set(variant.alt.upper()) <= _NUCLEOTIDES


def normalize_variant(variant: Variant, reference: SequenceSource | None, *,
                      check_ref: bool = True) -> Variant:
    """Left-align and trim one bi-allelic variant (``vt normalize`` / ``bcftools norm``).

    Parameters
    ----------
    variant
        The variant; one ALT allele (split multi-allelic records first).
    reference
        Anything with ``fetch(chrom, start, end) -> str`` (0-based, half-open), e.g.
        :class:`onco_genomics.io.reference.Reference`. Without a reference the alleles are
        only trimmed (common suffix, then common prefix keeping one anchor base), which
        is enough for SNVs and MNVs but leaves indels in repeats where they were written.
    check_ref
        Verify that REF matches the reference and raise if not.

    Returns
    -------
    Variant
        A copy with ``pos``, ``ref`` and ``alt`` normalised; every other field is kept.
        Variants with symbolic alleles, or with ``ref == alt``, are returned unchanged.

    Raises
    ------
    InputFileError
        REF differs from the reference at that position (wrong genome build).

    Examples
    --------
    >>> class Ref:
    ...     def fetch(self, chrom, start, end):
    ...         return "GCAAAAT"[start:end]
    >>> v = normalize_variant(Variant("1", 4, "AA", "A"), Ref())
    >>> (v.pos, v.ref, v.alt)
    (1, 'CA', 'C')
    """
    ref, alt = variant.ref.upper(), variant.alt.upper()
    if ref == alt or not is_normalizable(variant):
        return variant
    pos = variant.pos
    if reference is not None and check_ref:
        found = reference.fetch(variant.chrom, pos, pos + len(ref)).upper()
        if found != ref:
            raise InputFileError(
                f"variant {variant.chrom}:{variant.vcf_pos} {variant.ref}>{variant.alt}: "
                "expected REF to match the reference, found reference bases "
                f"{found or '(none)'!r}; "
                "use the reference the VCF was made against (same genome build and contig names)"
            )
    context = _LeftContext(reference, variant.chrom) if reference is not None else None

    # 1. trim the common suffix, extending left whenever an allele runs empty
    while True:
        if ref and alt and ref[-1] == alt[-1]:
            if min(len(ref), len(alt)) == 1 and (context is None or pos == 0):
                break  # cannot extend: keep the base as the anchor
            ref, alt = ref[:-1], alt[:-1]
        elif not ref or not alt:
            assert context is not None  # only reached after a trim that needed it
            pos -= 1
            base = context.base(pos)
            ref, alt = base + ref, base + alt
        else:
            break
    # 2. trim the common prefix, keeping one base in each allele
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt = ref[1:], alt[1:]
        pos += 1
    if (pos, ref, alt) == (variant.pos, variant.ref, variant.alt):
        return variant
    return dataclasses.replace(variant, pos=pos, ref=ref, alt=alt)
