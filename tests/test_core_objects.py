"""Regions, atomic output, progress reporting and the Variant record."""

from __future__ import annotations

import io
import itertools
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onco_genomics.errors import RegionError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.io.variants import Variant
from onco_genomics.progress import Progress
from onco_genomics.regions import Region, merge_regions, parse_region, sort_by_contig_order


def test_parse_region_one_based_inclusive() -> None:
    assert parse_region("20:1,001-2,000") == Region("20", 1000, 2000)
    assert str(Region("20", 1000, 2000)) == "20:1001-2000"


def test_parse_region_whole_contig_needs_lengths() -> None:
    assert parse_region("20", {"20": 5000}) == Region("20", 0, 5000)
    with pytest.raises(RegionError, match="no end"):
        parse_region("20")


def test_parse_region_chr_prefix_hint() -> None:
    with pytest.raises(RegionError, match="the reference names it '20'"):
        parse_region("chr20:1-10", {"20": 5000})


@pytest.mark.parametrize("text", ["20:0-10", "20:10-5", "20:a-b", ""])
def test_parse_region_rejects_bad_text(text: str) -> None:
    with pytest.raises(RegionError):
        parse_region(text, {"20": 5000})


def test_parse_region_past_contig_end() -> None:
    with pytest.raises(RegionError, match="ends past"):
        parse_region("20:1-6000", {"20": 5000})


@given(st.integers(0, 10_000), st.integers(1, 5_000), st.integers(1, 3_000))
def test_chunks_tile_the_region(start: int, length: int, size: int) -> None:
    region = Region("1", start, start + length)
    chunks = list(region.chunks(size))
    assert chunks[0].start == region.start and chunks[-1].end == region.end
    assert all(a.end == b.start for a, b in itertools.pairwise(chunks))
    assert all(0 < len(c) <= size for c in chunks)


def test_merge_and_sort_regions() -> None:
    merged = merge_regions([Region("1", 5, 10), Region("1", 0, 5), Region("2", 0, 3)])
    assert merged == [Region("1", 0, 10), Region("2", 0, 3)]
    ordered = sort_by_contig_order([Region("2", 0, 1), Region("10", 0, 1)], ["10", "2"])
    assert [r.chrom for r in ordered] == ["10", "2"]
    with pytest.raises(RegionError):
        sort_by_contig_order([Region("X", 0, 1)], ["1"])


def test_atomic_path_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.vcf.gz"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    with atomic_path(target) as tmp:
        assert tmp.name.endswith(".vcf.gz")
        tmp.write_text("whole")
    assert target.read_text() == "whole"


def test_progress_logs_when_not_a_terminal(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="onco_genomics.progress"), \
            Progress(4, "chunks", rate_label="sites", log_every=0.0, stream=stream) as bar:
        for _ in range(4):
            bar.update(1, extra=10)
    assert stream.getvalue() == ""  # no bar drawn on a non-terminal
    assert "4/4 chunks" in caplog.text
    assert "sites/s" in caplog.text


def test_variant_types_and_coordinates() -> None:
    snv = Variant("20", 99, "A", "G")
    assert snv.vcf_pos == 100 and snv.end == 100 and snv.vartype == "SNV" and snv.is_pass
    assert Variant("20", 9, "A", "ATT").vartype == "INS"
    assert Variant("20", 9, "ATT", "A").vartype == "DEL"
    assert Variant("20", 9, "AC", "GT").vartype == "MNV"
    assert Variant("20", 9, "AC", "G").vartype == "COMPLEX"
    assert not Variant("20", 9, "A", "G", filters=("LowQual",)).is_pass
    with pytest.raises(ValueError):
        Variant("20", -1, "A", "G")


def test_atomic_path_output_has_umask_permissions(tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    try:
        target = tmp_path / "table.tsv"
        with atomic_path(target) as tmp:
            tmp.write_text("x")
        assert target.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(umask)
