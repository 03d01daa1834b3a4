"""Somatic benchmarking: normalise variants and score calls against a truth set.

- :mod:`~onco_genomics.io.normalize` (re-exported as ``evaluate.normalize``): left-align and
  trim alleles (vt / bcftools norm).
- :mod:`~onco_genomics.evaluate.compare`: match calls to truth, precision/recall/F1 by
  variant type and VAF bin.
"""
