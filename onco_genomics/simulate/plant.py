"""Choose the variants and artefact sites of a simulation.

Germline SNPs and indels go on one haplotype (heterozygous) or both (homozygous). Somatic
SNVs come from a table of real mutations (or random positions); somatic indels (1-20 bp
insertions and deletions) are drawn at random, a share of them in homopolymers and short
tandem repeats; doublet base substitutions (DBS, two adjacent changed bases on one
molecule, e.g. ``CC>TT``), when asked for, are drawn at random positions and kept as one
MNV record. Every indel is stored left-normalised (as ``vt normalize`` writes it).

Variants keep a distance from each other (:data:`SPACING` bases beyond the whole repeat
tract an indel could be shifted within), so each one is unambiguous in the truth set.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from onco_genomics.simulate.genome import A, C, Edit, G, N, T, Window
from onco_genomics.simulate.spectra import SnvSpectrum

log = logging.getLogger(__name__)

#: minimum gap (bases) kept between planted variants and artefact sites
SPACING = 12

#: somatic indel lengths 1..20 are drawn with probability ~ length**-INDEL_LENGTH_EXPONENT
INDEL_LENGTH_EXPONENT = 1.3

#: share of somatic indels placed in homopolymers / short tandem repeats
REPEAT_INDEL_FRACTION = 0.5

MAX_INDEL_LENGTH = 20

_BASES = np.array([A, C, G, T], dtype=np.uint8)
_TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}

VariantKind = Literal["SNV", "MNV", "INS", "DEL"]
RepeatContext = Literal["none", "homopolymer", "str"]


@dataclass(frozen=True)
class PlantedVariant:
    """A germline or somatic variant placed on one or both haplotypes.

    Attributes
    ----------
    chrom, pos, ref, alt
        Left-normalised VCF-style allele (0-based ``pos`` of the first REF base).
    haplotypes
        Haplotypes that carry it: ``(0,)``, ``(1,)`` or ``(0, 1)``.
    span_start, span_end
        Reference interval any equivalent representation lies in (the repeat tract).
    context
        ``homopolymer``, ``str`` (short tandem repeat) or ``none``.
    source
        Where the allele came from (``brca-chr20``, a file name, ``random``).
    vaf
        Expected VAF in the tumor BAM (somatic only; 0 for germline).
    clone
        0 for the clonal founder, 1.. for subclones (somatic only).
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    haplotypes: tuple[int, ...]
    span_start: int
    span_end: int
    context: RepeatContext = "none"
    source: str = "random"
    vaf: float = 0.0
    clone: int = 0

    def __post_init__(self) -> None:
        if not self.haplotypes or not set(self.haplotypes) <= {0, 1}:
            raise ValueError(f"haplotypes must be a non-empty subset of (0, 1): {self}")
        if not self.span_start <= self.pos < self.pos + len(self.ref) <= self.span_end:
            raise ValueError(f"span must contain the allele: {self}")
        if not 0.0 <= self.vaf <= 1.0:
            raise ValueError(f"VAF must be in [0, 1]: {self}")
        if self.kind in ("INS", "DEL") and self.ref[0] != self.alt[0]:
            raise ValueError(f"indel must carry its anchor base: {self}")

    @property
    def kind(self) -> VariantKind:
        if len(self.ref) == len(self.alt):
            return "SNV" if len(self.ref) == 1 else "MNV"
        return "INS" if len(self.alt) > len(self.ref) else "DEL"

    @property
    def length(self) -> int:
        """Indel length (0 for SNVs and MNVs)."""
        return abs(len(self.alt) - len(self.ref))

    @property
    def is_hom(self) -> bool:
        return len(self.haplotypes) == 2

    def edit(self) -> Edit:
        return Edit(self.pos, self.ref, self.alt)


