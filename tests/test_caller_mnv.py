"""MNVs: adjacent SNVs carried by the same reads become one record, counted as one DBS.

Tiny BAMs are written with pysam on the real 2 kb GRCh37 chr20 slice of the pileup tests
(tests/data/pileup/chr20_slice.fa), so which reads carry which ALT base is known exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pysam
import pytest

from onco_genomics.caller.mnv import merge_mnv_calls, mnv_probability, paired_mnv_call
from onco_genomics.caller.records import SomaticCall
from onco_genomics.evaluate.compare import evaluate_calls
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import Variant, read_variants
from onco_genomics.pileup.candidates import AlleleDepths, PileupOptions
from onco_genomics.pileup.phasing import MnvCandidate
from onco_genomics.pileup.scan import scan_region
from onco_genomics.regions import Region
from onco_genomics.simulate.genome import Window
from onco_genomics.simulate.plant import Occupancy, plant_dbs
from onco_genomics.simulate.truth import somatic_records
from onco_genomics.spectrum.catalog import catalogs_from_variants

DATA = Path(__file__).parent / "data" / "pileup"
REF_FA = DATA / "chr20_slice.fa"
CHROM = "chr20_slice"
REF = pysam.FastaFile(str(REF_FA)).fetch(CHROM)
SITE = 500  # first base of the doublet


def _other(base: str) -> str:
    return "T" if base != "T" else "G"


DBS_REF = REF[SITE:SITE + 2]
DBS_ALT = _other(REF[SITE]) + _other(REF[SITE + 1])


def _read(name: str, start: int, changes: dict[int, str]) -> tuple[str, int, str]:
    seq = list(REF[start:start + 100])
    for pos, base in changes.items():
        seq[pos - start] = base
    return name, start, "".join(seq)


def _bam(path: Path, reads: list[tuple[str, int, str]]) -> Path:
    header = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": CHROM, "LN": len(REF)}]}
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for name, start, seq in sorted(reads, key=lambda r: r[1]):
            seg = pysam.AlignedSegment(out.header)
            seg.query_name, seg.query_sequence, seg.flag = name, seq, 0
            seg.reference_id, seg.reference_start, seg.mapping_quality = 0, start, 60
            seg.cigartuples = [(0, len(seq))]
            seg.query_qualities = pysam.qualitystring_to_array("?" * len(seq))
            out.write(seg)
    pysam.index(str(path))
    return path


def _pair(tmp_path: Path, tumor_alt_reads: list[dict[int, str]]) -> tuple[Path, Path]:
    tumor = [_read(f"a{i}", 430 + 3 * i, changes) for i, changes in enumerate(tumor_alt_reads)]
    tumor += [_read(f"r{i}", 420 + 4 * i, {}) for i in range(16)]
    normal = [_read(f"n{i}", 425 + 4 * i, {}) for i in range(14)]
    return _bam(tmp_path / "tumor.bam", tumor), _bam(tmp_path / "normal.bam", normal)


BOTH = {SITE: DBS_ALT[0], SITE + 1: DBS_ALT[1]}


def test_snvs_on_the_same_reads_are_one_mnv(tmp_path: Path) -> None:
    tumor, normal = _pair(tmp_path, [BOTH] * 7)
    batch = scan_region(tumor, normal, REF_FA, Region(CHROM, 0, len(REF)),
                        options=PileupOptions())
    assert {(c.pos, c.alt) for c in batch.candidates} == {(SITE, DBS_ALT[0]),
                                                          (SITE + 1, DBS_ALT[1])}
    (mnv,) = batch.mnvs
    assert (mnv.pos, mnv.ref, mnv.alt) == (SITE, DBS_REF, DBS_ALT)
    assert (mnv.tumor.alt, mnv.tumor.ref, mnv.tumor.depth) == (7, 16, 23)
    assert mnv.normal is not None and (mnv.normal.alt, mnv.normal.depth) == (0, 14)
    assert mnv.phased_fraction == (1.0,)


def test_adjacent_snvs_on_different_reads_stay_two(tmp_path: Path) -> None:
    first = {SITE: DBS_ALT[0]}
    second = {SITE + 1: DBS_ALT[1]}
    tumor, normal = _pair(tmp_path, [first, second] * 4)
    batch = scan_region(tumor, normal, REF_FA, Region(CHROM, 0, len(REF)),
                        options=PileupOptions())
    assert len([c for c in batch.candidates if c.vartype == "SNV"]) == 2
    assert batch.mnvs == ()


def test_a_few_unphased_reads_do_not_split_an_mnv(tmp_path: Path) -> None:
    # 9 reads carry both bases, 1 only the first (a read error at the second): still one
    tumor, normal = _pair(tmp_path, [BOTH] * 9 + [{SITE: DBS_ALT[0]}])
    batch = scan_region(tumor, normal, REF_FA, Region(CHROM, 0, len(REF)),
                        options=PileupOptions())
    (mnv,) = batch.mnvs
    assert mnv.tumor.alt == 9 and mnv.phased_fraction == (0.9,)


def _snv_call(pos: int, ref: str, alt: str, prob: float) -> SomaticCall:
    return SomaticCall(chrom=CHROM, pos=pos, ref=ref, alt=alt, vartype="SNV", tumor_ref=10,
                       tumor_alt=6, tumor_depth=16, normal_ref=12, normal_alt=0,
                       normal_depth=12, prob=prob, qual=10.0)


def test_merge_replaces_the_snv_calls_by_one_record() -> None:
    mnv = MnvCandidate(CHROM, SITE, DBS_REF, DBS_ALT,
                       tumor=AlleleDepths(ref=10, alt=6, depth=16, ref_f1r2=4, alt_f1r2=3),
                       normal=AlleleDepths(ref=12, alt=0, depth=12), phased_fraction=(1.0,))
    calls = [_snv_call(100, "A", "C", 0.9), _snv_call(SITE, DBS_REF[0], DBS_ALT[0], 0.9),
             _snv_call(SITE + 1, DBS_REF[1], DBS_ALT[1], 0.5)]
    probs = {(c.pos, c.ref, c.alt): c.prob for c in calls}
    seen = []

    def build(candidate: MnvCandidate, prob: float) -> SomaticCall:
        seen.append((candidate.ref, prob))
        return paired_mnv_call(candidate, prob, filters=() if prob >= 0.6 else ("LowQual",))

    merged = merge_mnv_calls(calls, [mnv], probs, build=build)
    assert [(c.pos, c.ref, c.alt, c.vartype) for c in merged] == [
        (100, "A", "C", "SNV"), (SITE, DBS_REF, DBS_ALT, "MNV")]
    record = merged[1]
    assert record.prob == pytest.approx(0.7) == mnv_probability([0.9, 0.5])
    assert record.is_pass and seen == [(DBS_REF, pytest.approx(0.7))]
    assert (record.tumor_alt, record.tumor_alt_f1r2, record.normal_depth) == (6, 3, 12)
    variant = record.to_variant(normal_sample="N", tumor_sample="T")
    assert variant.info["TYPE"] == "MNV" and variant.ref == DBS_REF


def test_merge_drops_a_low_mnv_and_its_unreported_snvs() -> None:
    mnv = MnvCandidate(CHROM, SITE, DBS_REF, DBS_ALT, tumor=AlleleDepths(10, 6, 16),
                       normal=None, phased_fraction=(1.0,))
    calls = [_snv_call(SITE, DBS_REF[0], DBS_ALT[0], 0.15)]  # the second was not reported
    probs = {(SITE, DBS_REF[0], DBS_ALT[0]): 0.15, (SITE + 1, DBS_REF[1], DBS_ALT[1]): 0.01}
    merged = merge_mnv_calls(calls, [mnv], probs,
                             build=lambda m, p: None if p < 0.1 else paired_mnv_call(
                                 m, p, filters=()))
    assert merged == []


def test_merge_works_on_tumor_only_records_without_a_normal(tmp_path: Path) -> None:
    from onco_genomics.caller.tumor_only_records import TumorOnlyCall

    tumor, _ = _pair(tmp_path, [BOTH] * 7)
    batch = scan_region(tumor, None, REF_FA, Region(CHROM, 0, len(REF)),
                        options=PileupOptions())
    (mnv,) = batch.mnvs
    assert mnv.normal is None and mnv.tumor.alt == 7

    def record(pos: int, ref: str, alt: str, vartype: str, prob: float) -> TumorOnlyCall:
        return TumorOnlyCall(chrom=CHROM, pos=pos, ref=ref, alt=alt, vartype=vartype,
                             tumor_ref=16, tumor_alt=7, tumor_depth=23, tumor_ref_f1r2=0,
                             tumor_alt_f1r2=0, prob=prob, germline_prob=0.0, qual=10.0,
                             population_af=None, pon=False)

    calls = [record(c.pos, c.ref, c.alt, "SNV", 0.8) for c in batch.candidates]
    probs = {(c.pos, c.ref, c.alt): 0.8 for c in batch.candidates}
    merged = merge_mnv_calls(calls, batch.mnvs, probs,
                             build=lambda m, p: record(m.pos, m.ref, m.alt, "MNV", p))
    assert [(c.pos, c.ref, c.alt, c.vartype) for c in merged] == [
        (SITE, DBS_REF, DBS_ALT, "MNV")]


def test_call_writes_one_mnv_record(tmp_path: Path) -> None:
    from onco_genomics import call_somatic

    tumor, normal = _pair(tmp_path, [BOTH] * 8)
    out = tmp_path / "calls.vcf.gz"
    result = call_somatic(tumor, normal, reference=REF_FA, output=out, device="cpu",
                          tumor_sample="T", normal_sample="N")
    records = [(v.pos, v.ref, v.alt, v.info["TYPE"]) for v in read_variants(out)]
    assert records == [(SITE, DBS_REF, DBS_ALT, "MNV")]
    assert result.calls[0].tumor_alt == 8


@pytest.mark.parametrize("panel, in_panel", [
    ({(SITE, DBS_REF, DBS_ALT)}, True),  # the MNV itself
    ({(SITE + 1, DBS_REF[1], DBS_ALT[1])}, True),  # one of its SNVs
    ({(SITE + 1, DBS_REF[1], _other(DBS_ALT[1]))}, False),  # another allele at an SNV's base
    (set(), False),
])
def test_matched_mnv_record_keeps_panel_of_normals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   panel: set[tuple[int, str, str]],
                                                   in_panel: bool) -> None:
    from types import SimpleNamespace

    from onco_genomics.caller import scoring

    tumor, normal = _pair(tmp_path, [BOTH] * 8)
    batch = scan_region(tumor, normal, REF_FA, Region(CHROM, 0, len(REF)),
                        options=PileupOptions())
    assert [c.pos for c in batch.candidates] == [SITE, SITE + 1] and len(batch.mnvs) == 1
    somatic = {SITE: 0.9, SITE + 1: 0.7}
    # a test double of the network: P(somatic) per candidate
    monkeypatch.setattr(scoring, "score_tensors", lambda model, tensors, *args: np.array(
        [somatic[c.pos] for c in batch.candidates]))
    model = SimpleNamespace(threshold=0.5)
    (record,) = scoring.score_batch(batch, model, pon_sites=panel)  # type: ignore[arg-type]
    assert (record.pos, record.ref, record.alt, record.vartype) == (SITE, DBS_REF, DBS_ALT,
                                                                     "MNV")
    assert record.prob == pytest.approx(0.8)
    assert record.filters == (("panel_of_normals",) if in_panel else ())


def test_an_mnv_record_counts_as_one_dbs() -> None:
    variants = [Variant(CHROM, SITE, DBS_REF, DBS_ALT), Variant(CHROM, 900, REF[900],
                                                                 _other(REF[900]))]
    with Reference(REF_FA) as reference:
        catalogs = catalogs_from_variants({"T": variants}, reference,
                                          contexts=("sbs96", "dbs78"))
    assert int(catalogs["dbs78"].total["T"]) == 1
    assert int(catalogs["sbs96"].total["T"]) == 1


def test_evaluate_matches_an_mnv_truth_record() -> None:
    truth = [Variant(CHROM, SITE, DBS_REF, DBS_ALT, info={"VAF": 0.3})]
    one = evaluate_calls(truth, [Variant(CHROM, SITE, DBS_REF, DBS_ALT)])
    row = one.row("MNV")
    assert (row["tp"], row["fp"], row["fn"]) == (1, 0, 0)
    split = evaluate_calls(truth, [Variant(CHROM, SITE, DBS_REF[0], DBS_ALT[0]),
                                   Variant(CHROM, SITE + 1, DBS_REF[1], DBS_ALT[1])])
    assert (split.row("MNV")["fn"], split.row("SNV")["fp"]) == (1, 2)


def test_simulator_plants_dbs_as_one_truth_record() -> None:
    bases = np.frombuffer(REF.upper().encode("ascii"), dtype=np.uint8).copy()
    region = Region(CHROM, 100, len(REF) - 100)
    window = Window(0, region, 0, len(REF), bases, (region,))
    planted = plant_dbs(window, Occupancy(window), np.random.default_rng(3), n_dbs=5)
    assert len(planted) == 5
    for variant in planted:
        assert variant.kind == "MNV" and len(variant.ref) == len(variant.alt) == 2
        assert variant.ref == REF[variant.pos:variant.pos + 2]
        assert all(r != a for r, a in zip(variant.ref, variant.alt, strict=True))
    records = somatic_records(planted, [1.0])
    assert {r.info["TYPE"] for r in records} == {"MNV"}


def test_training_labels_split_a_truth_mnv_into_its_snvs(tmp_path: Path) -> None:
    from onco_genomics.caller.labels import load_truth
    from onco_genomics.io.variants import HeaderField, VcfHeader, write_vcf

    truth_vcf = write_vcf(tmp_path / "truth.vcf.gz", VcfHeader(
        contigs=[(CHROM, len(REF))], info=(HeaderField("VAF", "1", "Float", "VAF"),)),
        [Variant(CHROM, SITE, DBS_REF, DBS_ALT, info={"VAF": 0.25})])
    with Reference(REF_FA) as reference:
        truth = load_truth(truth_vcf, reference)
    assert dict(truth.somatic) == {(CHROM, SITE, DBS_REF[0], DBS_ALT[0]): 0.25,
                                   (CHROM, SITE + 1, DBS_REF[1], DBS_ALT[1]): 0.25}


def test_tumor_only_scoring_writes_one_mnv_record(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from onco_genomics.caller.tumor_only_calling import score_tumor_only_batch

    tumor, _ = _pair(tmp_path, [BOTH] * 7)
    region = Region(CHROM, 0, len(REF))
    batch = scan_region(tumor, None, REF_FA, region, options=PileupOptions())
    somatic = {SITE: 0.9, SITE + 1: 0.7}

    def predict(tensors: np.ndarray, context: np.ndarray) -> np.ndarray:
        # a test double of the network: P(none), P(germline), P(somatic) per candidate
        return np.array([[0.05, 0.95 - somatic[c.pos], somatic[c.pos]]
                         for c in batch.candidates])

    model = SimpleNamespace(predict=predict, threshold=0.5, germline_threshold=0.5)
    calls = score_tumor_only_batch(batch, region, model,  # type: ignore[arg-type]
                                   resource=None, pon=None)
    (record,) = calls
    assert (record.pos, record.ref, record.alt, record.vartype) == (SITE, DBS_REF, DBS_ALT,
                                                                     "MNV")
    assert record.prob == pytest.approx(0.8) and record.germline_prob == pytest.approx(0.15)
    assert record.is_pass and (record.tumor_alt, record.tumor_depth) == (7, 23)


def test_an_mnv_across_a_region_edge_is_reported_once_by_the_first_region(
        tmp_path: Path) -> None:
    tumor, normal = _pair(tmp_path, [BOTH] * 7)
    whole = scan_region(tumor, normal, REF_FA, Region(CHROM, 0, len(REF)),
                        options=PileupOptions())
    left = scan_region(tumor, normal, REF_FA, Region(CHROM, 0, SITE + 1),
                       options=PileupOptions())
    right = scan_region(tumor, normal, REF_FA, Region(CHROM, SITE + 1, len(REF)),
                        options=PileupOptions())
    assert left.mnvs == whole.mnvs and right.mnvs == ()
    assert [c.sort_key for c in left.candidates + right.candidates] == [
        c.sort_key for c in whole.candidates]
    assert [c.pos for c in left.candidates] == [SITE, SITE + 1]
