"""Tumor-only calling beside matched calling and a tumor-only allele-count rule.

Simulates (if not already in WORK) tumors from the held-out region of real GRCh37 chr20
(20:46,000,001-47,500,000; never used for training) with a population: each tumor at 60x,
purity 0.8, with its matched normal (30x), a germline drawn from the simulated population
(``population.vcf.gz``, the germline resource) plus 20 private variants per Mb, 20
recurrent artefact sites per Mb in every library, and 10 normals of other people (30x) for a
panel of normals built with ``oncogen pon``. Then, on the same tumors:

* ``tumor_only``: ``oncogen call TUMOR --tumor-only --germline-resource population.vcf.gz
  --panel-of-normals pon.vcf.gz`` (the shipped tumor-only model unless --model),
* ``matched``: ``oncogen call TUMOR NORMAL`` (the shipped paired model), no panel,
* ``rule``: the tumor-only allele-count rule on the same tumor-alone candidates (oncogen's
  scan): keep an SNV or indel with tumor ALT reads >= 3 (SNVs; indels >= 3 too) and VAF
  >= 0.05 whose allele is neither in the resource at AF > 1e-4 nor in the panel.

Scores, inside confident.bed: SNV precision among PASS SNV calls with tumor VAF >= 10% (a
call matching any truth SNV is a true positive), SNV recall of truth SNVs with truth VAF
>= 10%, and germline variants per Mb called somatic (PASS calls whose allele is in the
tumor person's germline.vcf.gz, per confident Mb). Prints Markdown tables per tumor and
pooled, and the targets (precision >= 0.9 at recall >= 0.8, < 1 germline per Mb).

Usage::

    python benchmarks/caller_tumor_only.py --work /tmp/oncogen_tumor_only_bench --threads 2 \
        [--model MODEL_DIR] [--methods tumor_only,matched,rule]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

VT_CHR20 = "/usr/share/doc/vt/examples/ref/20.fa.gz"
VAF_MIN = 0.10


@dataclass(frozen=True)
class Config:
    """One held-out simulated tumor with its normals."""

    name: str
    region: str
    seed: int
    extra: tuple[str, ...] = ()


CONFIGS = (
    Config("to_heldout1", "20:46000001-46500000", 5101),
    Config("to_heldout2", "20:46500001-47000000", 5102, ("--oxog-sites", "40")),
    Config("to_heldout3", "20:47000001-47500000", 5103, ("--aligner", "bwa", "--align-to",
                                                          "regions")),
)
SIM_ARGS = ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "0.8", "--vaf",
            "0.02-0.5", "--snv-rate", "200", "--indel-rate", "30", "--population-sites", "10",
            "--private-germline-rate", "20", "--recurrent-artefacts", "20", "--pon-normals",
            "10")


def reference(work: Path) -> Path:
    ref = work / "ref" / "20.fa"
    if not (ref.parent / "20.fa.fai").is_file():
        ref.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(f"zcat {VT_CHR20} > {ref} && samtools faidx {ref}", shell=True,
                       check=True)
    return ref


def simulate(work: Path, ref: Path, config: Config, threads: int) -> Path:
    folder = work / config.name
    if not (folder / "params.json").is_file():
        subprocess.run(["oncogen", "-q", "simulate", "--ref", str(ref), "--region",
                        config.region, "--out-dir", str(folder), "--seed", str(config.seed),
                        "--threads", str(threads), *SIM_ARGS, *config.extra], check=True)
    return folder


def build_pon(folder: Path, ref: Path, region: str, threads: int) -> Path:
    import onco_genomics as og

    pon = folder / "pon.vcf.gz"
    if not pon.is_file():
        og.build_panel_of_normals(sorted(folder.glob("pon_normal_*.bam")), reference=ref,
                                  output=pon, regions=[region], threads=threads)
    return pon


def load_keys(vcf: Path) -> dict[tuple[int, str, str], float]:
    """Allele -> truth VAF (INFO/VAF, NaN when absent)."""
    from onco_genomics.io.variants import read_variants

    return {(v.pos, v.ref, v.alt): float(v.info.get("VAF", float("nan")))
            for v in read_variants(vcf)}


def confident(folder: Path) -> tuple[list[tuple[int, int]], float]:
    from onco_genomics.io.bed import read_bed

    intervals = [(r.start, r.end) for r in read_bed(folder / "confident.bed")]
    return intervals, sum(e - s for s, e in intervals) / 1e6


def inside(pos: int, intervals: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in intervals)


@dataclass(frozen=True)
class Call:
    pos: int
    ref: str
    alt: str
    vaf: float


def pass_calls(vcf: Path, sample: str | None = None) -> list[Call]:
    from onco_genomics.io.variants import read_variants

    out = []
    for v in read_variants(vcf):
        if v.filters not in ((), ("PASS",)):
            continue
        data = v.sample_data.get(sample) if sample else next(iter(v.sample_data.values()))
        af = float(data["AF"]) if data and data.get("AF") is not None else 0.0
        out.append(Call(v.pos, v.ref, v.alt, af))
    return out


def rule_calls(folder: Path, ref: Path, region: str, pon: Path, threads: int) -> list[Call]:
    """The allele-count rule on oncogen's tumor-alone candidates (see the docstring)."""
    from onco_genomics.caller.scanning import ChunkScanner
    from onco_genomics.caller.tumor_only_calling import chunk_annotations
    from onco_genomics.io.site_sets import GermlineResource, PanelOfNormalsSites
    from onco_genomics.pileup.candidates import PileupOptions
    from onco_genomics.regions import parse_region

    with open(f"{ref}.fai") as fai:
        lengths = {line.split("\t")[0]: int(line.split("\t")[1]) for line in fai}
    chunks = list(parse_region(region, lengths).chunks(50_000))
    out = []
    with GermlineResource(folder / "population.vcf.gz") as resource, \
            PanelOfNormalsSites(pon) as panel, \
            ChunkScanner(folder / "tumor.bam", None, ref, chunks, options=PileupOptions(),
                         threads=threads) as scanner:
        for index, batch in scanner:
            afs, pon_hit = chunk_annotations(batch, chunks[index], resource, panel)
            for cand, af, hit in zip(batch.candidates, afs, pon_hit, strict=True):
                common = af == af and af > 1e-4  # NaN: not in the resource
                if cand.tumor.alt >= 3 and cand.tumor.af >= 0.05 and not common and not hit:
                    out.append(Call(cand.pos, cand.ref, cand.alt, cand.tumor.af))
    return out


