"""Shards (onco_genomics.caller.shards) and merge (onco_genomics.io.merge) with their commands."""

from __future__ import annotations

import gzip
import itertools
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from onco_genomics.caller.shards import callable_regions, make_shards
from onco_genomics.cli import cli
from onco_genomics.errors import ContigMismatchError, InputFileError, OptionsError, RegionError
from onco_genomics.io.merge import merge_vcfs
from onco_genomics.io.variants import HeaderField, Variant, VcfHeader, write_vcf
from onco_genomics.regions import Region


class SeqRef:
    def __init__(self, seqs: dict[str, str]) -> None:
        self.seqs = seqs

    @property
    def contigs(self) -> list[tuple[str, int]]:
        return [(name, len(seq)) for name, seq in self.seqs.items()]

    def fetch(self, chrom: str, start: int, end: int) -> str:
        return self.seqs[chrom][start:end]


def _bases(intervals: list[Region]) -> list[tuple[str, int]]:
    return [(r.chrom, pos) for r in intervals for pos in range(r.start, r.end)]


def _check_plan(ref: SeqRef, shards: list[list[Region]], n: int,
                regions: list[Region] | None) -> None:
    order = {name: i for i, (name, _) in enumerate(ref.contigs)}
    wanted = {(c, p) for c, s in ref.seqs.items() for p in range(len(s)) if s[p] not in "Nn"}
    if regions is not None:
        wanted = {(c, p) for c, p in wanted if any(r.contains(c, p) for r in regions)}
    assert len(shards) == n
    flat = [_bases(shard) for shard in shards]
    everything = list(itertools.chain.from_iterable(flat))
    # every callable base exactly once, nothing else
    assert len(everything) == len(set(everything)) == len(wanted)
    assert set(everything) == wanted
    # balanced to one base
    sizes = [len(bases) for bases in flat]
    assert max(sizes) - min(sizes) <= 1 and min(sizes) >= 1
    # contiguous in genome order: sorted within and across shards
    keys = [(order[c], p) for c, p in everything]
    assert keys == sorted(keys)


sequences = st.text(alphabet="ACGTN", min_size=0, max_size=60).map(
    lambda s: s.replace("NN", "NNNNN"))


@settings(max_examples=200, deadline=None)
@given(st.lists(sequences, min_size=1, max_size=4), st.integers(1, 12), st.data())
def test_shards_cover_every_callable_base_once_and_balance(seqs: list[str], n: int,
                                                            data: st.DataObject) -> None:
    ref = SeqRef({f"c{i}": s for i, s in enumerate(seqs)})
    regions = None
    if data.draw(st.booleans()):
        regions = []
        for name, length in ref.contigs:
            if length and data.draw(st.booleans()):
                start = data.draw(st.integers(0, length - 1))
                regions.append(Region(name, start, data.draw(st.integers(start, length))))
    total = sum(1 for c, s in ref.seqs.items() for p, b in enumerate(s)
                if b != "N" and (regions is None or any(r.contains(c, p) for r in regions)))
    if total < n:
        with pytest.raises(OptionsError, match="cannot make"):
            make_shards(ref, regions=regions, n=n)
        return
    _check_plan(ref, make_shards(ref, regions=regions, n=n), n, regions)


def test_callable_regions_merge_across_scan_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("onco_genomics.caller.shards.SCAN_BLOCK", 7)
    ref = SeqRef({"a": "ACGTACGTACGTNNNNACGTACGTACGTAC", "b": "NNNN"})
    assert callable_regions(ref) == [Region("a", 0, 12), Region("a", 16, 30)]


def test_bed_past_contig_end_and_bad_n() -> None:
    ref = SeqRef({"a": "ACGT" * 5})
    with pytest.raises(RegionError, match="runs past the end"):
        make_shards(ref, regions=[Region("a", 0, 50)], n=1)
    with pytest.raises(RegionError, match="not in the reference"):
        make_shards(ref, regions=[Region("z", 0, 5)], n=1)
    with pytest.raises(OptionsError, match="at least 1"):
        make_shards(ref, n=0)


def test_shards_on_real_chr20_slice_with_n_gap(tmp_path: Path) -> None:
    """A FASTA with real chr20 sequence and an N gap, through io.reference.Reference."""
    from onco_genomics.io.reference import Reference

    seq = "".join(line.strip() for line in
                  (Path(__file__).parent / "data" / "evaluate" / "ref.fa").read_text()
                  .splitlines()[1:])
    fasta = tmp_path / "ref.fa"
    fasta.write_text(f">one\n{seq[:120]}{'N' * 50}{seq[120:]}\n>two\n{seq}\n")
    reference = Reference(fasta)
    shards = make_shards(reference, n=4)
    assert [sum(len(r) for r in s) for s in shards] == [150, 150, 150, 150]
    assert shards[0] == [Region("one", 0, 120), Region("one", 170, 200)]
    assert shards[3] == [Region("two", 150, 300)]


