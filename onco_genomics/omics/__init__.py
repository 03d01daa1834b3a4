"""Omics models: shared preprocessing, classifiers (CUP, subtypes), drug response, survival.

Subpackages: :mod:`.classification` (estimators and the one training path of CUP,
mutation-CUP and subtypes), :mod:`.survival`, :mod:`.drug_response`. Shared modules:
:mod:`.model_dir` (model folders and the kind -> class table), :mod:`.preprocess` (sklearn
transformers), :mod:`.torch_training` (the shared torch loop), :mod:`.reactome` and
:mod:`.pathway_network`, :mod:`.mutation_features`. Users of the classifiers:
:mod:`.cup`, :mod:`.subtype` (also consensus-NMF discovery). Only ``survival.deep``,
``drug_response.multitask``, ``pathway_network`` and the torch classifiers' methods import
torch. The flat module names of the old layout (``survival_models``, ``classifiers``, ...)
re-export the moved names. This package imports nothing heavy.
"""

from __future__ import annotations