#: artefact kind -> (REF, ALT) on the strand read 1 sequences, i.e. as seen on F1R2 pairs;
#: on F2R1 pairs the same damage reads as the reverse complement. OXOG: oxidation of G to
#: 8-oxoG (G>T, C>A on F2R1); FFPE: deamination of C to U in formalin-fixed tissue (C>T,
#: G>A on F2R1).
ARTEFACT_KINDS: dict[str, tuple[str, str]] = {"OXOG": ("G", "T"), "FFPE": ("C", "T")}
_COMPLEMENT_BASE = {"A": "T", "C": "G", "G": "C", "T": "A"}


@dataclass(frozen=True)
class ArtefactSite:
    """A recurrent tumor-only artefact site of one pair orientation.

    ``kind`` ``OXOG``: a G (G>T on F1R2 pairs) or C (C>A on F2R1 pairs); ``FFPE``: a C
    (C>T on F1R2 pairs) or G (G>A on F2R1 pairs). ``fraction`` is the share of the
    susceptible-orientation fragments covering the site that carry the artefact.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    fraction: float
    kind: str = "OXOG"

    def __post_init__(self) -> None:
        if self.kind not in ARTEFACT_KINDS:
            raise ValueError(f"artefact kind must be one of {sorted(ARTEFACT_KINDS)}: {self}")
        ref, alt = ARTEFACT_KINDS[self.kind]
        allowed = ((ref, alt), (_COMPLEMENT_BASE[ref], _COMPLEMENT_BASE[alt]))
        if (self.ref, self.alt) not in allowed:
            raise ValueError(f"{self.kind} sites are {ref}>{alt} or its complement: {self}")
        if not 0.0 < self.fraction <= 1.0:
            raise ValueError(f"artefact fraction must be in (0, 1]: {self}")

    @property
    def orientation(self) -> str:
        """``F1R2`` or ``F2R1``: the pair orientation whose fragments show the artefact."""
        return "F1R2" if self.ref == ARTEFACT_KINDS[self.kind][0] else "F2R1"


class Occupancy:
    """Which bases of a window may still receive a variant (confident and not taken)."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.free = window.confident_mask()

    def is_free(self, start: int, end: int) -> bool:
        """Whether contig interval ``[start, end)`` plus the spacing is free."""
        lo = start - self.window.start - SPACING
        hi = end - self.window.start + SPACING
        if lo < 0 or hi > self.free.shape[0]:
            return False
        return bool(self.free[lo:hi].all())

    def take(self, start: int, end: int) -> None:
        self.free[max(0, start - self.window.start):end - self.window.start] = False

    def random_free(self, rng: np.random.Generator) -> int | None:
        """A uniformly drawn free contig position (None when none is left)."""
        candidates = np.flatnonzero(self.free)
        if candidates.size == 0:
            return None
        return self.window.start + int(candidates[rng.integers(candidates.size)])


def indel_span(window: Window, pos: int, ref: str, alt: str) -> tuple[int, int, int, str, str]:
    """Left-normalise an indel and find the tract it could slide within.

    Parameters
    ----------
    window
        Window holding the reference bases.
    pos, ref, alt
        VCF-style indel (anchor base included; one allele is the anchor alone).

    Returns
    -------
    tuple
        ``(pos, span_start, span_end, ref, alt)``: the left-normalised anchor position
        and alleles, and the reference interval covering every equivalent placement.
    """
    seq = window.bases
    offset = pos - window.start
    inserted = alt[1:] if len(alt) > len(ref) else ref[1:]
    is_ins = len(alt) > len(ref)
    size = len(inserted)
    unit = np.frombuffer(inserted.encode("ascii"), dtype=np.uint8)
    # left shift: the variant after anchor `offset` moves left while the base before the
    # changed sequence equals its last base (rotating the changed sequence)
    left = offset
    rotated = unit.copy()
    while left > 0 and seq[left] == rotated[-1]:
        rotated = np.concatenate([[seq[left]], rotated[:-1]])
        left -= 1
    # right shift, for the tract end
    right = offset  # position of the anchor
    rotated_r = unit.copy()
    limit = seq.shape[0] - size - 1
    while right < limit:
        nxt = seq[right + 1 + (size if not is_ins else 0)]
        if nxt != rotated_r[0]:
            break
        rotated_r = np.concatenate([rotated_r[1:], [nxt]])
        right += 1
    anchor = chr(int(seq[left]))
    changed = rotated.tobytes().decode()
    new_ref, new_alt = (anchor, anchor + changed) if is_ins else (anchor + changed, anchor)
    span_end = window.start + right + 1 + (0 if is_ins else size) + 1
    return window.start + left, window.start + left, span_end, new_ref, new_alt


