"""The bad-input catalogue: every command, fed what a new user might feed it (issue 14).

Each case runs one command in-process (click's CliRunner) in an empty folder and checks
the error contract of docs/errors.md: exit status 2, exactly one ``oncogen: error:`` line,
no traceback, and nothing left behind in the folder (no output, no temporary file, no
work folder). Inputs are the files of tests/data/bad_inputs/ (one per bad input,
make_fixtures.py) and the other fixtures of tests/data; the kinds of damage are

* missing, empty (0 bytes), binary junk, a folder where a file goes;
* truncated or corrupt (gzip without BGZF, a cut BAM, a corrupt BGZF block, a stale index);
* mismatched (contigs, samples, the wrong kind of model);
* degenerate (an all-zero catalog, a table of text);
* unwritable outputs (a file where a folder goes, a folder where a file goes);
* tampered models (a pickle that would run code, a truncated .pt).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli

pytestmark = pytest.mark.usefixtures("one_torch_thread")

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad_inputs"
IO = DATA / "io"
EVAL = DATA / "evaluate"
CALLER_REF = DATA / "caller" / "ref.fa"
SLICE = DATA / "spectrum" / "chr20_1Mb_2kb.fa"
CATALOG = DATA / "spectrum" / "BRCA_example_chr20.SigProfiler.SBS96.tsv"
SHARD = BAD / "shard_good.vcf"
TUMOR = BAD / "small_tumor.bam"
NORMAL = BAD / "small_normal.bam"
EXPRESSION = IO / "samples_rows.csv"
LABELS = IO / "labels.tsv"
VCF = BAD / "alt_x.vcf"

#: a path that is not there (relative to the case's folder)
MISSING = "no_such_file.txt"
#: a file standing where a folder is needed (made in every case's folder)
BLOCKER = "a_file"

#: (name, path): what the generic bad-file cases put in place of an input file
BAD_FILES: list[tuple[str, str | Path]] = [
    ("missing", MISSING),
    ("empty", BAD / "empty.txt"),
    ("junk", BAD / "junk.bin"),
    ("folder", BAD / "models"),
]
#: ... of an input variant file: also gzip that is not BGZF, and a truncated .vcf.gz
BAD_VARIANT_FILES = [*BAD_FILES, ("gzip-not-vcf", BAD / "not_really.vcf.gz"),
                     ("truncated-gz", IO / "truncated.vcf.gz")]
#: ... of an input table: also rows of unequal length and text where numbers go
BAD_TABLES = [*BAD_FILES, ("ragged", IO / "ragged_rows.csv"),
              ("text", IO / "non_numeric.tsv")]
#: ... of an output file
BAD_OUTPUT_FILES = [("under-a-file", f"{BLOCKER}/out.tsv"), ("a-folder", ".")]
#: ... of an output folder
BAD_OUTPUT_FOLDERS = [("a-file", BLOCKER), ("under-a-file", f"{BLOCKER}/out")]
#: ... of a model folder
BAD_MODELS: list[tuple[str, str | Path]] = [
    ("missing", "no_such_model"), ("empty-folder", "empty_model"),
    ("a-file", BAD / "junk.bin"), ("caller-model-as-omics", "caller_model")]

Argv = Callable[[dict[str, str]], list[str]]
CASES: list[tuple[str, list[str]]] = []


def case(name: str, argv: list[str | Path]) -> None:
    CASES.append((name, [str(a) for a in argv]))


def _each(prefix: str, kinds: list[tuple[str, str | Path]],
          build: Callable[[str | Path], list[str | Path]]) -> None:
    for kind, path in kinds:
        case(f"{prefix}-{kind}", build(path))


# --- evaluate ----------------------------------------------------------------------------
_each("evaluate-truth", BAD_VARIANT_FILES,
      lambda p: ["evaluate", p, EVAL / "calls.vcf"])
_each("evaluate-calls", BAD_VARIANT_FILES,
      lambda p: ["evaluate", EVAL / "truth.vcf", p])
_each("evaluate-ref", BAD_FILES,
      lambda p: ["evaluate", EVAL / "truth.vcf", EVAL / "calls.vcf", "--ref", p])
_each("evaluate-bed", BAD_FILES[:3],
      lambda p: ["evaluate", EVAL / "truth.vcf", EVAL / "calls.vcf", "--bed", p])
_each("evaluate-output", [("under-a-file", f"{BLOCKER}/eval")],
      lambda p: ["evaluate", EVAL / "truth.vcf", EVAL / "calls.vcf", "-o", p])
case("evaluate-bad-vaf-bins", ["evaluate", EVAL / "truth.vcf", EVAL / "calls.vcf",
                               "--vaf-bins", "0.5,0.1"])

# --- call --------------------------------------------------------------------------------
_CALL = ["--region", "chr20_15M:1-6000", "--device", "cpu"]
_each("call-tumor", [*BAD_FILES, ("corrupt-block", BAD / "corrupt_block.bam"),
                     ("truncated", BAD / "truncated_reads.bam"),
                     ("stale-index", BAD / "stale_index.bam"),
                     ("no-index", IO / "no_index.bam"), ("sam-text", BAD / "alt_x.vcf")],
      lambda p: ["call", p, NORMAL, "--ref", CALLER_REF, "-o", "c.vcf.gz", *_CALL])
_each("call-normal", [*BAD_FILES, ("corrupt-block", BAD / "corrupt_block.bam"),
                      ("truncated", BAD / "truncated_reads.bam"),
                      ("stale-index", BAD / "stale_index.bam"),
                      ("other-assembly", IO / "hg00101_chr17_4kb.bam"),
                      ("no-read-group", IO / "no_read_group.bam")],
      lambda p: ["call", TUMOR, p, "--ref", CALLER_REF, "-o", "c.vcf.gz", *_CALL])
_each("call-ref", [*BAD_FILES, ("other-assembly", IO / "chr17_4kb.fa")],
      lambda p: ["call", TUMOR, NORMAL, "--ref", p, "-o", "c.vcf.gz", *_CALL])
_each("call-output", [("under-a-file", f"{BLOCKER}/c.vcf.gz"), ("a-folder", "."),
                      ("not-vcf", "calls.txt")],
      lambda p: ["call", TUMOR, NORMAL, "--ref", CALLER_REF, "-o", p, *_CALL])
_each("call-model", [*BAD_MODELS[:3], ("omics-model-as-caller", "omics_model")],
      lambda p: ["call", TUMOR, NORMAL, "--ref", CALLER_REF, "-o", "c.vcf.gz", "--model", p,
                 *_CALL])
for _name, _extra in [("same-file", [TUMOR, TUMOR]), ("same-sample", [TUMOR, NORMAL])]:
    case(f"call-{_name}", ["call", *_extra, "--ref", CALLER_REF, "-o", "c.vcf.gz", *_CALL,
                           *(["--tumor-sample", "X", "--normal-sample", "X"]
                             if _name == "same-sample" else [])])
for _name, _region in [("region-off-contig", "chrNone:1-100"),
                       ("region-reversed", "chr20_15M:500-100"),
                       ("region-past-end", "chr20_15M:1-99999999"),
                       ("region-garbage", "chr20_15M:one-two")]:
    case(f"call-{_name}", ["call", TUMOR, NORMAL, "--ref", CALLER_REF, "-o", "c.vcf.gz",
                           "--region", _region, "--device", "cpu"])
_each("call-bed", [*BAD_FILES, ("start-after-end", IO / "start_after_end.bed")],
      lambda p: ["call", TUMOR, NORMAL, "--ref", CALLER_REF, "-o", "c.vcf.gz", "--bed", p,
                 "--device", "cpu"])
case("call-cram-wrong-reference", ["call", IO / "hg00101_chr17_4kb.cram",
                                   IO / "hg00101_chr17_4kb.bam", "--ref",
                                   BAD / "wrong_sequence_chr17.fa", "-o", "c.vcf.gz",
                                   "--tumor-sample", "T", "--normal-sample", "N",
                                   "--device", "cpu"])
case("call-threads-0", ["call", TUMOR, NORMAL, "--ref", CALLER_REF, "-o", "c.vcf.gz",
                        *_CALL, "--threads", "0"])
case("call-min-af-1", ["call", TUMOR, NORMAL, "--ref", CALLER_REF, "-o", "c.vcf.gz", *_CALL,
                       "--min-af", "1.5"])
case("call-chunk-size-tiny", ["call", TUMOR, NORMAL, "--ref", CALLER_REF, "-o", "c.vcf.gz",
                              *_CALL, "--chunk-size", "10"])
case("call-resume-other-run", ["call", TUMOR, NORMAL, "--ref", CALLER_REF, "-o",
                               "resumed.vcf.gz", *_CALL, "--resume"])

# --- shards / merge ----------------------------------------------------------------------
_each("shards-ref", BAD_FILES,
      lambda p: ["shards", "--ref", p, "-n", "2", "-o", "shards"])
_each("shards-bed", [*BAD_FILES[:3], ("start-after-end", IO / "start_after_end.bed")],
      lambda p: ["shards", "--ref", CALLER_REF, "--bed", p, "-n", "2", "-o", "shards"])
_each("shards-out-dir", BAD_OUTPUT_FOLDERS,
      lambda p: ["shards", "--ref", CALLER_REF, "-n", "2", "-o", p])
case("shards-n-0", ["shards", "--ref", CALLER_REF, "-n", "0", "-o", "shards"])
_each("merge-shard", [*BAD_VARIANT_FILES,
                      *[(p.stem, p) for p in sorted(BAD.glob("shard_*.vcf"))
                        if p.name != SHARD.name]],
      lambda p: ["merge", SHARD, p, "-o", "m.vcf.gz"])
case("merge-same-shard-twice", ["merge", SHARD, SHARD, "-o", "m.vcf.gz"])
case("merge-mismatched-samples", ["merge", SHARD, IO / "mutect2_like.vcf", "-o", "m.vcf.gz"])
_each("merge-output", [("under-a-file", f"{BLOCKER}/m.vcf.gz"), ("not-vcf-gz", "m.vcf")],
      lambda p: ["merge", SHARD, "-o", p])

# --- spectrum, signatures, features ------------------------------------------------------
_each("spectrum-input", BAD_VARIANT_FILES,
      lambda p: ["spectrum", p, "--ref", SLICE, "-o", "c.tsv"])
_each("spectrum-ref", [*BAD_FILES, ("other-assembly", CALLER_REF)],
      lambda p: ["spectrum", VCF, "--ref", p, "-o", "c.tsv"])
_each("spectrum-output", BAD_OUTPUT_FILES,
      lambda p: ["spectrum", VCF, "--ref", SLICE, "-o", p])
case("spectrum-bad-context", ["spectrum", VCF, "--ref", SLICE, "-o", "c.tsv",
                              "--context", "sbs97"])
case("spectrum-bad-plot", ["spectrum", VCF, "--ref", SLICE, "-o", "c.tsv", "--plot", "c.gif"])
_each("fit-catalog", [*BAD_TABLES, ("all-zero", BAD / "all_zero.SBS96.tsv"),
                      ("a-vcf", VCF)],
      lambda p: ["signatures", "fit", p, "-o", "fit.tsv"])
_each("fit-reference", [*BAD_FILES, ("unknown-release", "cosmic:v0.1")],
      lambda p: ["signatures", "fit", CATALOG, "--reference", p, "-o", "fit.tsv"])
_each("fit-output", BAD_OUTPUT_FILES,
      lambda p: ["signatures", "fit", CATALOG, "-o", p])
_each("extract-catalog", [*BAD_TABLES, ("all-zero", BAD / "all_zero.SBS96.tsv")],
      lambda p: ["signatures", "extract", p, "-o", "sigs", "--k", "2"])
_each("extract-output", BAD_OUTPUT_FOLDERS,
      lambda p: ["signatures", "extract", CATALOG, "-o", p, "--k", "2"])
case("extract-bad-k", ["signatures", "extract", CATALOG, "-o", "sigs", "--k", "5..2"])
_each("features-input", BAD_VARIANT_FILES,
      lambda p: ["features", p, "-o", "f.tsv"])
_each("features-output", BAD_OUTPUT_FILES,
      lambda p: ["features", VCF, "-o", p])
_each("features-genes", BAD_FILES[:3],
      lambda p: ["features", VCF, "-o", "f.tsv", "--genes", p])

# --- omics models ------------------------------------------------------------------------
_each("cup-expression", BAD_TABLES,
      lambda p: ["cup", p, "-o", "p.tsv"])
_each("cup-model", BAD_MODELS,
      lambda p: ["cup", EXPRESSION, "--model", p, "-o", "p.tsv"])
_each("cup-model-tampered", [("runs-code", "tampered_runs_code"),
                             ("truncated-booster", "tampered_booster")],
      lambda p: ["cup", EXPRESSION, "--model", p, "-o", "p.tsv"])
_each("cup-output", BAD_OUTPUT_FILES,
      lambda p: ["cup", EXPRESSION, "-o", p])
_each("train-cup-expression", BAD_TABLES,
      lambda p: ["train", "cup", p, LABELS, "-o", "model"])
_each("train-cup-labels", [*BAD_TABLES[:4], ("labels-of-other-samples", IO / "labels.tsv")],
      lambda p: ["train", "cup", IO / "transposed.tsv" if "other" in str(p) else EXPRESSION,
                 p, "-o", "model"])
_each("train-cup-output", BAD_OUTPUT_FOLDERS,
      lambda p: ["train", "cup", EXPRESSION, LABELS, "-o", p])
_each("train-subtype-expression", BAD_TABLES[:4],
      lambda p: ["train", "subtype", p, LABELS, "-o", "model"])
_each("subtype-discover", BAD_TABLES,
      lambda p: ["subtype", "discover", p, "-o", "subtypes"])
case("subtype-discover-bad-k", ["subtype", "discover", EXPRESSION, "-o", "s", "-k", "9..2"])
_each("subtype-predict-model", BAD_MODELS,
      lambda p: ["subtype", "predict", EXPRESSION, "--model", p, "-o", "p.tsv"])
_each("survival-model", BAD_MODELS,
      lambda p: ["survival", p, "--features", EXPRESSION, "-o", "risk"])
_each("train-survival-features", BAD_TABLES[:4],
      lambda p: ["train", "survival", "--features", p, "--clinical", LABELS, "-o", "model"])
case("train-survival-no-time-column", ["train", "survival", "--features", EXPRESSION,
                                       "--clinical", LABELS, "-o", "model"])
_each("drug-response-model", BAD_MODELS,
      lambda p: ["drug-response", p, "--features", EXPRESSION, "-o", "p.tsv"])
_each("train-drug-response-response", BAD_TABLES[:4],
      lambda p: ["train", "drug-response", "--response", p, "--features", EXPRESSION,
                 "-o", "model"])
_each("explain-model", BAD_MODELS,
      lambda p: ["explain", p, EXPRESSION, "-o", "shap"])

# --- simulate, train caller, usage -------------------------------------------------------
_each("simulate-ref", BAD_FILES,
      lambda p: ["simulate", "--ref", p, "--region", "chr20_15M:1-2000", "--out-dir", "sim"])
_each("simulate-out-dir", BAD_OUTPUT_FOLDERS,
      lambda p: ["simulate", "--ref", CALLER_REF, "--region", "chr20_15M:1-2000",
                 "--out-dir", p])
case("simulate-region-off-contig", ["simulate", "--ref", CALLER_REF, "--region",
                                    "chrNone:1-100", "--out-dir", "sim"])
_each("train-caller-data", [("missing", "no_such_sim"), ("empty-folder", "empty_model")],
      lambda p: ["train", "caller", "--data", p, "--ref", CALLER_REF, "-o", "model"])
case("train-caller-no-sets", ["train", "caller", "--ref", CALLER_REF, "-o", "model"])
_each("report-calls", BAD_VARIANT_FILES,
      lambda p: ["report", p, "-o", "r.html"])
_each("report-truth", BAD_VARIANT_FILES[:4],
      lambda p: ["report", EVAL / "calls.vcf", "--truth", p, "-o", "r.html"])
_each("report-output", BAD_OUTPUT_FILES,
      lambda p: ["report", EVAL / "calls.vcf", "-o", p])
_each("example-output", BAD_OUTPUT_FOLDERS,
      lambda p: ["example", "cup", "-o", p])
case("example-unknown", ["example", "lung", "-o", "ex"])
case("models-unknown-subcommand", ["models", "show"])
case("models-list-extra-argument", ["models", "list", "cup_example"])
for _argv in (["call"], ["no-such-command"], ["--no-such-option"], ["train", "cupp"],
              ["spectrum", VCF, "--ref", SLICE]):
    case("usage-" + "-".join(str(a).strip("-") for a in _argv[:2])[:40], list(_argv))


def _prepare(folder: Path) -> None:
    """The case's folder: a file standing where a folder goes, an empty 'model' folder,
    a caller model where an omics one goes (and the reverse), tampered omics models."""
    from onco_genomics.caller.model import default_model_path
    from onco_genomics.omics.model_dir import shipped_model_path

    (folder / BLOCKER).write_text("x")
    (folder / "empty_model").mkdir()
    shutil.copytree(default_model_path(), folder / "caller_model")
    cup = shipped_model_path("cup_example")
    shutil.copytree(cup, folder / "omics_model")
    shutil.copytree(cup, folder / "tampered_booster")
    booster = folder / "tampered_booster" / "steps" / "4-model" / "booster.json"
    booster.write_bytes(booster.read_bytes()[:1000])
    shutil.copytree(cup, folder / "tampered_runs_code")
    (folder / "tampered_runs_code" / "steps" / "4-model" / "booster.json").unlink()
    shutil.copy(BAD / "models" / "runs_code.pt",
                folder / "tampered_runs_code" / "steps" / "4-model" / "booster.json")
    # a --resume work folder of another run
    work = folder / "resumed.vcf.gz.work"
    work.mkdir()
    (work / "manifest.json").write_text('{"oncogen_version": "0.0.0"}')


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize(("name", "argv"), CASES, ids=[name for name, _ in CASES])
def test_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                   argv: list[str]) -> None:
    _prepare(tmp_path)
    before = _listing(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, argv)
    output = result.output
    assert result.exit_code == 2, f"exit {result.exit_code}: {output[-1500:]}"
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("oncogen: error:")]
    assert len(errors) == 1, output
    assert not any("Error" in line and not line.startswith("oncogen: error:")
                   for line in output.splitlines()), output
    assert _listing(tmp_path) == before, sorted(_listing(tmp_path) - before)


def test_the_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 120
    assert len({name for name, _ in CASES}) == len(CASES), "case names must be unique"
