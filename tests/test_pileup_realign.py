"""Local haplotype realignment of competing indel candidates (onco_genomics.pileup.realign).

Tiny BAMs are written with pysam on the real 2 kb GRCh37 chr20 slice of the pileup tests
(tests/data/pileup/chr20_slice.fa): REF[774] is G, then an A homopolymer at 775..780.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pysam

from onco_genomics.pileup.candidates import PileupOptions
from onco_genomics.pileup.realign import haplotype_scores
from onco_genomics.pileup.scan import scan_region
from onco_genomics.regions import Region

DATA = Path(__file__).parent / "data" / "pileup"
REF_FA = DATA / "chr20_slice.fa"
CHROM = "chr20_slice"
REF = pysam.FastaFile(str(REF_FA)).fetch(CHROM)
RUN_END = 781  # one past the A homopolymer 775..780
LENGTH = 100
#: the true event: seven more A at the end of the run (left-normalised: after G at 774)
TRUE_HAP = REF[:RUN_END] + "A" * 7 + REF[RUN_END:]

Cigar = list[tuple[int, int]]


def _bam(path: Path, reads: list[tuple[int, str, Cigar]]) -> Path:
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": CHROM, "LN": len(REF)}]}
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for i, (start, seq, cigar) in enumerate(sorted(reads, key=lambda r: r[0])):
            seg = pysam.AlignedSegment(out.header)
            seg.query_name, seg.query_sequence, seg.flag = f"r{i}", seq, 0
            seg.reference_id, seg.reference_start, seg.mapping_quality = 0, start, 60
            seg.cigartuples = cigar
            seg.query_qualities = pysam.qualitystring_to_array("?" * len(seq))
            out.write(seg)
    pysam.index(str(path))
    return path


def _spanning(start: int) -> tuple[int, str, Cigar]:
    """A read of the true haplotype, aligned with the 7-base insertion."""
    left = RUN_END - start
    return start, TRUE_HAP[start:start + LENGTH], [(0, left), (1, 7), (0, LENGTH - left - 7)]


def _short_form(end_past_run: int) -> tuple[int, str, Cigar]:
    """A read of the true haplotype ending just past the run, aligned with only 5 A
    inserted and mismatches after them (what an aligner does near a read end)."""
    hap_end = RUN_END + 7 + end_past_run
    start = hap_end - LENGTH
    left = RUN_END - start
    return start, TRUE_HAP[start:hap_end], [(0, left), (1, 5), (0, LENGTH - left - 5)]


def _reference(start: int) -> tuple[int, str, Cigar]:
    return start, REF[start:start + LENGTH], [(0, LENGTH)]


def _indels(tmp_path: Path, tumor: list[tuple[int, str, Cigar]]) -> dict[tuple[int, str, str],
                                                                          tuple[int, int]]:
    normal = [_reference(700 + 6 * i) for i in range(12)]
    batch = scan_region(_bam(tmp_path / "tumor.bam", tumor), _bam(tmp_path / "normal.bam",
                                                                   normal),
                        REF_FA, Region(CHROM, 0, len(REF)), options=PileupOptions())
    return {(c.pos, c.ref, c.alt): (c.tumor.alt, c.normal.alt) for c in batch.candidates
            if c.vartype != "SNV"}


def test_competing_homopolymer_insertion_forms_become_one(tmp_path: Path) -> None:
    tumor = ([_spanning(700 + 5 * i) for i in range(6)]
             + [_short_form(4), _short_form(5), _short_form(6)]
             + [_reference(690 + 7 * i) for i in range(12)])
    indels = _indels(tmp_path, tumor)
    # the aligner's forms were 7 and 5 inserted A (both left-normalised to the G at 774);
    # realigned, every read fits the 7-A haplotype best, so the 5-A form has no reads left
    assert indels == {(774, "G", "G" + "A" * 7): (9, 0)}


def test_distinct_nearby_events_on_different_reads_stay_apart(tmp_path: Path) -> None:
    deletion_at = RUN_END + 12  # delete 2 bases 12 bases past the run, on other reads
    deleted_hap = REF[:deletion_at + 1] + REF[deletion_at + 3:]
    left = deletion_at + 1 - 720
    deletion_reads = [(720 + i, deleted_hap[720 + i:720 + i + LENGTH],
                       [(0, left - i), (2, 2), (0, LENGTH - left + i)]) for i in range(4)]
    tumor = ([_spanning(700 + 5 * i) for i in range(5)] + deletion_reads
             + [_reference(690 + 7 * i) for i in range(12)])
    indels = _indels(tmp_path, tumor)
    assert indels[(774, "G", "G" + "A" * 7)] == (5, 0)
    deletion = [key for key in indels if len(key[1]) == 3]
    assert len(deletion) == 1 and indels[deletion[0]] == (4, 0)


def test_haplotype_scores_prefer_the_haplotype_a_read_came_from() -> None:
    read = np.frombuffer(TRUE_HAP[720:800].encode(), dtype=np.uint8)
    codes = np.array(["ACGT".index(b) for b in TRUE_HAP[720:800]], dtype=np.uint8)
    assert len(codes) == len(read)
    quals = np.full(len(codes), 30, dtype=np.uint8)
    short_hap = REF[:RUN_END] + "A" * 5 + REF[RUN_END:]
    scores = haplotype_scores([(codes, quals)], [REF[600:900], short_hap[600:900],
                                                 TRUE_HAP[600:900]])[0]
    assert scores[2] == 0.0 and scores[2] > scores[1] > scores[0]
