"""Tests of onco_genomics.io.alignments on real 1000 Genomes reads (samtools-test)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pysam
import pytest

from onco_genomics.errors import (
    ContigMismatchError,
    IndexMissingError,
    InputFileError,
    OptionsError,
)
from onco_genomics.io.alignments import (
    alignment_format,
    bam_contigs,
    check_contigs,
    find_index,
    open_alignments,
    sample_name,
)
from onco_genomics.io.reference import Reference

DATA = Path(__file__).parent / "data" / "io"
BAM = DATA / "hg00101_chr17_4kb.bam"
CRAM = DATA / "hg00101_chr17_4kb.cram"
FASTA = DATA / "chr17_4kb.fa"


def test_open_bam_and_fetch() -> None:
    with open_alignments(BAM) as bam:
        assert bam_contigs(bam) == [("17", 4200)]
        reads = list(bam.fetch("17", 1000, 1100))
        assert reads and all(r.reference_name == "17" for r in reads)
    assert alignment_format(BAM) == "bam"
    assert find_index(BAM) == DATA / "hg00101_chr17_4kb.bam.bai"


def test_open_cram_with_reference_matches_bam() -> None:
    with open_alignments(CRAM, reference=Reference(FASTA)) as cram, open_alignments(BAM) as bam:
        cram_reads = [(r.query_name, r.reference_start, r.query_sequence)
                      for r in cram.fetch("17", 0, 4200)]
        bam_reads = [(r.query_name, r.reference_start, r.query_sequence)
                     for r in bam.fetch("17", 0, 4200)]
    assert len(cram_reads) == 233
    assert cram_reads == bam_reads
    with open_alignments(CRAM, reference=FASTA) as cram:  # a path works too
        assert cram.count("17", 0, 4200) == 233


def test_cram_with_bgzipped_reference(tmp_path: Path) -> None:
    bgz = tmp_path / "ref.fa.gz"
    with bgz.open("wb") as handle:
        subprocess.run(["bgzip", "-c", str(FASTA)], stdout=handle, check=True)
    with open_alignments(CRAM, reference=Reference(bgz)) as cram:
        assert cram.count("17", 0, 4200) == 233
        first = next(cram.fetch("17", 0, 4200))
        assert first.query_sequence and set(first.query_sequence) <= set("ACGTN")


def test_cram_without_reference() -> None:
    with pytest.raises(OptionsError, match="needs the reference"):
        open_alignments(CRAM)


@pytest.mark.parametrize("name", ["no_index.bam", "no_index.cram"])
def test_missing_index_gives_samtools_index_command(name: str) -> None:
    path = DATA / name
    with pytest.raises(IndexMissingError, match=rf"`samtools index {path}`$"):
        open_alignments(path, reference=FASTA)
    with open_alignments(DATA / "no_index.bam", require_index=False) as bam:
        assert sum(1 for _ in bam) == 233  # streams without an index when asked


def test_unsorted_bam_without_index_says_sort_first(tmp_path: Path) -> None:
    unsorted = tmp_path / "by_name.bam"
    pysam.sort("-n", "-o", str(unsorted), str(BAM))
    with pytest.raises(IndexMissingError, match="samtools sort"):
        open_alignments(unsorted)


def test_bai_next_to_stem_is_found(tmp_path: Path) -> None:
    shutil.copy(BAM, tmp_path / "reads.bam")
    shutil.copy(DATA / "hg00101_chr17_4kb.bam.bai", tmp_path / "reads.bai")
    with open_alignments(tmp_path / "reads.bam") as bam:
        assert bam.count("17", 0, 4200) == 233


def test_bad_alignment_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bam"
    empty.touch()
    with pytest.raises(InputFileError, match="empty"):
        open_alignments(empty)
    truncated = tmp_path / "truncated.bam"
    truncated.write_bytes(BAM.read_bytes()[:5000])
    with pytest.raises(InputFileError, match="truncated"):
        open_alignments(truncated)
    with pytest.raises(InputFileError, match="not a BAM or CRAM"):
        open_alignments(DATA / "mutect2_like.vcf.gz")
    with pytest.raises(InputFileError, match="not a BAM or CRAM"):
        open_alignments(FASTA)
    sam = tmp_path / "reads.sam"
    sam.write_text("@HD\tVN:1.6\n")
    with pytest.raises(InputFileError, match="samtools sort"):
        open_alignments(sam)
    with pytest.raises(InputFileError, match="does not exist"):
        open_alignments(tmp_path / "absent.bam")


def test_sample_name() -> None:
    assert sample_name(BAM) == "HG00101"
    assert sample_name(CRAM) == "HG00101"
    with open_alignments(BAM) as bam:
        assert sample_name(bam) == "HG00101"
    assert sample_name(DATA / "two_samples.bam", override="T1") == "T1"


def test_sample_name_errors_name_the_override_option() -> None:
    with pytest.raises(InputFileError, match=r"2 samples \(HG00101, HG00102\).*--tumor-sample"):
        sample_name(DATA / "two_samples.bam", option="--tumor-sample")
    with pytest.raises(InputFileError, match=r"no @RG.*--normal-sample NAME"):
        sample_name(DATA / "no_read_group.bam", option="--normal-sample")


def test_check_contigs_matching() -> None:
    ref = Reference(FASTA)
    with open_alignments(BAM) as bam:
        assert check_contigs(bam_contigs(bam), ref.contigs, bam_path=BAM,
                             ref_path=FASTA) == ["17"]


def test_check_contigs_chr_prefix_both_ways() -> None:
    ref = Reference(FASTA)
    with open_alignments(DATA / "chr_prefix.bam") as bam, \
            pytest.raises(ContigMismatchError,
                          match=r"BAM .* uses chr1\.\. .* FASTA .* uses 1\.\..*samtools reheader"):
        check_contigs(bam_contigs(bam), ref.contigs, bam_path="chr_prefix.bam", ref_path=FASTA)
    chr_ref = Reference(DATA / "contig_chr_prefix.fa")
    with open_alignments(BAM) as bam, \
            pytest.raises(ContigMismatchError, match=r"BAM .* uses 1\.\. .* FASTA .* uses chr1"):
        check_contigs(bam_contigs(bam), chr_ref.contigs, bam_path=BAM, ref_path="x.fa")


def test_check_contigs_lengths_differ_on_real_header() -> None:
    # samtools-test mpileup.1.bam is aligned to the whole of hs37d5: chr17 is 81 Mb there
    real = Path("/usr/share/samtools/test/mpileup/mpileup.1.bam")
    if not real.exists():
        pytest.skip("Debian samtools-test is not installed")
    with open_alignments(real) as bam, \
            pytest.raises(ContigMismatchError, match=r"17: BAM 81,195,210 vs FASTA 4,200.*"
                                                     r"different assembly"):
        check_contigs(bam_contigs(bam), Reference(FASTA).contigs, bam_path=real,
                      ref_path=FASTA)


def test_check_contigs_subsets_and_disjoint(caplog: pytest.LogCaptureFixture) -> None:
    ref = [("1", 1000), ("2", 500), ("3", 300)]
    assert check_contigs([("2", 500), ("decoy", 10)], ref, bam_path="b",
                         ref_path="r") == ["2"]
    assert "decoy" in caplog.text
    with pytest.raises(ContigMismatchError, match="share no contig"):
        check_contigs([("X", 5)], ref, bam_path="b", ref_path="r")
    with pytest.raises(ContigMismatchError, match=r"chrM|prefix"):
        check_contigs([("chrM", 16571), ("chr1", 1000)], [("MT", 16569), ("1", 1000)],
                      bam_path="b", ref_path="r")
