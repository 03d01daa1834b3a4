"""Render the caller model card (Markdown) from a model folder's model.json.

Usage::

    python models/caller_model_card.py onco_genomics/data/models/caller_default \\
        --benchmark docs/benchmarks/caller.md \\
        -o onco_genomics/data/models/caller_default/MODEL_CARD.md -o docs/model_cards/caller.md
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.3f}"
    return str(value)


def render(meta: dict[str, Any], benchmark: str | None) -> str:
    training = meta["training"]
    validation = meta["metrics"]["validation"]
    options = training["options"]
    lines = [
        "# Model card: oncogen CNN somatic caller (`caller_default`)",
        "",
        f"* Kind `{meta['kind']}`, oncogen {meta['oncogen_version']}, encoder "
        f"{meta['encoder']['version']} ({len(meta['encoder']['channels'])} channels x "
        f"{meta['encoder']['window']} columns), {meta['parameters']:,} parameters, "
        f"decision threshold {meta['threshold']:.2f} (PASS at or above)"
        + (f", chosen on the held-out benchmark pair(s) "
           f"{', '.join(meta['threshold_source']['pairs'])} (a region never used in "
           f"training; {meta['threshold_source']['rule']}; the validation split's own choice "
           f"was {meta['threshold_validation']:.2f})"
           if meta.get("threshold_source") else "") + ".",
        *(["* PROB is Platt-calibrated per variant type on the same pair(s) "
           "(`calibration` in model.json: "
           + ", ".join(f"{k} slope {v[0]:.3f}, intercept {v[1]:.3f}"
                       for k, v in meta["calibration"].items()
                       if k not in ("method", "fitted_on")) + "); reliability table in "
           "docs/benchmarks/caller.md."] if meta.get("calibration") else []),
        f"* Network: {meta['network']}.",
        "* Files: `weights.pt` (torch state_dict, loaded with `weights_only=True`), "
        "`model.json` (all metadata below, SHA-256 of the weights).",
        "* Intended use: somatic SNVs and small indels from matched tumor/normal short-read "
        "Illumina-like BAMs aligned to GRCh37/38. Trained on simulated data only (see "
        "limitations).",
        "",
        "## Training data",
        "",
        "Tumor/normal pairs simulated with `oncogen simulate` from real GRCh37 chromosome 20 "
        "sequence (Debian vt-examples, MIT), reads aligned with minimap2 or bwa mem (column "
        "`other`); somatic SNVs at real breast-cancer positions (BRCA_bench, brca-chr20) "
        "topped up at random, or at random positions following COSMIC SBS signatures "
        "(`snv_spectrum`); 1-20 bp indels; germline SNPs/indels; tumor-in-normal "
        "(`contamination`); PCR duplicates (with PCR errors), 8-oxoG and FFPE deamination "
        "artefacts. Reproduce with `bash models/train_default_caller.sh`.",
        "",
        "| set | region | tumor x | normal x | purity | VAF (pure) | other | candidates | "
        "somatic candidates | truth variants |",
        "|---|---|---:|---:|---:|---|---|---:|---:|---:|",
    ]
    for item in training["sets"]:
        sim = item.get("simulation", {})
        params = dict(sim)
        region = ",".join(params.get("regions", [])) if isinstance(params.get("regions"), list) \
            else params.get("region", "")
        other = []
        for key in ("contamination", "oxog_sites", "oxog_rate", "ffpe_sites", "ffpe_rate",
                    "dup_rate", "subclones", "mutations", "snv_spectrum", "aligner",
                    "qualities"):
            if key in params and params[key] not in ("", 0, 0.0, [], None):
                other.append(f"{key}={params[key]}")
        lines.append(
            f"| {item['name']} | {region} | {params.get('tumor_depth', '')} | "
            f"{params.get('normal_depth', '')} | {params.get('purity', '')} | "
            f"{params.get('vaf', '')} | {', '.join(other)} | {item['candidates']:,} | "
            f"{item['somatic_candidates']:,} | {item['truth_variants']:,} |")
    split = validation.get("split", {})
    lines += [
        "",
        "The model file records only the settings in the table; each pair's aligner, "
        "substitution spectrum and FFPE settings are in `models/train_default_caller.sh` "
        "(bwa mem for t02, t04, t06, t08, t10, t12; FFPE artefacts in t06, t09, t13).",
        "",
        f"Candidate allele fraction floor {training['min_af']}. Truth variants without a "
        "candidate (mostly VAF < 5 % with fewer than 2 ALT reads) cannot be called by any "
        "model; the table shows how many were proposed.",
        "",
        "## Training procedure",
        "",
        f"Validation held out by region: {fmt(split.get('val_fraction'))} of "
        f"{split.get('block_size'):,}-base blocks, candidates within {split.get('margin'):,} "
        "bases of block edges dropped from both splits. Each epoch: all positives plus "
        f"{options['negative_ratio']} sampled negatives per positive; substitution "
        f"balancing {'on' if options.get('balance_substitutions') else 'off'} (SNV "
        "positives weighted so each of the six substitution classes counts equally); "
        f"augmentation "
        f"{'on' if options['augment'] else 'off'}; AdamW lr {options['learning_rate']}, batch "
        f"{options['batch_size']}; early stopping on validation average precision (patience "
        f"{options['patience']}); seed {options['seed']}. Best epoch {training['best_epoch']} "
        f"of {len(training['history'])}. Training candidates {split.get('train_candidates'):,} "
        f"({split.get('train_positives'):,} somatic).",
        "",
        "## Held-out validation metrics (candidate level, region-held-out blocks)",
        "",
        f"{validation['candidates']:,} candidates, {validation['positives']:,} somatic; "
        f"average precision {fmt(validation['average_precision'])}; germline false positives "
        f"{validation['germline_false_positives']}.",
        "",
        "| type | TP | FP | FN | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label in (("snv", "SNV"), ("indel", "indel"), ("all", "all")):
        m = validation[key]
        lines.append(f"| {label} | {m['tp']} | {m['fp']} | {m['fn']} | {fmt(m['precision'])} | "
                     f"{fmt(m['recall'])} | {fmt(m['f1'])} |")
    lines += ["", "Recall by truth VAF bin (of proposed candidates):", "",
              "| VAF bin | somatic | recall |", "|---|---:|---:|"]
    for name, m in validation["recall_by_vaf"].items():
        lines.append(f"| {name} | {m['positives']} | {fmt(m['recall'])} |")
    by_class = validation.get("snv_by_substitution")
    if by_class:
        lines += ["", "SNVs by substitution class (pyrimidine-centred; the validation pairs "
                  "follow the training spectrum, so the rare classes have few positives):", "",
                  "| class | TP | FP | FN | precision | recall | F1 |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for name, m in by_class.items():
            lines.append(f"| {name} | {m['tp']} | {m['fp']} | {m['fn']} | "
                         f"{fmt(m['precision'])} | {fmt(m['recall'])} | {fmt(m['f1'])} |")
    lines += [
        "",
        "Whole-pipeline accuracy on held-out simulated pairs (20:40-48 Mb, including "
        "conditions not in training), beside the allele-count rule, freebayes + the rule, "
        f"bcftools and freebayes: see {benchmark or 'docs/benchmarks/caller.md'}.",
        "",
        "## Limitations",
        "",
        "* Trained only on simulated reads from one chromosome with the simulator's error and "
        "artefact models; real data bring artefacts it has not seen (FFPE deamination, "
        "mapping artefacts in paralogous regions (the simulator indexes only the simulated "
        "windows), strand-bias patterns of other library preparations). Expect lower "
        "precision on real samples; retrain with `oncogen train caller` on truth-labelled "
        "real pairs where available.",
        "* Variants with fewer than 2 tumor ALT reads or below the candidate AF floor are "
        "never proposed; `oncogen call` marks SNVs with fewer than 3 tumor ALT reads "
        "LowAltReads (not PASS; `--min-snv-alt-reads 2` takes them back), because two "
        "coincident sequencing errors outnumber true 2-read SNVs several-fold and this "
        "network does not separate them (benchmarks/caller_lowvaf_ceiling.py). Indels longer "
        "than 20 bp share one length class.",
        "* PROB is calibrated (Platt, per variant type) on one held-out pair whose conditions "
        "are in training (60x, minimap2, breast spectrum); on pairs unlike it the calibration "
        "is only approximate (docs/benchmarks/caller.md, reliability on the other pairs).",
        "* The training and validation pairs carry about 650 somatic variants per Mb, far "
        "denser than real tumours (1-100 per Mb); the decision threshold was chosen at that "
        "density, so on a real tumour expect lower precision than the tables show, mostly "
        "from low-AF calls.",
        "* The simulator placed read 2's soft clip on the wrong end before the fix of "
        "2026-12-01 (docs/simulate.md); this model was trained on pairs simulated after it.",
        "* Reproducibility: the pairs were simulated with the simulator of this repository's "
        "history at the time of training; later simulator changes can make "
        "`models/train_default_caller.sh` give slightly different data and weights.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("-o", "--output", type=Path, action="append", required=True)
    parser.add_argument("--benchmark", default=None)
    args = parser.parse_args(argv)
    meta = json.loads((args.model / "model.json").read_text())
    text = render(meta, args.benchmark)
    for path in args.output:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
