"""Tests for the candidate scan (onco_genomics.pileup.scan / fetch / candidates).

Tiny BAMs are written with pysam in each test on a real 2 kb slice of GRCh37 chr20
(tests/data/pileup/chr20_slice.fa, from Debian vt-examples), so every read filter and
allele type is exercised on a known answer. The mpileup fixtures (real 1000 Genomes
reads, Debian samtools-test) check the scan against ``bcftools mpileup | bcftools call``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pysam
import pytest

from onco_genomics.errors import ContigMismatchError, IndexMissingError, OptionsError
from onco_genomics.pileup.candidates import AlleleDepths, Candidate, PileupOptions
from onco_genomics.pileup.encode import CENTER, CHANNELS, WINDOW, PileupBatch
from onco_genomics.pileup.fetch import f1r2_orientation, fetch_reads
from onco_genomics.pileup.scan import scan_region
from onco_genomics.regions import Region

DATA = Path(__file__).parent / "data" / "pileup"
REF_FA = DATA / "chr20_slice.fa"
CHROM = "chr20_slice"
REF = pysam.FastaFile(str(REF_FA)).fetch(CHROM)
WHOLE = Region(CHROM, 0, len(REF))
# REF[774] == "G", then an A homopolymer at 775..780, then "T" at 781
HOMOPOLYMER = (775, 781)


@dataclass
class Read:
    """A read to write: sequence and CIGAR relative to REF."""

    name: str
    pos: int
    seq: str
    cigar: list[tuple[int, int]]
    flag: int = 0
    mapq: int = 60
    qual: int = 30
    mate_pos: int = -1


def ref_read(name: str, pos: int, length: int = 100, **kwargs: object) -> Read:
    return Read(name, pos, REF[pos:pos + length], [(0, length)], **kwargs)  # type: ignore[arg-type]


def snv_read(name: str, pos: int, site: int, alt: str, length: int = 100,
             **kwargs: object) -> Read:
    seq = REF[pos:site] + alt + REF[site + 1:pos + length]
    return Read(name, pos, seq, [(0, length)], **kwargs)  # type: ignore[arg-type]


def del_read(name: str, pos: int, site: int, n: int, length: int = 100) -> Read:
    """Deletes REF[site:site + n]; ``length`` aligned bases in all."""
    left = site - pos
    seq = REF[pos:site] + REF[site + n:site + n + length - left]
    return Read(name, pos, seq, [(0, left), (2, n), (0, length - left)])


def ins_read(name: str, pos: int, after: int, inserted: str, length: int = 100) -> Read:
    """Inserts ``inserted`` after REF[after]."""
    left = after + 1 - pos
    seq = REF[pos:after + 1] + inserted + REF[after + 1:after + 1 + length - left]
    return Read(name, pos, seq, [(0, left), (1, len(inserted)), (0, length - left)])


def write_bam(path: Path, reads: list[Read]) -> Path:
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": CHROM, "LN": len(REF)}]}
    unsorted = path.with_suffix(".unsorted.bam")
    with pysam.AlignmentFile(str(unsorted), "wb", header=header) as out:
        for spec in reads:
            seg = pysam.AlignedSegment(out.header)
            seg.query_name = spec.name
            seg.query_sequence = spec.seq
            seg.flag = spec.flag
            seg.reference_id = 0
            seg.reference_start = spec.pos
            seg.mapping_quality = spec.mapq
            seg.cigartuples = spec.cigar
            seg.query_qualities = pysam.qualitystring_to_array(chr(spec.qual + 33) * len(spec.seq))
            if spec.mate_pos >= 0:
                seg.next_reference_id = 0
                seg.next_reference_start = spec.mate_pos
            out.write(seg)
    pysam.sort("-o", str(path), str(unsorted))
    pysam.index(str(path))
    unsorted.unlink()
    return path


def pair(tmp_path: Path, tumor: list[Read], normal: list[Read]) -> tuple[Path, Path]:
    return (write_bam(tmp_path / "tumor.bam", tumor), write_bam(tmp_path / "normal.bam", normal))


def coverage(prefix: str, start: int, end: int, n: int, step: int = 7) -> list[Read]:
    """``n`` reference reads staggered over [start, end)."""
    return [ref_read(f"{prefix}{i}", start + (i * step) % max(1, end - start - 100))
            for i in range(n)]


def scan(tumor: Path, normal: Path, region: Region = WHOLE, **options: object) -> PileupBatch:
    return scan_region(tumor, normal, REF_FA, region,
                       options=PileupOptions(**options))  # type: ignore[arg-type]


def by_site(batch: PileupBatch) -> dict[tuple[int, str, str], Candidate]:
    return {(c.pos, c.ref, c.alt): c for c in batch.candidates}


SITE = 500  # an SNV site well inside the slice


def alt_base(pos: int) -> str:
    return "C" if REF[pos] != "C" else "G"


# ---------------------------------------------------------------- alleles and positions


def test_snv_found_with_depths(tmp_path: Path) -> None:
    alt = alt_base(SITE)
    tumor = [snv_read(f"t{i}", 420 + i, SITE, alt) for i in range(6)] + [
        ref_read(f"r{i}", 430 + i) for i in range(14)]
    normal = [ref_read(f"n{i}", 440 + i) for i in range(10)]
    batch = scan(*pair(tmp_path, tumor, normal))
    sites = by_site(batch)
    assert list(sites) == [(SITE, REF[SITE], alt)]
    cand = sites[(SITE, REF[SITE], alt)]
    assert cand.vartype == "SNV" and cand.chrom == CHROM
    # flag 0: unpaired forward reads, which count as F1R2 (read 1 forward)
    assert cand.tumor == AlleleDepths(ref=14, alt=6, depth=20, ref_f1r2=14, alt_f1r2=6)
    assert cand.normal == AlleleDepths(ref=10, alt=0, depth=10, ref_f1r2=10)
    assert batch.tensors.shape == (1, len(CHANNELS), WINDOW)


def test_germline_site_still_proposed(tmp_path: Path) -> None:
    alt = alt_base(SITE)
    tumor = [snv_read(f"t{i}", 420 + i, SITE, alt) for i in range(5)] + coverage("r", 430, 470, 5)
    normal = [snv_read(f"n{i}", 430 + i, SITE, alt) for i in range(4)] + coverage("m", 440, 480, 4)
    cand = by_site(scan(*pair(tmp_path, tumor, normal)))[(SITE, REF[SITE], alt)]
    assert cand.normal.alt == 4 and cand.normal.depth == 8


def test_two_alts_at_one_position(tmp_path: Path) -> None:
    alts = sorted({"A", "C", "G", "T"} - {REF[SITE]})[:2]
    tumor = ([snv_read(f"a{i}", 420 + i, SITE, alts[0]) for i in range(3)]
             + [snv_read(f"b{i}", 425 + i, SITE, alts[1]) for i in range(3)]
             + coverage("r", 430, 470, 10))
    batch = scan(*pair(tmp_path, tumor, coverage("n", 430, 470, 10)))
    assert [c.alt for c in batch.candidates] == alts
    # the candidates' tensors differ (the alt_* channels name the allele)
    assert not np.array_equal(batch.tensors[0], batch.tensors[1])


def test_deletion_in_homopolymer_is_left_aligned(tmp_path: Path) -> None:
    start, end = HOMOPOLYMER
    # aligner put the deletion at the right end of the A run; VCF wants the leftmost form
    tumor = [del_read(f"t{i}", 700 + i, end - 1, 1) for i in range(4)] + coverage("r", 700, 760, 6)
    batch = scan(*pair(tmp_path, tumor, coverage("n", 700, 760, 8)))
    sites = by_site(batch)
    key = (start - 1, REF[start - 1] + "A", REF[start - 1])
    assert list(sites) == [key]
    cand = sites[key]
    assert cand.vartype == "DEL"
    assert cand.tumor.alt == 4 and cand.tumor.depth == 10 and cand.tumor.ref == 6
    assert cand.normal == AlleleDepths(ref=8, alt=0, depth=8, ref_f1r2=8)


def test_insertion_found_left_aligned(tmp_path: Path) -> None:
    start, end = HOMOPOLYMER
    tumor = [ins_read(f"t{i}", 700 + i, end - 1, "A") for i in range(3)] + [
        ins_read("u", 850, 900, "GT")] + coverage("r", 700, 760, 6)
    batch = scan(*pair(tmp_path, tumor, coverage("n", 700, 760, 8)))
    sites = by_site(batch)
    assert (start - 1, REF[start - 1], REF[start - 1] + "A") in sites
    # a single read is below min_alt_reads=2
    assert all(c.pos != 900 for c in batch.candidates)
    batch1 = scan(*pair(tmp_path, tumor, coverage("n", 700, 760, 8)), min_alt_reads=1)
    assert (900, REF[900], REF[900] + "GT") in by_site(batch1)


def test_thresholds_respected(tmp_path: Path) -> None:
    alt = alt_base(SITE)
    tumor = [snv_read(f"t{i}", 420 + i, SITE, alt) for i in range(3)] + coverage("r", 420, 480, 47)
    bams = pair(tmp_path, tumor, coverage("n", 430, 470, 10))
    assert len(scan(*bams)) == 1  # 3 / 50 = 0.06 >= 0.02
    assert len(scan(*bams, min_af=0.07)) == 0
    assert len(scan(*bams, min_alt_reads=4)) == 0
    assert len(scan(*bams, min_baseq=31)) == 0  # every base has quality 30


# ---------------------------------------------------------------- read filters


@pytest.mark.parametrize(("flag", "mapq"), [
    (0x400, 60),  # duplicate
    (0x100, 60),  # secondary
    (0x800, 60),  # supplementary
    (0x200, 60),  # QC fail
    (0, 0),       # MAPQ 0
])
def test_read_filters_drop_alt_reads(tmp_path: Path, flag: int, mapq: int) -> None:
    alt = alt_base(SITE)
    good = [snv_read(f"t{i}", 420 + i, SITE, alt) for i in range(2)]
    bad = [snv_read(f"x{i}", 430 + i, SITE, alt, flag=flag, mapq=mapq) for i in range(3)]
    bams = pair(tmp_path, good + bad + coverage("r", 430, 470, 8), coverage("n", 430, 470, 8))
    cand = by_site(scan(*bams))[(SITE, REF[SITE], alt)]
    assert cand.tumor.alt == 2 and cand.tumor.depth == 10
    with pysam.AlignmentFile(str(bams[0])) as bam:
        reads = fetch_reads(bam, CHROM, 0, len(REF), options=PileupOptions())
    assert len(reads) == 10


def test_duplicates_counted_when_asked(tmp_path: Path) -> None:
    alt = alt_base(SITE)
    tumor = [snv_read(f"x{i}", 430 + i, SITE, alt, flag=0x400) for i in range(3)]
    bams = pair(tmp_path, tumor + coverage("r", 430, 470, 8), coverage("n", 430, 470, 8))
    assert len(scan(*bams)) == 0
    assert by_site(scan(*bams, include_duplicates=True))[(SITE, REF[SITE], alt)].tumor.alt == 3


def test_overlapping_mates_counted_once(tmp_path: Path) -> None:
    alt = alt_base(SITE)
    mates = []
    for i in range(3):  # three fragments whose two mates both cover SITE
        mates.append(snv_read(f"f{i}", 450 + i, SITE, alt, flag=0x1 | 0x2 | 0x20 | 0x40,
                              mate_pos=480 + i))
        mates.append(snv_read(f"f{i}", 480 + i, SITE, alt, flag=0x1 | 0x2 | 0x10 | 0x80,
                              mate_pos=450 + i))
    bams = pair(tmp_path, mates + coverage("r", 430, 470, 7), coverage("n", 430, 470, 8))
    cand = by_site(scan(*bams))[(SITE, REF[SITE], alt)]
    assert cand.tumor.alt == 3 and cand.tumor.depth == 10
    # outside the overlap the second mate still counts: fragment f0's second mate alone
    # covers 550..579, the first mate ends at 549
    with pysam.AlignmentFile(str(bams[0])) as bam:
        reads = fetch_reads(bam, CHROM, 0, len(REF), options=PileupOptions())
    assert sorted(reads.count_from.tolist())[-3:] == [550, 551, 552]


# ---------------------------------------------------------------- pair orientation

_PAIRED_FLAGS = 0x1 | 0x2
_R1, _R2, _REV, _MATE_REV = 0x40, 0x80, 0x10, 0x20


def test_f1r2_orientation_of_flags() -> None:
    flags = [_PAIRED_FLAGS | _R1 | _MATE_REV,   # read 1 forward: F1R2
             _PAIRED_FLAGS | _R2 | _REV,        # read 2 reverse: F1R2
             _PAIRED_FLAGS | _R1 | _REV,        # read 1 reverse: F2R1
             _PAIRED_FLAGS | _R2 | _MATE_REV,   # read 2 forward: F2R1
             0,                                 # unpaired forward: as read 1, F1R2
             _REV,                              # unpaired reverse: F2R1
             _R2 | _REV]                        # 0x80 without 0x1 is still unpaired: F2R1
    assert f1r2_orientation(flags).tolist() == [True, True, False, False, True, False, False]


def test_f1r2_counts_per_allele(tmp_path: Path) -> None:
    """ALT and REF reads split by pair orientation, for an SNV and a deletion."""
    alt = alt_base(SITE)
    far = 1500  # mates outside the slice's reads: no overlap handling
    tumor = (
        # ALT: 3 F1R2 (2 read-1 forward, 1 read-2 reverse), 2 F2R1 (read 1 reverse,
        # read 2 forward), 1 unpaired reverse (F2R1)
        [snv_read(f"a{i}", 420 + i, SITE, alt, flag=_PAIRED_FLAGS | _R1 | _MATE_REV,
                  mate_pos=far) for i in range(2)]
        + [snv_read("a2", 423, SITE, alt, flag=_PAIRED_FLAGS | _R2 | _REV, mate_pos=far)]
        + [snv_read("a3", 424, SITE, alt, flag=_PAIRED_FLAGS | _R1 | _REV, mate_pos=far)]
        + [snv_read("a4", 425, SITE, alt, flag=_PAIRED_FLAGS | _R2 | _MATE_REV, mate_pos=far)]
        + [snv_read("a5", 426, SITE, alt, flag=_REV)]
        # REF: 4 unpaired forward (F1R2), 3 read-2 forward (F2R1)
        + [ref_read(f"r{i}", 430 + i) for i in range(4)]
        + [ref_read(f"s{i}", 440 + i, flag=_PAIRED_FLAGS | _R2 | _MATE_REV, mate_pos=far)
           for i in range(3)]
    )
    normal = [ref_read(f"n{i}", 440 + i, flag=_PAIRED_FLAGS | _R1 | _REV, mate_pos=far)
              for i in range(5)]
    bams = pair(tmp_path, tumor, normal)
    with pysam.AlignmentFile(str(bams[0])) as bam:
        reads = fetch_reads(bam, CHROM, 0, len(REF), options=PileupOptions())
    assert int(reads.f1r2.sum()) == 3 + 4
    cand = by_site(scan(*bams))[(SITE, REF[SITE], alt)]
    assert cand.tumor == AlleleDepths(ref=7, alt=6, depth=13, ref_f1r2=4, alt_f1r2=3)
    assert (cand.tumor.ref_f2r1, cand.tumor.alt_f2r1) == (3, 3)
    assert cand.normal == AlleleDepths(ref=5, alt=0, depth=5, ref_f1r2=0, alt_f1r2=0)


def test_f1r2_counts_of_an_indel(tmp_path: Path) -> None:
    start, end = HOMOPOLYMER
    dels = [del_read(f"t{i}", 700 + i, end - 1, 1) for i in range(4)]
    for read in dels[:3]:  # 3 read-2 reverse (F1R2), 1 unpaired forward (F1R2) ...
        read.flag, read.mate_pos = _PAIRED_FLAGS | _R2 | _REV, 1500
    refs = coverage("r", 700, 760, 6)
    for read in refs[:2]:  # ... and 2 of 6 REF reads read-1 reverse (F2R1)
        read.flag, read.mate_pos = _PAIRED_FLAGS | _R1 | _REV, 1500
    cand = by_site(scan(*pair(tmp_path, dels + refs, coverage("n", 700, 760, 8))))[
        (start - 1, REF[start - 1] + "A", REF[start - 1])]
    assert cand.tumor == AlleleDepths(ref=6, alt=4, depth=10, ref_f1r2=4, alt_f1r2=4)
    assert cand.normal == AlleleDepths(ref=8, alt=0, depth=8, ref_f1r2=8)


# ---------------------------------------------------------------- chunks and real reads

MPILEUP = (DATA / "mpileup_tumor.bam", DATA / "mpileup_normal.bam", DATA / "mpileup_ref.fa")
# `bcftools mpileup -f mpileup_ref.fa mpileup_tumor.bam | bcftools call -mv` (bcftools 1.16),
# as (0-based pos, ref, alt)
BCFTOOLS_CALLS = [(301, "T", "TA"), (827, "T", "C"), (833, "G", "A"), (1868, "A", "T"),
                  (2040, "G", "A"), (2219, "G", "A"), (2563, "A", "G"), (3586, "G", "A"),
                  (3935, "A", "G")]


def test_real_reads_match_bcftools_sites() -> None:
    tumor, normal, ref = MPILEUP
    batch = scan_region(tumor, normal, ref, Region("17", 0, 4200),
                        options=PileupOptions(min_af=0.2, min_alt_reads=3))
    assert [(c.pos, c.ref, c.alt) for c in batch.candidates] == BCFTOOLS_CALLS


def test_chunks_partition_the_region_and_sorted() -> None:
    tumor, normal, ref = MPILEUP
    loose = PileupOptions(min_alt_reads=1, min_af=0.0)  # many candidates, some at chunk ends
    whole = scan_region(tumor, normal, ref, Region("17", 0, 4200), options=loose)
    keys = [c.sort_key for c in whole.candidates]
    assert keys == sorted(keys) and len(keys) > 3 * len(BCFTOOLS_CALLS)
    parts = [scan_region(tumor, normal, ref, chunk, options=loose)
             for chunk in Region("17", 0, 4200).chunks(1000)]
    joined = PileupBatch.concatenate(parts)
    assert joined.candidates == whole.candidates
    np.testing.assert_array_equal(joined.tensors, whole.tensors)
    again = scan_region(tumor, normal, ref, Region("17", 0, 4200), options=loose)
    np.testing.assert_array_equal(again.tensors, whole.tensors)


# ---------------------------------------------------------------- user errors


def test_missing_index_and_same_file(tmp_path: Path) -> None:
    tumor, normal = pair(tmp_path, coverage("r", 430, 470, 3), coverage("n", 430, 470, 3))
    with pytest.raises(OptionsError, match="same file"):
        scan(tumor, tumor)
    Path(f"{normal}.bai").unlink()
    with pytest.raises(IndexMissingError, match="samtools index"):
        scan(tumor, normal)


def test_contig_mismatch() -> None:
    tumor, normal, _ = MPILEUP
    with pytest.raises(ContigMismatchError, match="expected contig '17'"):
        scan_region(tumor, normal, REF_FA, Region("17", 0, 100))


def test_options_checked() -> None:
    with pytest.raises(OptionsError, match="min_af"):
        PileupOptions(min_af=1.5)


def test_cigar_strings_decoded_in_bulk() -> None:
    from onco_genomics.pileup.fetch import _parse_cigars

    offsets, ops, lens = _parse_cigars(b"5S100M;10=1X2I3D120N4H;;7M;", 4)
    assert offsets.tolist() == [0, 2, 8, 8, 9]
    assert ops.tolist() == [4, 0, 7, 8, 1, 2, 3, 5, 0]
    assert lens.tolist() == [5, 100, 10, 1, 2, 3, 120, 4, 7]


def test_candidates_at_contig_ends_have_zero_columns_outside(tmp_path: Path) -> None:
    first, last = 3, len(REF) - 4
    tumor = ([snv_read(f"a{i}", 0, first, alt_base(first)) for i in range(3)]
             + [snv_read(f"b{i}", len(REF) - 100, last, alt_base(last)) for i in range(3)])
    batch = scan(*pair(tmp_path, tumor, [ref_read("n", 0), ref_read("m", len(REF) - 100)]))
    assert [c.pos for c in batch.candidates] == [first, last]
    start_window, end_window = batch.tensors
    outside_left = CENTER - first  # window columns before position 0
    assert not start_window[:, :outside_left].any()
    assert start_window[:, outside_left].any()
    outside_right = CENTER + (len(REF) - 1 - last) + 1  # first column past the contig end
    assert not end_window[:, outside_right:].any()
    assert end_window[:, outside_right - 1].any()


def test_base_counts_agree_with_pysam_count_coverage() -> None:
    """Independent check of the column kernel on real reads: per-position A/C/G/T counts
    equal pysam's ``count_coverage`` with the same filters everywhere except where two
    mates of a fragment overlap (pysam counts those twice, the scan once)."""
    from onco_genomics.pileup.columns import accumulate_columns, augmented_layout, scan_indels

    tumor, _, ref_path = MPILEUP
    ref = pysam.FastaFile(str(ref_path)).fetch("17")
    codes = np.frombuffer(ref.encode(), np.uint8)
    codes = np.select([codes == ord(b) for b in "ACGT"], [0, 1, 2, 3], 4).astype(np.int8)
    options = PileupOptions()
    with pysam.AlignmentFile(str(tumor)) as bam:
        reads = fetch_reads(bam, "17", 0, len(ref), options=options)
        theirs = np.array(bam.count_coverage(
            "17", 0, len(ref), quality_threshold=options.min_baseq,
            read_callback=lambda r: not r.flag & 0xF04 and r.mapping_quality >= 20))
    indels = scan_indels(reads, codes, 0, 0, len(ref))
    layout = augmented_layout(0, indels.max_insert)
    stats = accumulate_columns(reads, indels, layout, min_baseq=options.min_baseq,
                               max_depth=options.max_depth)
    mine = stats.sums[0][:4][:, layout.column_of]
    overlap = np.zeros(len(ref), dtype=bool)
    for start, first in zip(reads.ref_start.tolist(), reads.count_from.tolist(), strict=True):
        overlap[start:first] = True
    assert overlap.sum() > 50  # the fixture has overlapping mates
    np.testing.assert_array_equal(mine[:, ~overlap], theirs[:, ~overlap])
    assert np.all(mine[:, overlap] <= theirs[:, overlap])
