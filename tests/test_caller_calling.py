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
from onco_genomics.pileup.encode import CHANNELS, WINDOW, encoder_spec

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
        assert list(vcf.header.formats.keys())[:4] == ["GT", "AD", "DP", "AF"]
        records = list(vcf.fetch("chr20_15M", 0, 24000))
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
