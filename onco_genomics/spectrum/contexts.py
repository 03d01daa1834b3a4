"""Mutation channels of the COSMIC catalogs and the classification of substitutions into them.

Channel names and orders are SigProfiler's (SigProfilerMatrixGenerator writes SBS96, SBS1536
and DBS78 rows in alphabetical order, ID83 in COSMIC's plotting order), so a catalog written
by oncogen and one written by SigProfiler line up row for row.

* **SBS96** ``A[C>T]G``: the substitution is written from the pyrimidine (C or T) of the
  Watson-Crick pair, with the 5' and 3' neighbours read on that same strand (a G>A on the
  forward strand with context ``CGT`` is ``A[C>T]G``).
* **SBS1536** ``AA[C>T]GT``: the same with two bases on each side.
* **DBS78** ``CC>TT``: a doublet base substitution (two adjacent bases both changed) written
  from the strand whose reference dinucleotide is in COSMIC's list of 10 (AC, AT, CC, CG, CT,
  GC, TA, TC, TG, TT); palindromic reference dinucleotides (AT, CG, GC, TA) take the
  alternative allele spelled as COSMIC lists it.
* **ID83**: see :mod:`onco_genomics.spectrum.indel_classes`.
"""

from __future__ import annotations

import logging
from itertools import product
from typing import Literal

log = logging.getLogger(__name__)

ContextKind = Literal["sbs96", "sbs1536", "dbs78", "id83"]

#: all catalog kinds, in the order the CLI lists them
CONTEXT_KINDS: tuple[ContextKind, ...] = ("sbs96", "sbs1536", "dbs78", "id83")

#: SigProfiler's names for the catalog kinds (file suffixes, plot titles)
DISPLAY_NAMES: dict[str, str] = {
    "sbs96": "SBS96", "sbs1536": "SBS1536", "dbs78": "DBS78", "id83": "ID83",
}

BASES = "ACGT"
_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")

#: the six pyrimidine-centred substitution classes, in COSMIC's colour order
SBS6_CLASSES: tuple[str, ...] = ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G")


def reverse_complement(seq: str) -> str:
    """Reverse complement of an upper-case DNA string (``N`` stays ``N``).

    Examples
    --------
    >>> reverse_complement("ACGTN")
    'NACGT'
    """
    return seq.translate(_COMPLEMENT)[::-1]


def _sbs_channels(flank: int) -> tuple[str, ...]:
    names = []
    for sub in SBS6_CLASSES:
        for left in product(BASES, repeat=flank):
            for right in product(BASES, repeat=flank):
                names.append(f"{''.join(left)}[{sub}]{''.join(right)}")
    return tuple(sorted(names))


#: the 96 SBS channels in SigProfiler's (alphabetical) row order
SBS96_CHANNELS: tuple[str, ...] = _sbs_channels(1)
#: the 1,536 pentanucleotide SBS channels in SigProfiler's row order
SBS1536_CHANNELS: tuple[str, ...] = _sbs_channels(2)

#: COSMIC's 10 reference dinucleotides of DBS78 and their allowed alternatives
_DBS_REFS: dict[str, tuple[str, ...]] = {
    "AC": ("CA", "CG", "CT", "GA", "GG", "GT", "TA", "TG", "TT"),
    "AT": ("CA", "CC", "CG", "GA", "GC", "TA"),
    "CC": ("AA", "AG", "AT", "GA", "GG", "GT", "TA", "TG", "TT"),
    "CG": ("AT", "GC", "GT", "TA", "TC", "TT"),
    "CT": ("AA", "AC", "AG", "GA", "GC", "GG", "TA", "TC", "TG"),
    "GC": ("AA", "AG", "AT", "CA", "CG", "TA"),
    "TA": ("AT", "CG", "CT", "GC", "GG", "GT"),
    "TC": ("AA", "AG", "AT", "CA", "CG", "CT", "GA", "GG", "GT"),
    "TG": ("AA", "AC", "AT", "CA", "CC", "CT", "GA", "GC", "GT"),
    "TT": ("AA", "AC", "AG", "CA", "CC", "CG", "GA", "GC", "GG"),
}
#: the 78 DBS channels in SigProfiler's row order
DBS78_CHANNELS: tuple[str, ...] = tuple(
    sorted(f"{ref}>{alt}" for ref, alts in _DBS_REFS.items() for alt in alts))
_DBS78_SET = frozenset(DBS78_CHANNELS)


def sbs_channel(ref: str, alt: str, left: str, right: str) -> str | None:
    """The SBS channel of a substitution given its forward-strand flanks.

    Parameters
    ----------
    ref, alt
        Reference and alternative base on the forward strand.
    left, right
        The reference bases 5' and 3' of the site on the forward strand, of equal length
        (1 for SBS96, 2 for SBS1536).

    Returns
    -------
    str or None
        The channel name, or None when a base is not one of A, C, G, T (an ``N`` in the
        context, an IUPAC code in the allele) or ``ref == alt``.

    Examples
    --------
    >>> sbs_channel("G", "A", "C", "T")
    'A[C>T]G'
    >>> sbs_channel("C", "T", "TA", "GG")
    'TA[C>T]GG'
    """
    if len(left) != len(right):
        raise ValueError(f"flanks must have equal length, got {left!r} and {right!r}")
    if ref == alt or any(base not in BASES for base in (ref, alt, *left, *right)):
        return None
    if ref in "CT":
        return f"{left}[{ref}>{alt}]{right}"
    return (f"{reverse_complement(right)}[{reverse_complement(ref)}>"
            f"{reverse_complement(alt)}]{reverse_complement(left)}")


def dbs_channel(ref: str, alt: str) -> str | None:
    """The DBS78 channel of a doublet substitution (forward-strand alleles).

    Returns None when the alleles are not two bases each, contain a non-ACGT base, or
    share a base at either position (then it is not a doublet substitution).

    Examples
    --------
    >>> dbs_channel("CC", "TT")
    'CC>TT'
    >>> dbs_channel("GG", "AA")   # reverse complement of CC>TT
    'CC>TT'
    """
    if (len(ref) != 2 or len(alt) != 2 or ref[0] == alt[0] or ref[1] == alt[1]
            or any(base not in BASES for base in ref + alt)):
        return None
    name = f"{ref}>{alt}"
    if name in _DBS78_SET:
        return name
    name = f"{reverse_complement(ref)}>{reverse_complement(alt)}"
    if name in _DBS78_SET:
        return name
    raise AssertionError(f"DBS {ref}>{alt} maps to no COSMIC channel")  # pragma: no cover


def sbs96_of_1536(channel: str) -> str:
    """Collapse an SBS1536 channel to its SBS96 channel (``TA[C>T]GG`` -> ``A[C>T]G``)."""
    return channel[1:-1]
