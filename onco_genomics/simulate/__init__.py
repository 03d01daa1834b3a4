"""Simulated tumor/normal BAM pairs with a truth VCF (``oncogen simulate``).

- :mod:`~onco_genomics.simulate.options`: the validated options object.
- :mod:`~onco_genomics.simulate.mutations`: real somatic SNV sources (``brca-chr20``, files).
- :mod:`~onco_genomics.simulate.genome`: windows of the reference and haplotypes.
- :mod:`~onco_genomics.simulate.plant`: germline/somatic variants and artefact sites.
- :mod:`~onco_genomics.simulate.sequencing`: base qualities and sequencing errors.
- :mod:`~onco_genomics.simulate.reads`: fragments, spike-in, 8-oxoG and PCR duplicates.
- :mod:`~onco_genomics.simulate.align`: minimap2 alignment and sorted, indexed BAMs.
- :mod:`~onco_genomics.simulate.truth`: truth/germline/artefact VCFs, BED, params.json.
- :mod:`~onco_genomics.simulate.pair`: :func:`simulate_pair`, the whole run.
"""

from __future__ import annotations

from onco_genomics.simulate.mutations import load_mutations
from onco_genomics.simulate.options import SimulationOptions, VafSpec
from onco_genomics.simulate.pair import SimulationResult, simulate_pair

__all__ = ["SimulationOptions", "SimulationResult", "VafSpec", "load_mutations",
           "simulate_pair"]
