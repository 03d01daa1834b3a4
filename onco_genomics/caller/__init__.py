"""The CNN somatic caller: network, model files, training, chunked calling and VCF records.

Modules, in data-flow order: :mod:`.scanning` (chunks -> pileup batches, worker processes),
:mod:`.network` (the CNN), :mod:`.model` (model files), :mod:`.inference` (batched scoring,
device choice), :mod:`.records` (calls, filters, VCF header), :mod:`.calling`
(:func:`~onco_genomics.caller.calling.call_somatic`), and for training :mod:`.labels`,
:mod:`.dataset` and :mod:`.train`. Importing this package does not import torch.
"""
