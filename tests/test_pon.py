"""The simulated population (germline resource, panel normals), ``oncogen pon``, and the
panel of normals and tumor-only refusals in matched mode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from onco_genomics.cli import cli
from onco_genomics.errors import OptionsError
from onco_genomics.io.variants import read_variants, vcf_info
from onco_genomics.simulate import SimulationOptions, VafSpec
from onco_genomics.simulate.population import draw_allele_counts

DATA = Path(__file__).parent / "data" / "simulate"
PAIRED_MODEL = Path(__file__).parents[1] / "onco_genomics" / "data" / "models" / "caller_default"
REF = DATA / "chr20_10000000.fa"
REGION = "20_10000000:1001-23000"


def population_options(**overrides: object) -> SimulationOptions:
    settings: dict[str, object] = dict(
        reference=REF, regions=(REGION,), seed=11, tumor_depth=40, normal_depth=40,
        purity=0.8, vaf=VafSpec(0.3, 0.5), snv_count=12, indel_count=0, oxog_sites=0.0,
        mutations="random", population_sites=10.0, private_germline_rate=100.0,
        recurrent_artefacts=400.0, pon_normals=3, align_to="regions")
    settings.update(overrides)
    return SimulationOptions(**settings)  # type: ignore[arg-type]


def _last_line(output: str) -> str:
    return [line for line in output.splitlines() if line.strip()][-1]


def test_allele_counts_follow_the_neutral_spectrum() -> None:
    counts = draw_allele_counts(np.random.default_rng(0), 200_000, 60_000)
    assert counts.min() >= 1 and counts.max() < 60_000
    # P(AC = k) ~ log((k + 1) / k): singletons about twice as frequent as doubletons
    ones, twos = (counts == 1).mean(), (counts == 2).mean()
    assert ones == pytest.approx(np.log(2) / np.log(60_000), rel=0.05)
    assert ones / twos == pytest.approx(np.log(2) / np.log(1.5), rel=0.1)


def test_population_files_and_individual(population_sim: Path) -> None:
    info = vcf_info(population_sim / "population.vcf.gz")
    assert "AF" in info.info_ids
    population = {(v.pos, v.ref, v.alt): v.info["AF"]
                  for v in read_variants(population_sim / "population.vcf.gz")}
    assert len(population) > 100
    assert (population_sim / "population.vcf.gz.tbi").is_file()
    germline = list(read_variants(population_sim / "germline.vcf.gz"))
    in_population = [v for v in germline if (v.pos, v.ref, v.alt) in population]
    private = [v for v in germline if (v.pos, v.ref, v.alt) not in population]
    assert in_population and private
    # carried alleles are enriched for common ones (Hardy-Weinberg draws)
    carried_af = np.mean([population[(v.pos, v.ref, v.alt)] for v in in_population])
    assert carried_af > 2 * np.mean(list(population.values()))
    for k in (1, 2, 3):
        assert (population_sim / f"pon_normal_{k:02d}.bam.bai").is_file()
    recurrent = list(read_variants(population_sim / "recurrent.vcf.gz"))
    assert len(recurrent) >= 5


def test_population_options_are_checked() -> None:
    with pytest.raises(OptionsError, match="--population-sites"):
        population_options(population_sites=0.0)  # panel normals need a population
    with pytest.raises(OptionsError, match="--pon-normals"):
        population_options(pon_normals=-1)


def test_pon_holds_recurrent_artefacts(population_sim: Path, tmp_path: Path) -> None:
    normals = [str(population_sim / f"pon_normal_{k:02d}.bam") for k in (1, 2, 3)]
    out = tmp_path / "pon.vcf.gz"
    result = CliRunner().invoke(cli, ["pon", *normals, "--ref", str(REF), "-o", str(out),
                                      "--region", REGION])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pon.vcf.gz.tbi").is_file()
    info = vcf_info(out)
    assert {"NORMALS", "ALT_READS", "DEPTH", "MAX_AF"} <= set(info.info_ids)
    sites = {(v.pos, v.ref, v.alt): v.info["NORMALS"] for v in read_variants(out)}
    assert all(n >= 2 for n in sites.values())
    recurrent = [(v.pos, v.ref, v.alt)
                 for v in read_variants(population_sim / "recurrent.vcf.gz")]
    found = sum(key in sites for key in recurrent)
    assert found >= 0.5 * len(recurrent)
    # a somatic variant of the tumor is in no normal
    truth = [(v.pos, v.ref, v.alt) for v in read_variants(population_sim / "truth.vcf.gz")]
    assert not any(key in sites for key in truth)


@pytest.mark.parametrize("args, message", [
    (["{n1}"], "expected at least 2 normal BAMs"),
    (["{n1}", "{n1}"], "is given twice"),
    (["{n1}", "missing.bam"], "does not exist"),
    (["{n1}", "{n2}", "--min-normals", "3"], "expected at least 3 normal BAMs"),
])
def test_pon_bad_inputs(population_sim: Path, tmp_path: Path, args: list[str],
                        message: str) -> None:
    names = {"n1": str(population_sim / "pon_normal_01.bam"),
             "n2": str(population_sim / "pon_normal_02.bam")}
    out = tmp_path / "pon.vcf.gz"
    argv = ["pon", *(a.format(**names) for a in args), "--ref", str(REF), "-o", str(out)]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("oncogen: error: ") and message in lines[-1]
    assert not out.exists()


def test_pon_output_must_be_bgzipped(population_sim: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "pon", str(population_sim / "pon_normal_01.bam"),
        str(population_sim / "pon_normal_02.bam"), "--ref", str(REF),
        "-o", str(tmp_path / "pon.vcf")])
    assert result.exit_code == 2 and "expected a .vcf.gz path" in result.output


def test_matched_mode_takes_a_panel_of_normals(population_sim: Path, pon_vcf: Path,
                                               tmp_path: Path) -> None:
    out = tmp_path / "matched.vcf.gz"
    result = CliRunner().invoke(cli, [
        "call", str(population_sim / "tumor.bam"), str(population_sim / "normal.bam"),
        "--ref", str(REF), "-o", str(out), "--region", REGION, "--device", "cpu",
        "--panel-of-normals", str(pon_vcf)])
    assert result.exit_code == 0, result.output
    info = vcf_info(out)
    assert "panel_of_normals" in info.filter_ids and "PON" in info.info_ids
    pon_sites = {(v.pos, v.ref, v.alt) for v in read_variants(pon_vcf)}
    calls = list(read_variants(out))
    assert calls
    for v in calls:
        assert ("panel_of_normals" in v.filters) == ((v.pos, v.ref, v.alt) in pon_sites)


@pytest.mark.parametrize("case, message", [
    ("no_normal", "expected a NORMAL BAM after TUMOR"),
    ("resource_in_matched_mode", "--germline-resource is read in tumor-only mode only"),
])
def test_matched_mode_refuses_tumor_only_inputs(population_sim: Path, tmp_path: Path,
                                                case: str, message: str) -> None:
    out = tmp_path / "calls.vcf.gz"
    argv = ["call", str(population_sim / "tumor.bam"), str(population_sim / "normal.bam"),
            "--ref", str(REF), "-o", str(out), "--region", REGION]
    if case == "no_normal":
        argv.pop(2)
    else:
        argv += ["--germline-resource", str(population_sim / "population.vcf.gz")]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    line = _last_line(result.output)
    assert line.startswith("oncogen: error: ") and message in line
    assert not out.exists()