def score(calls: list[Call], folder: Path) -> dict[str, float]:
    truth = load_keys(folder / "truth.vcf.gz")
    germline = set(load_keys(folder / "germline.vcf.gz"))
    intervals, mb = confident(folder)
    calls = [c for c in calls if inside(c.pos, intervals)]
    snv_truth = {k: vaf for k, vaf in truth.items() if len(k[1]) == len(k[2]) == 1
                 and inside(k[0], intervals)}
    snv_calls = [c for c in calls if len(c.ref) == len(c.alt) == 1]
    scored = [c for c in snv_calls if c.vaf >= VAF_MIN]
    tp_calls = sum((c.pos, c.ref, c.alt) in snv_truth for c in scored)
    called = {(c.pos, c.ref, c.alt) for c in snv_calls}
    high = [k for k, vaf in snv_truth.items() if vaf >= VAF_MIN]
    found = sum(k in called for k in high)
    germ = sum((c.pos, c.ref, c.alt) in germline for c in calls)
    return {"calls": len(scored), "tp_calls": tp_calls, "truth": len(high), "found": found,
            "germline": germ, "mb": mb}


def row(name: str, s: dict[str, float]) -> str:
    precision = s["tp_calls"] / s["calls"] if s["calls"] else 0.0
    recall = s["found"] / s["truth"] if s["truth"] else 0.0
    return (f"| {name} | {precision:.3f} ({int(s['tp_calls'])}/{int(s['calls'])}) | "
            f"{recall:.3f} ({int(s['found'])}/{int(s['truth'])}) | "
            f"{s['germline'] / s['mb']:.2f} ({int(s['germline'])}) |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_tumor_only_bench"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=None, help="tumor-only model folder")
    parser.add_argument("--methods", default="tumor_only,matched,rule",
                        help="comma-separated subset of tumor_only, matched, rule")
    args = parser.parse_args(argv)
    import onco_genomics as og

    ref = reference(args.work)
    methods = tuple(m for m in ("tumor_only", "matched", "rule")
                    if m in args.methods.split(","))
    totals = {m: {"calls": 0.0, "tp_calls": 0.0, "truth": 0.0, "found": 0.0, "germline": 0.0,
                  "mb": 0.0} for m in methods}
    header = ("| method | SNV precision, VAF >= 10% | SNV recall, VAF >= 10% | "
              "germline per Mb called somatic |\n|---|---|---|---|")
    for config in CONFIGS:
        folder = simulate(args.work, ref, config, args.threads)
        pon = build_pon(folder, ref, config.region, args.threads)
        seconds, scores = {}, {}
        if "tumor_only" in methods:
            start = time.perf_counter()
            out = folder / "tumor_only.vcf.gz"
            og.call_tumor_only(folder / "tumor.bam", reference=ref, output=out,
                               germline_resource=folder / "population.vcf.gz",
                               panel_of_normals=pon, regions=[config.region],
                               threads=args.threads, model=args.model, device="cpu")
            seconds["tumor_only"] = time.perf_counter() - start
            scores["tumor_only"] = score(pass_calls(out), folder)
        if "matched" in methods:
            start = time.perf_counter()
            og.call_somatic(folder / "tumor.bam", folder / "normal.bam", reference=ref,
                            output=folder / "matched.vcf.gz", regions=[config.region],
                            threads=args.threads, device="cpu")
            seconds["matched"] = time.perf_counter() - start
            scores["matched"] = score(pass_calls(folder / "matched.vcf.gz", "TUMOR"), folder)
        if "rule" in methods:
            start = time.perf_counter()
            rule = rule_calls(folder, ref, config.region, pon, args.threads)
            seconds["rule"] = time.perf_counter() - start
            scores["rule"] = score(rule, folder)
        print(f"\n### {config.name} ({config.region}, 60x, purity 0.8, 10-normal panel"
              f"{', ' + ' '.join(config.extra) if config.extra else ''})\n")
        print(header)
        for method in methods:
            print(row(method, scores[method]) + f" <!-- {seconds[method]:.0f} s -->")
            for key in totals[method]:
                totals[method][key] += scores[method][key]
    print(f"\n### pooled ({len(CONFIGS)} tumors, "
          f"{totals['tumor_only']['mb']:.2f} confident Mb)\n")
    print(header)
    for method in methods:
        print(row(method, totals[method]))
    if "tumor_only" not in methods:
        return 0
    t = totals["tumor_only"]
    precision = t["tp_calls"] / t["calls"] if t["calls"] else 0.0
    recall = t["found"] / t["truth"] if t["truth"] else 0.0
    per_mb = t["germline"] / t["mb"]
    met = precision >= 0.9 and recall >= 0.8 and per_mb < 1.0
    print(f"\ntargets (tumor_only): precision {precision:.3f} >= 0.9, recall {recall:.3f} "
          f">= 0.8, germline per Mb {per_mb:.2f} < 1: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