# ----------------------------------------------------------------------------- merge

HEADER = VcfHeader(
    contigs=[("20", 1000), ("21", 800), ("X", 500)], samples=("NORMAL", "TUMOR"),
    info=[HeaderField("SOMATIC", "0", "Flag", "Somatic call"),
          HeaderField("TYPE", "1", "String", "SNV, INS or DEL")],
    formats=[HeaderField("GT", "1", "String", "Genotype"),
             HeaderField("AF", "A", "Float", "Allele fraction")],
    filters=[("LowQual", "Low quality")],
)


def _call(chrom: str, pos: int, ref: str, alt: str, af: float = 0.2) -> Variant:
    return Variant(chrom, pos, ref, alt, qual=30.0, info={"SOMATIC": True, "TYPE": "SNV"},
                   sample_data={"NORMAL": {"GT": "0/0", "AF": 0.0},
                                "TUMOR": {"GT": "0/1", "AF": af}})


RECORDS = [_call("20", 10, "A", "G"), _call("20", 500, "C", "T"), _call("20", 500, "C", "A"),
           _call("20", 999, "G", "T"), _call("21", 5, "A", "C"), _call("21", 700, "T", "G"),
           _call("X", 100, "G", "A")]


def _records(path: Path) -> list[str]:
    with gzip.open(path, "rt") as handle:
        return [line for line in handle if not line.startswith("#")]


def test_merge_of_shards_equals_the_whole(tmp_path: Path) -> None:
    whole = write_vcf(tmp_path / "whole.vcf.gz", HEADER, RECORDS)
    # shards out of order on the command line, one record duplicated at a boundary
    write_vcf(tmp_path / "s1.vcf.gz", HEADER, RECORDS[:3])
    write_vcf(tmp_path / "s2.vcf.gz", HEADER, RECORDS[2:5])
    write_vcf(tmp_path / "s3.vcf.gz", HEADER, RECORDS[5:])
    write_vcf(tmp_path / "empty.vcf.gz", HEADER, [])
    out = merge_vcfs([tmp_path / "s3.vcf.gz", tmp_path / "empty.vcf.gz",
                      tmp_path / "s1.vcf.gz", tmp_path / "s2.vcf.gz"], tmp_path / "m.vcf.gz")
    assert _records(out) == _records(whole)
    assert (tmp_path / "m.vcf.gz.tbi").exists()
    import pysam

    with pysam.VariantFile(str(out)) as vcf:  # the index works for region queries
        assert [rec.pos for rec in vcf.fetch("21")] == [6, 701]
        assert list(vcf.header.samples) == ["NORMAL", "TUMOR"]


def test_merge_unites_filters_and_keeps_conflicting_duplicates(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture
                                                               ) -> None:
    other = VcfHeader(contigs=HEADER.contigs, samples=HEADER.samples, info=HEADER.info,
                      formats=HEADER.formats, filters=[("NormalArtifact", "Alt in normal")])
    write_vcf(tmp_path / "a.vcf.gz", HEADER, [_call("20", 10, "A", "G", af=0.2)])
    write_vcf(tmp_path / "b.vcf.gz", other, [_call("20", 10, "A", "G", af=0.3)])
    out = merge_vcfs([tmp_path / "a.vcf.gz", tmp_path / "b.vcf.gz"], tmp_path / "m.vcf.gz")
    with gzip.open(out, "rt") as handle:
        text = handle.read()
    assert "##FILTER=<ID=LowQual" in text and "##FILTER=<ID=NormalArtifact" in text
    assert len(_records(out)) == 2
    assert "different content" in caplog.text


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"samples": ("NORMAL", "TUMOR2")}, InputFileError, "expected the samples"),
        ({"contigs": [("20", 1000), ("21", 800)]}, ContigMismatchError, "2 contigs"),
        ({"contigs": [("20", 1001), ("21", 800), ("X", 500)]}, ContigMismatchError,
         "different lengths"),
        ({"info": [HeaderField("SOMATIC", "0", "Flag", "Somatic call"),
                   HeaderField("TYPE", "A", "String", "SNV, INS or DEL")]}, InputFileError,
         "INFO definitions .* TYPE"),
        ({"formats": [HeaderField("GT", "1", "String", "Genotype")]}, InputFileError,
         "FORMAT definitions .* AF"),
    ],
)
def test_merge_refuses_incompatible_headers(tmp_path: Path, change: dict[str, object],
                                            error: type[Exception], message: str) -> None:
    fields = {"contigs": HEADER.contigs, "samples": HEADER.samples, "info": HEADER.info,
              "formats": HEADER.formats, "filters": HEADER.filters, **change}
    write_vcf(tmp_path / "a.vcf.gz", HEADER, RECORDS[:1])
    write_vcf(tmp_path / "odd.vcf.gz", VcfHeader(**fields), [])  # type: ignore[arg-type]
    with pytest.raises(error, match=message) as info:
        merge_vcfs([tmp_path / "a.vcf.gz", tmp_path / "odd.vcf.gz"], tmp_path / "m.vcf.gz")
    assert "odd.vcf.gz" in str(info.value)
    assert not (tmp_path / "m.vcf.gz").exists()