def plant_germline(window: Window, occupancy: Occupancy, rng: np.random.Generator, *,
                   snv_rate: float, indel_rate: float, hom_fraction: float
                   ) -> list[PlantedVariant]:
    """Germline SNPs and indels (rates per kb of confident sequence)."""
    confident = int(occupancy.free.sum())
    n_snv = int(rng.poisson(snv_rate * confident / 1e3))
    n_indel = int(rng.poisson(indel_rate * confident / 1e3))
    kinds = ["SNV"] * n_snv + ["INDEL"] * n_indel
    rng.shuffle(kinds)
    planted: list[PlantedVariant] = []
    for kind in kinds:
        hom = bool(rng.random() < hom_fraction)
        haps = (0, 1) if hom else (int(rng.integers(2)),)
        for _ in range(20):
            pos = occupancy.random_free(rng)
            if pos is None:
                break
            if kind == "SNV":
                variant = _random_snv(window, pos, rng, haps, "germline")
            else:
                length = int(rng.choice([1, 1, 1, 1, 2, 2, 3, 4, 5, 8]))
                variant = _random_indel(window, pos, length, bool(rng.random() < 0.5), rng,
                                        haps, "germline")
            if variant is not None and occupancy.is_free(variant.span_start, variant.span_end):
                occupancy.take(variant.span_start - SPACING, variant.span_end + SPACING)
                planted.append(variant)
                break
    log.info("window %s: %d germline variants", window.region, len(planted))
    return sorted(planted, key=lambda v: v.pos)


def _random_snv(window: Window, pos: int, rng: np.random.Generator,
                haps: tuple[int, ...], source: str,
                spectrum: SnvSpectrum | None = None) -> PlantedVariant | None:
    ref = window.ref(pos)
    if ref not in _TRANSITION:
        return None
    if spectrum is not None:
        if pos < 1:
            return None
        drawn = spectrum.draw_alt(window.ref(pos - 1, 3), rng)
        if drawn is None:
            return None
        return PlantedVariant(window.chrom, pos, ref, drawn, haps, pos, pos + 1, source=source)
    if rng.random() < 2 / 3:
        alt = _TRANSITION[ref]
    else:
        alt = str(rng.choice([b for b in "ACGT" if b not in (ref, _TRANSITION[ref])]))
    return PlantedVariant(window.chrom, pos, ref, alt, haps, pos, pos + 1, source=source)


def _random_indel(window: Window, pos: int, length: int, insertion: bool,
                  rng: np.random.Generator, haps: tuple[int, ...], source: str,
                  unit: str | None = None) -> PlantedVariant | None:
    anchor = window.ref(pos)
    if anchor == "N":
        return None
    if insertion:
        seq = unit * (length // len(unit)) if unit else "".join(
            str(b) for b in rng.choice(list("ACGT"), size=length))
        ref, alt = anchor, anchor + seq
    else:
        deleted = window.ref(pos + 1, length)
        if len(deleted) < length or "N" in deleted:
            return None
        ref, alt = anchor + deleted, anchor
    if pos - window.start < 1 or pos + length + 2 >= window.end:
        return None
    new_pos, span_start, span_end, ref, alt = indel_span(window, pos, ref, alt)
    if "N" in ref or "N" in alt:
        return None
    # how far the indel can slide = reference bases of its repeat beyond the change
    shift = (span_end - span_start) - (2 if insertion else length + 2)
    context = repeat_context(alt[1:] if insertion else ref[1:],
                             shift + (0 if insertion else length))
    return PlantedVariant(window.chrom, new_pos, ref, alt, haps, span_start, span_end,
                          context=context, source=source)


