"""Scan one region of a tumour/normal pair: reads -> columns -> candidates -> tensors.

:func:`scan_region` is the unit of work of the caller: it opens its own BAM and FASTA
handles (it runs inside worker processes, one chunk at a time), reads each BAM once over
the region plus ``options.flank`` bases either side, and returns the encoded candidates
whose (left-aligned) position lies in the region. Adjacent regions therefore produce
disjoint candidate sets whose union is what one scan over both would give.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pysam

from onco_genomics.errors import (
    ContigMismatchError,
    OptionsError,
)
from onco_genomics.io.alignments import open_alignments
from onco_genomics.io.normalize import normalize_variant
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import Variant
from onco_genomics.pileup.candidates import (
    ALLELES,
    AlleleDepths,
    Candidate,
    PileupOptions,
    base_of,
    passes_thresholds,
    propose_snvs,
)
from onco_genomics.pileup.columns import (
    FEATURES,
    ColumnLayout,
    ColumnStats,
    IndelScan,
    accumulate_columns,
    augmented_layout,
    scan_indels,
)
from onco_genomics.pileup.encode import PileupBatch, encode_candidates
from onco_genomics.pileup.fetch import ReadArrays, fetch_reads
from onco_genomics.pileup.phasing import MnvCandidate, SampleReads, propose_mnvs
from onco_genomics.pileup.realign import RealignReads, realign_indels
from onco_genomics.regions import Region

log = logging.getLogger(__name__)

#: reference bases fetched beyond the scanned span, for left-aligning reads' indels
_REFERENCE_MARGIN = 1000
_CODE = np.full(256, 4, dtype=np.int8)
for _i, _b in enumerate(b"ACGT"):
    _CODE[_b] = _i
    _CODE[_b + 32] = _i

IndelKey = tuple[int, str, str]  # (pos, ref, alt), VCF-style and normalised
_READS = FEATURES.index("reads")
#: bases beyond each side of a region whose SNV candidates are phased with the region's
#: (an MNV of up to 3 bases across the region's edge is seen whole from both sides)
_MNV_MARGIN = 2
_F1R2 = FEATURES.index("f1r2")


@dataclass(frozen=True)
class _IndelSupport:
    """Reads per normalised indel allele and per anchor, all and in F1R2 orientation."""

    alleles: Counter[IndelKey]
    alleles_f1r2: Counter[IndelKey]
    per_anchor: Counter[int]
    per_anchor_f1r2: Counter[int]


class _ChunkReference:
    """``fetch(chrom, start, end)`` from a cached slice, falling back to the FASTA."""

    def __init__(self, reference: Reference, chrom: str, start: int, bases: str) -> None:
        self.reference = reference
        self.chrom = chrom
        self.start = start
        self.bases = bases

    def fetch(self, chrom: str, start: int, end: int) -> str:
        if chrom == self.chrom and start >= self.start and end <= self.start + len(self.bases):
            return self.bases[start - self.start:end - self.start]
        return self.reference.fetch(chrom, start, end)


@dataclass(frozen=True)
class _SamplePileup:
    """Everything the scan derives from one sample's reads."""

    reads: ReadArrays
    indels: IndelScan


def _check_contig(region: Region, reference: Reference,
                  bams: Iterable[tuple[str, pysam.AlignmentFile]]) -> int:
    """Length of the region's contig, after checking every input agrees on it."""
    lengths = reference.lengths
    if region.chrom not in lengths:
        raise ContigMismatchError(
            f"region {region}: expected contig {region.chrom!r} in the reference "
            f"{reference.path}, found only {', '.join(list(lengths)[:5])}...; use the "
            "reference the BAMs were aligned to"
        )
    length = lengths[region.chrom]
    if region.end > length:
        raise ContigMismatchError(
            f"region {region} ends past contig {region.chrom} (length {length:,}) of the reference"
        )
    for role, bam in bams:
        if region.chrom not in bam.references:
            raise ContigMismatchError(
                f"{role} BAM {bam.filename.decode()}: expected contig {region.chrom!r} of the "
                "region, found none; check the contig naming (chr20 vs 20) and the genome build"
            )
        bam_length = bam.get_reference_length(region.chrom)
        if bam_length != length:
            raise ContigMismatchError(
                f"{role} BAM {bam.filename.decode()}: contig {region.chrom} has length "
                f"{bam_length:,}, expected {length:,} as in the reference; the BAM was "
                "aligned to another genome build"
            )
    return length


