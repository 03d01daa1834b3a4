"""Tests of onco_genomics.io.bed."""

from __future__ import annotations

import gzip
from pathlib import Path

import pysam
import pytest

from onco_genomics.errors import InputFileError
from onco_genomics.io.bed import read_bed, write_bed
from onco_genomics.regions import Region

DATA = Path(__file__).parent / "data" / "io"


def test_read_bed_skips_headers_and_extra_columns() -> None:
    regions = read_bed(DATA / "targets.bed")
    assert regions == [Region("17", 0, 1000), Region("17", 1500, 4200),
                       Region("20", 999_999, 1_000_100)]


def test_write_read_roundtrip_plain_and_gz(tmp_path: Path) -> None:
    regions = [Region("20", 5, 10), Region("1", 0, 3)]
    for name in ("out.bed", "out.bed.gz"):
        path = write_bed(tmp_path / name, regions)
        assert read_bed(path) == regions
    assert (tmp_path / "out.bed").read_text() == "20\t5\t10\n1\t0\t3\n"
    with gzip.open(tmp_path / "out.bed.gz", "rt") as handle:
        assert handle.read() == "20\t5\t10\n1\t0\t3\n"
    sorted_bed = write_bed(tmp_path / "sorted.bed.gz", sorted(regions))
    pysam.tabix_index(str(sorted_bed), preset="bed", force=True)  # BGZF: indexable
    with pysam.TabixFile(str(sorted_bed)) as tabix:
        assert list(tabix.fetch("20", 0, 100)) == ["20\t5\t10"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("17\t10\n", r"line 1: expected at least 3 .* found 2"),
        ("# c\n17\t10\t20\n17\tten\t20\n", r"line 3: START and END must be integers.*'ten'"),
        ("17\t20\t20\n", r"line 1: expected 0 <= START < END.*START=20 END=20"),
        ("17\t-5\t20\n", "START=-5"),
        ("track name=empty\n", "contains no intervals"),
        ("17\t1.5\t20\n", "integers"),
    ],
)
def test_bad_bed_lines(tmp_path: Path, content: str, message: str) -> None:
    bed = tmp_path / "bad.bed"
    bed.write_text(content)
    with pytest.raises(InputFileError, match=message):
        read_bed(bed)


def test_bed_fixtures_and_missing(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"line 2: expected 0 <= START < END"):
        read_bed(DATA / "start_after_end.bed")
    with pytest.raises(InputFileError, match="does not exist"):
        read_bed(tmp_path / "absent.bed")
    binary = tmp_path / "binary.bed"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(InputFileError, match="not readable text"):
        read_bed(binary)


def test_space_separated_bed_is_accepted(tmp_path: Path) -> None:
    bed = tmp_path / "spaces.bed"
    bed.write_text("17 5 10\n")
    assert read_bed(bed) == [Region("17", 5, 10)]


def test_write_bed_failure_leaves_no_file(tmp_path: Path) -> None:
    def broken() -> object:
        yield Region("1", 0, 5)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_bed(tmp_path / "x.bed", broken())  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
