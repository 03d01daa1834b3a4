"""Render the tumor-only caller's model card (Markdown) from its model.json.

Usage::

    python models/tumor_only_model_card.py onco_genomics/data/models/caller_tumor_only \\
        --benchmark BENCH.md \\
        -o onco_genomics/data/models/caller_tumor_only/MODEL_CARD.md \\
        -o docs/model_cards/caller_tumor_only.md

``--benchmark`` is a file holding the pooled table printed by
``benchmarks/caller_tumor_only.py`` (pasted into the card as printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def render(meta: dict[str, Any], benchmark: str | None) -> str:
    training, metrics = meta["training"], meta["metrics"]
    snv = metrics["validation_snv_at_threshold"]
    labels = training["labels_train"]
    lines = [
        "# Model card: oncogen tumor-only caller (`caller_tumor_only`)",
        "",
        f"* Kind `{meta['kind']}`, mode `{meta['mode']}`, oncogen {meta['oncogen_version']}, "
        f"encoder {meta['encoder']['version']}: it reads {len(meta['input_channels'])} of the "
        f"encoder's {len(meta['encoder']['channels'])} channels (reference, allele and "
        "`tumor_*`; the `normal_*` channels are not inputs) x "
        f"{meta['encoder']['window']} columns, plus {len(meta['context_features'])} context "
        f"inputs ({', '.join(meta['context_features'])}); {meta['parameters']:,} parameters.",
        f"* Output classes {', '.join(meta['classes'])}: PROB = P(somatic), PASS at or above "
        f"{meta['threshold']:.2f}; GERMLINE_PROB = P(germline), FILTER germline at or above "
        f"{meta['germline_threshold']:.2f} or above PROB. Both thresholds are the operating "
        "point chosen on two validation tumors (below).",
        f"* Network: {meta['network']}.",
        "* Files: `weights.pt` (torch state_dict, loaded with `weights_only=True`), "
        "`model.json` (metadata, SHA-256 of the weights).",
        "* Intended use: somatic SNVs and small indels in a tumor without a matched normal, with "
        "a population allele-frequency resource (gnomAD) and a panel of normals "
        "(`oncogen pon`). Trained on simulated data only.",
        "",
        "## Training data",
        "",
        f"{len(training['sets'])} tumors simulated by `oncogen simulate --population-sites 10` "
        "from real GRCh37 chromosome 20 (Debian vt-examples, MIT), 0.5 Mb each in the caller's "
        "training regions (20:20,000,001-26,000,000 and 20:30,000,001-34,000,000); the "
        "held-out benchmark regions 20:40-48 Mb are not used. Tumor depth 40-100x, purity "
        "0.5-1.0, VAF 4-50% in a pure clonal tumor, minimap2 and bwa mem, 8-oxoG, FFPE and "
        "PCR-duplicate artefacts. Germline: one person drawn from the simulated population (its "
        "population.vcf.gz is the resource the network reads) plus private variants absent "
        "from it: 20 per Mb in to1-to5 (a real person's rate), 200 per Mb in to6-to13 (enough "
        "private heterozygous germline alleles, the errors that matter in tumor-only mode, to "
        "learn from). Settings per tumor and how to reproduce: "
        "`bash models/train_tumor_only_caller.sh`.",
        "",
        "| set | tumor BAM |",
        "|---|---|",
        *(f"| {s['name']} | `{s['tumor']}` |" for s in training["sets"]),
        "",
        f"Training candidates {training['candidates']['train']:,} (artefact "
        f"{labels['artefact']:,}, germline {labels['germline']:,}, somatic "
        f"{labels['somatic']:,}), validation candidates "
        f"{training['candidates']['validation']:,} (20% of 100 kb blocks, never trained on). "
        "Labels: somatic = allele in the truth VCF; germline = allele in the person's germline "
        "VCF; artefact = any other candidate (sequencing and PCR errors, 8-oxoG, FFPE).",
        "",
        "## Training procedure",
        "",
        f"AdamW (learning rate {training['learning_rate']}, weight decay "
        f"{training.get('weight_decay', 1e-4)}, batch {training['batch_size']}), dropout "
        f"{training.get('dropout', 0.2)} in the head, class-weighted cross-entropy, early "
        f"stopping on validation loss; best epoch {metrics['best_epoch']} of "
        f"{metrics['epochs_run']}; seed {training['seed']}.",
        "",
        "## Validation metrics (candidate level, held-out blocks of the training regions)",
        "",
        "SNVs at the training loop's best-F1 PASS threshold (before the operating point is "
        "tuned) with FILTER germline at GERMLINE_PROB >= 0.5 or above PROB: "
        f"precision {snv['precision']:.3f}, recall {snv['recall']:.3f}, F1 {snv['f1']:.3f} (all "
        "VAFs, every candidate; most false positives are 2-3 read candidates below 10% VAF). "
        "Germline candidates that get FILTER germline: "
        f"{metrics['validation_germline_recall']:.3f}; somatic ones that get it: "
        f"{metrics['validation_somatic_flagged_germline']:.3f}.",
        "",
    ]
    point = metrics.get("operating_point")
    if point:
        chosen = point["chosen"]
        lines += [
            "## Operating point (validation tumors)",
            "",
            f"Chosen on {', '.join(point['sets'])} (20:33,000,001-34,000,000, inside the training "
            "regions, never trained on; 60x, purity 0.8, 100 private germline variants per Mb) "
            "by a rule fixed before any held-out scoring "
            "(`onco_genomics/caller/tumor_only_operating_point.py`): "
            f"{point['rule']}, with min_recall {point['min_recall']} and private germline calls "
            f"weighted {point['germline_weight']} (the benchmark's 20 per Mb instead of 100); "
            f"{point['grid_size']} grid points. Chosen: PASS threshold "
            f"{chosen['threshold']:.2f}, germline threshold {chosen['germline_threshold']:.2f}; "
            f"there SNV precision {chosen['precision']:.3f}, recall {chosen['recall']:.3f} "
            f"(VAF >= 10%), {chosen['germline_per_mb']:.2f} weighted germline calls per Mb.",
            "",
        ]
    if benchmark:
        lines += ["## Held-out benchmark", "",
                  "`python benchmarks/caller_tumor_only.py --work /tmp/oncogen_tumor_only_bench "
                  "--threads 2` (three held-out tumors, 60x, purity 0.8, 10-normal panel; "
                  "docs/caller.md, section Tumor-only calling):", "", benchmark.strip(), "",
                  "Targets of issue 18 for tumor-only: SNV precision >= 0.9 at recall >= 0.8 "
                  "(VAF >= 10%) and < 1 germline variant per Mb called somatic. All three are "
                  "met here, not by much: 0 germline calls in 1.5 Mb holding 29 private "
                  "heterozygous germline SNVs (absent from the resource); an oracle that knows "
                  "the purity and the generative model expects 0.30 per Mb at this recall "
                  "(`python benchmarks/caller_tumor_only_oracle.py --work "
                  "/tmp/oncogen_tumor_only_bench`; docs/caller.md), and a first training run "
                  "of this recipe (data order then varied with worker timing; training is "
                  "deterministic now) scored 0.974 / 0.848 / 1.33 (two private variants at VAF "
                  "0.38-0.40).",
                  "",
                  "Disclosure: the previous model (5 tumors, 20 private germline variants per "
                  "Mb, PASS at 0.20, FILTER germline at 0.5 or above PROB) scored 0.896 / 0.913 "
                  "/ 7.33 on these tumors, and its first predecessor 0.891 / 0.855 / 9.33; "
                  "those results led to this model's design (more private germline variants "
                  "in training, an operating point tuned on validation tumors). This model's "
                  "regularisation and thresholds were chosen on the validation tumors only, "
                  "and it was shipped by a rule fixed before it was scored here (fewer germline "
                  "per Mb than 7.33 at precision >= 0.896 and recall >= 0.8; the deterministic "
                  "retrain replaced the first run by that rule whatever its score). The "
                  "previous weights with the same tuned operating point score 0.950 / 0.862 / "
                  "1.33: much of the gain is the operating point.", ""]
    lines += [
        "## Limitations",
        "",
        "* Simulated data only: no copy-number changes or loss of heterozygosity (the nearby "
        "heterozygous sites sit at 0.5 in the tumor), one population model, Illumina-like "
        "reads from one simulator.",
        "* Germline variants absent from the resource (private to the person) are told apart "
        "from somatic ones by VAF alone; at purity 0.8 a clonal heterozygous somatic variant "
        "(VAF 0.4) and a heterozygous germline one (0.5) overlap at 60x, so some private "
        "germline variants are called somatic. The network has no purity input: its operating "
        "point was tuned at purity 0.8; at purity near 1 (somatic VAF up to 0.5) it loses "
        "recall or calls more germline variants.",
        "* Recurrent pipeline artefacts look like low-VAF variants in a tumor alone; they are "
        "removed by the panel of normals, not by the network (they are not in its training "
        "data).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--benchmark", type=Path, default=None)
    parser.add_argument("-o", "--output", type=Path, action="append", required=True)
    args = parser.parse_args(argv)
    meta = json.loads((args.model / "model.json").read_text())
    text = render(meta, args.benchmark.read_text() if args.benchmark else None)
    for path in args.output:
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
