"""Mutation spectra and signatures.

* :mod:`~onco_genomics.spectrum.contexts`, :mod:`~onco_genomics.spectrum.indel_classes`:
  the SBS96/SBS1536/DBS78/ID83 channels and how a mutation is classified.
* :mod:`~onco_genomics.spectrum.samples`: which records of a VCF/MAF belong to which sample.
* :mod:`~onco_genomics.spectrum.catalog`: :class:`MutationCatalog` and
  :func:`build_catalogs` (``oncogen spectrum``).
* :mod:`~onco_genomics.spectrum.matrix_files`: SigProfiler-layout matrix files.
* :mod:`~onco_genomics.spectrum.reference_signatures`: COSMIC sets, opportunity weights.
* :mod:`~onco_genomics.spectrum.fit`: NNLS fitting with selection and bootstrap
  (``oncogen signatures fit``); its forward/swap path in
  :mod:`~onco_genomics.spectrum.swap_path`, Poisson likelihood and MAP exposures in
  :mod:`~onco_genomics.spectrum.poisson`, the pooled-catalog prior in
  :mod:`~onco_genomics.spectrum.pooled_prior`.
* :mod:`~onco_genomics.spectrum.extract`: de novo NMF extraction
  (``oncogen signatures extract``).
* :mod:`~onco_genomics.spectrum.plots`: spectrum and exposure plots.
"""
