"""Candidate sites: the typed records of the scan and the vectorised proposal rules.

A candidate is one ALT allele at one site with enough tumour support
(:class:`PileupOptions` ``min_alt_reads`` and ``min_af``). Whether the normal also shows
the allele is recorded, never used to drop the site: the network learns to reject
germline variants and artefacts shared by both samples.

Positions are 0-based; alleles are VCF-style (indels carry the anchor base before the
event and are left-aligned against the reference).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from onco_genomics.errors import OptionsError

log = logging.getLogger(__name__)

VarType = Literal["SNV", "INS", "DEL"]

#: allele order of every per-allele array in the pileup package; "gap" is a deletion in a
#: reference column and "no inserted base" in an inserted column
ALLELES: tuple[str, ...] = ("A", "C", "G", "T", "gap")
_BASES = "ACGT"


@dataclass(frozen=True)
class PileupOptions:
    """Read filters and candidate thresholds of the scan.

    Attributes
    ----------
    min_mapq
        Reads with a lower mapping quality are ignored.
    min_baseq
        Bases with a lower base quality are not counted (nor are their columns' depth).
    min_alt_reads
        Tumour reads supporting an ALT allele needed to propose it.
    min_af
        Tumour allele fraction ``alt / depth`` needed to propose an allele.
    max_depth
        Reads counted per column and sample; further reads at a saturated column are
        ignored there (in the order the BAM lists them, so the result is deterministic).
    include_duplicates
        Count reads flagged as PCR/optical duplicates (0x400); off by default.
    flank
        Reference bases scanned beyond each side of the region, so that windows, mate
        overlaps and indels left-aligned into the region are seen whole.
    encoder_version
        Tensor layout to encode (:data:`onco_genomics.pileup.encode.ENCODER_VERSIONS`);
        the caller uses its model's.
    """

    min_mapq: int = 20
    min_baseq: int = 20
    min_alt_reads: int = 2
    min_af: float = 0.02
    max_depth: int = 2000
    include_duplicates: bool = False
    flank: int = 200
    encoder_version: str = "1.1"

    def __post_init__(self) -> None:
        from onco_genomics.pileup.encode import ENCODER_VERSIONS

        problems = []
        if self.encoder_version not in ENCODER_VERSIONS:
            problems.append(f"encoder_version must be one of {', '.join(ENCODER_VERSIONS)}, "
                            f"got {self.encoder_version!r}")
        if not 0 <= self.min_mapq <= 255:
            problems.append(f"min_mapq must be in 0..255, got {self.min_mapq}")
        if not 0 <= self.min_baseq <= 93:
            problems.append(f"min_baseq must be in 0..93, got {self.min_baseq}")
        if self.min_alt_reads < 1:
            problems.append(f"min_alt_reads must be >= 1, got {self.min_alt_reads}")
        if not 0.0 <= self.min_af <= 1.0:
            problems.append(f"min_af must be in [0, 1], got {self.min_af}")
        if self.max_depth < 1:
            problems.append(f"max_depth must be >= 1, got {self.max_depth}")
        if self.flank < 64:
            problems.append(f"flank must be >= 64 bases (the encoder window), got {self.flank}")
        if problems:
            raise OptionsError("invalid pileup options: " + "; ".join(problems))


@dataclass(frozen=True)
class AlleleDepths:
    """Read support for one allele in one sample.

    ``ref`` and ``alt`` are reads showing the reference and the candidate allele;
    ``depth`` is all counted reads at the site (so ``ref + alt <= depth``; the rest show
    another allele). ``ref_f1r2`` and ``alt_f1r2`` are the part of ``ref`` and ``alt``
    in F1R2 pair orientation (read 1 forward or read 2 reverse, Mutect2's F1R2); the rest
    are F2R1 (:attr:`ref_f2r1`, :attr:`alt_f2r1`).
    """

    ref: int
    alt: int
    depth: int
    ref_f1r2: int = 0
    alt_f1r2: int = 0

    def __post_init__(self) -> None:
        if min(self.ref, self.alt, self.depth) < 0 or self.ref + self.alt > self.depth:
            raise ValueError(
                f"AlleleDepths needs 0 <= ref, alt and ref + alt <= depth, got "
                f"ref={self.ref} alt={self.alt} depth={self.depth}"
            )
        if not (0 <= self.ref_f1r2 <= self.ref and 0 <= self.alt_f1r2 <= self.alt):
            raise ValueError(
                f"AlleleDepths needs 0 <= ref_f1r2 <= ref and 0 <= alt_f1r2 <= alt, got "
                f"ref={self.ref} ref_f1r2={self.ref_f1r2} alt={self.alt} "
                f"alt_f1r2={self.alt_f1r2}"
            )

    @property
    def ref_f2r1(self) -> int:
        """Reference reads in F2R1 pair orientation."""
        return self.ref - self.ref_f1r2

    @property
    def alt_f2r1(self) -> int:
        """ALT reads in F2R1 pair orientation."""
        return self.alt - self.alt_f1r2

    @property
    def af(self) -> float:
        """ALT allele fraction ``alt / depth`` (0.0 without reads)."""
        return self.alt / self.depth if self.depth else 0.0


@dataclass(frozen=True)
class Candidate:
    """One ALT allele proposed at one site, with tumour and normal support."""

    chrom: str
    pos: int
    ref: str
    alt: str
    vartype: VarType
    tumor: AlleleDepths
    normal: AlleleDepths

    def __post_init__(self) -> None:
        if self.pos < 0:
            raise ValueError(f"Candidate position must be >= 0 (0-based), got {self.pos}")
        ok_bases = set(_BASES)
        if not self.ref or not self.alt or not set(self.ref + self.alt) <= ok_bases:
            raise ValueError(f"Candidate alleles must be non-empty ACGT, got {self.ref}>{self.alt}")
        nref, nalt = len(self.ref), len(self.alt)
        if self.vartype == "SNV":
            valid = nref == nalt == 1 and self.ref != self.alt
        elif self.vartype == "INS":
            valid = nref == 1 and nalt > 1 and self.alt[0] == self.ref
        elif self.vartype == "DEL":
            valid = nalt == 1 and nref > 1 and self.ref[0] == self.alt
        else:
            valid = False
        if not valid:
            raise ValueError(
                f"Candidate {self.chrom}:{self.pos + 1} {self.ref}>{self.alt} is not a valid "
                f"VCF-style {self.vartype}"
            )

    @property
    def sort_key(self) -> tuple[int, str, str]:
        """The order of candidates in a batch: ``(pos, ref, alt)``."""
        return (self.pos, self.ref, self.alt)

    @property
    def length(self) -> int:
        """Bases inserted or deleted (0 for an SNV)."""
        return abs(len(self.alt) - len(self.ref))


@dataclass(frozen=True)
class SnvSites:
    """SNV alleles that pass the thresholds, as parallel arrays (positions 0-based)."""

    pos: npt.NDArray[np.int64]
    ref_code: npt.NDArray[np.int8]
    alt_code: npt.NDArray[np.int8]

    def __post_init__(self) -> None:
        if not len(self.pos) == len(self.ref_code) == len(self.alt_code):
            raise ValueError("SnvSites arrays must have equal lengths")


def passes_thresholds(alt: npt.ArrayLike, depth: npt.ArrayLike,
                      options: PileupOptions) -> npt.NDArray[np.bool_]:
    """Whether tumour support ``alt`` of ``depth`` reads is enough to propose an allele."""
    alt_arr = np.asarray(alt, dtype=np.int64)
    depth_arr = np.asarray(depth, dtype=np.int64)
    enough = alt_arr >= options.min_alt_reads
    frac = alt_arr >= options.min_af * depth_arr  # alt / depth >= min_af, without dividing
    return enough & frac & (depth_arr > 0)


def propose_snvs(counts: npt.NDArray[np.integer], ref_codes: npt.NDArray[np.integer],
                 first_pos: int, *, options: PileupOptions) -> SnvSites:
    """Find every SNV allele with enough tumour support, vectorised over positions.

    Parameters
    ----------
    counts
        Tumour reads per allele and reference position, shape ``(len(ALLELES), n)``.
    ref_codes
        Reference base per position as an index into ``"ACGT"`` (4 or more: N, skipped).
    first_pos
        0-based position of column 0.

    Returns
    -------
    SnvSites
        Sorted by position, then ALT base.
    """
    if counts.ndim != 2 or counts.shape[0] != len(ALLELES) or counts.shape[1] != len(ref_codes):
        raise ValueError(f"counts must have shape ({len(ALLELES)}, {len(ref_codes)}), "
                         f"got {counts.shape}")
    depth = counts.sum(axis=0)
    alt = counts[:4]  # only bases can be SNV alleles
    ok = passes_thresholds(alt, depth[None, :], options)
    ok &= np.arange(4)[:, None] != ref_codes[None, :]
    ok &= (ref_codes < 4)[None, :]
    allele, column = np.nonzero(ok)
    order = np.lexsort((allele, column))
    column, allele = column[order], allele[order]
    return SnvSites(pos=(column + first_pos).astype(np.int64),
                    ref_code=ref_codes[column].astype(np.int8),
                    alt_code=allele.astype(np.int8))


def base_of(code: int) -> str:
    """The base for an index into ``"ACGT"``."""
    return _BASES[code]
