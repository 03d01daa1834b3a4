"""The 83 COSMIC/PCAWG indel classes (ID83).

A channel is ``LENGTH:TYPE:UNIT:COUNT``:

* 1 bp indels: ``1:Del:C:n`` / ``1:Ins:T:n``. The indel base is written as its pyrimidine
  (a deleted or inserted G counts as C, an A as T). ``n`` is the number of copies of that
  base next to the event in the reference, not counting the deleted base itself, capped at
  5 (``5`` means 5 or more).
* Longer indels in repeats: ``L:Del:R:n`` / ``L:Ins:R:n`` with ``L`` the indel length
  capped at 5 and ``n`` the number of further copies of the whole indel sequence next to it
  in the reference, capped at 5.
* Longer deletions outside repeats (``n == 0``) with microhomology: ``L:Del:M:m``, where
  ``m`` (1 .. L - 1, capped at 5) is the longest stretch at the start of the deleted sequence
  that also follows the deletion, or at its end that also precedes it. A deletion with
  neither repeat nor microhomology is ``L:Del:R:0``.

Copies are counted on both sides of the event, so indels need not be left-aligned (for a
left-aligned indel the 5' side holds no copies and this is SigProfiler's 3' count).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

_CAP = 5


def _id83_channels() -> tuple[str, ...]:
    names = []
    for kind in ("Del", "Ins"):
        for base in "CT":
            names += [f"1:{kind}:{base}:{n}" for n in range(6)]
    for kind in ("Del", "Ins"):
        for length in range(2, 6):
            names += [f"{length}:{kind}:R:{n}" for n in range(6)]
    for length in range(2, 6):
        top = _CAP if length == _CAP else length - 1  # "5:Del:M:m" covers 5+ bp deletions
        names += [f"{length}:Del:M:{m}" for m in range(1, top + 1)]
    return tuple(names)


#: the 83 indel channels in COSMIC's row order
ID83_CHANNELS: tuple[str, ...] = _id83_channels()

_PYRIMIDINE = {"C": "C", "T": "T", "G": "C", "A": "T"}


@dataclass(frozen=True)
class IndelEvent:
    """A simple insertion or deletion with its reference flanks.

    Attributes
    ----------
    kind
        ``"Del"`` or ``"Ins"``.
    seq
        The deleted or inserted bases (no anchor base), upper case.
    left
        Reference bases 5' of the event (ending right before it), at least ``flank`` long
        unless the contig starts there.
    right
        Reference bases 3' of the event: for a deletion, those after the deleted bases; for
        an insertion, those after the insertion point.
    """

    kind: str
    seq: str
    left: str
    right: str

    def __post_init__(self) -> None:
        if self.kind not in ("Del", "Ins"):
            raise ValueError(f"IndelEvent.kind must be 'Del' or 'Ins', got {self.kind!r}")
        if not self.seq:
            raise ValueError("IndelEvent.seq must not be empty")


def _copies_right(unit: str, seq: str) -> int:
    """Number of whole copies of ``unit`` at the start of ``seq``."""
    n, size = 0, len(unit)
    while seq[n * size:(n + 1) * size] == unit:
        n += 1
    return n


def _copies_left(unit: str, seq: str) -> int:
    """Number of whole copies of ``unit`` at the end of ``seq``."""
    n, size, end = 0, len(unit), len(seq)
    while end - (n + 1) * size >= 0 and seq[end - (n + 1) * size:end - n * size] == unit:
        n += 1
    return n


def _microhomology(seq: str, left: str, right: str) -> int:
    """Longest prefix of ``seq`` that starts ``right`` or suffix of ``seq`` that ends ``left``."""
    best = 0
    for size in range(1, len(seq)):
        if right[:size] == seq[:size] or (len(left) >= size and left[-size:] == seq[-size:]):
            best = size
    return best


def id83_channel(event: IndelEvent) -> str | None:
    """The ID83 channel of an indel, or None when a base is not A, C, G or T.

    Examples
    --------
    >>> id83_channel(IndelEvent("Del", "T", left="GCA", right="TTTGC"))
    '1:Del:T:3'
    >>> id83_channel(IndelEvent("Ins", "G", left="TTA", right="ACG"))
    '1:Ins:C:0'
    >>> id83_channel(IndelEvent("Del", "ACGT", left="TTTAC", right="ACAAA"))
    '4:Del:M:2'
    >>> id83_channel(IndelEvent("Del", "AG", left="CCAG", right="AGAGT"))
    '2:Del:R:3'
    """
    seq = event.seq
    if any(base not in "ACGT" for base in seq):
        return None
    before = _copies_left(seq, event.left)
    after = _copies_right(seq, event.right)
    count = min(before + after, _CAP)
    if len(seq) == 1:
        return f"1:{event.kind}:{_PYRIMIDINE[seq]}:{count}"
    length = min(len(seq), _CAP)
    if event.kind == "Ins" or count > 0:
        return f"{length}:{event.kind}:R:{count}"
    homology = _microhomology(seq, event.left, event.right)
    if homology == 0:
        return f"{length}:Del:R:0"
    return f"{length}:Del:M:{min(homology, _CAP)}"
