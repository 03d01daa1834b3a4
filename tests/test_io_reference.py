"""Tests of onco_genomics.io.reference.Reference: plain/BGZF FASTA, indexes, bad inputs."""

from __future__ import annotations

import gzip
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from onco_genomics.errors import IndexMissingError, InputFileError, RegionError
from onco_genomics.io.reference import Reference

DATA = Path(__file__).parent / "data" / "io"
FASTA = DATA / "chr17_4kb.fa"
SEQUENCE = "".join(line.strip() for line in FASTA.read_text().splitlines()[1:])
VT_CHR20 = Path("/usr/share/doc/vt/examples/ref/20.fa.gz")


def test_plain_fasta() -> None:
    with Reference(FASTA) as ref:
        assert ref.contigs == [("17", 4200)]
        assert ref.lengths == {"17": 4200}
        assert ref.path == FASTA
        assert ref.fetch("17", 0, 10) == "AAGCTTCTCA"
        assert ref.fetch("17", 4190, 4200) == SEQUENCE[4190:]
        assert ref.fetch("17", 100, 100) == ""
    # a closed reference reopens on demand
    assert ref.fetch("17", 60, 70) == SEQUENCE[60:70]


def test_fetch_is_upper_case(tmp_path: Path) -> None:
    fasta = tmp_path / "soft.fa"
    fasta.write_text(">c\nACGTacgtNN\n")
    assert Reference(fasta).fetch("c", 2, 8) == "GTACGT"


def test_fetch_outside_contig_is_an_error() -> None:
    ref = Reference(FASTA)
    with pytest.raises(RegionError, match="outside contig 17 of length 4,200"):
        ref.fetch("17", 4195, 4201)
    with pytest.raises(RegionError, match="outside"):
        ref.fetch("17", -1, 5)
    with pytest.raises(RegionError, match="outside"):
        ref.fetch("17", 10, 5)
    with pytest.raises(RegionError, match="the FASTA names it '17'"):
        ref.fetch("chr17", 0, 5)


def test_pickles_by_path_and_reopens() -> None:
    ref = Reference(FASTA)
    ref.fetch("17", 0, 5)  # opens a handle
    clone = pickle.loads(pickle.dumps(ref))
    assert clone._backend is None
    assert clone.fetch("17", 1000, 1010) == SEQUENCE[1000:1010]


def test_builds_missing_fai(tmp_path: Path) -> None:
    fasta = tmp_path / "ref.fa"
    shutil.copy(FASTA, fasta)
    ref = Reference(fasta)
    assert (tmp_path / "ref.fa.fai").exists()
    assert ref.fetch("17", 2000, 2010) == SEQUENCE[2000:2010]


def test_read_only_folder_names_samtools_faidx(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fasta = tmp_path / "ref.fa"
    shutil.copy(FASTA, fasta)
    real_access = os.access
    # tests may run as root, where chmod does not stop writes: simulate a read-only folder
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == tmp_path and
                        mode == os.W_OK else real_access(p, mode))
    with pytest.raises(IndexMissingError, match=rf"samtools faidx {fasta}"):
        Reference(fasta)


def test_bgzipped_fasta_builds_fai_and_gzi(tmp_path: Path) -> None:
    bgz = tmp_path / "ref.fa.gz"
    subprocess.run(["bgzip", "-c", str(FASTA)], stdout=bgz.open("wb"), check=True)
    ref = Reference(bgz)
    assert (tmp_path / "ref.fa.gz.fai").exists() and (tmp_path / "ref.fa.gz.gzi").exists()
    assert ref.contigs == [("17", 4200)]
    assert ref.fetch("17", 3000, 3050) == SEQUENCE[3000:3050]


def test_bgzipped_fasta_uses_gzipped_gzi(tmp_path: Path) -> None:
    # like Debian vt-examples: ref.fa.gz + ref.fa.gz.gzi.gz and no .gzi
    bgz = tmp_path / "ref.fa.gz"
    subprocess.run(["bgzip", "-c", str(FASTA)], stdout=bgz.open("wb"), check=True)
    Reference(bgz)
    gzi = tmp_path / "ref.fa.gz.gzi"
    with gzip.open(tmp_path / "ref.fa.gz.gzi.gz", "wb") as handle:
        handle.write(gzi.read_bytes())
    expected = gzi.read_bytes()
    gzi.unlink()
    assert Reference(bgz).fetch("17", 10, 20) == SEQUENCE[10:20]
    assert gzi.read_bytes() == expected


@pytest.mark.skipif(not VT_CHR20.exists(), reason="Debian vt-examples (GRCh37 chr20) absent")
def test_real_chr20_bgzf(tmp_path: Path) -> None:
    # copy only the gzipped .gzi as Debian ships it; the .fai is rebuilt by htslib
    local = tmp_path / "20.fa.gz"
    os.symlink(VT_CHR20, local)
    shutil.copy(VT_CHR20.with_name("20.fa.gz.gzi.gz"), tmp_path / "20.fa.gz.gzi.gz")
    ref = Reference(local)
    assert ref.contigs == [("20", 63025520)]
    assert ref.fetch("20", 1_000_000, 1_000_004) == "TGGG"  # as in mutect2_like.vcf


def test_plain_gzip_fasta_names_bgzip(tmp_path: Path) -> None:
    plain = tmp_path / "plain_gzip.fa.gz"
    with gzip.open(plain, "wb") as handle:
        handle.write(FASTA.read_bytes())
    with pytest.raises(InputFileError, match=r"plain gzip.*bgzip"):
        Reference(plain)


def test_plain_gzip_fixture() -> None:
    with pytest.raises(InputFileError, match="bgzip"):
        Reference(DATA / "plain_gzip.fa.gz")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"ACGT\nACGT\n", "not a valid FASTA"),
     (b">a\nACGT\nAC\nACGT\n", "not a valid FASTA")],
)
def test_bad_fasta(tmp_path: Path, content: bytes, message: str) -> None:
    fasta = tmp_path / "bad.fa"
    fasta.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        Reference(fasta)
    assert not (tmp_path / "bad.fa.fai").exists()


def test_missing_fasta(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        Reference(tmp_path / "absent.fa")
    with pytest.raises(InputFileError, match="folder"):
        Reference(tmp_path)


def test_duplicated_contig_names(tmp_path: Path) -> None:
    fasta = tmp_path / "dup.fa"
    fasta.write_text(">c1\nACGT\n>c2\nGG\n>c1\nTTTT\n")
    with pytest.raises(InputFileError, match=r"duplicated sequence names \(c1\)"):
        Reference(fasta)


def test_malformed_fai(tmp_path: Path) -> None:
    fasta = tmp_path / "ref.fa"
    shutil.copy(FASTA, fasta)
    (tmp_path / "ref.fa.fai").write_text("17 4200\n")
    with pytest.raises(InputFileError, match="malformed"):
        Reference(fasta)
