"""Mutation catalogs (SBS96, SBS1536, DBS78, ID83) from variant records.

A catalog is a channels x samples count matrix in SigProfiler's layout (rows named by
``MutationType``, one column per sample), held in a :class:`MutationCatalog`.

How records become mutations
----------------------------
* Alleles are trimmed of shared leading/trailing bases first, so padded records
  (``AC>AT``) count as what they are.
* **SBS**: one changed base. Its 5'/3' neighbours come from the reference; a record whose
  REF disagrees with the reference, or whose context holds an ``N``, is not counted (and
  is reported in the log).
* **DBS**: two adjacent changed bases, either written as one record (``CC>TT``) or as two
  SNV records at consecutive positions in the same sample. By default
  (``adjacent_snvs="dbs"``, the COSMIC/PCAWG definition: every mutation in one class) two
  adjacent SNVs count once as a DBS and not as SBS. ``adjacent_snvs="dbs+sbs"`` also
  counts them as two SBS, which is what SigProfilerMatrixGenerator 1.4 does (its SBS96
  keeps the SNVs it pairs into DBS); use it to reproduce SigProfiler's matrices exactly.
  Runs of three or more adjacent SNVs, and longer MNV records, are multi-base
  substitutions that enter neither DBS78 nor (in ``"dbs"`` mode) SBS.
* **ID**: simple insertions and deletions (after trimming, one allele empty), left-aligned
  against the reference (so every representation of an indel gets the same class) and
  classified by :func:`onco_genomics.spectrum.indel_classes.id83_channel`.
  Complex indels (both alleles changed and of different length) are skipped.
* Multi-allelic sites are split by the reader; each ALT counts in the samples that carry it.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from onco_genomics.errors import ContigMismatchError, OptionsError, RegionError
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import Variant
from onco_genomics.spectrum.contexts import (
    CONTEXT_KINDS,
    DBS78_CHANNELS,
    DISPLAY_NAMES,
    SBS96_CHANNELS,
    SBS1536_CHANNELS,
    ContextKind,
    dbs_channel,
    sbs96_of_1536,
    sbs_channel,
)
from onco_genomics.spectrum.indel_classes import ID83_CHANNELS, IndelEvent, id83_channel
from onco_genomics.spectrum.samples import variants_by_sample

log = logging.getLogger(__name__)

AdjacentSnvs = Literal["dbs", "dbs+sbs"]

#: channel names of each catalog kind, in SigProfiler's row order
CHANNELS: dict[str, tuple[str, ...]] = {
    "sbs96": SBS96_CHANNELS,
    "sbs1536": SBS1536_CHANNELS,
    "dbs78": DBS78_CHANNELS,
    "id83": ID83_CHANNELS,
}

#: reference bases fetched on each side of an indel to count repeats (5 copies of 5+ bp)
_INDEL_FLANK = 60
#: a REF mismatch rate above this means the wrong reference (or build) was given
_MAX_MISMATCH_FRACTION = 0.1


@dataclass(frozen=True)
class MutationCatalog:
    """Mutation counts per channel and sample.

    Attributes
    ----------
    kind
        ``"sbs96"``, ``"sbs1536"``, ``"dbs78"`` or ``"id83"``.
    counts
        DataFrame, index = the kind's channels in SigProfiler's order (named
        ``MutationType``), columns = sample names; non-negative finite numbers (integers
        for catalogs built from variants).

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"S1": range(96)}, index=list(CHANNELS["sbs96"]))
    >>> MutationCatalog("sbs96", counts).total["S1"]
    4560
    """

    kind: ContextKind
    counts: pd.DataFrame = field(repr=False)

    def __post_init__(self) -> None:
        if self.kind not in CHANNELS:
            raise ValueError(f"catalog kind must be one of {list(CHANNELS)}, got {self.kind!r}")
        expected = CHANNELS[self.kind]
        if tuple(self.counts.index) != expected:
            raise ValueError(f"{DISPLAY_NAMES[self.kind]} catalog rows must be the "
                             f"{len(expected)} channels in SigProfiler order")
        if not self.counts.columns.is_unique:
            raise ValueError("catalog sample names must be unique")
        values = self.counts.to_numpy(dtype=float)
        if values.size and (not np.isfinite(values).all() or (values < 0).any()):
            raise ValueError("catalog counts must be finite and non-negative")

    @property
    def samples(self) -> list[str]:
        return [str(name) for name in self.counts.columns]

    @property
    def total(self) -> pd.Series:
        """Mutations per sample."""
        return self.counts.sum(axis=0)

    @property
    def name(self) -> str:
        """SigProfiler's name of the catalog kind (``SBS96``)."""
        return DISPLAY_NAMES[self.kind]


