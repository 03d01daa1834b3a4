"""Candidate scan and tensor encoding of tumour/normal pileups.

* :mod:`~onco_genomics.pileup.candidates`: :class:`PileupOptions`, :class:`Candidate`,
  :class:`AlleleDepths` and the proposal thresholds;
* :mod:`~onco_genomics.pileup.fetch`: filtered reads of a BAM as flat arrays;
* :mod:`~onco_genomics.pileup.columns`: numba kernels for per-column statistics on the
  augmented (insertion-aware) alignment;
* :mod:`~onco_genomics.pileup.encode`: the tensor contract (:data:`CHANNELS`, :data:`WINDOW`,
  :func:`encoder_spec`) and :class:`PileupBatch`;
* :mod:`~onco_genomics.pileup.scan`: :func:`scan_region`, the per-chunk entry point.
"""
