"""The Nextflow modules and workflow under nextflow/, tested without a Nextflow runtime.

Nextflow cannot be installed here, so this file carries a small renderer for exactly the
Groovy constructs the modules use in their ``script:``/``stub:`` blocks:

- ``def name = EXPR`` statements, where EXPR is a dotted name (``task.ext.args``,
  ``meta.id``, an input), a ``'single'`` or ``"double ${interpolated}"`` string literal,
  ``A ?: B`` (elvis) or ``C ? A : B`` (ternary), with Groovy truth;
- the triple-quoted GString body: ``${expr}`` interpolation, the escapes ``\\\\``, ``\\$``,
  ``\\"``, ``\\n``, ``\\t``, then ``stripIndent()`` as Nextflow does. An unescaped ``$`` not
  followed by ``{`` fails, as it would fail to compile in Groovy.

Each module's script is rendered for a sample ``meta``, ``task`` and staged inputs, run with
``bash -ue`` (Nextflow's shell) in a fresh work folder, and its declared outputs are checked:
the exact commands a cluster would run are the ones tested.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from onco_genomics.io.bed import read_bed
from onco_genomics.io.variants import HeaderField, Variant, VcfHeader, read_variants, write_vcf

ROOT = Path(__file__).resolve().parents[1]
NEXTFLOW = ROOT / "nextflow"
MODULES = NEXTFLOW / "modules" / "oncogen"
DATA = Path(__file__).parent / "data" / "evaluate"
EXAMPLE = ROOT / "example_data"
EXAMPLE_PAIR = EXAMPLE / "pair"  # example_data/make_example_data.sh: oncogen simulate output
EXAMPLE_FASTA = EXAMPLE / "chr20_slice.fa"


# ----------------------------------------------------------------------------- renderer

class GroovyError(ValueError):
    """A construct the renderer does not support, or that Groovy would reject."""


_TOKEN_RE = re.compile(r"""\s*(?:(?P<elvis>\?:)|(?P<q>\?)|(?P<colon>:)|(?P<name>[A-Za-z_][\w.]*)
                           |(?P<sq>'(?:[^'\\]|\\.)*')|(?P<dq>"(?:[^"\\]|\\.)*"))""", re.VERBOSE)


def groovy_truth(value: Any) -> bool:
    return bool(value) and value != "null"


def to_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return " ".join(to_text(v) for v in value)  # Nextflow renders file lists blank-separated
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def lookup(name: str, scope: Mapping[str, Any]) -> Any:
    head, *rest = name.split(".")
    if head not in scope:
        raise GroovyError(f"unknown variable {head!r} in the script")
    value = scope[head]
    for part in rest:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def evaluate(expr: str, scope: Mapping[str, Any]) -> Any:
    tokens = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        match = _TOKEN_RE.match(expr, pos)
        if not match or match.end() == pos:
            raise GroovyError(f"cannot parse Groovy expression {expr!r} at {expr[pos:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        pos = match.end()

    def primary(i: int) -> tuple[Any, int]:
        kind, text = tokens[i]
        if kind == "name":
            return lookup(text, scope), i + 1
        if kind == "sq":
            return unescape(text[1:-1], scope, interpolate=False), i + 1
        if kind == "dq":
            return unescape(text[1:-1], scope, interpolate=True), i + 1
        raise GroovyError(f"unexpected {text!r} in {expr!r}")

    def parse(i: int) -> tuple[Any, int]:
        left, i = primary(i)
        if i < len(tokens) and tokens[i][0] == "elvis":
            right, i = parse(i + 1)
            return (left if groovy_truth(left) else right), i
        if i < len(tokens) and tokens[i][0] == "q":
            yes, i = parse(i + 1)
            if i >= len(tokens) or tokens[i][0] != "colon":
                raise GroovyError(f"ternary without ':' in {expr!r}")
            no, i = parse(i + 1)
            return (yes if groovy_truth(left) else no), i
        return left, i

    value, end = parse(0)
    if end != len(tokens):
        raise GroovyError(f"trailing tokens in {expr!r}")
    return value


_ESCAPES = {"\\": "\\", "$": "$", '"': '"', "'": "'", "n": "\n", "t": "\t"}


def unescape(text: str, scope: Mapping[str, Any], *, interpolate: bool) -> str:
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1:i + 2]
            if nxt not in _ESCAPES:
                raise GroovyError(f"unsupported escape \\{nxt} in {text[max(0, i - 20):i + 20]!r}")
            out.append(_ESCAPES[nxt])
            i += 2
        elif ch == "$" and interpolate:
            if text[i + 1:i + 2] != "{":
                raise GroovyError(
                    f"unescaped '$' in a GString: {text[max(0, i - 30):i + 30]!r}; Groovy "
                    "would interpolate or reject it (write \\$ for bash)")
            end = text.index("}", i)
            out.append(to_text(evaluate(text[i + 2:end], scope)))
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Declaration:
    """One input or output line of a process."""

    text: str
    names: tuple[str, ...]
    emit: str | None = None


