#!/usr/bin/env bash
# Reproduce the shipped tumor-only caller model, onco_genomics/data/models/caller_tumor_only/.
#
#   bash models/train_tumor_only_caller.sh            # simulate, then train and tune (about 15 min on 2 busy cores)
#   bash models/train_tumor_only_caller.sh simulate   # only the training and validation tumors
#   bash models/train_tumor_only_caller.sh train      # only training and the operating point
#
# Environment: WORK (scratch folder, default /tmp/oncogen_tumor_only_training), THREADS
# (default 2), OUT (model folder, default onco_genomics/data/models/caller_tumor_only), LR,
# WEIGHT_DECAY, DROPOUT (default 1e-3, 0.05, 0.3: the shipped model; the previous recipe,
# 2e-3, 1e-4, 0.2, gave more germline calls on the validation tumors).
#
# Data: thirteen tumors simulated by `oncogen simulate --population-sites 10` from real
# GRCh37 chromosome 20 sequence (Debian vt-examples, MIT), 0.5 Mb each, 6.5 Mb in all, inside
# the regions reserved for caller training (20:20,000,001-26,000,000 and
# 20:30,000,001-34,000,000; see models/train_default_caller.sh): to1-to5 in
# 20:23,000,001-25,500,000, to6-to9 in 20:30,000,001-32,000,000, to10-to13 in
# 20:20,000,001-22,000,000. The held-out benchmark regions 20:40,000,001-48,000,000 are not
# used. Each tumor's germline is one person drawn from a simulated population
# (site-frequency spectrum ~ 1/AF, 10 sites per kb; the population VCF is the germline
# resource the network reads) plus private variants absent from the population: 20 per Mb
# in to1-to5, 200 per Mb in to6-to13 (a real person has about 20; the raised rate gives the
# network enough private heterozygous germline alleles, the errors that matter in
# tumor-only mode, to learn from). Conditions: tumor depth 40-100x, purity 0.5-1.0, VAF
# 4-50% in a pure clonal tumor (heterozygous somatic variants without copy-number change:
# at most purity / 2 in the tumor BAM, below the person's heterozygous germline variants at
# 0.5), both aligners, 8-oxoG, FFPE and PCR-duplicate artefacts. Recurrent
# (panel-of-normals) artefacts are left out of training on purpose: they look like true
# low-VAF variants in the tumor alone, and removing them is the panel of normals' job, not
# the network's. Somatic rates are raised (500 SNVs + 100 indels per Mb) to give enough
# positives. The normal BAM of each simulation is made at 5x and not used.
#
# Operating point: two more tumors, toval1 and toval2 (20:33,000,001-34,000,000; 60x,
# purity 0.8, 200 SNVs + 30 indels per Mb, VAF 2-50%, 100 private germline variants per Mb),
# never trained on, choose the PASS and germline thresholds
# (onco_genomics/caller/tumor_only_operating_point.py): the fewest germline calls per Mb
# among thresholds with SNV recall >= 0.85 (truth VAF >= 10%), private germline calls
# weighted 0.2 (20 per Mb, the benchmark's rate, instead of 100).
set -euo pipefail

PHASE=${1:-all}
WORK=${WORK:-/tmp/oncogen_tumor_only_training}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/onco_genomics/data/models/caller_tumor_only}
REF=$WORK/ref/20.fa

mkdir -p "$WORK/ref"
if [ ! -s "$REF.fai" ]; then
    zcat /usr/share/doc/vt/examples/ref/20.fa.gz > "$REF"
    samtools faidx "$REF"
fi

BWA="--aligner bwa --align-to regions"
REG="--align-to regions"
TRAIN="--snv-rate 500 --indel-rate 100"
P200="--private-germline-rate 200"
TUNE="--snv-rate 200 --indel-rate 30 --private-germline-rate 100 $REG"
# name  region  tumor-depth purity vaf seed  extra options
CONFIGS=(
  "to1 20:23000001-23500000  60 0.8 0.05-0.5 301 $TRAIN"
  "to2 20:23500001-24000000 100 0.5 0.04-0.5 302 $TRAIN --oxog-sites 40 --mutations random --snv-spectrum SBS1:0.4,SBS5:0.6"
  "to3 20:24000001-24500000  40 1.0 0.05-0.5 303 $TRAIN $BWA --ffpe-sites 60 --ffpe-rate 0.0005"
  "to4 20:24500001-25000000  80 0.6 0.05-0.5 304 $TRAIN $BWA --mutations random"
  "to5 20:25000001-25500000  60 0.7 0.05-0.5 305 $TRAIN --oxog-sites 20 --dup-rate 0.15"
  "to6 20:30000001-30500000  60 0.8 0.05-0.5 306 $TRAIN $P200 $REG"
  "to7 20:30500001-31000000  80 0.6 0.05-0.5 307 $TRAIN $P200 $BWA"
  "to8 20:31000001-31500000  50 0.9 0.05-0.5 308 $TRAIN $P200 --oxog-sites 40 $REG"
  "to9 20:31500001-32000000 100 0.5 0.05-0.5 309 $TRAIN $P200 --mutations random $REG"
  "to10 20:20000001-20500000 60 1.0 0.05-0.5 310 $TRAIN $P200 --dup-rate 0.15 $REG"
  "to11 20:20500001-21000000 40 0.7 0.05-0.5 311 $TRAIN $P200 $BWA --ffpe-sites 60 --ffpe-rate 0.0005"
  "to12 20:21000001-21500000 70 0.8 0.05-0.5 312 $TRAIN $P200 --mutations random $REG"
  "to13 20:21500001-22000000 90 0.65 0.05-0.5 313 $TRAIN $P200 --oxog-sites 20 $REG"
  "toval1 20:33000001-33500000 60 0.8 0.02-0.5 401 $TUNE"
  "toval2 20:33500001-34000000 60 0.8 0.02-0.5 402 $TUNE --oxog-sites 40"
)

if [ "$PHASE" = all ] || [ "$PHASE" = simulate ]; then
  for config in "${CONFIGS[@]}"; do
    read -r name region tdepth purity vaf seed extra <<< "$config"
    if [ -s "$WORK/$name/params.json" ]; then continue; fi
    # shellcheck disable=SC2086
    nice -n 10 oncogen -q simulate --ref "$REF" --region "$region" --out-dir "$WORK/$name" \
        --seed "$seed" --tumor-depth "$tdepth" --normal-depth 5 --purity "$purity" \
        --vaf "$vaf" --population-sites 10 --threads "$THREADS" ${extra:-}
    echo "simulated $name ($region, ${tdepth}x, purity $purity, VAF $vaf ${extra:-})"
  done
fi

if [ "$PHASE" = all ] || [ "$PHASE" = train ]; then
  DATA=()
  for i in $(seq 1 13); do DATA+=(--data "$WORK/to$i"); done
  nice -n 10 oncogen train caller-tumor-only --ref "$REF" -o "$OUT" --threads "$THREADS" \
      "${DATA[@]}" --learning-rate "${LR:-1e-3}" --weight-decay "${WEIGHT_DECAY:-0.05}" \
      --dropout "${DROPOUT:-0.3}" \
      --tune-on "$WORK/toval1" --tune-on "$WORK/toval2" --tune-min-recall 0.85 \
      --tune-germline-weight 0.2
fi
