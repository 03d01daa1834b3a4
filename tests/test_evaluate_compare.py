"""Tests for onco_genomics.evaluate.compare: hand-made truth/call pairs with known answers."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from onco_genomics.errors import ContigMismatchError, OptionsError
from onco_genomics.evaluate.compare import (
    TABLE_COLUMNS,
    EvaluationResult,
    VafBins,
    call_vaf,
    evaluate_calls,
    format_table,
)
from onco_genomics.io.variants import Variant
from onco_genomics.regions import Region


class SeqRef:
    def __init__(self, seqs: dict[str, str]) -> None:
        self.seqs = seqs

    def fetch(self, chrom: str, start: int, end: int) -> str:
        return self.seqs[chrom][start:end]


#          0         1         2         3         4
#          0123456789012345678901234567890123456789012345
SEQ1 = "GATTACAGGCAAAAAATCGTCACACACAGGTTCCAAGGTTACGTAC"
REF = SeqRef({"1": SEQ1, "2": "ACGT" * 20})


def V(chrom: str, pos: int, ref: str, alt: str, vaf: float | None = None,
      **kwargs: object) -> Variant:
    info = {"VAF": vaf} if vaf is not None else {}
    return Variant(chrom, pos, ref, alt, info=info, **kwargs)  # type: ignore[arg-type]


def counts(result: EvaluationResult, vtype: str = "ALL",
           vaf_bin: str = "all") -> tuple[int, int, int]:
    row = result.row(vtype, vaf_bin)
    return int(row.tp), int(row.fp), int(row.fn)


def test_indels_written_differently_match_after_left_alignment() -> None:
    # deletion of one A in the AAAAAA run at 10..15: truth left-aligned, call right-aligned
    truth = [V("1", 9, "CA", "C", 0.2), V("1", 19, "TCA", "T", 0.2), V("1", 3, "T", "G", 0.2)]
    calls = [V("1", 14, "AA", "A"),           # same deletion, written at the run's end
             V("1", 24, "CACA", "CA"),        # CA unit deleted, right end of the repeat
             V("1", 2, "TT", "TG")]           # the SNV padded as an MNV
    result = evaluate_calls(truth, calls, reference=REF)
    assert counts(result) == (3, 0, 0)
    assert counts(result, "INDEL") == (2, 0, 0)
    assert counts(result, "SNV") == (1, 0, 0)
    row = result.row()
    assert row.precision == row.recall == row.f1 == 1.0


def test_without_reference_unaligned_indels_do_not_match_and_a_note_says_why() -> None:
    truth = [V("1", 9, "CA", "C", 0.2)]
    calls = [V("1", 14, "AA", "A")]
    result = evaluate_calls(truth, calls)
    assert counts(result) == (0, 1, 1)
    assert any("not left-aligned" in note for note in result.notes)


def test_multiallelic_site_split_alleles_counted_separately() -> None:
    # a multi-allelic truth site, split into its two ALT alleles (as the readers do)
    truth = [V("1", 3, "T", "C", 0.1), V("1", 3, "T", "G", 0.3)]
    calls = [V("1", 3, "T", "G"), V("1", 3, "T", "A")]
    result = evaluate_calls(truth, calls, reference=REF)
    assert counts(result) == (1, 1, 1)
    assert math.isclose(result.row().precision, 0.5)
    assert math.isclose(result.row().recall, 0.5)
    assert math.isclose(result.row().f1, 0.5)


def test_bed_restriction_applies_to_both_sides() -> None:
    truth = [V("1", 3, "T", "C", 0.1), V("1", 30, "T", "A", 0.1), V("2", 5, "C", "A", 0.1)]
    calls = [V("1", 3, "T", "C"), V("1", 31, "T", "A"), V("2", 9, "C", "G")]
    regions = [Region("1", 0, 10), Region("2", 0, 80)]
    result = evaluate_calls(truth, calls, reference=REF, regions=regions)
    # 1:30/31 are outside; 2:5 FN, 2:9 FP
    assert counts(result) == (1, 1, 1)
    assert result.settings["truth_outside_regions"] == 1
    assert result.settings["calls_outside_regions"] == 1


def test_deletion_overlapping_region_edge_is_kept() -> None:
    # CA>C at 9: REF span [9, 11) overlaps a region starting at 10
    truth = [V("1", 9, "CA", "C", 0.2)]
    result = evaluate_calls(truth, [], reference=REF, regions=[Region("1", 10, 12)])
    assert counts(result) == (0, 0, 1)


def test_empty_calls_give_nan_precision_and_a_note() -> None:
    truth = [V("1", 3, "T", "C", 0.1), V("1", 9, "CA", "C", 0.4)]
    result = evaluate_calls(truth, [], reference=REF)
    row = result.row()
    assert counts(result) == (0, 0, 2)
    assert math.isnan(row.precision)
    assert row.recall == 0.0 and row.f1 == 0.0
    assert any(note.startswith("precision is undefined") for note in result.notes)
    text = format_table(result)
    assert "NaN" in text and "note: precision is undefined" in text


def test_empty_truth_and_calls_do_not_crash() -> None:
    result = evaluate_calls([], [], reference=REF)
    assert counts(result) == (0, 0, 0)
    assert math.isnan(result.row().precision) and math.isnan(result.row().recall)
    assert result.to_dict()["metrics"][0]["precision"] is None


def test_vaf_bins_truth_vaf_for_tp_fn_and_call_vaf_for_fp() -> None:
    truth = [V("1", 3, "T", "C", 0.05), V("1", 5, "C", "T", 0.10),
             V("1", 16, "T", "A", 0.20), V("1", 29, "G", "C", 0.40)]
    calls = [V("1", 3, "T", "C"), V("1", 16, "T", "A", 0.9),
             Variant("1", 1, "A", "G", sample_data={"TUMOR": {"AF": 0.12},
                                                    "NORMAL": {"AF": 0.0}}),
             Variant("1", 2, "T", "C", sample_data={"tumor": {"AD": (90, 10)}}),
             Variant("1", 7, "G", "A")]  # no VAF anywhere -> unknown
    result = evaluate_calls(truth, calls, reference=REF)
    assert counts(result, "ALL", "[0,7.5)%") == (1, 0, 0)
    assert counts(result, "ALL", "[7.5,15)%") == (0, 2, 1)  # FPs at 12 % and 10 %
    assert counts(result, "ALL", "[15,30)%") == (1, 0, 0)   # the TP's call VAF is ignored
    assert counts(result, "ALL", "[30,100]%") == (0, 0, 1)
    assert counts(result, "ALL", "unknown") == (0, 1, 0)
    assert counts(result) == (2, 3, 2)
    assert any("no tumour VAF" in note for note in result.notes)


def test_custom_bins_and_bad_bins() -> None:
    truth = [V("1", 3, "T", "C", 0.5)]
    result = evaluate_calls(truth, [], vaf_bins=(0.0, 0.5, 1.0))
    assert result.table["vaf_bin"].tolist()[:3] == ["all", "[0,50)%", "[50,100]%"]
    assert counts(result, "ALL", "[50,100]%") == (0, 0, 1)
    for edges in [(0.0,), (0.0, 0.5, 0.4), (0.0, 50.0)]:
        with pytest.raises(OptionsError, match="VAF bin edges"):
            VafBins(edges)


def test_truth_vaf_outside_unit_interval_is_a_user_error() -> None:
    with pytest.raises(OptionsError, match="expected a fraction"):
        evaluate_calls([V("1", 3, "T", "C", 20.0)], [])


def test_non_pass_calls_ignored_unless_all_filters() -> None:
    truth = [V("1", 3, "T", "C", 0.1)]
    calls = [Variant("1", 3, "T", "C", filters=("LowQual",)),
             Variant("1", 5, "C", "A", filters=("PASS",))]
    assert counts(evaluate_calls(truth, calls)) == (0, 1, 1)
    assert counts(evaluate_calls(truth, calls, pass_only=False)) == (1, 1, 0)


def test_germline_false_positives_are_counted() -> None:
    truth = [V("1", 3, "T", "C", 0.1)]
    calls = [V("1", 3, "T", "C"), V("1", 5, "C", "A"), V("1", 14, "AA", "A")]
    germline = [V("1", 5, "C", "A"), V("1", 9, "CA", "C")]  # the deletion, left-aligned
    result = evaluate_calls(truth, calls, reference=REF, germline=germline)
    assert int(result.row().fp_germline) == 2
    assert int(result.row("SNV").fp_germline) == 1
    no_germline = evaluate_calls(truth, calls, reference=REF)
    assert no_germline.row().fp_germline is pd.NA


def test_duplicates_after_normalisation_count_once() -> None:
    truth = [V("1", 9, "CA", "C", 0.2)]
    calls = [V("1", 14, "AA", "A"), V("1", 9, "CA", "C")]
    result = evaluate_calls(truth, calls, reference=REF)
    assert counts(result) == (1, 0, 0)
    assert any("duplicates" in note for note in result.notes)


def test_mnv_row_only_when_present_and_table_shape() -> None:
    result = evaluate_calls([V("1", 3, "T", "C", 0.1)], [V("1", 2, "TT", "GC")], reference=REF)
    assert set(result.table["variant_type"]) == {"SNV", "INDEL", "MNV", "ALL"}
    assert tuple(result.table.columns) == TABLE_COLUMNS
    assert counts(result, "MNV") == (0, 1, 0)
    only_snv = evaluate_calls([V("1", 3, "T", "C", 0.1)], [], reference=REF)
    assert set(only_snv.table["variant_type"]) == {"SNV", "INDEL", "ALL"}


def test_variants_table_lists_each_status() -> None:
    result = evaluate_calls([V("1", 3, "T", "C", 0.1), V("1", 5, "C", "T", 0.2)],
                            [V("1", 3, "T", "C"), V("1", 7, "G", "A")], reference=REF)
    status = dict(zip(result.variants["pos"], result.variants["status"], strict=True))
    assert status == {3: "TP", 5: "FN", 7: "FP"}


def test_call_vaf_sources() -> None:
    assert call_vaf(Variant("1", 0, "A", "C", info={"AF": (0.3,)})) == 0.3
    two = {"n": {"AF": 0.0}, "t": {"AF": 0.25}}
    assert call_vaf(Variant("1", 0, "A", "C", sample_data=two)) is None  # ambiguous
    assert call_vaf(Variant("1", 0, "A", "C", sample_data=two), tumor_sample="t") == 0.25
    assert call_vaf(Variant("1", 0, "A", "C", sample_data={"x": {"AD": (0, 0)}})) is None


def test_disjoint_contig_names_are_a_user_error() -> None:
    with pytest.raises(ContigMismatchError, match="expected shared contig names"):
        evaluate_calls([V("chr1", 3, "T", "C", 0.1)], [V("1", 3, "T", "C")])


def test_bed_on_other_contig_names_leaves_a_note() -> None:
    result = evaluate_calls([V("1", 3, "T", "C", 0.1)], [V("1", 3, "T", "C")],
                            regions=[Region("chr1", 0, 100)])
    assert counts(result) == (0, 0, 0)
    assert any("outside the BED" in note and "chr1" in note for note in result.notes)


def test_public_api_names() -> None:
    import onco_genomics as og
    from onco_genomics.caller.shards import make_shards
    from onco_genomics.io.merge import merge_vcfs
    from onco_genomics.io.normalize import normalize_variant

    assert og.evaluate_calls is evaluate_calls and og.EvaluationResult is EvaluationResult
    assert og.normalize_variant is normalize_variant
    assert og.make_shards is make_shards and og.merge_vcfs is merge_vcfs


def test_result_write_gives_the_cli_files(tmp_path: Path) -> None:
    """A script gets the files `oncogen evaluate -o` writes: 1-based positions in the
    variants table, NaN for undefined metrics, and the inputs in the JSON."""
    import json

    result = evaluate_calls([V("1", 3, "T", "G", 0.2)], [V("1", 9, "C", "A")], reference=REF)
    paths = result.write(tmp_path / "eval", inputs={"truth": "t.vcf", "bed": None})
    assert [p.name for p in paths] == ["eval.tsv", "eval.variants.tsv", "eval.json"]
    variants = pd.read_csv(tmp_path / "eval.variants.tsv", sep="\t")
    assert sorted(variants["pos"]) == [4, 10]  # 0-based 3 and 9
    table = pd.read_csv(tmp_path / "eval.tsv", sep="\t")
    assert table.loc[table["variant_type"] == "INDEL", "precision"].isna().all()
    report = json.loads((tmp_path / "eval.json").read_text())
    assert report["inputs"] == {"truth": "t.vcf", "bed": None}
    assert report["metrics"][0].keys() >= {"tp", "fp", "fn", "precision"}