@dataclass(frozen=True)
class CatalogOptions:
    """Which records count and which catalogs to build (validated on creation).

    Attributes
    ----------
    contexts
        Catalog kinds to build.
    pass_only
        Count only records whose FILTER is PASS or ``.``.
    adjacent_snvs
        ``"dbs"``: two adjacent SNVs of a sample are one DBS only; ``"dbs+sbs"``: also two
        SBS (SigProfilerMatrixGenerator's matrices).
    min_vaf, min_depth
        Floors on the sample's variant allele fraction (FORMAT AF/FA/VAF, else AD) and
        read depth (FORMAT DP, else the sum of AD, else INFO DP). A record without the
        value needed is not counted when a floor is set.
    """

    contexts: tuple[ContextKind, ...] = ("sbs96",)
    pass_only: bool = True
    min_vaf: float | None = None
    min_depth: int | None = None
    adjacent_snvs: AdjacentSnvs = "dbs"

    def __post_init__(self) -> None:
        unknown = [kind for kind in self.contexts if kind not in CONTEXT_KINDS]
        if unknown or not self.contexts:
            raise OptionsError(f"--context takes a comma-separated list of "
                               f"{', '.join(CONTEXT_KINDS)}; found {list(self.contexts)}")
        if self.min_vaf is not None and not 0.0 <= self.min_vaf <= 1.0:
            raise OptionsError(f"--min-vaf must be within 0..1, found {self.min_vaf}")
        if self.adjacent_snvs not in ("dbs", "dbs+sbs"):
            raise OptionsError(f"adjacent_snvs must be 'dbs' or 'dbs+sbs', found "
                               f"{self.adjacent_snvs!r}")
        if self.min_depth is not None and self.min_depth < 0:
            raise OptionsError(f"--min-depth must be >= 0, found {self.min_depth}")


def parse_contexts(text: str) -> tuple[ContextKind, ...]:
    """Parse ``"sbs96,dbs78,id83"`` (case-insensitive) into catalog kinds.

    Raises
    ------
    OptionsError
        An unknown name.
    """
    kinds: list[ContextKind] = []
    for item in text.split(","):
        name = item.strip().lower()
        if not name:
            continue
        match = [kind for kind in CONTEXT_KINDS if kind == name]
        if not match:
            raise OptionsError(f"unknown catalog {item.strip()!r} in --context {text!r}; "
                               f"expected a comma-separated list of {', '.join(CONTEXT_KINDS)}")
        if match[0] not in kinds:
            kinds.append(match[0])
    if not kinds:
        raise OptionsError(f"--context {text!r} names no catalog; use e.g. sbs96,dbs78,id83")
    return tuple(kinds)


# --------------------------------------------------------------------------- classification


@dataclass(frozen=True)
class _Mutation:
    """A trimmed change: 0-based position of the first changed base, REF and ALT (one may be
    empty for an indel)."""

    chrom: str
    pos: int
    ref: str
    alt: str


def _trim(variant: Variant) -> _Mutation:
    ref, alt, pos = variant.ref, variant.alt, variant.pos
    while len(ref) > 0 and len(alt) > 0 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 0 and len(alt) > 0 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return _Mutation(variant.chrom, pos, ref, alt)