def repeat_context(changed: str, tract: int) -> RepeatContext:
    """Repeat context of an indel that inserts/deletes ``changed`` in a reference tract.

    Parameters
    ----------
    changed
        Inserted or deleted bases.
    tract
        Reference bases, from the left-normalised anchor on, that are copies of the
        changed sequence's repeat unit (the deleted bases included).

    Returns
    -------
    str
        ``homopolymer`` (unit of 1 base, at least 3 copies in the reference), ``str``
        (unit of 2-6 bases, at least 2 copies) or ``none``.

    Examples
    --------
    >>> repeat_context("AA", 6), repeat_context("CA", 4), repeat_context("ACG", 0)
    ('homopolymer', 'str', 'none')
    """
    size = len(changed)
    for period in range(1, min(6, size) + 1):
        if size % period == 0 and changed == changed[:period] * (size // period):
            copies = tract // period
            if period == 1:
                return "homopolymer" if copies >= 3 else "none"
            return "str" if copies >= 2 else "none"
    return "none"


def find_repeats(window: Window, *, min_homopolymer: int = 4, min_copies: int = 3,
                 units: Sequence[int] = (2, 3, 4)) -> list[tuple[int, int, int]]:
    """Homopolymers and short tandem repeats in the window's confident bases.

    Returns
    -------
    list of (start, end, unit_length)
        Contig intervals of repeat tracts.
    """
    seq = window.bases
    tracts: list[tuple[int, int, int]] = []
    for unit in (1, *units):
        same = seq[unit:] == seq[:-unit]
        padded = np.concatenate([[False], same, [False]])
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        starts, ends = edges[::2], edges[1::2]
        need = (min_homopolymer - 1) if unit == 1 else unit * (min_copies - 1)
        keep = (ends - starts) >= need
        for start, end in zip(starts[keep], ends[keep], strict=True):
            tract = seq[start:end + unit]
            if unit > 1 and len(set(tract[:unit].tolist())) == 1:
                continue  # a homopolymer, already found with unit 1
            if N in tract:
                continue
            tracts.append((window.start + int(start), window.start + int(end) + unit, unit))
    return tracts


def _indel_length(rng: np.random.Generator) -> int:
    lengths = np.arange(1, MAX_INDEL_LENGTH + 1)
    weights = lengths.astype(float) ** -INDEL_LENGTH_EXPONENT
    return int(rng.choice(lengths, p=weights / weights.sum()))


def plant_somatic(window: Window, occupancy: Occupancy, rng: np.random.Generator, *,
                  n_snv: int, n_indel: int, mutations: pd.DataFrame | None,
                  mutation_source: str,
                  spectrum: SnvSpectrum | None = None) -> list[PlantedVariant]:
    """Somatic SNVs (from ``mutations`` where given) and indels, on haplotype 0 or 1.

    SNVs not taken from ``mutations`` are drawn at random positions, from ``spectrum``
    (COSMIC signatures in trinucleotide context) when given. VAF and clone are assigned
    later (:func:`assign_vafs`); here each variant gets one random haplotype.
    """
    planted: list[PlantedVariant] = []
    # SNVs from the table, in random order, while room is left
    if mutations is not None and n_snv:
        inside = mutations[(mutations["chrom"] == window.chrom)
                           & (mutations["pos"] >= window.region.start)
                           & (mutations["pos"] < window.region.end)]
        order = rng.permutation(len(inside))
        refs = inside["ref"].to_numpy()
        alts = inside["alt"].to_numpy()
        positions = inside["pos"].to_numpy()
        mismatched = 0
        for index in order:
            if len(planted) >= n_snv:
                break
            pos = int(positions[index])
            if not occupancy.is_free(pos, pos + 1):
                continue
            if window.ref(pos) != refs[index]:
                mismatched += 1
                continue
            hap = (int(rng.integers(2)),)
            planted.append(PlantedVariant(window.chrom, pos, str(refs[index]), str(alts[index]),
                                          hap, pos, pos + 1, source=mutation_source))
            occupancy.take(pos - SPACING, pos + 1 + SPACING)
        if mismatched:
            log.warning("%d mutations from %s have a REF that differs from the reference in %s;"
                        " skipped them (is the table for this genome build?)", mismatched,
                        mutation_source, window.region)
        if len(planted) < n_snv:
            contigs = sorted(map(str, mutations["chrom"].unique()))
            why = ("" if window.chrom in contigs else
                   f" (it has no contig {window.chrom!r}; its contigs: "
                   f"{', '.join(contigs[:5])}{', ...' if len(contigs) > 5 else ''})")
            log.warning("window %s: %s has %d usable SNVs%s, %d wanted; drawing the rest at "
                        "random positions (--mutations random to ask for that)", window.region,
                        mutation_source, len(planted), why, n_snv)
    while len(planted) < n_snv:
        free = occupancy.random_free(rng)
        if free is None:
            break
        snv = _random_snv(window, free, rng, (int(rng.integers(2)),),
                          "random" if spectrum is None else "spectrum:" + "+".join(
                              name for name, _ in spectrum.components), spectrum)
        if snv is not None and occupancy.is_free(free, free + 1):
            planted.append(snv)
            occupancy.take(free - SPACING, free + 1 + SPACING)
    # indels: a share in repeats, the rest anywhere
    repeats = find_repeats(window)
    n_repeat = round(n_indel * REPEAT_INDEL_FRACTION) if repeats else 0
    indels: list[PlantedVariant] = []
    attempts = 0
    while len(indels) < n_indel and attempts < 50 * max(n_indel, 1):
        attempts += 1
        insertion = bool(rng.random() < 0.5)
        hap = (int(rng.integers(2)),)
        variant: PlantedVariant | None
        if len(indels) < n_repeat:
            start, end, unit_len = repeats[int(rng.integers(len(repeats)))]
            unit = window.ref(start, unit_len)
            copies = (end - start) // unit_len
            max_copies = MAX_INDEL_LENGTH // unit_len
            if not insertion:
                max_copies = min(max_copies, copies - 1)  # leave one copy
            if max_copies < 1:
                continue
            k = int(rng.integers(1, max_copies + 1))
            anchor = start - 1
            variant = _random_indel(window, anchor, k * unit_len, insertion, rng, hap,
                                    "random", unit=unit)
        else:
            free = occupancy.random_free(rng)
            if free is None:
                break
            variant = _random_indel(window, free, _indel_length(rng), insertion, rng, hap,
                                    "random")
        if variant is None or variant.length > MAX_INDEL_LENGTH:
            continue
        if not occupancy.is_free(variant.span_start, variant.span_end):
            continue
        indels.append(variant)
        occupancy.take(variant.span_start - SPACING, variant.span_end + SPACING)
    if len(indels) < n_indel:
        log.warning("window %s: placed %d of %d somatic indels (not enough free sequence)",
                    window.region, len(indels), n_indel)
    planted.extend(indels)
    log.info("window %s: %d somatic SNVs, %d somatic indels", window.region,
             len(planted) - len(indels), len(indels))
    return sorted(planted, key=lambda v: v.pos)


def plant_dbs(window: Window, occupancy: Occupancy, rng: np.random.Generator, *,
              n_dbs: int) -> list[PlantedVariant]:
    """Doublet base substitutions: two adjacent bases changed on one haplotype.

    Each is one :class:`PlantedVariant` of kind ``MNV`` (REF and ALT of two bases, both
    changed, each ALT base drawn uniformly from the three others), so the reads of one
    molecule carry both changes and the truth holds one record, as COSMIC's DBS78 counts
    it. Positions are drawn uniformly from the free confident sequence.
    """
    planted: list[PlantedVariant] = []
    attempts = 0
    while len(planted) < n_dbs and attempts < 50 * max(n_dbs, 1):
        attempts += 1
        pos = occupancy.random_free(rng)
        if pos is None:
            break
        ref = window.ref(pos, 2)
        if len(ref) != 2 or not set(ref) <= set("ACGT") or not occupancy.is_free(pos, pos + 2):
            continue
        alt = "".join(str(rng.choice([b for b in "ACGT" if b != base])) for base in ref)
        planted.append(PlantedVariant(window.chrom, pos, ref, alt, (int(rng.integers(2)),),
                                      pos, pos + 2, source="random"))
        occupancy.take(pos - SPACING, pos + 2 + SPACING)
    if len(planted) < n_dbs:
        log.warning("window %s: placed %d of %d DBS (not enough free sequence)", window.region,
                    len(planted), n_dbs)
    return sorted(planted, key=lambda v: v.pos)


def assign_vafs(variants: Sequence[PlantedVariant], rng: np.random.Generator, *,
                vaf_low: float, vaf_high: float, vaf_values: Sequence[float], purity: float,
                clone_fractions: Sequence[float]) -> list[PlantedVariant]:
    """Give each somatic variant a clone and its expected tumor VAF.

    The drawn value is the allele fraction in a pure clonal tumor (log-uniform in
    ``[vaf_low, vaf_high]``, or one of ``vaf_values``); the expected VAF in the tumor BAM
    is that times ``purity`` times the clone's cancer cell fraction. A VAF above 0.5
    (possible only for drawn values above 0.5) puts the allele on both haplotypes.
    """
    out: list[PlantedVariant] = []
    for variant in variants:
        if vaf_values:
            drawn = float(vaf_values[int(rng.integers(len(vaf_values)))])
        else:
            drawn = float(np.exp(rng.uniform(np.log(vaf_low), np.log(vaf_high))))
        clone = int(rng.integers(len(clone_fractions)))
        vaf = drawn * purity * clone_fractions[clone]
        haps = (0, 1) if vaf > 0.5 else variant.haplotypes
        out.append(PlantedVariant(variant.chrom, variant.pos, variant.ref, variant.alt, haps,
                                  variant.span_start, variant.span_end, variant.context,
                                  variant.source, round(vaf, 6), clone))
    return out


def plant_oxog_sites(window: Window, occupancy: Occupancy, rng: np.random.Generator, *,
                     n_sites: int, fraction_range: tuple[float, float] = (0.1, 0.4),
                     kind: str = "OXOG") -> list[ArtefactSite]:
    """Recurrent artefact sites of ``kind`` (8-oxoG at G or C bases, FFPE at C or G)."""
    damaged, changed = ARTEFACT_KINDS[kind]
    bases = {damaged: changed, _COMPLEMENT_BASE[damaged]: _COMPLEMENT_BASE[changed]}
    sites: list[ArtefactSite] = []
    attempts = 0
    while len(sites) < n_sites and attempts < 50 * max(n_sites, 1):
        attempts += 1
        pos = occupancy.random_free(rng)
        if pos is None:
            break
        ref = window.ref(pos)
        if ref not in bases:
            continue
        fraction = float(rng.uniform(*fraction_range))
        sites.append(ArtefactSite(window.chrom, pos, ref, bases[ref], round(fraction, 4), kind))
        occupancy.take(pos - SPACING, pos + 1 + SPACING)
    return sorted(sites, key=lambda s: s.pos)
