"""`oncogen call` on pairs unlike its training data: another read simulator, another genome.

Every training pair of the shipped caller, and every pair of benchmarks/caller_accuracy.py,
is made by ``oncogen simulate``'s own read model from human chr20. Two pairs here are not:

* ``art_bwa``: reads from **ART** (``art_illumina -ss HS25``, HiSeq 2500 empirical error and
  quality profiles, Debian ``art-nextgen-simulation-tools``), aligned by ``bwa mem`` against
  the whole chr20. The variants are those ``oncogen simulate`` draws for the region (its
  reads are discarded): the normal is two haplotypes carrying the germline variants; the
  tumor is ``--copies`` haplotype copies (half of each parental haplotype), and a somatic
  variant of VAF v on haplotype h is put into round(v x copies) of h's copies, so its
  expected read fraction is that share (written as the truth's VAF). 1 Mb of the held-out
  20:50-51 Mb (used by no training pair and no other benchmark pair), 60x/30x.
* ``celegans``: a **non-human genome**, C. elegans chromosome I (1 Mb; samtools' test data,
  Debian ``samtools-test``: /usr/share/samtools/test/mpileup/ce.fa), simulated by
  ``oncogen simulate`` with random SNV positions, 60x/30x, purity 1.0.

The callers are those of benchmarks/caller_accuracy.py (``oncogen``, the ``filters_only``
ablation, the allele-count ``rule`` on ``bcftools mpileup -a AD``, ``freebayes_rule``), run
and scored the same way. Results go to WORK/results.json (a separate WORK from
caller_accuracy.py's, whose results file it would otherwise race).

Usage::

    python benchmarks/caller_ood.py --work /tmp/oncogen_caller_ood --threads 2 \\
        --callers oncogen,filters_only,rule,freebayes_rule [--model DIR --label=-vN]
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import caller_accuracy as bench
import pysam

CE_FASTA = "/usr/share/samtools/test/mpileup/ce.fa"
#: bases simulated on each side of the region so that its edges get full coverage
PAD = 1000


@dataclass(frozen=True)
class OodPair:
    """One pair: how it is made, from which reference."""

    name: str
    description: str
    reference: str  # "chr20" or "ce"
    region: str
    simulate_args: tuple[str, ...]
    art: bool


PAIRS = (
    OodPair("art_bwa", "ART HiSeq 2500 reads, bwa mem (whole chr20), 1 Mb held-out "
            "20:50-51 Mb, 60x/30x, purity 1.0, VAF 2-50%, random SNVs", "chr20",
            "20:50000001-51000000",
            ("--tumor-depth", "1", "--normal-depth", "1", "--purity", "1.0", "--vaf",
             "0.02-0.5", "--snv-rate", "300", "--indel-rate", "100", "--mutations", "random",
             "--seed", "5252"), art=True),
    OodPair("celegans", "C. elegans chromosome I (1 Mb), oncogen simulate reads (minimap2), "
            "60x/30x, purity 1.0, VAF 2-50%, random SNVs", "ce", "CHROMOSOME_I:1-1000000",
            ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "1.0", "--vaf",
             "0.02-0.5", "--snv-rate", "300", "--indel-rate", "100", "--mutations", "random",
             "--seed", "5353"), art=False),
)


def references(work: Path) -> dict[str, Path]:
    """chr20 (bwa-indexed for the ART pair) and C. elegans FASTAs under WORK/ref."""
    chr20 = bench.reference(work)
    if not Path(f"{chr20}.bwt").is_file():
        bench.sh(f"bwa index {chr20}", log=work / "simulate.log")
    ce = work / "ref" / "ce.fa"
    if not Path(f"{ce}.fai").is_file():
        bench.sh(f"cp {CE_FASTA} {ce} && samtools faidx {ce}")
    return {"chr20": chr20, "ce": ce}


def _haplotype(sequence: str, start: int, variants: list[tuple[int, str, str]]) -> str:
    """``sequence`` (0-based reference start ``start``) with non-overlapping ``variants``
    ((0-based pos, REF, ALT), sorted) applied."""
    parts, cursor = [], 0
    for pos, ref, alt in variants:
        offset = pos - start
        parts.append(sequence[cursor:offset])
        parts.append(alt)
        cursor = offset + len(ref)
    parts.append(sequence[cursor:])
    return "".join(parts)


def _non_overlapping(variants: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    kept: list[tuple[int, str, str]] = []
    for v in sorted(variants):
        if not kept or v[0] >= kept[-1][0] + len(kept[-1][1]):
            kept.append(v)
    return kept


def build_art_pair(folder: Path, ref: Path, *, copies: int, tumor_depth: float,
                   normal_depth: float, seed: int, threads: int) -> None:
    """Replace the pair's reads with ART reads of haplotypes carrying its variants, and its
    truth VAFs with the realised shares (see the module docstring)."""
    rng = random.Random(seed)
    bed = (folder / "confident.bed").read_text().split()
    chrom, start, end = bed[0], int(bed[1]) - PAD, int(bed[2]) + PAD
    with pysam.FastaFile(str(ref)) as fasta:
        sequence = fasta.fetch(chrom, start, end).upper()
    germline: list[list[tuple[int, str, str]]] = [[], []]
    with pysam.VariantFile(str(folder / "germline.vcf.gz")) as vcf:
        for rec in vcf.fetch(chrom, start, end):
            gt = rec.samples["NORMAL"]["GT"]
            for hap in (0, 1):
                if gt[hap]:
                    germline[hap].append((rec.pos - 1, rec.ref, rec.alts[0]))
    tumor_copies: list[list[tuple[int, str, str]]] = [list(germline[i % 2])
                                                      for i in range(copies)]
    truth_lines: list[str] = []
    with pysam.VariantFile(str(folder / "truth.vcf.gz")) as vcf:
        header = str(vcf.header)
        for rec in vcf.fetch(chrom, start, end):
            haps = {int(h) for h in rec.info["HAP"]}
            carriers = [i for i in range(copies) if i % 2 in haps]
            k = min(len(carriers), max(1, round(float(rec.info["VAF"]) * copies)))
            for i in rng.sample(carriers, k):
                tumor_copies[i].append((rec.pos - 1, rec.ref, rec.alts[0]))
            rec.info["VAF"] = round(k / copies, 4)
            truth_lines.append(str(rec))
    tumor_fa, normal_fa = folder / "art_tumor.fa", folder / "art_normal.fa"
    dropped = 0
    with open(tumor_fa, "w") as handle:
        for i, variants in enumerate(tumor_copies):
            kept = _non_overlapping(variants)
            dropped += len(variants) - len(kept)
            handle.write(f">t{i}\n{_haplotype(sequence, start, kept)}\n")
    with open(normal_fa, "w") as handle:
        for hap in (0, 1):
            haplotype = _haplotype(sequence, start, _non_overlapping(germline[hap]))
            handle.write(f">n{hap}\n{haplotype}\n")
    if dropped:
        print(f"# {folder.name}: {dropped} overlapping variant copies not applied",
              file=sys.stderr)
    # the truth with realised VAFs (bgzipped, indexed)
    (folder / "truth.vcf").write_text(header + "".join(truth_lines))
    bench.sh(f"bgzip -f {folder}/truth.vcf && tabix -f -p vcf {folder}/truth.vcf.gz")
    for sample, fa, depth, n in (("TUMOR", tumor_fa, tumor_depth, copies),
                                 ("NORMAL", normal_fa, normal_depth, 2)):
        prefix = folder / f"art_{sample.lower()}_"
        bench.sh(f"art_illumina -q -ss HS25 -i {fa} -p -l 150 -f {depth / n:.4f} -m 350 "
                 f"-s 60 -na -rs {seed + n} -o {prefix}", log=folder / "art.log")
        bam = folder / f"{sample.lower()}.bam"
        rg = shlex.quote(f"@RG\\tID:{sample.lower()}\\tSM:{sample}\\tPL:ILLUMINA")
        bench.sh(f"bwa mem -t {threads} -R {rg} {ref} {prefix}1.fq {prefix}2.fq 2>> "
                 f"{folder}/art.log | samtools sort -@ {threads} -o {bam} - && "
                 f"samtools index {bam} && rm {prefix}1.fq {prefix}2.fq")
    (folder / "params.json").write_text(json.dumps({
        "reads": "art_illumina -ss HS25 (HiSeq 2500 profile), 2x150, fragment 350+-60",
        "aligner": "bwa mem, whole-contig index", "tumor_copies": copies,
        "tumor_depth": tumor_depth, "normal_depth": normal_depth, "seed": seed,
        "variants_from": "oncogen simulate (reads discarded)"}, indent=2))


def make_pair(work: Path, refs: dict[str, Path], pair: OodPair, threads: int) -> Path:
    folder = work / pair.name
    if (folder / "params.json").is_file():
        return folder
    ref = refs[pair.reference]
    if not (folder / "simulate_params.json").is_file():
        args = " ".join(shlex.quote(a) for a in pair.simulate_args)
        bench.sh(f"oncogen -q simulate --ref {ref} --region {pair.region} --out-dir {folder} "
                 f"--threads {threads} {args}", log=work / "simulate.log")
    if pair.art:
        if (folder / "params.json").is_file():
            (folder / "params.json").rename(folder / "simulate_params.json")
        build_art_pair(folder, ref, copies=50, tumor_depth=60, normal_depth=30, seed=5252,
                       threads=threads)
    return folder


RUNNERS: dict[str, Callable[..., float]] = {
    "oncogen": bench.run_oncogen, "filters_only": bench.run_filters_only,
    "rule": bench.run_rule, "freebayes_rule": bench.run_freebayes_rule}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_caller_ood"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=None, help="caller model folder (default: shipped)")
    parser.add_argument("--pairs", default=",".join(p.name for p in PAIRS))
    parser.add_argument("--callers", default=",".join(RUNNERS))
    parser.add_argument("--label", default="", help="suffix of oncogen's result files")
    args = parser.parse_args(argv)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    refs = references(work)
    store = work / "results.json"
    results: dict[str, dict[str, list[dict[str, object]]]] = (
        json.loads(store.read_text()) if store.is_file() else {})
    wanted = set(args.pairs.split(","))
    for pair in PAIRS:
        if pair.name not in wanted:
            continue
        folder = make_pair(work, refs, pair, args.threads)
        ref = refs[pair.reference]
        for caller in args.callers.split(","):
            stem = caller + (args.label if caller in bench.MODEL_CALLERS else "")
            out = work / f"{pair.name}.{stem}.vcf.gz"
            if caller in bench.MODEL_CALLERS:
                wall = RUNNERS[caller](folder, ref, out, args.threads, args.model)
            else:
                wall = RUNNERS[caller](folder, ref, out, args.threads)
            results.setdefault(pair.name, {})[stem] = bench.evaluate(
                folder, ref, out, work / f"{pair.name}.{stem}.eval")
            print(f"# {pair.name} {stem}: {wall:.0f} s", file=sys.stderr)
            store.write_text(json.dumps(results))
    callers = sorted({c for by_caller in results.values() for c in by_caller})
    lines = ["| pair | type | " + " | ".join(callers) + " |",
             "|---|---|" + "---|" * len(callers)]
    for pair in PAIRS:
        found = results.get(pair.name)
        for vtype in ("SNV", "INDEL") if found else ():
            cells = [bench._cell(found[c], vtype) if c in found else "-" for c in callers]
            lines.append(f"| {pair.name} | {vtype} | " + " | ".join(cells) + " |")
    print("F1 (precision / recall), PASS calls:\n\n" + "\n".join(lines) + "\n")
    print(bin_tables(results))
    return 0


def bin_tables(results: dict[str, dict[str, list[dict[str, object]]]]) -> str:
    """F1 (recall / precision) by truth VAF bin, per pair (FPs binned by the call's AF)."""
    lines = []
    for pair in PAIRS:
        by_caller = results.get(pair.name)
        if not by_caller:
            continue
        bins = [str(r["vaf_bin"]) for r in next(iter(by_caller.values()))
                if r["variant_type"] == "ALL" and r["vaf_bin"] not in ("all", "unknown")]
        lines += [f"**{pair.name}**: {pair.description}", "",
                  "| caller | type | " + " | ".join(bins) + " |",
                  "|---|---|" + "---:|" * len(bins)]
        for caller, rows in sorted(by_caller.items()):
            for vtype in ("SNV", "INDEL"):
                cells = []
                for b in bins:
                    row = next((r for r in rows if r["variant_type"] == vtype
                                and r["vaf_bin"] == b), None)
                    cells.append("-" if row is None else f"{bench.fmt(row['f1'])} "
                                 f"({bench.fmt(row['recall'])} / {bench.fmt(row['precision'])})")
                lines.append(f"| {caller} | {vtype} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