@dataclass
class _Tally:
    """Counters kept while classifying (reported in the log)."""

    counts: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(Counter))  # kind -> (sample, channel) -> n
    ref_mismatch: int = 0
    snv_seen: int = 0
    no_context: int = 0
    bad_allele: int = 0
    bad_allele_example: str = ""
    off_reference: int = 0
    mnv: int = 0
    complex: int = 0


_BASES = frozenset("ACGT")


class _Classifier:
    """Classifies one sample's mutations against the reference."""

    def __init__(self, reference: Reference, contexts: Sequence[ContextKind], *,
                 adjacent_snvs: AdjacentSnvs) -> None:
        self.reference = reference
        self.adjacent_snvs = adjacent_snvs
        self.contexts = set(contexts)
        self.lengths = reference.lengths
        self.tally = _Tally()

    def _fetch(self, chrom: str, start: int, end: int) -> str:
        length = self.lengths[chrom]
        return self.reference.fetch(chrom, max(0, start), min(length, end))

    def _contig(self, chrom: str) -> str | None:
        if chrom in self.lengths:
            return chrom
        alt = chrom[3:] if chrom.startswith("chr") else f"chr{chrom}"
        return alt if alt in self.lengths else None

    def add_sample(self, sample: str, mutations: Iterable[_Mutation]) -> None:
        snvs: list[_Mutation] = []
        for mutation in mutations:
            contig = self._contig(mutation.chrom)
            if contig is None:
                self.tally.off_reference += 1
                continue
            if contig != mutation.chrom:
                mutation = _Mutation(contig, mutation.pos, mutation.ref, mutation.alt)
            nref, nalt = len(mutation.ref), len(mutation.alt)
            if nref == 1 and nalt == 1:
                snvs.append(mutation)
            elif nref == nalt == 2:
                self._add_dbs(sample, mutation)
            elif nref == nalt:
                self.tally.mnv += 1
            elif nref == 0 or nalt == 0:
                self._add_indel(sample, mutation)
            else:
                self.tally.complex += 1
        snvs.sort(key=lambda m: (m.chrom, m.pos))
        start = 0
        while start < len(snvs):
            end = start + 1
            while (end < len(snvs) and snvs[end].chrom == snvs[start].chrom
                   and snvs[end].pos == snvs[end - 1].pos + 1):
                end += 1
            run = snvs[start:end]
            if len(run) == 1:
                self._add_sbs(sample, run[0])
            elif len(run) == 2:
                self._add_dbs(sample, _Mutation(run[0].chrom, run[0].pos,
                                                run[0].ref + run[1].ref,
                                                run[0].alt + run[1].alt))
            else:
                self.tally.mnv += 1
            if len(run) > 1 and self.adjacent_snvs == "dbs+sbs":
                for snv in run:
                    self._add_sbs(sample, snv)
            start = end

    def _ref_matches(self, mutation: _Mutation, seq: str) -> bool:
        if seq != mutation.ref:
            self.tally.ref_mismatch += 1
            log.debug("REF %s at %s:%d differs from the reference (%s)", mutation.ref,
                      mutation.chrom, mutation.pos + 1, seq)
            return False
        return True

    def _plain_bases(self, mutation: _Mutation) -> bool:
        """REF and ALT made of A, C, G, T only (an ALT of 'X' or 'N' has no channel)."""
        if set(mutation.ref.upper()) <= _BASES and set(mutation.alt.upper()) <= _BASES:
            return True
        self.tally.bad_allele += 1
        if not self.tally.bad_allele_example:
            self.tally.bad_allele_example = (f"{mutation.chrom}:{mutation.pos + 1} "
                                             f"{mutation.ref}>{mutation.alt}")
        return False

    def _add_sbs(self, sample: str, mutation: _Mutation) -> None:
        self.tally.snv_seen += 1
        if not self.contexts & {"sbs96", "sbs1536"}:
            return
        if not self._plain_bases(mutation):
            return
        try:
            window = self.reference.fetch(mutation.chrom, mutation.pos - 2, mutation.pos + 3)
        except RegionError:
            self.tally.no_context += 1  # within 2 bp of a contig end
            return
        if not self._ref_matches(mutation, window[2]):
            return
        channel = sbs_channel(mutation.ref, mutation.alt, window[:2], window[3:])
        if channel is None:
            self.tally.no_context += 1
            return
        if "sbs1536" in self.contexts:
            self.tally.counts["sbs1536"][(sample, channel)] += 1
        self.tally.counts["sbs96"][(sample, sbs96_of_1536(channel))] += 1

    def _add_dbs(self, sample: str, mutation: _Mutation) -> None:
        if "dbs78" not in self.contexts or not self._plain_bases(mutation):
            return
        seq = self._fetch(mutation.chrom, mutation.pos, mutation.pos + 2)
        if not self._ref_matches(mutation, seq):
            return
        channel = dbs_channel(mutation.ref, mutation.alt)
        if channel is None:
            self.tally.no_context += 1
            return
        self.tally.counts["dbs78"][(sample, channel)] += 1

    def _left_align(self, chrom: str, pos: int, seq: str) -> tuple[int, str]:
        """Shift an indel to its leftmost equivalent position (VCF normalisation).

        A deletion of ``seq`` at ``pos`` (or an insertion of ``seq`` before ``pos``) moves
        left while the base before it equals its last base, rotating ``seq``.
        """
        while pos > 0:
            window = self._fetch(chrom, pos - 200, pos)
            moved = False
            for base in reversed(window):
                if base != seq[-1]:
                    return pos, seq
                seq = seq[-1] + seq[:-1]
                pos -= 1
                moved = True
            if not moved:
                break
        return pos, seq

    def _add_indel(self, sample: str, mutation: _Mutation) -> None:
        if "id83" not in self.contexts:
            return
        chrom = mutation.chrom
        if mutation.ref:  # deletion of ref at [pos, pos + len)
            end = mutation.pos + len(mutation.ref)
            if not self._ref_matches(mutation, self._fetch(chrom, mutation.pos, end)):
                return
            pos, seq = self._left_align(chrom, mutation.pos, mutation.ref)
            end = pos + len(seq)
            event = IndelEvent("Del", seq, left=self._fetch(chrom, pos - _INDEL_FLANK, pos),
                               right=self._fetch(chrom, end, end + _INDEL_FLANK))
        else:  # insertion before pos
            pos, seq = self._left_align(chrom, mutation.pos, mutation.alt)
            event = IndelEvent("Ins", seq, left=self._fetch(chrom, pos - _INDEL_FLANK, pos),
                               right=self._fetch(chrom, pos, pos + _INDEL_FLANK))
        channel = id83_channel(event)
        if channel is None:
            self.tally.no_context += 1
            return
        self.tally.counts["id83"][(sample, channel)] += 1


