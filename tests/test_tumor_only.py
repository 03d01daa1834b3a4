"""Tumor-only calling: ``oncogen call TUMOR --tumor-only`` and ``og.call_tumor_only``."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.io.variants import read_variants, vcf_info

REF = Path(__file__).parent / "data" / "simulate" / "chr20_10000000.fa"
REGION = "20_10000000:1001-23000"  # the population_sim fixture (conftest.py)
PAIRED_MODEL = Path(__file__).parents[1] / "onco_genomics" / "data" / "models" / "caller_default"


def _last_line(output: str) -> str:
    return [line for line in output.splitlines() if line.strip()][-1]


def _tumor_only_argv(sim: Path, out: Path, *extra: str) -> list[str]:
    return ["call", str(sim / "tumor.bam"), "--tumor-only", "--ref", str(REF), "-o", str(out),
            "--region", REGION, "--device", "cpu", *extra]


def test_tumor_only_call(population_sim: Path, pon_vcf: Path, tmp_path: Path) -> None:
    out = tmp_path / "calls.vcf.gz"
    result = CliRunner().invoke(cli, _tumor_only_argv(
        population_sim, out, "--germline-resource", str(population_sim / "population.vcf.gz"),
        "--panel-of-normals", str(pon_vcf)))
    assert result.exit_code == 0, result.output
    info = vcf_info(out)
    assert info.samples == ("TUMOR",)
    assert {"germline", "panel_of_normals", "LowQual"} <= set(info.filter_ids)
    assert {"PROB", "GERMLINE_PROB", "POP_AF", "PON"} <= set(info.info_ids)
    calls = list(read_variants(out))
    passed = {(v.pos, v.ref, v.alt) for v in calls if v.filters in ((), ("PASS",))}
    truth = {(v.pos, v.ref, v.alt): v.info["VAF"]
             for v in read_variants(population_sim / "truth.vcf.gz")}
    found = sum(key in passed for key in truth)
    assert found >= 0.5 * len(truth)
    # a planted doublet is one MNV record, never two SNV records (as in matched mode)
    doublets = [(v.pos, v.ref, v.alt) for v in read_variants(population_sim / "truth.vcf.gz")
                if v.info["TYPE"] == "MNV"]
    assert doublets
    records = {(v.pos, v.ref, v.alt): v.info["TYPE"] for v in calls}
    for pos, ref, alt in doublets:
        assert records.get((pos, ref, alt)) == "MNV"
        assert (pos, ref[0], alt[0]) not in records and (pos + 1, ref[1], alt[1]) not in records
    population = {(v.pos, v.ref, v.alt): v.info["AF"]
                  for v in read_variants(population_sim / "population.vcf.gz")}
    germline = {(v.pos, v.ref, v.alt) for v in read_variants(population_sim / "germline.vcf.gz")}
    common = {k for k in germline if population.get(k, 0.0) >= 0.01}
    assert common and not passed & common  # common inherited alleles never pass
    # the person's private heterozygous allele (in no resource, VAF ~0.5) is told by its VAF
    private = germline - set(population)
    flagged = {(v.pos, v.ref, v.alt) for v in calls if "germline" in v.filters}
    assert private and private <= flagged
    for v in calls:
        assert ("panel_of_normals" in v.filters) == bool(v.info.get("PON"))
        if (v.pos, v.ref, v.alt) in population:
            assert v.info["POP_AF"] == pytest.approx(population[(v.pos, v.ref, v.alt)],
                                                      rel=1e-3)
        assert 0.0 <= v.info["GERMLINE_PROB"] <= 1.0


def test_tumor_only_api_matches_cli_and_needs_no_resource(population_sim: Path,
                                                          tmp_path: Path) -> None:
    import onco_genomics as og

    result = og.call_tumor_only(population_sim / "tumor.bam", reference=REF,
                                output=tmp_path / "api.vcf.gz", regions=[REGION],
                                device="cpu", threads=2)
    assert result.output.is_file() and result.candidates > 0
    assert len(result.calls) == len(list(read_variants(tmp_path / "api.vcf.gz")))
    assert all(call.population_af is None and not call.pon for call in result.calls)


@pytest.mark.parametrize("case, message", [
    ("normal_given", "a NORMAL BAM was given"),
    ("resource_without_af", "expected a VCF with INFO/AF"),
    ("resource_without_index", "needs a tabix index"),
    ("paired_model", "not a tumor-only one"),
    ("resume", "--resume is not available with --tumor-only"),
])
def test_tumor_only_bad_inputs(population_sim: Path, tmp_path: Path, case: str,
                               message: str) -> None:
    out = tmp_path / "calls.vcf.gz"
    argv = _tumor_only_argv(population_sim, out)
    if case == "normal_given":
        argv.insert(2, str(population_sim / "normal.bam"))
    elif case == "resource_without_af":
        argv += ["--germline-resource", str(population_sim / "truth.vcf.gz")]
    elif case == "resource_without_index":
        copy = tmp_path / "resource.vcf.gz"
        copy.write_bytes((population_sim / "population.vcf.gz").read_bytes())
        argv += ["--germline-resource", str(copy)]
    elif case == "paired_model":
        argv += ["--model", str(PAIRED_MODEL)]
    else:
        argv += ["--resume"]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    line = _last_line(result.output)
    assert line.startswith("oncogen: error: ") and message in line
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "calls.vcf.gz.tbi").exists()




@pytest.mark.parametrize("extra, given, why", [
    (["--min-normal-depth", "5"], "--min-normal-depth 5", "LowNormalDepth"),
    # the default value typed out is still the user's choice, and still meaningless here
    (["--min-normal-depth", "1"], "--min-normal-depth 1", "LowNormalDepth"),
    (["--normal-sample", "N"], "--normal-sample N", "matched normal's sample"),
    (["--keep-work"], "--keep-work was given", "no OUTPUT.work folder"),
])
def test_tumor_only_refuses_matched_mode_options(tmp_path: Path, extra: list[str], given: str,
                                                 why: str) -> None:
    # refused before any file is opened: the tumor BAM does not even exist
    out = tmp_path / "calls.vcf.gz"
    result = CliRunner().invoke(cli, ["call", str(tmp_path / "missing.bam"), "--tumor-only",
                                      "--ref", str(REF), "-o", str(out), *extra])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("oncogen: error: "), result.output
    flag = extra[0]
    assert f"{flag} is not available with --tumor-only" in lines[0]
    assert given in lines[0] and why in lines[0] and f"drop {flag}" in lines[0]
    assert not out.exists()


def test_tumor_only_leaves_matched_mode_defaults_alone(tmp_path: Path) -> None:
    # not given: the defaults of --min-normal-depth etc. do not stop a tumor-only run (it
    # goes on to the input checks, which find the missing BAM)
    result = CliRunner().invoke(cli, ["call", str(tmp_path / "missing.bam"), "--tumor-only",
                                      "--ref", str(REF), "-o", str(tmp_path / "c.vcf.gz"),
                                      "--min-snv-alt-reads", "4"])
    assert result.exit_code == 2
    assert _last_line(result.output) == (f"oncogen: error: tumor BAM {tmp_path / 'missing.bam'} "
                                         "does not exist; check the path")


def test_matched_mode_refuses_a_tumor_only_model(population_sim: Path, tmp_path: Path) -> None:
    from onco_genomics.caller.tumor_only_model import default_tumor_only_model_path

    out = tmp_path / "calls.vcf.gz"
    result = CliRunner().invoke(cli, [
        "call", str(population_sim / "tumor.bam"), str(population_sim / "normal.bam"),
        "--ref", str(REF), "-o", str(out), "--region", REGION,
        "--model", str(default_tumor_only_model_path())])
    assert result.exit_code == 2, result.output
    line = _last_line(result.output)
    assert line.startswith("oncogen: error: ") and "is a tumor-only model" in line
    assert not out.exists()


def test_wrong_mode_models_are_refused_by_the_loaders() -> None:
    from onco_genomics.caller.model import load_model
    from onco_genomics.caller.tumor_only_model import (
        default_tumor_only_model_path,
        load_tumor_only_model,
    )
    from onco_genomics.errors import ModelError

    with pytest.raises(ModelError, match="not a tumor-only one"):
        load_tumor_only_model(PAIRED_MODEL)
    with pytest.raises(ModelError, match="is a tumor-only model"):
        load_model(default_tumor_only_model_path())
    model = load_tumor_only_model()
    assert model.metadata["mode"] == "tumor-only"
    assert model.metadata["encoder"]["version"] == "1.1"
    assert not any(name.startswith("normal_") for name in model.metadata["input_channels"])


def test_tumor_only_records_do_not_depend_on_threads(population_sim: Path, pon_vcf: Path,
                                                     tmp_path: Path) -> None:
    import onco_genomics as og

    records = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}.vcf.gz"
        og.call_tumor_only(population_sim / "tumor.bam", reference=REF, output=out,
                           germline_resource=population_sim / "population.vcf.gz",
                           panel_of_normals=pon_vcf, regions=[REGION], device="cpu",
                           threads=threads, chunk_size=5_000)
        records.append([line for line in gzip.open(out, "rt") if not line.startswith("#")])
    assert records[0] and records[0] == records[1]


def test_api_refuses_a_normal_depth_floor_without_a_normal(tmp_path: Path) -> None:
    # the Python API, like the CLI, does not ignore a matched-mode filter silently
    from onco_genomics.caller.records import FilterOptions
    from onco_genomics.caller.tumor_only_calling import call_tumor_only
    from onco_genomics.errors import OptionsError

    with pytest.raises(OptionsError, match="min_normal_depth is not used without a matched"):
        call_tumor_only(tmp_path / "missing.bam", reference=REF, output=tmp_path / "c.vcf.gz",
                        filters=FilterOptions(min_normal_depth=5))
    assert not (tmp_path / "c.vcf.gz").exists()