def _indel_alleles(sample: _SamplePileup, chrom: str, reference: _ChunkReference,
                   cache: dict[tuple[int, int, str], IndelKey | None]) -> _IndelSupport:
    """Reads per normalised indel allele, and indel reads per normalised anchor."""
    events = sample.indels.events
    bases = sample.reads.bases
    event_f1r2 = sample.reads.f1r2[events.read]
    raw: Counter[tuple[int, int, str]] = Counter()
    raw_f1r2: Counter[tuple[int, int, str]] = Counter()
    for anchor, length, qoff, f1r2 in zip(events.anchor.tolist(), events.length.tolist(),
                                          events.query_offset.tolist(), event_f1r2.tolist(),
                                          strict=True):
        inserted = ""
        if length > 0:
            codes = bases[qoff:qoff + length]
            if np.any(codes > 3):
                continue
            inserted = "".join(ALLELES[c] for c in codes.tolist())
        raw[(anchor, length, inserted)] += 1
        raw_f1r2[(anchor, length, inserted)] += int(f1r2)
    support = _IndelSupport(Counter(), Counter(), Counter(), Counter())
    for key, reads in raw.items():
        if key not in cache:
            anchor, length, inserted = key
            if length > 0:
                ref = reference.fetch(chrom, anchor, anchor + 1)
                alt = ref + inserted
            else:
                ref = reference.fetch(chrom, anchor, anchor - length + 1)
                alt = ref[0]
            if len(ref) < 1 or not set(ref + alt) <= set("ACGT"):
                cache[key] = None
            else:
                norm = normalize_variant(Variant(chrom, anchor, ref, alt), reference,
                                         check_ref=False)
                cache[key] = (norm.pos, norm.ref, norm.alt)
        normalised = cache[key]
        if normalised is None:
            continue
        support.alleles[normalised] += reads
        support.alleles_f1r2[normalised] += raw_f1r2[key]
        support.per_anchor[normalised[0]] += reads
        support.per_anchor_f1r2[normalised[0]] += raw_f1r2[key]
    return support


def _indel_depths(support: _IndelSupport, key: IndelKey, indels: IndelScan,
                  span_start: int) -> AlleleDepths:
    """Support of an indel allele; ``ref`` is the junction's reads without an indel there."""
    pos = key[0]
    alt = support.alleles.get(key, 0)
    with_indel = support.per_anchor.get(pos, 0)
    idx = pos - span_start
    inside = 0 <= idx < len(indels.junction_depth)
    depth = int(indels.junction_depth[idx]) if inside else 0
    depth = max(depth, with_indel)
    ref = depth - with_indel
    # F1R2 reads spanning the junction minus F1R2 indel reads there, kept within [0, ref]
    junction_f1r2 = int(indels.junction_f1r2[idx]) if inside else 0
    ref_f1r2 = min(ref, max(0, junction_f1r2 - support.per_anchor_f1r2.get(pos, 0)))
    return AlleleDepths(ref=ref, alt=alt, depth=depth, ref_f1r2=ref_f1r2,
                        alt_f1r2=support.alleles_f1r2.get(key, 0))


def _snv_depths(counts: npt.NDArray[np.int32], f1r2: npt.NDArray[np.int32], ref_code: int,
                alt_code: int) -> AlleleDepths:
    return AlleleDepths(ref=int(counts[ref_code]), alt=int(counts[alt_code]),
                        depth=int(counts.sum()), ref_f1r2=int(f1r2[ref_code]),
                        alt_f1r2=int(f1r2[alt_code]))