@dataclass(frozen=True)
class Process:
    name: str
    source: str
    inputs: tuple[Declaration, ...]
    outputs: tuple[Declaration, ...]
    blocks: Mapping[str, tuple[list[str], str]]  # script/stub -> (def lines, GString body)

    def render(self, block: str, scope: Mapping[str, Any]) -> str:
        statements, body = self.blocks[block]
        local = dict(scope)
        for line in statements:
            match = re.fullmatch(r"def\s+(\w+)\s*=\s*(.+)", line.strip())
            if not match:
                raise GroovyError(f"unsupported statement in {self.name} {block}: {line!r}")
            local[match[1]] = evaluate(match[2], local)
        return textwrap.dedent(unescape(body, local, interpolate=True)).strip("\n") + "\n"


def _section(source: str, start: str, ends: tuple[str, ...]) -> list[str]:
    lines = source.splitlines()
    begin = next(i for i, line in enumerate(lines) if line.strip() == start) + 1
    out = []
    for line in lines[begin:]:
        if line.strip() in ends:
            break
        out.append(line)
    return [line for line in out if line.strip()]


def parse_process(path: Path) -> Process:
    source = path.read_text()
    name = re.search(r"^process\s+(\w+)\s*\{", source, re.M)
    assert name, f"{path}: no process"
    blocks = {}
    for block in ("script:", "stub:"):
        if block not in source:
            continue
        match = re.search(rf"^\s*{block}\n(?P<defs>.*?)^\s*\"\"\"\n(?P<body>.*?)^\s*\"\"\"\s*$",
                          source[source.index(block):], re.M | re.S)
        assert match, f"{path}: {block} block without a triple-quoted script"
        defs = [line for line in match["defs"].splitlines() if line.strip()]
        blocks[block.rstrip(":")] = (defs, match["body"])

    def declarations(start: str, ends: tuple[str, ...]) -> tuple[Declaration, ...]:
        out = []
        for line in _section(source, start, ends):
            emit = re.search(r"emit:\s*(\w+)", line)
            names = re.findall(r"(?:val|path)\s*\(\s*(\w+)", line) + re.findall(
                r"^\s*val\s+(\w+)\s*$", line)
            out.append(Declaration(line.strip(), tuple(names), emit[1] if emit else None))
        return tuple(out)

    return Process(name=name[1], source=source,
                   inputs=declarations("input:", ("output:",)),
                   outputs=declarations("output:", ("when:", "script:")),
                   blocks=blocks)


def output_patterns(process: Process) -> dict[str, list[str]]:
    """emit name -> the quoted path patterns of that output."""
    return {d.emit or "": re.findall(r'path\s*\(?\s*"([^"]+)"', d.text) for d in process.outputs}


