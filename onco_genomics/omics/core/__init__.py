"""The omics modules every model family shares (no family imports another through here).

- :mod:`.model_dir`: model folders (``model.json`` + card, no pickle) and the explicit
  kind -> "module:Class" table, :data:`~.model_dir.MODEL_KINDS`;
- :mod:`.preprocess`: the sklearn expression transformers (gene ids, alignment,
  normalisation, selection) saved inside classifier Pipelines;
- :mod:`.torch_training`: the one torch training loop (validation split, early stopping).

``classification``, ``survival`` and ``drug_response`` import these; these import none of
them, nor :mod:`onco_genomics.omics` itself. The old paths ``omics.model_dir``,
``omics.preprocess`` and ``omics.torch_training`` re-export the names. This package imports
nothing heavy (torch only inside :mod:`.torch_training`'s functions).
"""

from __future__ import annotations
