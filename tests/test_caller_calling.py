"""Chunked calling: option checks, VCF output, --threads identity, --resume, shard + merge.

These tests use an untrained network (fixed seed) with every candidate written
(``FilterOptions(min_prob_to_report=0)``) so that ordering, identity and resume are checked
on hundreds of records; the shipped model's accuracy is tested in test_caller_cli.py.

Fixture: tests/data/caller/ref.fa is GRCh37 chr20:15,000,001-15,040,000 (Debian
vt-examples, MIT) renamed ``chr20_15M``; tests/data/caller/pair/ was simulated from it with
``oncogen simulate --ref ref.fa --region chr20_15M:1-40000 --out-dir pair --seed 7
--tumor-depth 50 --normal-depth 25 --snv-rate 800 --indel-rate 300 --vaf 0.05-0.5``.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pysam
import pytest
import torch
from click.testing import CliRunner

from onco_genomics.caller import calling
from onco_genomics.caller.calling import CallOptions, call_somatic, validate_call_options
from onco_genomics.caller.model import save_model
from onco_genomics.caller.network import NetworkConfig, SomaticNet
from onco_genomics.caller.records import FilterOptions
from onco_genomics.cli import cli
from onco_genomics.errors import ContigMismatchError, ModelError, OptionsError
from onco_genomics.pileup.encode import CHANNELS, CHANNELS_BY_VERSION, WINDOW, encoder_spec

DATA = Path(__file__).parent / "data" / "caller"
REF = DATA / "ref.fa"
TUMOR = DATA / "pair" / "tumor.bam"
NORMAL = DATA / "pair" / "normal.bam"
REGION = "chr20_15M:1-24000"
ALL = FilterOptions(min_prob_to_report=0.0)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    net = SomaticNet(NetworkConfig(in_channels=len(CHANNELS), window=WINDOW, width=16, blocks=2,
                                   hidden=16))
    return save_model(tmp_path_factory.mktemp("model") / "untrained", net,
                      encoder=encoder_spec(), threshold=0.5)


def body(path: Path) -> list[str]:
    with gzip.open(path, "rt") as handle:
        return [line for line in handle if not line.startswith("##")]


def run(out: Path, model: Path, **kwargs: object) -> calling.CallResult:
    options: dict[str, object] = {"regions": [REGION], "chunk_size": 6000, "filters": ALL,
                                  "device": "cpu"}
    options.update(kwargs)
    return call_somatic(TUMOR, NORMAL, reference=REF, output=out, model=model,
                        **options)  # type: ignore[arg-type]


def test_vcf_output_is_read_by_htslib(tmp_path: Path, model_dir: Path) -> None:
    result = run(tmp_path / "calls.vcf.gz", model_dir)
    assert result.chunks_total == 4 and len(result.calls) > 50
    assert (tmp_path / "calls.vcf.gz.tbi").is_file()
    assert not (tmp_path / "calls.vcf.gz.work").exists()
    with pysam.VariantFile(str(tmp_path / "calls.vcf.gz")) as vcf:
        assert list(vcf.header.samples) == ["NORMAL", "TUMOR"]
        assert {"PASS", "LowQual", "NormalSupport"} <= set(vcf.header.filters.keys())
        assert {"SOMATIC", "TYPE", "PROB"} <= set(vcf.header.info.keys())
        assert list(vcf.header.formats.keys()) == ["GT", "AD", "DP", "AF", "F1R2", "F2R1"]
        for name in ("F1R2", "F2R1"):
            field = vcf.header.formats[name]
            assert (field.number, field.type) == ("R", "Integer")
            assert field.description == (f"Count of reads in {name} pair orientation "
                                         "supporting each allele")
        assert "OrientationBias" in vcf.header.filters
        records = list(vcf.fetch("chr20_15M", 0, 24000))
    # every REF/ALT read is in one orientation or the other; the simulated pairs are F1R2
    # or F2R1 at random, so both orientations are seen
    for record in records:
        for sample in ("NORMAL", "TUMOR"):
            values = record.samples[sample]
            assert [a + b for a, b in zip(values["F1R2"], values["F2R1"], strict=True)] == list(
                values["AD"])
    assert sum(r.samples["TUMOR"]["F1R2"][0] for r in records) > 0
    assert sum(r.samples["TUMOR"]["F2R1"][0] for r in records) > 0
    assert len(records) == len(result.calls)
    first = records[0]
    assert first.info["TYPE"] in ("SNV", "INS", "DEL") and first.info["SOMATIC"]
    assert first.samples["NORMAL"]["GT"] == (0, 0)
    assert first.samples["TUMOR"]["GT"] == (0, 1)
    assert sum(first.samples["TUMOR"]["AD"]) <= first.samples["TUMOR"]["DP"]
    assert 0 <= first.info["PROB"] <= 1 and first.qual >= 0
    positions = [r.pos for r in records]
    assert positions == sorted(positions)


def test_threads_give_identical_records(tmp_path: Path, model_dir: Path) -> None:
    one = run(tmp_path / "one.vcf.gz", model_dir, threads=1)
    two = run(tmp_path / "two.vcf.gz", model_dir, threads=2)
    assert one.calls == two.calls
    assert body(tmp_path / "one.vcf.gz") == body(tmp_path / "two.vcf.gz")


def test_resume_after_interruption(tmp_path: Path, model_dir: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    whole = run(tmp_path / "whole.vcf.gz", model_dir)
    out = tmp_path / "resumed.vcf.gz"
    real_score = calling.score_batch
    scored: list[int] = []

    def flaky(batch: object, model: object, **kwargs: object) -> object:
        if len(scored) == 2:
            raise KeyboardInterrupt("simulated interruption")
        scored.append(1)
        return real_score(batch, model, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(calling, "score_batch", flaky)
    with pytest.raises(KeyboardInterrupt):
        run(out, model_dir)
    assert not out.exists()  # no half-written VCF
    assert len(list((tmp_path / "resumed.vcf.gz.work").glob("chunk_*.json"))) == 2
    monkeypatch.setattr(calling, "score_batch", real_score)
    resumed = run(out, model_dir, resume=True)
    assert resumed.chunks_resumed == 2 and resumed.chunks_total == 4
    assert resumed.calls == whole.calls
    assert body(out) == body(tmp_path / "whole.vcf.gz")


def test_resume_refuses_a_work_folder_from_other_settings(tmp_path: Path,
                                                          model_dir: Path) -> None:
    out = tmp_path / "calls.vcf.gz"
    run(out, model_dir, keep_work=True)
    with pytest.raises(OptionsError, match="min_af"):
        run(out, model_dir, resume=True, min_af=0.05)


def test_orientation_bias_filter_in_a_run(tmp_path: Path, model_dir: Path) -> None:
    """The filter flags exactly the damage-class SNVs whose ALT orientation p is below P."""
    from onco_genomics.caller.records import orientation_bias_pvalue, substitution_class

    loose = FilterOptions(min_prob_to_report=0.0, orientation_bias_p=0.3,
                          orientation_bias_max_minor=1.0)
    calls = run(tmp_path / "calls.vcf.gz", model_dir, filters=loose).calls
    expected = [c.vartype == "SNV" and substitution_class(c.ref, c.alt) in ("C>A", "C>T")
                and orientation_bias_pvalue(c.tumor_alt_f1r2, c.tumor_alt - c.tumor_alt_f1r2)
                < 0.3 for c in calls]
    assert any(expected) and not all(expected)
    assert ["OrientationBias" in c.filters for c in calls] == expected
    off = run(tmp_path / "off.vcf.gz", model_dir,
              filters=FilterOptions(min_prob_to_report=0.0, orientation_bias_p=0.0)).calls
    assert not any("OrientationBias" in c.filters for c in off)
    assert [(c.pos, c.alt) for c in off] == [(c.pos, c.alt) for c in calls]


def test_resume_refuses_a_work_folder_of_another_chunk_format(tmp_path: Path,
                                                            model_dir: Path) -> None:
    out = tmp_path / "calls.vcf.gz"
    run(out, model_dir, keep_work=True)
    manifest = out.with_name(out.name + ".work") / calling.MANIFEST_NAME
    manifest.write_text(manifest.read_text().replace(
        f'"chunk_format": {calling.CHUNK_FORMAT}', '"chunk_format": 1'))
    with pytest.raises(OptionsError, match="chunk_format"):
        run(out, model_dir, resume=True)


def test_cli_orientation_bias_option(tmp_path: Path, model_dir: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from onco_genomics.caller.records import DEFAULT_ORIENTATION_BIAS_P

    seen: list[FilterOptions] = []

    def fake_call(*args: object, filters: FilterOptions, **kwargs: object) -> object:
        seen.append(filters)
        return calling.CallResult(output=tmp_path / "x.vcf.gz", calls=(), chunks_total=0,
                                  chunks_resumed=0, candidates=0)

    monkeypatch.setattr(calling, "call_somatic", fake_call)
    base = ["call", str(TUMOR), str(NORMAL), "--ref", str(REF), "-o", str(tmp_path / "x.vcf.gz")]
    runner = CliRunner()
    assert runner.invoke(cli, base).exit_code == 0
    assert runner.invoke(cli, [*base, "--orientation-bias-p", "0"]).exit_code == 0
    assert runner.invoke(cli, [*base, "--orientation-bias-p", "0.001"]).exit_code == 0
    assert [f.orientation_bias_p for f in seen[:3]] == [DEFAULT_ORIENTATION_BIAS_P, 0.0, 0.001]
    assert runner.invoke(cli, [*base, "--orientation-bias-max-minor", "0.2"]).exit_code == 0
    assert seen[-1].orientation_bias_max_minor == 0.2
    assert seen[0].orientation_bias_max_minor == 0.1
    bad = runner.invoke(cli, [*base, "--orientation-bias-max-minor", "2"])
    assert bad.exit_code == 2 and "--orientation-bias-max-minor" in bad.output
    bad = runner.invoke(cli, [*base, "--orientation-bias-p", "1.5"])
    assert bad.exit_code == 2 and "--orientation-bias-p" in bad.output
    helptext = runner.invoke(cli, ["call", "--help"]).output
    assert "--orientation-bias-p" in helptext and "OrientationBias" in helptext
    assert seen[0].orientation_bias_classes == ("C>A", "C>T")
    # either strand, spaces and case tolerated, duplicates folded
    assert runner.invoke(cli, [*base, "--orientation-bias-classes", "g>t, C>A"]).exit_code == 0
    assert seen[-1].orientation_bias_classes == ("C>A",)
    assert runner.invoke(cli, [*base, "--orientation-bias-classes", "C>T,A>G"]).exit_code == 0
    assert seen[-1].orientation_bias_classes == ("C>T", "T>C")
    for wrong in ("C>C", "CA", "C>N", "CT>A", ","):
        bad = runner.invoke(cli, [*base, "--orientation-bias-classes", wrong])
        assert bad.exit_code == 2 and "--orientation-bias-classes" in bad.output, wrong


def test_shard_then_merge_equals_whole_run(tmp_path: Path, model_dir: Path) -> None:
    from onco_genomics.caller.shards import make_shards
    from onco_genomics.io.bed import write_bed
    from onco_genomics.io.merge import merge_vcfs
    from onco_genomics.io.reference import Reference
    from onco_genomics.regions import Region

    whole = tmp_path / "whole.vcf.gz"
    run(whole, model_dir)
    with Reference(REF) as ref:
        shards = make_shards(ref, regions=[Region("chr20_15M", 0, 24000)], n=3)
    parts = []
    for i, shard in enumerate(shards):
        bed = tmp_path / f"shard_{i}.bed"
        write_bed(bed, shard)
        parts.append(tmp_path / f"shard_{i}.vcf.gz")
        run(parts[-1], model_dir, regions=(), bed=bed)
    merged = merge_vcfs(parts, tmp_path / "merged.vcf.gz")
    assert body(merged)[1:] == body(whole)[1:]


def test_options_refuse_same_file_and_bad_values(tmp_path: Path, model_dir: Path) -> None:
    with pytest.raises(OptionsError, match="same file"):
        call_somatic(TUMOR, TUMOR, reference=REF, output=tmp_path / "x.vcf.gz",
                     model=model_dir, device="cpu")
    with pytest.raises(OptionsError, match="same sample name"):
        call_somatic(TUMOR, NORMAL, reference=REF, output=tmp_path / "x.vcf.gz",
                     model=model_dir, device="cpu", tumor_sample="S", normal_sample="S")
    with pytest.raises(OptionsError, match="--min-af"):
        CallOptions(tumor=TUMOR, normal=NORMAL, reference=REF, output=tmp_path / "x.vcf.gz",
                    min_af=1.5)
    with pytest.raises(OptionsError, match="--threads"):
        CallOptions(tumor=TUMOR, normal=NORMAL, reference=REF, output=tmp_path / "x.vcf.gz",
                    threads=0)


def test_options_refuse_contigs_absent_from_the_fasta(tmp_path: Path, model_dir: Path) -> None:
    other = tmp_path / "other.fa"
    other.write_text(REF.read_text().replace(">chr20_15M", ">chr1"))
    options = CallOptions(tumor=TUMOR, normal=NORMAL, reference=other,
                          output=tmp_path / "x.vcf.gz", model=model_dir, device="cpu")
    with pytest.raises(ContigMismatchError):
        validate_call_options(options)


def test_options_refuse_a_model_for_another_encoder(tmp_path: Path, model_dir: Path) -> None:
    moved = tmp_path / "model"
    shutil.copytree(model_dir, moved)
    meta = (moved / "model.json").read_text()
    (moved / "model.json").write_text(meta.replace(f'"window": {WINDOW}', '"window": 99'))
    options = CallOptions(tumor=TUMOR, normal=NORMAL, reference=REF,
                          output=tmp_path / "x.vcf.gz", model=moved, device="cpu")
    with pytest.raises(ModelError, match="different pileup encoder"):
        validate_call_options(options)


def test_cli_device_cuda_without_gpu(tmp_path: Path, model_dir: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    result = CliRunner().invoke(cli, ["call", str(TUMOR), str(NORMAL), "--ref", str(REF),
                                      "-o", str(tmp_path / "x.vcf.gz"), "--model",
                                      str(model_dir), "--device", "cuda"])
    assert result.exit_code == 2
    assert "oncogen: error: --device cuda was requested but torch sees no CUDA GPU" in \
        result.output


def test_models_of_both_encoder_versions_run_with_their_own_tensors(tmp_path: Path,
                                                                    model_dir: Path) -> None:
    torch.manual_seed(0)
    old = SomaticNet(NetworkConfig(in_channels=len(CHANNELS_BY_VERSION["1.0"]), window=WINDOW,
                                   width=16, blocks=2, hidden=16))
    old_dir = save_model(tmp_path / "v1_0", old, encoder=encoder_spec("1.0"), threshold=0.5)
    assert len(CHANNELS) == len(CHANNELS_BY_VERSION["1.0"]) + 10
    for folder, version in ((old_dir, "1.0"), (model_dir, "1.1")):
        assert calling._pileup_options(CallOptions(
            tumor=TUMOR, normal=NORMAL, reference=REF, output=tmp_path / "x.vcf.gz",
            model=folder)).encoder_version == version
    new = run(tmp_path / "new.vcf.gz", model_dir)
    before = run(tmp_path / "old.vcf.gz", old_dir)
    # the same candidates are scored (the network differs, so PROB does)
    assert [(c.pos, c.ref, c.alt) for c in before.calls] == [
        (c.pos, c.ref, c.alt) for c in new.calls]


def test_cli_refuses_a_model_of_an_unknown_encoder_version(tmp_path: Path,
                                                          model_dir: Path) -> None:
    moved = tmp_path / "model"
    shutil.copytree(model_dir, moved)
    meta = json.loads((moved / "model.json").read_text())
    meta["encoder"]["version"] = "9.9"
    (moved / "model.json").write_text(json.dumps(meta))
    out = tmp_path / "x.vcf.gz"
    result = CliRunner().invoke(cli, ["call", str(TUMOR), str(NORMAL), "--ref", str(REF),
                                      "-o", str(out), "--model", str(moved), "--region", REGION,
                                      "--device", "cpu"])
    assert result.exit_code == 2
    assert "encoder version '9.9'" in result.output and "1.0, 1.1" in result.output
    assert not out.exists()
