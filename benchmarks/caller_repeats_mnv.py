"""Homopolymer/STR indels by VAF bin, and MNV/DBS counts, of `oncogen call` beside its peers.

Two tables, both from held-out simulated pairs (chr20 40-48 Mb, never used in training):

1. **Repeat indels**: F1 (recall / precision) of indels in homopolymers and short tandem
   repeats, per truth VAF bin (0-7.5-15-30-100 %), for oncogen and the two peers of
   ``benchmarks/caller_accuracy.py`` (the allele-count rule on ``bcftools mpileup -a AD``,
   and freebayes + the same rule). Every indel (TP, FP, FN) is classed by one rule applied
   to the reference: the changed bases' repeat unit (period 1-6) and how many reference
   bases from the anchor on continue it (:func:`onco_genomics.simulate.plant.repeat_context`:
   a homopolymer is 3+ copies of one base, an STR 2+ copies of a 2-6 base unit). The pairs
   and the peers' results are those of ``caller_accuracy.py`` (run it first; its
   ``--label`` names oncogen's result files, given here as ``--label`` too).
2. **MNVs**: the pair ``dbs_60x`` (0.5 Mb, 60x/30x, purity 0.8, 100 doublet base
   substitutions per Mb planted as one truth record each, ``oncogen simulate --dbs-rate``)
   is called by oncogen and the rule; printed are the planted DBS, how many are reported
   as one record (TP of the MNV class), and the DBS78 catalog of the PASS calls
   (``oncogen spectrum``'s counting: a two-base record is one DBS, and so are two adjacent
   SNV records) against the truth's, total and channel by channel, for all planted DBS and
   for those with 2 or more tumor reads carrying both ALT bases (the candidate floor).

Usage::

    python benchmarks/caller_accuracy.py --work /tmp/oncogen_caller_bench --threads 2 \\
        --callers oncogen --label=-new
    python benchmarks/caller_repeats_mnv.py --work /tmp/oncogen_caller_bench --label=-new
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import caller_accuracy as bench

from onco_genomics.io.reference import Reference
from onco_genomics.simulate.plant import repeat_context
from onco_genomics.spectrum.catalog import CatalogOptions, build_catalogs, catalogs_from_variants

PAIRS = ("heldout_60x", "hard_lowpurity", "vaf5_60x", "tin5_oxog", "binned_q", "bwa", "sbs17",
         "ffpe_heavy")
PEERS = ("rule", "freebayes_rule")
BINS = ("[0,7.5)%", "[7.5,15)%", "[15,30)%", "[30,100]%")
DBS_PAIR = bench.Config(
    "dbs_60x", "held-out 0.5 Mb, 60x/30x, purity 0.8 (VAF 4-40%), 100 DBS per Mb, random SNVs",
    "20:47500001-48000000",
    ("--tumor-depth", "60", "--normal-depth", "30", "--purity", "0.8", "--vaf", "0.05-0.5",
     "--snv-rate", "300", "--indel-rate", "100", "--dbs-rate", "100", "--mutations", "random",
     "--seed", "5252"))


def indel_context(reference: Reference, chrom: str, pos: int, ref: str, alt: str) -> str:
    """``homopolymer``, ``str`` or ``none`` for a left-normalised indel (0-based ``pos``)."""
    changed = alt[1:] if len(alt) > len(ref) else ref[1:]
    if not changed:
        return "none"
    period = next(p for p in range(1, len(changed) + 1)
                  if len(changed) % p == 0 and changed == changed[:p] * (len(changed) // p))
    unit = changed[:period]
    following = reference.fetch(chrom, pos + 1, pos + 1 + 200).upper()
    tract = 0
    while tract < len(following) and following[tract] == unit[tract % period]:
        tract += 1
    return repeat_context(changed, tract)


def repeat_table(work: Path, ref: Path, label: str) -> str:
    callers = [f"oncogen{label}", *PEERS]
    counts: dict[tuple[str, str], dict[str, int]] = {}
    with Reference(ref) as reference:
        for pair in PAIRS:
            for caller in callers:
                path = work / f"{pair}.{caller}.eval.variants.tsv"
                if not path.is_file():
                    print(f"# missing {path}: run caller_accuracy.py first", file=sys.stderr)
                    continue
                table = pd.read_csv(path, sep="\t")
                table = table[table["variant_type"] == "INDEL"]
                for row in table.itertuples():
                    context = indel_context(reference, str(row.chrom), int(row.pos) - 1,
                                            str(row.ref), str(row.alt))
                    if context == "none":
                        continue
                    cell = counts.setdefault((caller, str(row.vaf_bin)), {"TP": 0, "FP": 0,
                                                                          "FN": 0})
                    cell[str(row.status)] += 1
    lines = ["Homopolymer/STR indels, all held-out pairs together: F1 (recall / precision; "
             "TP/FP/FN)", "", "| caller | " + " | ".join(BINS) + " |",
             "|---|" + "---:|" * len(BINS)]
    for caller in callers:
        cells = []
        for vaf_bin in BINS:
            c = counts.get((caller, vaf_bin), {"TP": 0, "FP": 0, "FN": 0})
            tp, fp, fn = c["TP"], c["FP"], c["FN"]
            recall = tp / (tp + fn) if tp + fn else float("nan")
            precision = tp / (tp + fp) if tp + fp else float("nan")
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            cells.append(f"{f1:.3f} ({recall:.3f} / {precision:.3f}; {tp}/{fp}/{fn})")
        lines.append(f"| {caller} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def dbs_catalog(path: Path, ref: Path, *, pass_only: bool) -> pd.Series:
    options = CatalogOptions(contexts=("dbs78",), pass_only=pass_only)
    catalog = build_catalogs([path], ref, options=options)["dbs78"]
    return catalog.counts.iloc[:, -1]  # the caller's VCF: one sample column is the tumor


def phased_reads(folder: Path, chrom: str, pos: int, alt: str) -> int:
    """Tumor reads carrying every ALT base of an MNV, after the caller's read filters."""
    import pysam

    count = 0
    with pysam.AlignmentFile(str(folder / "tumor.bam")) as bam:
        for read in bam.fetch(chrom, pos, pos + len(alt)):
            if read.flag & 0xF04 or read.mapping_quality < 20 or read.query_sequence is None:
                continue
            pairs = dict((r, q) for q, r in read.get_aligned_pairs(matches_only=True))
            quals = read.query_qualities
            if all(p in pairs and read.query_sequence[pairs[p]] == base
                   and (quals is None or quals[pairs[p]] >= 20)
                   for p, base in zip(range(pos, pos + len(alt)), alt, strict=True)):
                count += 1
    return count