def _candidates(region: Region, layout: ColumnLayout, span_codes: npt.NDArray[np.int8],
                tumor: _SamplePileup, normal: _SamplePileup, tumor_stats: ColumnStats,
                normal_stats: ColumnStats, reference: _ChunkReference,
                options: PileupOptions) -> list[Candidate]:
    chrom = region.chrom
    first = region.start - layout.span_start
    cols = layout.column_of[first:first + len(region)]
    tumor_counts = tumor_stats.sums[_READS][:, cols]
    normal_counts = normal_stats.sums[_READS][:, cols]
    tumor_f1r2 = tumor_stats.sums[_F1R2][:, cols]
    normal_f1r2 = normal_stats.sums[_F1R2][:, cols]
    snvs = propose_snvs(tumor_counts, span_codes[first:first + len(region)], region.start,
                        options=options)
    out: list[Candidate] = []
    for pos, ref_code, alt_code in zip(snvs.pos.tolist(), snvs.ref_code.tolist(),
                                       snvs.alt_code.tolist(), strict=True):
        i = pos - region.start
        out.append(Candidate(
            chrom=chrom, pos=pos, ref=base_of(ref_code), alt=base_of(alt_code), vartype="SNV",
            tumor=_snv_depths(tumor_counts[:, i], tumor_f1r2[:, i], ref_code, alt_code),
            normal=_snv_depths(normal_counts[:, i], normal_f1r2[:, i], ref_code, alt_code),
        ))
    cache: dict[tuple[int, int, str], IndelKey | None] = {}
    t_support = _indel_alleles(tumor, chrom, reference, cache)
    n_support = _indel_alleles(normal, chrom, reference, cache)
    keys = sorted(k for k in t_support.alleles if region.start <= k[0] < region.end)
    for key in keys:
        t_depths = _indel_depths(t_support, key, tumor.indels, layout.span_start)
        if not passes_thresholds(t_depths.alt, t_depths.depth, options):
            continue
        pos, ref, alt = key
        out.append(Candidate(
            chrom=chrom, pos=pos, ref=ref, alt=alt,
            vartype="INS" if len(alt) > len(ref) else "DEL",
            tumor=t_depths,
            normal=_indel_depths(n_support, key, normal.indels, layout.span_start),
        ))
    out.sort(key=lambda c: c.sort_key)
    return out


def _owned(candidates: list[Candidate], mnvs: list[MnvCandidate],
           region: Region) -> tuple[list[Candidate], list[MnvCandidate]]:
    """What a region reports of candidates and MNVs found a few bases beyond it.

    A region owns the candidates whose position lies in it and the MNVs whose first base
    does, with their SNVs past its end (scored here, written as part of the MNV); an SNV in
    the region that belongs to an MNV starting before it is left to the region before.
    """
    kept = [m for m in mnvs if region.start <= m.pos < region.end]
    beyond = {key for m in kept for key in m.members if key[0] >= region.end}
    before = {key for m in mnvs if m.pos < region.start for key in m.members}
    owned = [c for c in candidates
             if (region.start <= c.pos < region.end and c.sort_key not in before)
             or c.sort_key in beyond]
    return owned, kept


def _no_reads() -> ReadArrays:
    """The reads of an absent sample (tumor-only scans): none."""
    none = np.zeros(0, dtype=np.int64)
    return ReadArrays(ref_start=none, count_from=none, mapq=np.zeros(0, dtype=np.int32),
                      reverse=np.zeros(0, dtype=bool), f1r2=np.zeros(0, dtype=bool),
                      seq_start=np.zeros(1, dtype=np.int64), bases=np.zeros(0, dtype=np.uint8),
                      quals=np.zeros(0, dtype=np.uint8), cigar_start=np.zeros(1, dtype=np.int64),
                      cigar_ops=np.zeros(0, dtype=np.uint8), cigar_lens=none)


