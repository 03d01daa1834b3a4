"""Omics models: shared preprocessing, estimators, CUP, subtypes, drug response, survival.

Modules: :mod:`.model_dir` (save/load model directories), :mod:`.torch_training` (the
shared torch training loop), :mod:`.preprocess` (sklearn transformers),
:mod:`.classifiers` (MLP, 1D-CNN, xgboost, logistic estimators), :mod:`.cup`,
:mod:`.subtype`, :mod:`.mutation_features`. Import the submodules directly; this package
imports nothing heavy.
"""

from __future__ import annotations
