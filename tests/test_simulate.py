"""Tests of the tumor/normal simulator on a 24 kb slice of real chr20 sequence."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import OptionsError, RegionError
from onco_genomics.io.normalize import normalize_variant
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import Variant, read_variants
from onco_genomics.simulate import SimulationOptions, VafSpec, load_mutations, simulate_pair
from onco_genomics.simulate.sequencing import ErrorModel

DATA = Path(__file__).parent / "data" / "simulate"
REF = DATA / "chr20_10000000.fa"
CONTIG = "20_10000000"
REGION = f"{CONTIG}:1001-23000"
SKIP = 0x4 | 0x100 | 0x800


def _options(**overrides: object) -> SimulationOptions:
    settings: dict[str, object] = dict(
        reference=REF, regions=(REGION,), seed=7, tumor_depth=60, normal_depth=30,
        vaf=VafSpec(0.2, 0.5), snv_count=15, indel_count=10, oxog_sites=300.0,
        dup_rate=0.1, mutations=str(DATA / "somatic_snvs.tsv"))
    settings.update(overrides)
    return SimulationOptions(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("sim")
    simulate_pair(_options(), out)
    yield out


def _alt_reads(bam: Path, variant: Variant, *, skip_dups: bool = True
               ) -> list[pysam.PileupRead]:
    """Pileup reads carrying ``variant`` and the total depth at it."""
    flags = SKIP | (0x400 if skip_dups else 0)
    carrying = []
    with pysam.AlignmentFile(str(bam)) as handle:
        for column in handle.pileup(variant.chrom, variant.pos, variant.pos + 1, truncate=True,
                                    stepper="all", flag_filter=flags,
                                    ignore_overlaps=False, min_base_quality=0):
            for read in column.pileups:
                if variant.vartype == "SNV":
                    if (read.query_position is not None and read.alignment.query_sequence[
                            read.query_position] == variant.alt):
                        carrying.append(read)
                elif read.indel == len(variant.alt) - len(variant.ref):
                    carrying.append(read)
    return carrying


def _depth(bam: Path, chrom: str, pos: int) -> int:
    with pysam.AlignmentFile(str(bam)) as handle:
        counts = handle.count_coverage(chrom, pos, pos + 1, quality_threshold=0,
                                       read_callback=lambda r: not r.flag & (SKIP | 0x400))
    return int(sum(c[0] for c in counts))


def _records(bam: Path) -> list[str]:
    with pysam.AlignmentFile(str(bam)) as handle:
        return [read.to_string() for read in handle.fetch(until_eof=True)]


# ------------------------------------------------------------------------------ outputs

def test_outputs_present_and_params_recorded(sim: Path) -> None:
    for name in ("tumor.bam", "tumor.bam.bai", "normal.bam", "normal.bam.bai", "truth.vcf.gz",
                 "truth.vcf.gz.tbi", "germline.vcf.gz", "germline.vcf.gz.tbi",
                 "artefacts.vcf.gz", "confident.bed", "params.json"):
        assert (sim / name).is_file(), name
    params = json.loads((sim / "params.json").read_text())
    assert params["options"]["seed"] == 7
    assert params["options"]["vaf"] == "0.2-0.5"
    assert params["oncogen_version"]
    assert params["counts"]["somatic_snv"] == 15
    assert params["counts"]["somatic_indel"] == 10
    assert "0x400" in params["duplicates"]


def test_bam_sorted_indexed_with_read_groups(sim: Path) -> None:
    for label, sample in (("tumor", "TUMOR"), ("normal", "NORMAL")):
        with pysam.AlignmentFile(str(sim / f"{label}.bam")) as bam:
            header = bam.header.to_dict()
            assert header["HD"]["SO"] == "coordinate"
            assert [rg["SM"] for rg in header["RG"]] == [sample]
            assert [sq["SN"] for sq in header["SQ"]] == [CONTIG]
            assert bam.check_index()
            last = -1
            mates: dict[tuple[str, bool], tuple[int, int, int]] = {}
            n_reads = 0
            for read in bam.fetch(CONTIG):
                n_reads += 1
                assert read.get_tag("RG") == sample
                assert read.reference_start >= last
                last = read.reference_start
                assert read.is_paired and len(read.query_qualities) == read.query_length
                mates[(read.query_name, read.is_read1)] = (
                    read.reference_start, read.next_reference_start, read.template_length)
            assert n_reads > 1000
        for (name, is_read1), (start, mate_start, tlen) in mates.items():
            other = mates.get((name, not is_read1))
            if other is not None:
                assert mate_start == other[0] and start == other[1]
                assert tlen == -other[2]


def test_read_bases_agree_with_cigar_and_nm(sim: Path) -> None:
    """SEQ placed by POS/CIGAR matches the reference as NM says, for both mates.

    Guards the paired-mode minimap2 convention: read 2's query interval comes on its reverse
    complement, and a clip put on the wrong end shifts the whole read (~75 % mismatches).
    """
    with Reference(REF) as ref:
        sequence = ref.fetch(CONTIG, 0, ref.lengths[CONTIG]).upper()
    clipped = {True: 0, False: 0}
    with pysam.AlignmentFile(str(sim / "tumor.bam")) as bam:
        for read in bam.fetch(CONTIG):
            if read.is_unmapped or read.is_secondary or read.is_supplementary:
                continue
            seq = read.query_sequence or ""
            mismatches = sum(seq[q] != sequence[r] for q, r in
                             read.get_aligned_pairs(matches_only=True))
            deleted_or_inserted = sum(n for op, n in read.cigartuples or () if op in (1, 2))
            assert mismatches + deleted_or_inserted == read.get_tag("NM"), read.to_string()
            ops = [op for op, _ in read.cigartuples or ()]
            if ops and 4 in (ops[0], ops[-1]):
                clipped[read.is_read1] += 1
    assert clipped[True] > 0 and clipped[False] > 0  # the check covered clipped mates


def test_mate_fields_agree_with_samtools_fixmate(sim: Path, tmp_path: Path) -> None:
    by_name = tmp_path / "by_name.bam"
    fixed = tmp_path / "fixed.bam"
    pysam.sort("-n", "-o", str(by_name), str(sim / "tumor.bam"))
    pysam.fixmate("-m", str(by_name), str(fixed))

    def fields(path: Path) -> list[tuple[str, int, int, int, int]]:
        with pysam.AlignmentFile(str(path)) as handle:
            return [(r.query_name, r.flag, r.next_reference_start, r.template_length,
                     r.get_tag("MQ")) for r in handle.fetch(until_eof=True)]

    assert fields(by_name) == fields(fixed)


def test_truth_alleles_in_tumor_at_vaf_and_absent_from_normal(sim: Path) -> None:
    truth = list(read_variants(sim / "truth.vcf.gz"))
    assert {v.info["TYPE"] for v in truth} == {"SNV", "INS", "DEL"}
    snv_alt = snv_expected = snv_variance = 0.0
    for variant in truth:
        alt = len(_alt_reads(sim / "tumor.bam", variant))
        depth = _depth(sim / "tumor.bam", variant.chrom, variant.pos)
        vaf = variant.info["VAF"]
        assert alt > 0, f"{variant} has no supporting tumor read"
        assert len(_alt_reads(sim / "normal.bam", variant)) <= 1, f"{variant} in normal"
        # each variant within 5 binomial standard deviations (indels may lose a little more
        # to soft clipping near read ends)
        sd = np.sqrt(vaf * (1 - vaf) / depth)
        assert abs(alt / depth - vaf) < 5 * sd + (0.05 if variant.is_indel else 0.0), variant
        if not variant.is_indel:
            snv_alt += alt
            snv_expected += vaf * depth
            snv_variance += depth * vaf * (1 - vaf)
    # pooled over SNVs: the observed alt count matches the VAFs (3 sd, sequencing errors)
    assert abs(snv_alt - snv_expected) < 3 * np.sqrt(snv_variance) + 0.02 * snv_expected


def test_truth_uses_the_mutation_table_and_is_left_normalised(sim: Path) -> None:
    truth = list(read_variants(sim / "truth.vcf.gz"))
    table = {(c, p, a) for c, p, a in load_mutations(DATA / "somatic_snvs.tsv")[
        ["chrom", "pos", "alt"]].itertuples(index=False)}
    from_table = [v for v in truth if (v.chrom, v.pos, v.alt) in table]
    assert len(from_table) == 5
    assert all(v.info["SOURCE"] == "somatic_snvs.tsv" for v in from_table)
    reference = Reference(REF)
    for variant in truth:
        assert normalize_variant(variant, reference, check_ref=True) == variant
    contexts = {v.info["CONTEXT"] for v in truth if v.info["TYPE"] != "SNV"}
    assert contexts & {"homopolymer", "str"}, "some indels must be in repeats"
    lengths = [abs(len(v.ref) - len(v.alt)) for v in truth if v.info["TYPE"] != "SNV"]
    assert 1 <= min(lengths) and max(lengths) <= 20


def test_germline_in_both_samples(sim: Path) -> None:
    germline = list(read_variants(sim / "germline.vcf.gz"))
    assert len(germline) > 10
    for variant in germline:
        gt = variant.sample_data["TUMOR"]["GT"]
        assert gt == variant.sample_data["NORMAL"]["GT"]
        for label in ("tumor", "normal"):
            alt = len(_alt_reads(sim / f"{label}.bam", variant))
            depth = _depth(sim / f"{label}.bam", variant.chrom, variant.pos)
            fraction = alt / depth
            if gt == "1|1":
                assert fraction > 0.7, (variant, label, fraction)
            else:
                assert 0.15 < fraction < 0.85, (variant, label, fraction)


def test_duplicates_are_flagged_copies(sim: Path) -> None:
    with pysam.AlignmentFile(str(sim / "tumor.bam")) as bam:
        reads = [r for r in bam.fetch(CONTIG) if r.is_read1 and not r.is_unmapped]
    dups = [r for r in reads if r.is_duplicate]
    assert 0.05 < len(dups) / len(reads) < 0.15
    originals = {(r.reference_start, r.next_reference_start, r.is_reverse)
                 for r in reads if not r.is_duplicate}
    same_ends = sum((r.reference_start, r.next_reference_start, r.is_reverse) in originals
                    for r in dups)
    assert same_ends / len(dups) > 0.9  # a few differ where soft clips moved an end


def test_oxog_artefacts_have_one_orientation(sim: Path) -> None:
    sites = list(read_variants(sim / "artefacts.vcf.gz"))
    assert len(sites) >= 3
    total_alt = 0
    for site in sites:
        assert (site.ref, site.alt) in (("G", "T"), ("C", "A"))
        reads = _alt_reads(sim / "tumor.bam", site)
        total_alt += len(reads)
        for read in reads:
            aln = read.alignment
            read1_forward = aln.is_read1 != aln.is_reverse  # F1R2 pair
            if site.ref == "G":
                assert read1_forward, f"G>T artefact read {aln.query_name} is F2R1"
            else:
                assert not read1_forward, f"C>A artefact read {aln.query_name} is F1R2"
        assert len(_alt_reads(sim / "normal.bam", site)) <= 1
    assert total_alt >= 2 * len(sites)  # recurrent: several reads per site


def _naive_calls(sim: Path, *, skip_dups: bool) -> set[tuple[int, str]]:
    """A caller without artefact filters: >= 4 alt reads, VAF >= 4%, no alt in the normal."""
    flags = SKIP | (0x400 if skip_dups else 0)
    reference = Reference(REF).fetch(CONTIG, 0, 24000)
    counts = {}
    for label in ("tumor", "normal"):
        with pysam.AlignmentFile(str(sim / f"{label}.bam")) as bam:
            counts[label] = np.array(bam.count_coverage(
                CONTIG, 0, 24000, quality_threshold=0,
                read_callback=lambda r: not r.flag & flags))
    calls = set()
    depth = counts["tumor"].sum(axis=0)
    for index, base in enumerate("ACGT"):
        alt = counts["tumor"][index]
        hit = (alt >= 4) & (alt >= 0.04 * depth) & (counts["normal"][index] == 0)
        calls |= {(int(pos), base) for pos in np.flatnonzero(hit) if reference[pos] != base}
    return calls


def test_artefacts_make_a_naive_caller_lose_precision(sim: Path) -> None:
    truth = {(v.pos, v.alt) for v in read_variants(sim / "truth.vcf.gz") if not v.is_indel}
    oxog = {(v.pos, v.alt) for v in read_variants(sim / "artefacts.vcf.gz")}
    calls = _naive_calls(sim, skip_dups=False)
    assert calls & oxog, "recurrent 8-oxoG sites must fool a caller without orientation checks"
    false = calls - truth
    assert false - oxog, "PCR errors shared by duplicates must fool a caller that keeps dups"
    assert len(calls & truth) >= 0.8 * len(truth)
    # ignoring flagged duplicates removes the PCR-duplicate false positives
    assert len(_naive_calls(sim, skip_dups=True) - truth - oxog) < len(false - oxog)


def test_same_seed_same_records_other_seed_differs(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import onco_genomics.simulate.pair as pair_module

    monkeypatch.setattr(pair_module, "CHUNK", 5000)  # several chunks: threads prefetch them
    options = _options(tumor_depth=8, normal_depth=4, oxog_sites=0.0)
    simulate_pair(options, tmp_path / "a")
    simulate_pair(replace(options, threads=2), tmp_path / "b")
    simulate_pair(replace(options, seed=8), tmp_path / "c")
    for name in ("tumor.bam", "normal.bam"):
        assert _records(tmp_path / "a" / name) == _records(tmp_path / "b" / name)
        assert _records(tmp_path / "a" / name) != _records(tmp_path / "c" / name)
    truth_a = [(v.pos, v.ref, v.alt) for v in read_variants(tmp_path / "a" / "truth.vcf.gz")]
    truth_b = [(v.pos, v.ref, v.alt) for v in read_variants(tmp_path / "b" / "truth.vcf.gz")]
    assert truth_a == truth_b


def test_mutations_from_a_vcf(tmp_path: Path) -> None:
    from onco_genomics.io.variants import VcfHeader, write_vcf

    reference = Reference(REF)
    positions = (2500, 6000, 12000)
    records = [Variant(CONTIG, pos, reference.fetch(CONTIG, pos, pos + 1),
                       "T" if reference.fetch(CONTIG, pos, pos + 1) != "T" else "C")
               for pos in positions]
    vcf = write_vcf(tmp_path / "my tumour.vcf.gz", VcfHeader(contigs=[(CONTIG, 24000)]),
                    records)
    result = simulate_pair(_options(mutations=str(vcf), snv_count=3, indel_count=0,
                                    tumor_depth=4, normal_depth=2, oxog_sites=0.0),
                           tmp_path / "out")
    assert sorted((v.pos, v.alt, v.source) for v in result.somatic) == [
        (r.pos, r.alt, "my_tumour.vcf.gz") for r in records]


def test_purity_subclones_and_contamination(tmp_path: Path) -> None:
    options = _options(tumor_depth=30, normal_depth=30, purity=0.6, subclones=(0.5,),
                       vaf=VafSpec.parse("0.5"), contamination=0.3, oxog_sites=0.0,
                       dup_rate=0.0, align_to="regions")
    result = simulate_pair(options, tmp_path)
    vafs = {v.clone: v.vaf for v in result.somatic}
    assert vafs == {0: pytest.approx(0.3), 1: pytest.approx(0.15)}
    # contamination: tumor alleles appear in the normal at ~0.3 x the tumor VAF
    alt = depth = 0
    for planted in result.somatic:
        variant = Variant(planted.chrom, planted.pos, planted.ref, planted.alt)
        alt += len(_alt_reads(tmp_path / "normal.bam", variant))
        depth += _depth(tmp_path / "normal.bam", variant.chrom, variant.pos)
    expected = np.mean([v.vaf * 0.3 for v in result.somatic])
    assert alt / depth == pytest.approx(expected, abs=0.03)


def test_nearby_regions_share_one_window(tmp_path: Path) -> None:
    bed = tmp_path / "regions.bed"
    bed.write_text(f"{CONTIG}\t1000\t8000\n{CONTIG}\t8300\t16000\n")
    options = _options(regions=(f"{CONTIG}:18001-23000",), bed=bed, tumor_depth=30,
                       normal_depth=20, snv_count=12, indel_count=0, oxog_sites=0.0)
    result = simulate_pair(options, tmp_path / "out")
    assert [str(r) for r in result.confident] == [
        f"{CONTIG}:1001-8000", f"{CONTIG}:8301-16000", f"{CONTIG}:18001-23000"]
    params = json.loads((tmp_path / "out" / "params.json").read_text())
    assert len(params["regions"]) == 3
    assert all(any(c.contains(v.chrom, v.pos) for c in result.confident) for v in result.somatic)
    # the gap between the first two regions is simulated once: its depth is not doubled
    tumor = tmp_path / "out" / "tumor.bam"
    gap, inside = _depth(tumor, CONTIG, 8150), _depth(tumor, CONTIG, 5000)
    assert gap < 1.5 * inside


# ------------------------------------------------------------------------------ options

@pytest.mark.parametrize(("overrides", "message"), [
    ({"tumor_sample": "S", "normal_sample": "S"}, "different tumor and normal"),
    ({"purity": 0.0}, "--purity"),
    ({"fragment_mean": 100.0}, "--fragment-mean"),
    ({"subclones": (1.2,)}, "--subclones"),
    ({"regions": ()}, "--region"),
    ({"mutations": "no-such-table.tsv"}, "--mutations"),
    ({"dup_rate": 1.0}, "--dup-rate"),
    ({"align_to": "genome"}, "--align-to"),
])
def test_invalid_options_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        _options(**overrides)


def test_vaf_spec_parsing() -> None:
    assert VafSpec.parse("0.02-0.5") == VafSpec(0.02, 0.5)
    assert VafSpec.parse("0.1,0.3").values == (0.1, 0.3)
    for bad in ("x", "0.5-0.1", "0-0.3", "1.5"):
        with pytest.raises(OptionsError, match="--vaf"):
            VafSpec.parse(bad)


def test_regions_are_checked_against_the_reference(tmp_path: Path) -> None:
    with pytest.raises(RegionError, match="not in the reference"):
        simulate_pair(_options(regions=("chr1:1-5000",)), tmp_path)
    with pytest.raises(RegionError, match="ends past contig"):
        simulate_pair(_options(regions=(f"{CONTIG}:1-90000",)), tmp_path)
    with pytest.raises(OptionsError, match="at least"):
        simulate_pair(_options(regions=(f"{CONTIG}:1001-1500",)), tmp_path)


def test_brca_chr20_table_is_shipped() -> None:
    table = load_mutations("brca-chr20")
    assert len(table) == 11392  # 11,413 rows, 21 repeated (chrom, pos, alt) in 2 tumors
    assert set(table["chrom"]) == {"20"}
    assert table["ref"].isin(list("ACGT")).all() and (table["ref"] != table["alt"]).all()


# ------------------------------------------------------------------------------ CLI

def test_cli_simulate_then_evaluate_gives_f1_one(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    runner = CliRunner()
    result = runner.invoke(cli, [
        "-q", "simulate", "--ref", str(REF), "--region", REGION, "--out-dir", str(out),
        "--tumor-depth", "6", "--normal-depth", "4", "--snv-rate", "n=6",
        "--indel-rate", "n=4", "--mutations", "random", "--seed", "3",
        "--tumor-sample", "T1", "--normal-sample", "N1"])
    assert result.exit_code == 0, result.output
    assert "10 somatic variants" in result.output
    with pysam.AlignmentFile(str(out / "tumor.bam")) as bam:
        assert bam.header.to_dict()["RG"][0]["SM"] == "T1"
    scored = runner.invoke(cli, [
        "-q", "evaluate", "--truth", str(out / "truth.vcf.gz"),
        "--calls", str(out / "truth.vcf.gz"), "--ref", str(REF),
        "--bed", str(out / "confident.bed"), "-o", str(tmp_path / "eval")])
    assert scored.exit_code == 0, scored.output
    table = pd.read_csv(tmp_path / "eval.tsv", sep="\t")
    overall = table[(table["variant_type"] == "ALL") & (table["vaf_bin"] == "all")]
    assert overall["f1"].tolist() == [1.0]
    assert overall["tp"].tolist() == [10]


def test_cli_reports_option_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "simulate", "--ref", str(REF), "--region", REGION, "--out-dir", str(tmp_path),
        "--vaf", "0.6-0.1"])
    assert result.exit_code == 2
    assert "oncogen: error: --vaf" in result.output
    result = CliRunner().invoke(cli, [
        "simulate", "--ref", str(REF), "--region", REGION, "--out-dir", str(tmp_path),
        "--snv-rate", "lots"])
    assert result.exit_code == 2
    assert "--snv-rate" in result.output


@pytest.mark.needs_package("sigprofilermatrixgenerator")
def test_shipped_brca_table_rebuilds_byte_identical(tmp_path: Path) -> None:
    spmg = pytest.importorskip("SigProfilerMatrixGenerator",
                               reason="needs pip sigprofilermatrixgenerator (test extra)")
    chr20 = Path("/usr/share/doc/vt/examples/ref/20.fa.gz")
    if not chr20.exists():
        pytest.skip("needs Debian vt-examples (GRCh37 chr20)")
    from onco_genomics.simulate.mutations import make_brca_chr20_table

    bench = Path(spmg.__file__).parent / "scripts/Benchmark/BRCA_bench/SNV/BRCA_ bench_SNV.txt"
    out = tmp_path / "brca.tsv.gz"
    assert make_brca_chr20_table(bench, Reference(chr20), out) == 11413
    shipped = Path(__import__("onco_genomics").__file__).parent / "data/brca_chr20_snv.tsv.gz"
    assert out.read_bytes() == shipped.read_bytes()


# ------------------------------------------------------------------------------ error model

def test_errors_follow_base_qualities() -> None:
    model = ErrorModel()
    rng = np.random.default_rng(5)
    reads = np.full((4000, 100), ord("A"), dtype=np.uint8)
    for phred, expected in ((10, 0.1), (20, 0.01), (30, 0.001)):
        quals = np.full(reads.shape, phred, dtype=np.uint8)
        miscalled = (model.apply_errors(reads, quals, rng) != reads).mean()
        assert miscalled == pytest.approx(expected, rel=0.1)
    quals = model.qualities(5000, 150, rng)
    assert quals[:, :10].mean() > quals[:, -10:].mean() + 3  # quality falls along the read
    assert quals.min() >= 2 and quals.max() <= 41


def test_homopolymer_slippage_changes_run_length_by_one() -> None:
    model = ErrorModel(slip_rate=1.0)
    run = np.frombuffer(b"ACGTCGT" + b"A" * 10 + b"CGTAGCTAGC", dtype=np.uint8)
    plain = np.frombuffer(b"ACGTACGTACGTACGTACGTACGTACG", dtype=np.uint8)
    reads = np.vstack([np.tile(run, (400, 1)), np.tile(plain, (100, 1))])
    quals = np.full(reads.shape, 30, dtype=np.uint8)
    out, out_quals = model.apply_slippage(reads, quals, np.random.default_rng(0))
    assert out.shape == reads.shape and out_quals.shape == quals.shape
    assert (out[400:] == reads[400:]).all()  # no homopolymer, no slippage
    longest = [max(len(m) for m in re.findall("A+", bytes(row).decode())) for row in out[:400]]
    counts = {length: longest.count(length) for length in set(longest)}
    assert set(counts) == {9, 10, 11}
    assert 0.02 < (counts[9] + counts[11]) / 400 < 0.09  # capped at 5% per read