def mnv_table(work: Path, ref: Path, label: str, threads: int) -> str:
    from onco_genomics.io.variants import read_variants

    folder = bench.simulate(work, ref, DBS_PAIR, threads)
    truth = dbs_catalog(folder / "truth.vcf.gz", ref, pass_only=False)
    seen = [v for v in read_variants(folder / "truth.vcf.gz")
            if v.info["TYPE"] == "MNV" and phased_reads(folder, v.chrom, v.pos, v.alt) >= 2]
    with Reference(ref) as reference:
        seen_truth = catalogs_from_variants({"truth": seen}, reference,
                                            contexts=("dbs78",))["dbs78"].counts["truth"]
    lines = [f"### {DBS_PAIR.name}: {DBS_PAIR.description}", "",
             f"planted DBS: {int(truth.sum())}, of which {len(seen)} have 2 or more tumor reads "
             "carrying both ALT bases after the read filters (MAPQ >= 20, base quality >= 20, "
             "no duplicates; 2 reads is the candidate floor); DBS78 differences are channel by "
             "channel, against all planted / against those", "",
             "| caller | DBS as one record (TP) | FN | FP | DBS78 total (truth "
             f"{int(truth.sum())} / {len(seen)}) | channels differing | sum of abs. "
             "differences |", "|---|---:|---:|---:|---:|---:|---:|"]
    for caller in (f"oncogen{label}", "rule"):
        out = work / f"{DBS_PAIR.name}.{caller}.vcf.gz"
        prefix = work / f"{DBS_PAIR.name}.{caller}.eval"
        if caller.startswith("oncogen"):
            bench.run_oncogen(folder, ref, out, threads, None)
        else:
            bench.run_rule(folder, ref, out, threads)
        metrics = bench.evaluate(folder, ref, out, prefix)
        mnv = next((m for m in metrics if m["variant_type"] == "MNV" and m["vaf_bin"] == "all"),
                   {"tp": 0, "fn": int(truth.sum()), "fp": 0})
        called = dbs_catalog(out, ref, pass_only=True)
        diff = (called - truth).abs()
        diff_seen = (called - seen_truth).abs()
        lines.append(f"| {caller} | {mnv['tp']} | {mnv['fn']} | {mnv['fp']} | "
                     f"{int(called.sum())} | {int((diff > 0).sum())} / "
                     f"{int((diff_seen > 0).sum())} | {int(diff.sum())} / "
                     f"{int(diff_seen.sum())} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_caller_bench"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--label", default="", help="suffix of oncogen's result files")
    parser.add_argument("--tables", default="repeats,mnv", help="repeats, mnv or both")
    args = parser.parse_args(argv)
    ref = bench.reference(args.work)
    tables = set(args.tables.split(","))
    print(f"# {' '.join(shlex.quote(a) for a in sys.argv)}")
    if "repeats" in tables:
        print(repeat_table(args.work, ref, args.label))
        print()
    if "mnv" in tables:
        print(mnv_table(args.work, ref, args.label, args.threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