def catalogs_from_variants(variants: Mapping[str, Iterable[Variant]], reference: Reference, *,
                           contexts: Sequence[ContextKind] = ("sbs96",),
                           adjacent_snvs: AdjacentSnvs = "dbs",
                           ) -> dict[ContextKind, MutationCatalog]:
    """Count each sample's variants into the requested catalogs.

    Parameters
    ----------
    variants
        Sample name -> that sample's variant records (already filtered). Samples with no
        records get an all-zero column.
    reference
        The reference the variants were called on (contexts, repeats, REF checks).
    contexts
        Catalog kinds to build.
    adjacent_snvs
        See :class:`CatalogOptions`.

    Returns
    -------
    dict
        Kind -> catalog, columns in the order of ``variants``.

    Raises
    ------
    ContigMismatchError
        No record lies on a reference contig, or more than 10% of REF alleles disagree
        with the reference (a different genome build).
    """
    classifier = _Classifier(reference, contexts, adjacent_snvs=adjacent_snvs)
    n_records = 0
    for sample, records in variants.items():
        records = list(records)
        n_records += len(records)
        classifier.add_sample(sample, (_trim(v) for v in records))
    tally = classifier.tally
    if n_records and tally.off_reference == n_records:
        raise ContigMismatchError(
            f"none of the {n_records:,} variants lies on a contig of reference "
            f"{reference.path} (contigs {list(reference.lengths)[:5]}...); expected the "
            "reference the calls were made on: pass it with --ref")
    checked = tally.snv_seen + sum(sum(c.values()) for k, c in tally.counts.items()
                                   if k != "sbs96" and k != "sbs1536")
    if tally.ref_mismatch >= 10 and tally.ref_mismatch > _MAX_MISMATCH_FRACTION * max(checked, 1):
        raise ContigMismatchError(
            f"{tally.ref_mismatch:,} of {checked:,} variants have a REF allele that differs "
            f"from reference {reference.path}; expected the genome build the calls were made "
            "on: pass that FASTA with --ref")
    if tally.off_reference:
        log.warning("%d variants on contigs absent from %s were not counted (is it the "
                    "reference the calls were made on?)", tally.off_reference, reference.path)
    for what, n in (("REF differs from the reference", tally.ref_mismatch),
                    (f"REF or ALT is not A, C, G or T (e.g. {tally.bad_allele_example})",
                     tally.bad_allele),
                    ("context contains N or a contig end", tally.no_context),
                    ("multi-base substitutions (3+ bases)", tally.mnv),
                    ("complex indels", tally.complex)):
        if n:
            log.warning("%d variants not counted: %s", n, what)
    samples = list(variants)
    catalogs: dict[ContextKind, MutationCatalog] = {}
    for kind in contexts:
        channels = CHANNELS[kind]
        row = {name: i for i, name in enumerate(channels)}
        column = {name: j for j, name in enumerate(samples)}
        values = np.zeros((len(channels), len(samples)), dtype=np.int64)
        for (sample, channel), n in tally.counts[kind].items():
            values[row[channel], column[sample]] += n
        matrix = pd.DataFrame(values, index=pd.Index(channels, name="MutationType"),
                              columns=pd.Index(samples))
        catalogs[kind] = MutationCatalog(kind, matrix)
    return catalogs


