"""`oncogen evaluate` end to end on the hand-made VCFs in tests/data/evaluate (see README).

Expected counts (PASS calls, after splitting and left-alignment):
truth SNVs 12, 201C, 201G, 231, 281; truth deletions 60, 152.
calls: 12 (TP), 66 TT>T == 60 AT>A (TP), 160 ACA>A == 152 TCA>T (TP), 201G (TP),
201A (FP), 241 (FP, germline), 291 (FP), 100 (LowQual, ignored unless --all-filters).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.io.normalize import normalize_variant
from onco_genomics.io.variants import read_variants

DATA = Path(__file__).parent / "data" / "evaluate"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-q", "evaluate", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _row(table: pd.DataFrame, vtype: str, vaf_bin: str = "all") -> tuple[int, int, int]:
    row = table[(table.variant_type == vtype) & (table.vaf_bin == vaf_bin)].iloc[0]
    return int(row.tp), int(row.fp), int(row.fn)


@pytest.fixture
def ref(tmp_path: Path) -> str:
    # copy so the .fai the reader builds lands in tmp, not in the source tree
    target = tmp_path / "ref.fa"
    shutil.copy(DATA / "ref.fa", target)
    return str(target)


def test_evaluate_writes_tsv_json_and_variants(tmp_path: Path, ref: str) -> None:
    prefix = tmp_path / "out" / "eval"
    code, output = run("--truth", str(DATA / "truth.vcf"), "--calls", str(DATA / "calls.vcf"),
                       "--ref", ref, "-o", str(prefix))
    assert code == 0, output
    assert "precision" in output and "INDEL" in output
    table = pd.read_csv(f"{prefix}.tsv", sep="\t")
    assert _row(table, "ALL") == (4, 3, 3)
    assert _row(table, "SNV") == (2, 3, 3)
    assert _row(table, "INDEL") == (2, 0, 0)
    # truth VAF bins: 12 (5 %) TP, 231 (6 %) FN; 60 (10 %) TP; 152, 281 (20 %) TP, FN;
    # 201C (30 %) FN, 201G (40 %) TP. FPs by tumour AF: 201A 8 %, 291 25 %, 241 50 %.
    assert _row(table, "ALL", "[0,7.5)%") == (1, 0, 1)
    assert _row(table, "ALL", "[7.5,15)%") == (1, 1, 0)
    assert _row(table, "ALL", "[15,30)%") == (1, 1, 1)
    assert _row(table, "ALL", "[30,100]%") == (1, 1, 1)
    all_row = table[(table.variant_type == "ALL") & (table.vaf_bin == "all")].iloc[0]
    assert math.isclose(all_row.precision, 4 / 7) and math.isclose(all_row.recall, 4 / 7)
    report = json.loads(Path(f"{prefix}.json").read_text())
    assert report["settings"]["left_aligned"] is True
    assert report["inputs"]["truth"].endswith("truth.vcf")
    assert any("non-PASS" in note for note in report["notes"])
    variants = pd.read_csv(f"{prefix}.variants.tsv", sep="\t")
    deletions = variants[variants.variant_type == "INDEL"]
    assert sorted(deletions.pos) == [60, 152]  # 1-based, left-aligned
    assert set(deletions.status) == {"TP"}


def test_bed_germline_and_all_filters(tmp_path: Path, ref: str) -> None:
    prefix = tmp_path / "eval"
    code, output = run("--truth", str(DATA / "truth.vcf"), "--calls", str(DATA / "calls.vcf"),
                       "--ref", ref, "--bed", str(DATA / "regions.bed"),
                       "--germline", str(DATA / "germline.vcf"), "--all-filters",
                       "-o", str(prefix))
    assert code == 0, output
    table = pd.read_csv(f"{prefix}.tsv", sep="\t")
    # 281 and 291 are outside the BED; the LowQual 100 C>T now counts as an FP
    assert _row(table, "ALL") == (4, 3, 2)
    all_row = table[(table.variant_type == "ALL") & (table.vaf_bin == "all")].iloc[0]
    assert all_row.fp_germline == 1


def test_without_reference_right_aligned_deletions_do_not_match(tmp_path: Path) -> None:
    code, output = run("--truth", str(DATA / "truth.vcf"), "--calls", str(DATA / "calls.vcf"),
                       "-o", str(tmp_path / "e"))
    assert code == 0, output
    table = pd.read_csv(tmp_path / "e.tsv", sep="\t")
    assert _row(table, "INDEL") == (0, 2, 2)
    assert "not left-aligned" in output


def test_empty_calls_report_nan_precision(tmp_path: Path, ref: str) -> None:
    code, output = run("--truth", str(DATA / "truth.vcf"), "--calls", str(DATA / "empty.vcf"),
                       "--ref", ref, "-o", str(tmp_path / "e"))
    assert code == 0, output
    assert "note: precision is undefined" in output
    table = pd.read_csv(tmp_path / "e.tsv", sep="\t")
    assert _row(table, "ALL") == (0, 0, 7)
    assert table.precision.isna().all()
    report = json.loads((tmp_path / "e.json").read_text())
    assert report["metrics"][0]["precision"] is None


def test_truth_against_itself_is_perfect(ref: str) -> None:
    code, output = run("--truth", str(DATA / "truth.vcf"), "--calls", str(DATA / "truth.vcf"),
                       "--ref", ref)
    assert code == 0, output
    first = output.splitlines()[1].split()
    assert first[:5] == ["SNV", "all", "5", "0", "0"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vaf-bins", "0,50,20"], "VAF bin edges"),
        (["--vaf-bins", "0,x"], "--vaf-bins expects"),
        (["--truth-vaf-field", "TYPE"], ""),  # a string field: no VAF, binned 'unknown'
    ],
)
def test_option_errors(args: list[str], message: str) -> None:
    code, output = run("--truth", str(DATA / "truth.vcf"), "--calls", str(DATA / "calls.vcf"),
                       *args)
    if message:
        assert code == 2 and "oncogen: error:" in output and message in output
    else:
        assert code == 0 and "unknown" in output


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    code, output = run("--truth", str(tmp_path / "nope.vcf"), "--calls", str(DATA / "calls.vcf"))
    assert code == 2 and "does not exist" in output


def test_wrong_reference_is_a_user_error(tmp_path: Path) -> None:
    other = tmp_path / "other.fa"
    other.write_text(">20slice\n" + "C" * 300 + "\n")
    code, output = run("--truth", str(DATA / "truth.vcf"), "--calls", str(DATA / "calls.vcf"),
                       "--ref", str(other))
    assert code == 2 and "expected REF to match the reference" in output


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
def test_normalisation_agrees_with_bcftools_norm(tmp_path: Path, ref: str) -> None:
    """Every 1-3 bp deletion and 1-2 bp insertion on the real slice, vs `bcftools norm`."""
    from onco_genomics.io.reference import Reference

    seq = "".join(line.strip() for line in (DATA / "ref.fa").read_text().splitlines()[1:])
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=20slice,length=300>",
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    records = []
    for pos in range(1, 290):
        for length in (1, 2, 3):
            records.append((pos, seq[pos:pos + 1 + length], seq[pos]))
        for inserted in ("A", "CA", seq[pos + 1]):
            records.append((pos, seq[pos], seq[pos] + inserted))
    lines += [f"20slice\t{pos + 1}\tv{i}\t{r}\t{a}\t.\t.\t."
              for i, (pos, r, a) in enumerate(records)]
    raw = tmp_path / "raw.vcf"
    raw.write_text("\n".join(lines) + "\n")
    normed = subprocess.run(["bcftools", "norm", "--no-version", "-f", ref, str(raw)],
                            check=True, capture_output=True, text=True).stdout
    fields = [line.split("\t") for line in normed.splitlines() if not line.startswith("#")]
    expected = {f[2]: (int(f[1]), f[3], f[4]) for f in fields}  # ID -> (POS, REF, ALT)
    reference = Reference(ref)
    ours = {}
    for variant in read_variants(raw):
        out = normalize_variant(variant, reference)
        ours[out.id] = (out.vcf_pos, out.ref, out.alt)
    assert len(ours) == len(expected) == 289 * 6
    moved = sum(ours[f"v{i}"][0] != pos + 1 for i, (pos, _, _) in enumerate(records))
    assert moved > 100  # the slice has repeats: many records really are shifted
    assert ours == expected


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools not installed")
def test_counts_agree_with_bcftools_norm_and_isec(tmp_path: Path, ref: str) -> None:
    """TP/FP/FN equal the sizes of `bcftools isec -c none` after `bcftools norm -m -any -f`."""
    normalised = {}
    for name in ("truth", "calls"):
        out = tmp_path / f"{name}.norm.vcf.gz"
        norm = subprocess.run(["bcftools", "norm", "--no-version", "-m", "-any", "-f", ref,
                               str(DATA / f"{name}.vcf")], check=True, capture_output=True)
        subprocess.run(["bcftools", "view", "--no-version", "-f", "PASS,.", "-Oz", "-o",
                        str(out)], input=norm.stdout, check=True, capture_output=True)
        subprocess.run(["bcftools", "index", "-t", str(out)], check=True)
        normalised[name] = out
    subprocess.run(["bcftools", "isec", "-c", "none", "-p", str(tmp_path / "isec"),
                    str(normalised["truth"]), str(normalised["calls"])], check=True,
                   capture_output=True)

    def n_records(path: Path) -> int:
        return sum(1 for line in path.read_text().splitlines() if not line.startswith("#"))

    fn, fp, tp = (n_records(tmp_path / "isec" / f"000{i}.vcf") for i in range(3))
    code, _ = run("--truth", str(DATA / "truth.vcf"), "--calls", str(DATA / "calls.vcf"),
                  "--ref", ref, "-o", str(tmp_path / "e"))
    assert code == 0
    table = pd.read_csv(tmp_path / "e.tsv", sep="\t")
    assert _row(table, "ALL") == (tp, fp, fn) == (4, 3, 3)


def test_maf_truth_with_dash_deletion(tmp_path: Path, ref: str) -> None:
    """A MAF truth: its '-' deletion gets its anchor from --ref and matches the VCF call."""
    maf = tmp_path / "truth.maf"
    maf.write_text(
        "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\t"
        "Tumor_Seq_Allele1\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n"
        "X\t20slice\t12\t12\tG\tG\tA\tT1\n"
        "X\t20slice\t67\t67\tT\tT\t-\tT1\n")  # one T of the run at 61-67, written rightmost
    code, output = run("--truth", str(maf), "--calls", str(DATA / "calls.vcf"), "--ref", ref,
                       "-o", str(tmp_path / "e"))
    assert code == 0, output
    table = pd.read_csv(tmp_path / "e.tsv", sep="\t")
    assert _row(table, "INDEL") == (1, 1, 0)  # 60 AT>A matched; 152 is a call only here
    assert _row(table, "SNV") == (1, 4, 0)  # FPs: 201 T>G, 201 T>A, 241, 291