def run_script(script: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    (workdir / ".command.sh").write_text(script)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(["bash", "-ue", ".command.sh"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=600)


def stage(workdir: Path, files: Mapping[str, Path]) -> None:
    """Symlink inputs into the work folder under their staged names, as Nextflow does."""
    workdir.mkdir(parents=True, exist_ok=True)
    for staged, source in files.items():
        target = workdir / staged
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(Path(source).resolve())


def task(process: str, *, cpus: int = 2, args: str | None = None,
         prefix: str | None = None) -> dict[str, Any]:
    return {"cpus": cpus, "process": process, "attempt": 1,
            "ext": {"args": args, "prefix": prefix}}


def check_outputs(process: Process, workdir: Path) -> dict[str, list[Path]]:
    """Every declared output pattern matches at least one file the script wrote."""
    found = {}
    for emit, patterns in output_patterns(process).items():
        for pattern in patterns:
            hits = [p for p in workdir.glob(pattern) if not p.is_symlink()]
            assert hits, f"{process.name}: output {emit!r} pattern {pattern!r} matched nothing"
            found[emit] = sorted(hits)
    versions = yaml.safe_load((workdir / "versions.yml").read_text())
    from onco_genomics import __version__

    assert versions == {process.name: {"oncogen": __version__}}
    return found


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def processes() -> dict[str, Process]:
    return {path.parent.name: parse_process(path) for path in sorted(MODULES.glob("*/main.nf"))}


def _reference(tmp_path: Path) -> tuple[Path, Path]:
    import pysam

    fasta = tmp_path / "ref" / "genome.fa"
    fasta.parent.mkdir()
    fasta.write_text((DATA / "ref.fa").read_text())
    pysam.faidx(str(fasta))
    return fasta, Path(f"{fasta}.fai")


# ----------------------------------------------------------------------------- renderer tests

def test_renderer_handles_the_constructs_and_rejects_unescaped_dollars() -> None:
    scope = {"meta": {"id": "s1"}, "task": task("P"), "bed": [], "x": "a.bed"}
    assert evaluate("task.ext.prefix ?: \"${meta.id}.x\"", scope) == "s1.x"
    assert evaluate("bed ? \"--bed ${bed}\" : ''", scope) == ""
    assert evaluate("x ? \"--bed ${x}\" : ''", scope) == "--bed a.bed"
    assert unescape(r"a \\ \$(b) ${meta.id}\n", scope, interpolate=True) == "a \\ $(b) s1\n"
    with pytest.raises(GroovyError, match="unescaped"):
        unescape("echo $HOME", scope, interpolate=True)
    with pytest.raises(GroovyError, match="unknown variable"):
        evaluate("nope.id", scope)


# ----------------------------------------------------------------------------- static shape

def test_every_module_has_the_nf_core_shape(processes: dict[str, Process]) -> None:
    assert set(processes) == {"call", "shards", "merge"}
    for key, process in processes.items():
        src = process.source
        assert process.name == f"ONCOGEN_{key.upper()}"
        assert 'tag "${meta.id}"' in src
        assert re.search(r"label 'process_(single|low|medium|high)'", src), key
        assert 'conda "${moduleDir}/environment.yml"' in src
        container = re.search(r'container "([^"]+)"', src)
        assert container and re.search(r":\d+\.\d+\.\d+", container[1]), "container is pinned"
        assert "task.ext.when == null || task.ext.when" in src
        assert "task.ext.args" in src
        assert {"script", "stub"} <= set(process.blocks)
        emits = {d.emit for d in process.outputs}
        assert "versions" in emits and None not in emits, "every output is named"
        for declaration in process.outputs:
            if declaration.emit != "versions":
                assert declaration.text.startswith("tuple val(meta),"), declaration.text


def test_call_module_signature(processes: dict[str, Process]) -> None:
    call = processes["call"]
    assert [d.names for d in call.inputs] == [
        ("meta", "tumor", "tumor_index", "normal", "normal_index", "bed"),
        ("meta2", "fasta", "fai"),
        ("meta3", "germline_resource", "germline_resource_tbi"),
        ("meta4", "panel_of_normals", "panel_of_normals_tbi")]
    assert {d.emit for d in call.outputs} == {"vcf", "tbi", "versions"}
    assert "label 'process_gpu'" in call.source
    assert "--threads ${task.cpus}" in call.blocks["script"][1]
    assert "task.ext.prefix" in call.source


def test_meta_yml_describes_every_input_and_output(processes: dict[str, Process]) -> None:
    for key, process in processes.items():
        meta = yaml.safe_load((MODULES / key / "meta.yml").read_text())
        assert meta["name"] == process.name.lower()
        documented_inputs = []
        for entry in meta["input"]:
            items = entry if isinstance(entry, list) else [entry]
            documented_inputs.append(tuple(next(iter(item)) for item in items))
        assert documented_inputs == [d.names for d in process.inputs], key
        documented_outputs = {next(iter(entry)): entry[next(iter(entry))]
                              for entry in meta["output"]}
        patterns = output_patterns(process)
        assert set(documented_outputs) == set(patterns), key
        for emit, items in documented_outputs.items():
            names = [next(iter(item)) for item in items]
            assert names[-1] == patterns[emit][0], (key, emit)
            for item in items:
                assert next(iter(item.values()))["description"]


def test_environment_is_pinned() -> None:
    for key in ("call", "shards", "merge"):
        env = yaml.safe_load((MODULES / key / "environment.yml").read_text())
        deps = env["dependencies"]
        pip = next(d["pip"] for d in deps if isinstance(d, dict))
        assert any(re.fullmatch(r"oncogen==\d+\.\d+\.\d+", p) for p in pip)
        assert all("=" in d for d in deps if isinstance(d, str)), "conda packages pinned"


def test_workflow_wiring_and_profiles(processes: dict[str, Process]) -> None:
    main = (NEXTFLOW / "main.nf").read_text()
    for process in processes.values():
        include = re.search(rf"include \{{\s*{process.name}\s*\}} from '([^']+)'", main)
        assert include, process.name
        assert (NEXTFLOW / f"{include[1]}.nf").exists()
        assert f"{process.name}(" in main
    assert "groupKey(" in main  # the gather waits for exactly n shards per sample
    config = (NEXTFLOW / "nextflow.config").read_text()
    profiles = config[config.index("profiles {"):]
    for profile in ("local", "slurm", "docker", "singularity", "conda"):
        assert re.search(rf"^\s{{4}}{profile} \{{", profiles, re.M), profile
    slurm = profiles[profiles.index("slurm {"):profiles.index("docker {")]
    gpu = slurm[slurm.index("withLabel: 'process_gpu'"):]
    assert "accelerator" in gpu and "--gres=" in gpu and "clusterOptions" in gpu
    assert "params.gpu" in gpu  # --gpu false turns the GPU request off
    assert "withName: 'ONCOGEN_CALL'" in config and "--device ${params.device}" in config


# ----------------------------------------------------------------------------- scripts run

def test_shards_script_runs(processes: dict[str, Process], tmp_path: Path) -> None:
    shards = processes["shards"]
    fasta, fai = _reference(tmp_path)
    bed = tmp_path / "targets.bed"
    bed.write_text("20slice\t0\t100\n20slice\t150\t250\n")
    for with_bed in (False, True):
        work = tmp_path / f"work_shards_{with_bed}"
        staged = {"genome.fa": fasta, "genome.fa.fai": fai}
        if with_bed:
            staged["targets.bed"] = bed
        stage(work, staged)
        scope = {"meta": {"id": "genome"}, "meta2": {"id": "targets"},
                 "task": task("ONCOGEN_SHARDS"), "fasta": "genome.fa", "fai": "genome.fa.fai",
                 "bed": "targets.bed" if with_bed else [], "n_shards": 3}
        script = shards.render("script", scope)
        assert ("--bed targets.bed" in script) == with_bed
        result = run_script(script, work)
        assert result.returncode == 0, result.stderr
        beds = check_outputs(shards, work)["beds"]
        assert [b.name for b in beds] == ["shard_001.bed", "shard_002.bed", "shard_003.bed"]
        sizes = [sum(len(r) for r in read_bed(b)) for b in beds]
        assert sizes == ([66, 67, 67] if with_bed else [100, 100, 100])


def _shard_vcfs(tmp_path: Path) -> tuple[list[Path], list[Variant]]:
    header = VcfHeader(contigs=[("20slice", 300)], samples=("NORMAL", "TUMOR"),
                       formats=[HeaderField("GT", "1", "String", "Genotype"),
                                HeaderField("AF", "A", "Float", "Allele fraction")])
    ref = "".join((DATA / "ref.fa").read_text().splitlines()[1:])
    records = [Variant("20slice", pos, ref[pos], "A" if ref[pos] != "A" else "C",
                       sample_data={"NORMAL": {"GT": "0/0", "AF": 0.0},
                                    "TUMOR": {"GT": "0/1", "AF": 0.25}})
               for pos in (5, 90, 99, 100, 200, 299)]
    folder = tmp_path / "calls"
    paths = [write_vcf(folder / "p1.genome.shard_001.vcf.gz", header, records[:4]),
             write_vcf(folder / "p1.genome.shard_002.vcf.gz", header, records[3:])]
    return paths, records


def test_merge_script_runs(processes: dict[str, Process], tmp_path: Path) -> None:
    merge = processes["merge"]
    paths, records = _shard_vcfs(tmp_path)
    work = tmp_path / "work_merge"
    stage(work, {f"shards/{p.name}": p for p in paths})
    scope = {"meta": {"id": "p1"}, "task": task("ONCOGEN_MERGE"),
             "vcfs": [f"shards/{p.name}" for p in paths]}
    result = run_script(merge.render("script", scope), work)
    assert result.returncode == 0, result.stderr
    outputs = check_outputs(merge, work)
    assert [p.name for p in outputs["vcf"]] == ["p1.vcf.gz"]
    merged = list(read_variants(outputs["vcf"][0]))
    assert [(v.pos, v.alt) for v in merged] == [(v.pos, v.alt) for v in records]


@pytest.mark.parametrize("key", ["call", "shards", "merge"])
def test_stub_runs_and_makes_every_output(processes: dict[str, Process], tmp_path: Path,
                                          key: str) -> None:
    process = processes[key]
    scope = {"meta": {"id": "p1.shard_001"}, "meta2": {"id": "genome"},
             "task": task(process.name), "n_shards": 2, "bed": [], "vcfs": [],
             "tumor": "t.bam", "normal": "n.bam", "fasta": "genome.fa",
             "germline_resource": [], "panel_of_normals": []}
    tmp_path.mkdir(exist_ok=True)
    result = run_script(process.render("stub", scope), tmp_path)
    assert result.returncode == 0, result.stderr
    check_outputs(process, tmp_path)


def test_call_script_renders_the_documented_command(processes: dict[str, Process]) -> None:
    scope = {"meta": {"id": "p1.shard_002"}, "meta2": {"id": "genome"},
             "task": task("ONCOGEN_CALL", cpus=8, args="--device auto"),
             "tumor": "tumor.bam", "tumor_index": "tumor.bam.bai", "normal": "normal.bam",
             "normal_index": "normal.bam.bai", "bed": "shard_002.bed", "fasta": "genome.fa",
             "fai": "genome.fa.fai", "germline_resource": [], "germline_resource_tbi": [],
             "panel_of_normals": [], "panel_of_normals_tbi": []}
    script = processes["call"].render("script", scope)
    command = " ".join(script.split("oncogen call", 1)[1].split("cat <<-")[0].replace(
        "\\\n", " ").split())
    assert command == ("tumor.bam normal.bam --ref genome.fa --bed shard_002.bed --threads 8 "
                       "-o p1.shard_002.vcf.gz --device auto")
    prefixed = processes["call"].render("script", {**scope, "task": task(
        "ONCOGEN_CALL", prefix="custom")})
    assert "-o custom.vcf.gz" in prefixed and "--bed shard_002.bed" in prefixed
    # tumor-only (nf-core style: the normal is []), with a germline resource and a panel
    tumor_only = {**scope, "normal": [], "normal_index": [], "germline_resource": "af.vcf.gz",
                  "germline_resource_tbi": "af.vcf.gz.tbi", "panel_of_normals": "pon.vcf.gz",
                  "panel_of_normals_tbi": "pon.vcf.gz.tbi"}
    command = " ".join(processes["call"].render("script", tumor_only).split(
        "oncogen call", 1)[1].split("cat <<-")[0].replace("\\\n", " ").split())
    assert command == ("tumor.bam --tumor-only --ref genome.fa --bed shard_002.bed "
                       "--germline-resource af.vcf.gz --panel-of-normals pon.vcf.gz "
                       "--threads 8 -o p1.shard_002.vcf.gz --device auto")
    # a matched row keeps its normal and reads no resource, even when one is configured
    matched = processes["call"].render("script", {**tumor_only, "normal": "normal.bam"})
    assert "--germline-resource" not in matched and "--tumor-only" not in matched
    assert "normal.bam" in matched and "--panel-of-normals pon.vcf.gz" in matched


def test_call_script_runs_tumor_only_on_the_example_tumor(processes: dict[str, Process],
                                                          tmp_path: Path) -> None:
    """The tumor-only command the module renders, run on the example tumor alone."""
    fasta, targets, pair = _pair(tmp_path)
    from onco_genomics.io.bed import write_bed
    from onco_genomics.regions import Region

    assert targets is not None
    small = write_bed(tmp_path / "small.bed", [Region(r.chrom, r.start, min(r.end, r.start
                                                                              + 20_000))
                                               for r in read_bed(targets)][:1])
    work = tmp_path / "call_tumor_only"
    stage(work, {"tumor.bam": pair / "tumor.bam", "tumor.bam.bai": pair / "tumor.bam.bai",
                 "small.bed": small, fasta.name: fasta, f"{fasta.name}.fai":
                 Path(f"{fasta}.fai")})
    scope = {"meta": {"id": "example_to"}, "meta2": {"id": "ref"},
             "task": task("ONCOGEN_CALL", cpus=1, args="--device cpu"),
             "tumor": "tumor.bam", "tumor_index": "tumor.bam.bai", "normal": [],
             "normal_index": [], "bed": "small.bed", "fasta": fasta.name,
             "fai": f"{fasta.name}.fai", "germline_resource": [], "germline_resource_tbi": [],
             "panel_of_normals": [], "panel_of_normals_tbi": []}
    result = run_script(processes["call"].render("script", scope), work)
    assert result.returncode == 0, result.stderr
    vcf = check_outputs(processes["call"], work)["vcf"][0]
    from onco_genomics.io.variants import vcf_info

    assert vcf_info(vcf).samples == ("TUMOR",)


def _pair(tmp_path: Path) -> tuple[Path, Path | None, Path]:
    """(FASTA, BED, folder with tumor/normal BAMs) of the bundled example pair."""
    # the first 80 kb of the example's confident regions keep the test short
    from onco_genomics.io.bed import write_bed
    from onco_genomics.regions import Region

    targets = [Region(r.chrom, r.start, min(r.end, 80_000))
               for r in read_bed(EXAMPLE_PAIR / "confident.bed") if r.start < 80_000]
    return EXAMPLE_FASTA, write_bed(tmp_path / "targets.bed", targets), EXAMPLE_PAIR


@pytest.mark.slow
def test_scatter_call_gather(processes: dict[str, Process], tmp_path: Path) -> None:
    """The three rendered scripts in workflow order: shards -> call per shard -> merge.

    On example_data/ when it has a tumor/normal pair, else on a pair simulated from a 30 kb
    chr20 slice. The merged VCF must hold every shard's records once, sorted and indexed.
    """
    fasta, targets, pair = _pair(tmp_path)
    fai = Path(f"{fasta}.fai")
    gzi = {f"{fasta.name}.gzi": Path(f"{fasta}.gzi")} if Path(f"{fasta}.gzi").exists() else {}
    work = tmp_path / "shards"
    stage(work, {fasta.name: fasta, fai.name: fai, **gzi,
                 **({"targets.bed": targets} if targets else {})})
    result = run_script(processes["shards"].render("script", {
        "meta": {"id": "ref"}, "meta2": {"id": "targets"}, "task": task("ONCOGEN_SHARDS"),
        "fasta": fasta.name, "fai": fai.name, "bed": "targets.bed" if targets else [],
        "n_shards": 2}), work)
    assert result.returncode == 0, result.stderr
    shard_beds = check_outputs(processes["shards"], work)["beds"]
    vcfs = []
    for bed in shard_beds:
        call_work = tmp_path / f"call_{bed.stem}"
        staged = {"tumor.bam": pair / "tumor.bam", "tumor.bam.bai": pair / "tumor.bam.bai",
                  "normal.bam": pair / "normal.bam", "normal.bam.bai": pair / "normal.bam.bai",
                  bed.name: bed, fasta.name: fasta, fai.name: fai, **gzi}
        stage(call_work, staged)
        scope = {"meta": {"id": f"example.{bed.stem}"}, "meta2": {"id": "ref"},
                 "task": task("ONCOGEN_CALL", cpus=1, args="--device cpu"),
                 "tumor": "tumor.bam", "tumor_index": "tumor.bam.bai", "normal": "normal.bam",
                 "normal_index": "normal.bam.bai", "bed": bed.name, "fasta": fasta.name,
                 "fai": fai.name, "germline_resource": [], "germline_resource_tbi": [],
                 "panel_of_normals": [], "panel_of_normals_tbi": []}
        result = run_script(processes["call"].render("script", scope), call_work)
        assert result.returncode == 0, result.stderr
        vcfs += check_outputs(processes["call"], call_work)["vcf"]
    merge_work = tmp_path / "merge"
    stage(merge_work, {f"shards/{p.name}": p for p in vcfs})
    result = run_script(processes["merge"].render("script", {
        "meta": {"id": "example"}, "task": task("ONCOGEN_MERGE"),
        "vcfs": [f"shards/{p.name}" for p in vcfs]}), merge_work)
    assert result.returncode == 0, result.stderr
    merged = list(read_variants(check_outputs(processes["merge"], merge_work)["vcf"][0]))
    assert merged, "the shipped model called nothing on the example pair"
    assert [(v.chrom, v.pos) for v in merged] == sorted((v.chrom, v.pos) for v in merged)
    per_shard = [v for p in vcfs for v in read_variants(p)]
    assert sorted((v.chrom, v.pos, v.ref, v.alt) for v in merged) == sorted(
        {(v.chrom, v.pos, v.ref, v.alt) for v in per_shard})


def test_test_profile_points_at_example_data() -> None:
    """`-profile test` (launched from the repository root) names files that exist."""
    import csv

    config = (NEXTFLOW / "nextflow.config").read_text()
    test = config[config.index("    test {"):]
    fasta = re.search(r"params\.fasta\s*=\s*['\"]([^'\"]+)['\"]", test)
    sheet = re.search(r"params\.input\s*=\s*['\"]([^'\"]+)['\"]", test)
    assert fasta and sheet
    bed = re.search(r"params\.bed\s*=\s*['\"]([^'\"]+)['\"]", test)
    for path in (fasta[1], f"{fasta[1]}.fai", *([bed[1]] if bed else [])):
        assert (ROOT / path).exists(), f"-profile test names {path}, which does not exist"
    with open(ROOT / sheet[1], newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        for column in ("tumor", "normal", "tumor_index", "normal_index"):
            assert (ROOT / row[column]).exists(), row[column]


@pytest.mark.skipif(shutil.which("groovy") is None or shutil.which("java") is None,
                    reason="Groovy is not installed (Debian: apt-get install groovy)")
def test_groovy_parses_workflow_config_and_modules(tmp_path: Path) -> None:
    """A Groovy syntax check of main.nf, nextflow.config and the modules (compiled, not run).

    Plain Groovy sees ``script:`` and ``stub:`` as labels of one closure, so their two
    ``def prefix`` would clash; Nextflow compiles them as separate closures. The stub is cut
    from the copy Groovy parses (the stubs are rendered and run above).
    """
    files = [NEXTFLOW / "main.nf", NEXTFLOW / "nextflow.config"]
    for module in sorted(MODULES.glob("*/main.nf")):
        text = module.read_text()
        copy = tmp_path / f"{module.parent.name}.nf"
        copy.write_text(text[:text.index("    stub:")] + "}\n")
        files.append(copy)
    parser = tmp_path / "parse.groovy"
    parser.write_text(textwrap.dedent("""
        def shell = new GroovyShell()
        int bad = 0
        args.each { f ->
            try { shell.parse(new File(f)) }
            catch (Exception e) { bad++; println "FAIL ${f}: ${e.message}" }
        }
        System.exit(bad ? 1 : 0)
    """))
    env = dict(os.environ)
    java = Path(shutil.which("java") or "").resolve()
    env.setdefault("JAVA_HOME", str(java.parent.parent))
    result = subprocess.run(["groovy", str(parser), *map(str, files)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