def test_merge_option_errors(tmp_path: Path) -> None:
    a = write_vcf(tmp_path / "a.vcf.gz", HEADER, RECORDS[:1])
    with pytest.raises(OptionsError, match="at least one"):
        merge_vcfs([], tmp_path / "m.vcf.gz")
    with pytest.raises(OptionsError, match=r"ending in \.vcf\.gz"):
        merge_vcfs([a], tmp_path / "m.vcf")
    with pytest.raises(OptionsError, match="listed twice"):
        merge_vcfs([a, tmp_path / "." / "a.vcf.gz"], tmp_path / "m.vcf.gz")
    with pytest.raises(OptionsError, match="also an input"):
        merge_vcfs([a], a)


def test_merge_cli(tmp_path: Path) -> None:
    for k, chunk in enumerate((RECORDS[:4], RECORDS[4:])):
        write_vcf(tmp_path / f"shard_{k + 1:03d}.vcf.gz", HEADER, chunk)
    out = tmp_path / "calls.vcf.gz"
    result = CliRunner().invoke(cli, ["merge", *map(str, sorted(tmp_path.glob("shard_*.vcf.gz"))),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(_records(out)) == len(RECORDS)
    bad = CliRunner().invoke(cli, ["merge", str(tmp_path / "nope.vcf.gz"), "-o", str(out)])
    assert bad.exit_code == 2 and "oncogen: error:" in bad.output


def test_shards_cli_writes_balanced_beds(tmp_path: Path) -> None:
    from onco_genomics.io.bed import read_bed

    fasta = tmp_path / "ref.fa"
    shutil.copy(Path(__file__).parent / "data" / "evaluate" / "ref.fa", fasta)
    bed = tmp_path / "targets.bed"
    bed.write_text("20slice\t10\t110\n20slice\t200\t260\n")
    out = tmp_path / "shards"
    result = CliRunner().invoke(cli, ["shards", "--ref", str(fasta), "--bed", str(bed),
                                      "-n", "4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("shard_*.bed"))
    assert [f.name for f in files] == [f"shard_00{k}.bed" for k in range(1, 5)]
    shards = [read_bed(f) for f in files]
    assert [sum(len(r) for r in s) for s in shards] == [40, 40, 40, 40]
    assert shards[2] == [Region("20slice", 90, 110), Region("20slice", 200, 220)]
    again = CliRunner().invoke(cli, ["shards", "--ref", str(fasta), "-n", "2", "-o", str(out)])
    assert again.exit_code == 2 and "another run" in again.output
    zero = CliRunner().invoke(cli, ["shards", "--ref", str(fasta), "-n", "0", "-o", str(out)])
    assert zero.exit_code == 2


def test_merge_plain_vcfs_without_samples(tmp_path: Path) -> None:
    """Plain-text inputs, no sample columns, a multi-allelic record kept as written."""
    lines = (Path(__file__).parent / "data" / "evaluate" / "truth.vcf").read_text().splitlines()
    header = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    (tmp_path / "b.vcf").write_text("\n".join([*header, *body[:3]]) + "\n")
    (tmp_path / "a.vcf").write_text("\n".join([*header, *body[3:]]) + "\n")
    out = merge_vcfs([tmp_path / "a.vcf", tmp_path / "b.vcf"], tmp_path / "m.vcf.gz")
    assert [line.rstrip("\n") for line in _records(out)] == body
    with gzip.open(out, "rt") as handle:
        chrom_line = next(line for line in handle if line.startswith("#CHROM"))
    assert chrom_line.rstrip("\n").split("\t") == ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL",
                                                   "FILTER", "INFO"]