def build_catalogs(paths: Sequence[str | os.PathLike[str]],
                   reference: str | os.PathLike[str] | Reference, *,
                   options: CatalogOptions | None = None) -> dict[ContextKind, MutationCatalog]:
    """Mutation catalogs of VCF/BCF/MAF files: the API behind ``oncogen spectrum``.

    Parameters
    ----------
    paths
        Input files; see :mod:`onco_genomics.spectrum.samples` for how records map to
        samples.
    reference
        FASTA (path or open :class:`~onco_genomics.io.reference.Reference`) of the build
        the calls were made on.
    options
        Catalog kinds and record filters (default: SBS96 of PASS records).

    Returns
    -------
    dict
        Kind -> :class:`MutationCatalog` (one column per sample).

    Examples
    --------
    >>> cats = build_catalogs(["calls.vcf.gz"], "ref.fa",
    ...                       options=CatalogOptions(contexts=("sbs96", "id83")))  # doctest: +SKIP
    >>> cats["sbs96"].counts.head()  # doctest: +SKIP
    """
    options = options or CatalogOptions()
    ref = reference if isinstance(reference, Reference) else Reference(reference)
    variants = variants_by_sample(paths, reference=ref, pass_only=options.pass_only,
                                  min_vaf=options.min_vaf, min_depth=options.min_depth)
    return catalogs_from_variants(variants, ref, contexts=options.contexts,
                                  adjacent_snvs=options.adjacent_snvs)
