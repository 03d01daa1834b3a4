"""Omics models: shared preprocessing, classifiers (CUP, subtypes), drug response, survival.

Subpackages: :mod:`.core`, what every family shares (:mod:`.core.model_dir`, model folders
and the kind -> class table; :mod:`.core.preprocess`, sklearn transformers;
:mod:`.core.torch_training`, the shared torch loop), and the families above it,
:mod:`.classification` (estimators and the one training path of CUP, mutation-CUP and
subtypes), :mod:`.survival`, :mod:`.drug_response`. Also here: :mod:`.reactome` and
:mod:`.pathway_network`, :mod:`.mutation_features`. Users of the classifiers:
:mod:`.cup`, :mod:`.subtype` (also consensus-NMF discovery). Only ``survival.deep``,
``drug_response.multitask``, ``pathway_network`` and the torch classifiers' methods import
torch. The flat module names of the old layout (``survival_models``, ``classifiers``,
``model_dir``, ...) re-export the moved names. This package imports nothing heavy.
"""

from __future__ import annotations
