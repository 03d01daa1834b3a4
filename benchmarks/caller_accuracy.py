"""Accuracy of `oncogen call` beside peer callers on held-out simulated tumor/normal pairs.

Simulates (if not already in WORK) pairs from the held-out region of real GRCh37 chr20
(20:40,000,001-48,000,000; never used for training), runs

* oncogen call (the shipped model unless --model),
* ``filters_only``: the ablation, oncogen's candidates and hand filters (LowAltReads,
  NormalSupport, OrientationBias) with the network's score ignored (every candidate
  scored, LowQual dropped), so the network's own contribution is visible,
* ``rule``: the allele-count rule, ``bcftools mpileup -a FORMAT/AD,FORMAT/DP -q 20 -Q 20``
  on tumor and normal (no ``bcftools call``), ``bcftools norm -m -any``, then keep an
  allele with tumor ALT >= 3, tumor AF >= 0.03, depth >= 10 in both samples, normal ALT <= 1
  and normal AF x 5 < tumor AF (AF = ALT reads / FORMAT/DP),
* ``freebayes_rule``: freebayes --pooled-continuous (min alternate fraction 0.02, count 2),
  split with bcftools norm, then the same rule on its AD/DP,
* bcftools mpileup + call on tumor and normal jointly, keeping sites with >= 2 tumor ALT
  reads and no normal ALT read (split and left-aligned with bcftools norm),
* freebayes --pooled-continuous (min alternate fraction 0.02, count 2) with the same
  tumor/normal filter on AO and QUAL >= 1,

scores each with `oncogen evaluate` (truth VAF bins 0-7.5-15-30-100 %, i.e. centred on
5/10/20/40 %) and prints Markdown tables; --plot writes F1 by VAF bin as a PNG.

Usage::

    python benchmarks/caller_accuracy.py --work /tmp/oncogen_caller_bench --threads 2 \\
        --plot docs/benchmarks/caller_f1_by_vaf.png
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

VT_CHR20 = "/usr/share/doc/vt/examples/ref/20.fa.gz"


@dataclass(frozen=True)
class Config:
    """One held-out simulated pair."""

    name: str
    description: str
    region: str
    args: tuple[str, ...]


CONFIGS = (
    Config("heldout_60x", "held-out 2 Mb, 60x/30x, purity 1.0, VAF 2-50%",
           "20:40000001-42000000",
           ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "1.0", "--vaf",
            "0.02-0.5", "--snv-rate", "300", "--indel-rate", "100", "--seed", "4242")),
    Config("hard_lowpurity", "held-out 1 Mb, 60x/30x, purity 0.4 (VAF 2-40%), 3% tumor in "
           "normal, 5x 8-oxoG hotspots, 20% duplicates", "20:41000001-42000000",
           ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "0.4", "--vaf",
            "0.05-1.0", "--snv-rate", "300", "--indel-rate", "100", "--contamination", "0.03",
            "--oxog-sites", "100", "--oxog-rate", "0.001", "--dup-rate", "0.2",
            "--seed", "4343")),
    Config("vaf5_60x", "held-out 1 Mb, 60x/30x, purity 1.0, every somatic variant at VAF 5% "
           "(the issue's low-VAF target)", "20:42000001-43000000",
           ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "1.0", "--vaf", "0.05",
            "--snv-rate", "300", "--indel-rate", "100", "--seed", "4444")),
    # conditions held out of the training of the caller-v2 model (models/train_default_caller.sh)
    Config("tin5_oxog", "held-out 1 Mb, 80x/40x, purity 0.6 (VAF 3-30%), 5% tumor in normal, "
           "300 8-oxoG hotspots per Mb, random SNVs", "20:43000001-44000000",
           ("--tumor-depth", "80", "--normal-depth", "40", "--purity", "0.6", "--vaf",
            "0.05-0.5", "--snv-rate", "300", "--indel-rate", "100", "--contamination", "0.05",
            "--oxog-sites", "300", "--oxog-rate", "0.001", "--dup-rate", "0.1",
            "--mutations", "random", "--seed", "4646")),
    Config("binned_q", "held-out 0.5 Mb, 60x/30x, purity 0.8, Illumina 8-level binned base "
           "qualities, random SNVs", "20:44000001-44500000",
           ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "0.8", "--vaf",
            "0.03-0.5", "--snv-rate", "300", "--indel-rate", "100", "--qualities", "binned",
            "--mutations", "random", "--seed", "4747")),
    Config("bwa", "held-out 0.5 Mb, 60x/30x, purity 0.8, bwa mem (whole-chr20 index), SNVs from "
           "SBS1+SBS5", "20:45000001-45500000",
           ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "0.8", "--vaf",
            "0.03-0.5", "--snv-rate", "300", "--indel-rate", "100", "--aligner", "bwa",
            "--mutations", "random", "--snv-spectrum", "SBS1,SBS5", "--seed", "4848")),
    Config("sbs17", "held-out 0.5 Mb, 60x/30x, purity 1.0, SNVs from SBS17b (T>G-rich; a "
           "spectrum not in training)", "20:46000001-46500000",
           ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "1.0", "--vaf",
            "0.02-0.5", "--snv-rate", "300", "--indel-rate", "100", "--mutations", "random",
            "--snv-spectrum", "SBS17b", "--seed", "4949")),
    Config("ffpe_heavy", "held-out 0.5 Mb, 60x/30x, purity 0.7, 300 FFPE deamination hotspots "
           "per Mb and background rate 0.002 (twice training's highest), random SNVs",
           "20:47000001-47500000",
           ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "0.7", "--vaf",
            "0.03-0.5", "--snv-rate", "300", "--indel-rate", "100", "--ffpe-sites", "300",
            "--ffpe-rate", "0.002", "--mutations", "random", "--seed", "5050")),
    # not a test pair: used to try fitting the PROB calibration and threshold on held-out
    # conditions (none of them in training); docs/benchmarks/caller.md, "Calibration"
    Config("calib_mix", "calibration pair, 1 Mb, 60x/30x, purity 0.7, 5% tumor in normal, "
           "binned qualities, bwa mem (windows index), SBS3 SNVs, 150 8-oxoG and 150 FFPE "
           "hotspots per Mb", "20:48000001-49000000",
           ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "0.7", "--vaf",
            "0.03-0.5", "--snv-rate", "300", "--indel-rate", "100", "--contamination", "0.05",
            "--qualities", "binned", "--aligner", "bwa", "--align-to", "regions",
            "--oxog-sites", "150", "--oxog-rate", "0.0005", "--ffpe-sites", "150",
            "--ffpe-rate", "0.001", "--mutations", "random", "--snv-spectrum", "SBS3",
            "--seed", "5151")),
    # the second calibration pair (not a test pair): a low artefact load, so that a fit pooled
    # with calib_mix averages artefact loads; its region and SBS18 spectrum are not in training
    Config("calib_clean", "calibration pair, 1 Mb, 100x/40x, purity 0.5 (VAF 2-40%), SBS18 SNVs "
           "(C>A-rich), 20 8-oxoG hotspots per Mb, no FFPE, 280 bp fragments",
           "20:49000001-50000000",
           ("--tumor-depth", "100", "--normal-depth", "40", "--purity", "0.5", "--vaf",
            "0.04-0.8", "--snv-rate", "300", "--indel-rate", "100", "--fragment-mean", "280",
            "--mutations", "random", "--snv-spectrum", "SBS18", "--seed", "5252")),
)


def sh(command: str, *, log: Path | None = None) -> float:
    """Run a shell command (nice'd), return wall seconds; raise on failure."""
    started = time.monotonic()
    with open(log or "/dev/null", "a") as handle:
        subprocess.run(["nice", "-n", "5", "bash", "-o", "pipefail", "-c", command], check=True,
                       stdout=handle, stderr=handle)
    return time.monotonic() - started


def reference(work: Path) -> Path:
    ref = work / "ref" / "20.fa"
    if not Path(str(ref) + ".fai").is_file():
        ref.parent.mkdir(parents=True, exist_ok=True)
        sh(f"zcat {VT_CHR20} > {ref} && samtools faidx {ref}")
    return ref


def simulate(work: Path, ref: Path, config: Config, threads: int) -> Path:
    folder = work / config.name
    if not (folder / "params.json").is_file():
        args = " ".join(shlex.quote(a) for a in config.args)
        sh(f"oncogen -q simulate --ref {ref} --region {config.region} --out-dir {folder} "
           f"--threads {threads} {args}", log=work / "simulate.log")
    return folder


def run_oncogen(folder: Path, ref: Path, out: Path, threads: int, model: str | None) -> float:
    model_arg = f"--model {model}" if model else ""
    return sh(f"oncogen -q call {folder}/tumor.bam {folder}/normal.bam --ref {ref} "
              f"--bed {folder}/confident.bed -o {out} --threads {threads} {model_arg}")


def run_filters_only(folder: Path, ref: Path, out: Path, threads: int,
                     model: str | None) -> float:
    """The ablation: every candidate scored and written, LowQual ignored (network unused)."""
    raw = out.with_name(out.name + ".all.vcf.gz")
    script = (
        "import sys; from pathlib import Path; import onco_genomics as og; "
        "from onco_genomics.caller.records import FilterOptions; "
        "a = sys.argv[1:]; "
        "og.call_somatic(Path(a[0]), Path(a[1]), reference=Path(a[2]), output=Path(a[3]), "
        "bed=Path(a[4]), threads=int(a[5]), model=Path(a[6]) if a[6] != '-' else None, "
        "filters=FilterOptions(min_prob_to_report=0.0))")
    wall = sh(f"python -c {shlex.quote(script)} {folder}/tumor.bam {folder}/normal.bam {ref} "
              f"{raw} {folder}/confident.bed {threads} {model or '-'}")
    return wall + sh(f"bcftools view -i 'FILTER=\"PASS\" || FILTER=\"LowQual\"' {raw} -Ou | "
                     f"bcftools annotate -x FILTER -Oz -o {out} && tabix -f -p vcf {out}")


def allele_count_prefilter(samples: list[str]) -> str:
    """bcftools expression of the rule's per-sample conditions (split records: AD = REF,ALT)."""
    t, n = samples.index("TUMOR"), samples.index("NORMAL")
    return (f'ALT!="<*>" && FMT/AD[{t}:1]>=3 && FMT/DP[{t}:0]>=10 && FMT/DP[{n}:0]>=10 && '
            f"FMT/AD[{n}:1]<=1")


def apply_allele_count_rule(raw: Path, out: Path) -> None:
    """Write the records of ``raw`` that pass the allele-count rule to ``out`` (bgzipped).

    bcftools keeps the per-sample conditions; the two that compare samples (tumor AF >= 0.03,
    normal AF x 5 < tumor AF, AF = ALT reads / FORMAT/DP) are checked here, since
    bcftools expressions do not multiply values of different samples.
    """
    import pysam

    pysam.set_verbosity(0)  # no "could not retrieve index" warnings for the temporary BCF
    prefiltered = out.with_name(out.name + ".pre.bcf")
    sh(f"bcftools view -i '{allele_count_prefilter(samples_of(raw))}' -Ob -o {prefiltered} "
       f"{raw}")
    with pysam.VariantFile(str(prefiltered)) as source, \
            pysam.VariantFile(str(out), "wz", header=source.header) as sink:
        for record in source:
            tumor, normal = record.samples["TUMOR"], record.samples["NORMAL"]
            t_alt, t_dp = tumor["AD"][1], tumor["DP"]
            n_alt, n_dp = normal["AD"][1], normal["DP"]
            if None in (t_alt, t_dp, n_alt, n_dp) or not t_dp or not n_dp:
                continue
            t_af, n_af = t_alt / t_dp, n_alt / n_dp
            if t_af >= 0.03 and 5 * n_af < t_af:
                sink.write(record)
    sh(f"tabix -f -p vcf {out}")


def run_rule(folder: Path, ref: Path, out: Path, threads: int) -> float:
    raw = out.with_name(out.name + ".raw.bcf")
    wall = sh(f"bcftools mpileup -f {ref} -R {folder}/confident.bed -a FORMAT/AD,FORMAT/DP "
              f"-q 20 -Q 20 -d 1000 -Ou {folder}/tumor.bam {folder}/normal.bam | "
              f"bcftools norm -m -any -f {ref} -Ob -o {raw}")
    started = time.monotonic()
    apply_allele_count_rule(raw, out)
    return wall + time.monotonic() - started


def run_freebayes_rule(folder: Path, ref: Path, out: Path, threads: int) -> float:
    """The allele-count rule on freebayes' split records (the freebayes run is shared)."""
    raw = out.with_name(out.name.replace("freebayes_rule", "freebayes") + ".raw.bcf")
    wall = 0.0
    if not raw.is_file():
        wall = run_freebayes(folder, ref, out.with_name(out.name.replace(
            "freebayes_rule", "freebayes")), threads)
    started = time.monotonic()
    apply_allele_count_rule(raw, out)
    return wall + time.monotonic() - started


def tumor_normal_filter(field: str, samples: list[str], min_qual: float = 0.0) -> str:
    """bcftools expression: >= 2 tumor ALT reads, none in the normal (split records)."""
    tumor, normal = samples.index("TUMOR"), samples.index("NORMAL")
    return (f"FMT/{field}[{tumor}:{1 if field == 'AD' else 0}]>=2 && "
            f"FMT/{field}[{normal}:{1 if field == 'AD' else 0}]==0 && QUAL>={min_qual}")


def samples_of(vcf: Path) -> list[str]:
    text = subprocess.run(["bcftools", "query", "-l", str(vcf)], capture_output=True, text=True,
                          check=True).stdout
    return text.split()


def run_bcftools(folder: Path, ref: Path, out: Path, threads: int) -> float:
    raw = out.with_name(out.name + ".raw.bcf")
    wall = sh(f"bcftools mpileup -f {ref} -R {folder}/confident.bed -a AD,DP -d 1000 -Ou "
              f"{folder}/tumor.bam {folder}/normal.bam | bcftools call -mv -Ou | "
              f"bcftools norm -m -any -f {ref} -Ob -o {raw}")
    expr = tumor_normal_filter("AD", samples_of(raw))
    return wall + sh(f"bcftools view -i '{expr}' -Oz -o {out} {raw} && tabix -f -p vcf {out}")


def run_freebayes(folder: Path, ref: Path, out: Path, threads: int) -> float:
    raw = out.with_name(out.name + ".raw.bcf")
    wall = sh(f"freebayes -f {ref} -t {folder}/confident.bed --pooled-continuous "
              f"--min-alternate-fraction 0.02 --min-alternate-count 2 "
              f"{folder}/tumor.bam {folder}/normal.bam | "
              f"bcftools norm -m -any -f {ref} -Ob -o {raw}")
    expr = tumor_normal_filter("AO", samples_of(raw), min_qual=1.0)
    return wall + sh(f"bcftools view -i '{expr}' -Oz -o {out} {raw} && tabix -f -p vcf {out}")


CALLERS = ("oncogen", "filters_only", "rule", "freebayes_rule", "bcftools", "freebayes")
#: callers whose results depend on the model (kept apart with --label)
MODEL_CALLERS = ("oncogen", "filters_only")


def evaluate(folder: Path, ref: Path, calls: Path, prefix: Path) -> list[dict[str, object]]:
    sh(f"oncogen -q evaluate --truth {folder}/truth.vcf.gz --calls {calls} --ref {ref} "
       f"--bed {folder}/confident.bed --germline {folder}/germline.vcf.gz "
       f"--tumor-sample TUMOR -o {prefix}")
    metrics: list[dict[str, object]] = json.loads(Path(f"{prefix}.json").read_text())["metrics"]
    return metrics


def fmt(value: object) -> str:
    if isinstance(value, float):
        return "nan" if value != value else f"{value:.3f}"
    return str(value)


def tables(results: dict[str, dict[str, list[dict[str, object]]]],
           seconds: dict[str, dict[str, float]]) -> str:
    lines = []
    for config in CONFIGS:
        by_caller = results.get(config.name)
        if not by_caller:
            continue
        lines += [f"### {config.name}: {config.description}", "",
                  "| caller | type | TP | FP | FN | precision | recall | F1 | wall s |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for caller, rows in by_caller.items():
            for row in rows:
                if row["vaf_bin"] == "all":
                    lines.append(
                        f"| {caller} | {row['variant_type']} | {row['tp']} | {row['fp']} | "
                        f"{row['fn']} | {fmt(row['precision'])} | {fmt(row['recall'])} | "
                        f"{fmt(row['f1'])} | {seconds[config.name][caller]:.0f} |")
        lines += ["", "F1 (recall / precision) by truth VAF bin; FPs binned by the call's "
                  "tumor AF:", ""]
        bins = [str(r["vaf_bin"]) for r in next(iter(by_caller.values()))
                if r["variant_type"] == "ALL" and r["vaf_bin"] != "all"]
        bins = [b for b in bins if b != "unknown"]
        lines += ["| caller | type | " + " | ".join(bins) + " |",
                  "|---|---|" + "---:|" * len(bins)]
        for caller, rows in by_caller.items():
            for vtype in ("SNV", "INDEL"):
                cells = []
                for b in bins:
                    row = next(r for r in rows if r["variant_type"] == vtype
                               and r["vaf_bin"] == b)
                    cells.append(f"{fmt(row['f1'])} ({fmt(row['recall'])} / "
                                 f"{fmt(row['precision'])})")
                lines.append(f"| {caller} | {vtype} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _cell(rows: list[dict[str, object]], vtype: str, vaf_bin: str = "all") -> str:
    row = next((r for r in rows if r["variant_type"] == vtype and r["vaf_bin"] == vaf_bin),
               None)
    if row is None:
        return "-"
    return f"{fmt(row['f1'])} ({fmt(row['precision'])} / {fmt(row['recall'])})"


def matrix(results: dict[str, dict[str, list[dict[str, object]]]]) -> str:
    """Robustness matrix: one row per pair and variant type, one column per caller;
    cells F1 (precision / recall)."""
    callers: list[str] = []
    for per_caller in results.values():
        callers += [c for c in per_caller if c not in callers]
    lines = ["| pair | type | " + " | ".join(callers) + " |",
             "|---|---|" + "---|" * len(callers)]
    for config in CONFIGS:
        found = results.get(config.name)
        if not found:
            continue
        for vtype in ("SNV", "INDEL"):
            cells = [_cell(found[c], vtype) if c in found else "-" for c in callers]
            lines.append(f"| {config.name} | {vtype} | " + " | ".join(cells) + " |")
    return "\n".join(["F1 (precision / recall), PASS calls:", "", *lines, ""])


_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def class_table(work: Path, names: list[str], stems: list[str]) -> str:
    """SNV recall per substitution class (pyrimidine-centred) and FPs per class, from the
    per-variant tables ``oncogen evaluate`` wrote."""
    import csv

    classes = ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G")
    lines = ["SNV recall by substitution class (TP / truth), and false positives per class:", "",
             "| pair | caller | " + " | ".join(classes) + " | FP C>A | FP C>T | FP other |",
             "|---|---|" + "---:|" * (len(classes) + 3)]
    for name in names:
        for stem in stems:
            path = work / f"{name}.{stem}.eval.variants.tsv"
            if not path.is_file():
                continue
            tp = dict.fromkeys(classes, 0)
            total = dict.fromkeys(classes, 0)
            fp = {"C>A": 0, "C>T": 0, "other": 0}
            with open(path) as handle:
                for row in csv.DictReader(handle, delimiter="\t"):
                    if row["variant_type"] != "SNV":
                        continue
                    ref, alt = row["ref"], row["alt"]
                    if ref in "GA":
                        ref, alt = ref.translate(_COMPLEMENT), alt.translate(_COMPLEMENT)
                    cls = f"{ref}>{alt}"
                    if row["status"] == "FP":
                        fp[cls if cls in fp else "other"] += 1
                        continue
                    total[cls] += 1
                    tp[cls] += row["status"] == "TP"
            cells = [f"{tp[c] / total[c]:.2f} ({tp[c]}/{total[c]})" if total[c] else "-"
                     for c in classes]
            lines.append(f"| {name} | {stem} | " + " | ".join(cells)
                         + f" | {fp['C>A']} | {fp['C>T']} | {fp['other']} |")
    return "\n".join([*lines, ""])


def plot(results: dict[str, dict[str, list[dict[str, object]]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    configs = [c for c in CONFIGS if c.name in results]
    fig, axes = plt.subplots(len(configs), 2, figsize=(10, 3.2 * len(configs)), squeeze=False)
    for row, config in enumerate(configs):
        for col, vtype in enumerate(("SNV", "INDEL")):
            ax = axes[row][col]
            for caller, rows in results[config.name].items():
                sel = [r for r in rows if r["variant_type"] == vtype
                       and r["vaf_bin"] not in ("all", "unknown")]
                ax.plot([str(r["vaf_bin"]) for r in sel],
                        [float("nan") if r["f1"] in (None, "None") else float(str(r["f1"]))
                         for r in sel], marker="o", label=caller)
            ax.set_title(f"{config.name}: {vtype}")
            ax.set_ylim(0, 1.02)
            ax.set_ylabel("F1")
            ax.set_xlabel("truth VAF bin")
            ax.grid(alpha=0.3)
    axes[0][0].legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_caller_bench"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=None, help="caller model folder (default: shipped)")
    parser.add_argument("--configs", default=",".join(c.name for c in CONFIGS))
    parser.add_argument("--callers", default=",".join(CALLERS))
    parser.add_argument("--plot", type=Path, default=None)
    parser.add_argument("--label", default="",
                        help="suffix of oncogen's result files (to keep two models' results)")
    parser.add_argument("--rerun", default="oncogen,filters_only",
                        help="callers to run again even if WORK holds their results")
    args = parser.parse_args(argv)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    ref = reference(work)
    wanted = set(args.configs.split(","))
    callers = [c for c in CALLERS if c in set(args.callers.split(","))]
    rerun = set(args.rerun.split(","))
    # results of earlier runs (other callers, other --label) are kept and shown beside
    store = work / "results.json"
    saved = json.loads(store.read_text()) if store.is_file() else {"results": {}, "seconds": {}}
    results: dict[str, dict[str, list[dict[str, object]]]] = saved["results"]
    seconds: dict[str, dict[str, float]] = saved["seconds"]
    for config in CONFIGS:
        if config.name not in wanted:
            continue
        folder = simulate(work, ref, config, args.threads)
        results.setdefault(config.name, {})
        seconds.setdefault(config.name, {})
        for caller in callers:
            stem = caller + (args.label if caller in MODEL_CALLERS else "")
            out = work / f"{config.name}.{stem}.vcf.gz"
            prefix = work / f"{config.name}.{stem}.eval"
            timing = work / f"{config.name}.{stem}.seconds"
            if caller not in rerun and Path(f"{prefix}.json").is_file() and timing.is_file():
                seconds[config.name][stem] = float(timing.read_text())
                results[config.name][stem] = json.loads(
                    Path(f"{prefix}.json").read_text())["metrics"]
                continue
            if caller == "oncogen":
                wall = run_oncogen(folder, ref, out, args.threads, args.model)
            elif caller == "filters_only":
                wall = run_filters_only(folder, ref, out, args.threads, args.model)
            elif caller == "rule":
                wall = run_rule(folder, ref, out, args.threads)
            elif caller == "freebayes_rule":
                wall = run_freebayes_rule(folder, ref, out, args.threads)
            elif caller == "bcftools":
                wall = run_bcftools(folder, ref, out, args.threads)
            else:
                wall = run_freebayes(folder, ref, out, args.threads)
            seconds[config.name][stem] = wall
            timing.write_text(f"{wall:.1f}")
            results[config.name][stem] = evaluate(folder, ref, out, prefix)
            print(f"# {config.name} {stem}: {wall:.0f} s", file=sys.stderr)
            store.write_text(json.dumps({"results": results, "seconds": seconds}))
    store.write_text(json.dumps({"results": results, "seconds": seconds}))
    shown = {name: by_caller for name, by_caller in results.items() if name in wanted}
    print(matrix(shown))
    stems = sorted({stem for by_caller in shown.values() for stem in by_caller})
    print(class_table(work, [c.name for c in CONFIGS if c.name in shown], stems))
    print(tables(shown, seconds))
    if args.plot:
        plot(results, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
