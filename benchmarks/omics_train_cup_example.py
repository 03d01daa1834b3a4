"""Train the shipped example CUP model (onco_genomics/data/models/cup_example).

It is trained on the Khan small round blue cell tumour set (63 samples, 4 tumour types,
2,308 cDNA genes; see onco_genomics/data/expression/README.md). It demonstrates the CUP
machinery (preprocessing, calibration, confidence flag, SHAP); it is NOT a pan-cancer
classifier.

    nice -n 5 python benchmarks/omics_train_cup_example.py [OUTPUT_DIR]
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from onco_genomics.datasets import load_expression_set
from onco_genomics.omics.cup import TrainingOptions, model_card_markdown, train_classifier
from onco_genomics.omics.evaluation import plot_confusion

INTENDED_USE = """**Demonstration model. Not a pan-cancer classifier.** It separates only the four
childhood small round blue cell tumours of the Khan et al. (2001) cDNA microarray set
(Ewing sarcoma EWS, rhabdomyosarcoma RMS, neuroblastoma NB, Burkitt lymphoma BL), from 63
samples. It exists so that `oncogen cup`, calibration, the confidence flag and
`--explain` work out of the box and can be tested. Any other tumour type will be forced
into one of these four classes. Train a real model on TCGA pan-cancer expression with
`oncogen train cup` (see docs/omics.md).

Input: log-ratio expression of the Khan cDNA clones (`GENE1`..`GENE2308`, as in
`onco_genomics/data/expression/khan_expression.csv.gz`), samples as rows; up to 20 % of
the genes may be missing (imputed with training medians).
Trained by `nice -n 5 python benchmarks/omics_train_cup_example.py`."""


def main(output: Path) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    data = load_expression_set("khan")
    options = TrainingOptions(model="xgboost", task="cup", input_type=data.input_type,
                              n_features=1000, cv_splits=5, cv_repeats=3, seed=0)
    trained = train_classifier(
        data.expression, data.labels, options=options,
        training_data={"name": "Khan SRBCT (demonstration)",
                       "source": "Bioconductor impute::khanmiss (Khan et al. 2001), "
                                 "exported in onco_genomics/data/expression"})
    trained.card["intended_use"] = "demonstration only; not a pan-cancer classifier"
    path = trained.save(output)
    (path / "MODEL_CARD.md").write_text(model_card_markdown(trained.card,
                                                            intended_use=INTENDED_USE))
    assert trained.report is not None
    plot_confusion(trained.report, path / "confusion_matrix.png",
                   title="cup_example (Khan SRBCT), 3x5-fold CV")
    print(trained.report.table())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else
         Path(__file__).resolve().parents[1] / "onco_genomics/data/models/cup_example")