def scan_region(tumor_bam: str | Path, normal_bam: str | Path | None,
                reference: str | Path | Reference,
                region: Region, *, options: PileupOptions = PileupOptions()) -> PileupBatch:  # noqa: B008
    """Find and encode the candidates of a tumour/normal pair in one region.

    Parameters
    ----------
    tumor_bam, normal_bam
        Indexed BAM (or CRAM) files of the tumour and the matched normal; ``normal_bam``
        None scans the tumour alone (tumor-only mode: the normal's channels and depths are
        zero and a tumor-only model does not read them).
    reference
        FASTA the reads were aligned to (path or an open
        :class:`~onco_genomics.io.reference.Reference`).
    region
        0-based half-open interval; the caller passes chunks of about 100-500 kb.
    options
        Read filters and candidate thresholds.

    Returns
    -------
    PileupBatch
        Candidates with their position in ``region`` (and the further bases of an MNV that
        starts in it, :mod:`~onco_genomics.pileup.phasing`), sorted by ``(pos, ref, alt)``,
        their tensors and the MNVs that start in ``region``.

    Raises
    ------
    InputFileError, IndexMissingError
        A file is missing, unreadable or unindexed.
    ContigMismatchError
        The region's contig is absent from, or has another length in, an input.
    OptionsError
        Tumour and normal are the same file.

    Examples
    --------
    >>> from onco_genomics.regions import Region
    >>> batch = scan_region("tumor.bam", "normal.bam", "ref.fa",
    ...                     Region("20", 1_000_000, 1_500_000))  # doctest: +SKIP
    >>> batch.tensors.shape  # doctest: +SKIP
    (1234, 70, 41)
    """
    if normal_bam is not None and os.path.exists(tumor_bam) and os.path.exists(
            normal_bam) and os.path.samefile(tumor_bam, normal_bam):
        raise OptionsError(
            f"expected different tumour and normal alignments, got the same file {tumor_bam} "
            "twice; pass the matched normal's BAM as the normal"
        )
    ref = reference if isinstance(reference, Reference) else Reference(reference)
    tumor_file = open_alignments(tumor_bam, reference=ref)
    normal_file = None if normal_bam is None else open_alignments(normal_bam, reference=ref)
    try:
        length = _check_contig(region, ref, [("tumour", tumor_file)] + (
            [] if normal_file is None else [("normal", normal_file)]))
        if len(region) == 0:
            return PileupBatch.empty(options.encoder_version)
        span_start = max(0, region.start - options.flank)
        span_end = min(length, region.end + options.flank)
        ref_lo = max(0, span_start - _REFERENCE_MARGIN)
        ref_hi = min(length, span_end + _REFERENCE_MARGIN)
        ref_text = ref.fetch(region.chrom, ref_lo, ref_hi).upper()
        ref_codes = _CODE[np.frombuffer(ref_text.encode("ascii"), dtype=np.uint8)]
        chunk_ref = _ChunkReference(ref, region.chrom, ref_lo, ref_text)
        samples = []
        for bam in (tumor_file, normal_file):
            reads = (_no_reads() if bam is None else
                     fetch_reads(bam, region.chrom, span_start, span_end, options=options))
            indels = scan_indels(reads, ref_codes, ref_lo, span_start, span_end)
            samples.append(_SamplePileup(reads=reads, indels=indels))
        tumor, normal = samples
        layout = augmented_layout(span_start, np.maximum(tumor.indels.max_insert,
                                                         normal.indels.max_insert))
        stats = [accumulate_columns(s.reads, s.indels, layout, min_baseq=options.min_baseq,
                                    max_depth=options.max_depth) for s in samples]
        span_codes = ref_codes[span_start - ref_lo:span_end - ref_lo]
        # candidates a few bases beyond the region too, so that an MNV across the region's
        # edge is seen whole by both neighbours; _owned keeps what this region reports
        wide = Region(region.chrom, max(span_start, region.start - _MNV_MARGIN),
                      min(span_end, region.end + _MNV_MARGIN))
        candidates = _candidates(wide, layout, span_codes, tumor, normal, stats[0], stats[1],
                                 chunk_ref, options)
        has_normal = normal_file is not None
        candidates = realign_indels(
            candidates, RealignReads(tumor.reads, tumor.indels.ref_end),
            RealignReads(normal.reads, normal.indels.ref_end) if has_normal else None,
            lambda start, end: chunk_ref.fetch(region.chrom, start, end).upper(),
            options=options)
        phase_reads = [SampleReads(s.reads, s.indels.cigar_lens, s.indels.ref_end)
                       for s in samples]
        mnvs = propose_mnvs(candidates, phase_reads[0], phase_reads[1] if has_normal else None,
                            options=options)
        candidates, mnvs = _owned(candidates, mnvs, region)
        batch = encode_candidates(candidates, layout=layout,
                                  reference_columns=layout.reference_columns(span_codes),
                                  tumor=stats[0], normal=stats[1],
                                  version=options.encoder_version)
        if mnvs:
            batch = dataclasses.replace(batch, mnvs=tuple(mnvs))
        log.debug("%s: %d tumour and %d normal reads, %d candidates", region, len(tumor.reads),
                  len(normal.reads), len(batch))
        return batch
    finally:
        tumor_file.close()
        if normal_file is not None:
            normal_file.close()
        if ref is not reference:
            ref.close()
