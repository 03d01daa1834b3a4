"""A simulated population: germline sites with allele frequencies, individuals drawn from it.

Tumor-only calling needs what a matched normal would have told: which alleles are common
in people (a germline resource such as gnomAD) and which sites a sequencing pipeline gets
wrong again and again (a panel of normals). The simulator stands in for both:

* :func:`plant_population` places population variant sites (SNVs and short indels) on the
  window with allele frequencies drawn from the neutral site-frequency spectrum
  (density proportional to ``1/AF``, Watterson 1975), expressed as allele counts out of
  :data:`ALLELE_NUMBER` chromosomes, as gnomAD reports them. Most sites are rare (about
  a third have AF below 1e-3, singletons the most frequent count), a few are common.
* :func:`sample_individual` draws one person's genotypes under Hardy-Weinberg: each of the
  two haplotypes carries a site's ALT with probability AF. With 10 sites per kb a person
  carries about 0.9 heterozygous and 0.45 homozygous variants per kb (a human genome:
  about 0.6-0.8 and 0.4).
* :func:`plant_recurrent_artefacts` places sites where every library of the pipeline shows
  a few percent of reads with a non-reference base (mapping and systematic sequencing
  artefacts); they appear in the tumor, its normal and every normal of a panel of normals.
* :func:`write_population` writes the sites as a sites-only VCF with INFO ``AC``, ``AN``
  and ``AF`` (bgzipped and tabix-indexed): the germline resource of the simulation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from onco_genomics.io.variants import HeaderField, Variant, VcfHeader, write_vcf
from onco_genomics.simulate.genome import Window
from onco_genomics.simulate.plant import (
    Occupancy,
    PlantedVariant,
    _random_indel,
    _random_snv,
)

log = logging.getLogger(__name__)

#: chromosomes in the simulated population (gnomAD v2 genomes: about 30,000 people)
ALLELE_NUMBER = 60_000
#: share of population sites that are indels (gnomAD: about 10%)
INDEL_FRACTION = 0.1
#: bases kept free either side of a population site (sites may be close, as in people)
POPULATION_SPACING = 1
#: share of reads showing the artefact allele at a recurrent artefact site
ARTEFACT_FRACTION_RANGE = (0.04, 0.15)

POPULATION_INFO = (
    HeaderField("AC", "A", "Integer", "ALT allele count in the simulated population"),
    HeaderField("AN", "1", "Integer", "Chromosomes in the simulated population"),
    HeaderField("AF", "A", "Float",
                "ALT allele frequency in the simulated population (AC/AN), drawn from the "
                "neutral site-frequency spectrum (density proportional to 1/AF)"),
    HeaderField("TYPE", "1", "String", "Variant type: SNV, INS or DEL"),
)

RECURRENT_INFO = (
    HeaderField("FRACTION", "1", "Float",
                "Share of fragments showing the artefact allele in every library"),
)


@dataclass(frozen=True)
class PopulationSite:
    """A variant site of the population and its allele count.

    Attributes
    ----------
    variant
        The allele (``haplotypes`` is a placeholder; individuals get their own).
    allele_count, allele_number
        ALT chromosomes and all chromosomes of the population.
    """

    variant: PlantedVariant
    allele_count: int
    allele_number: int = ALLELE_NUMBER

    def __post_init__(self) -> None:
        if not 0 < self.allele_count < self.allele_number:
            raise ValueError(f"population site needs 0 < AC < AN, got {self.allele_count}/"
                             f"{self.allele_number}")

    @property
    def af(self) -> float:
        return self.allele_count / self.allele_number


def draw_allele_counts(rng: np.random.Generator, n: int,
                       allele_number: int = ALLELE_NUMBER) -> np.ndarray:
    """Allele counts of ``n`` sites from the neutral spectrum ``P(AC = k) ~ 1/k``.

    ``AC`` is log-uniform on ``[1, AN)``, rounded down, so each count ``k`` has probability
    proportional to ``log((k + 1) / k)``, about ``1/k``.
    """
    draws = np.exp(rng.uniform(0.0, np.log(allele_number), size=n))
    return np.clip(np.floor(draws).astype(np.int64), 1, allele_number - 1)


def plant_population(window: Window, occupancy: Occupancy, rng: np.random.Generator, *,
                     sites_per_kb: float, allele_number: int = ALLELE_NUMBER
                     ) -> list[PopulationSite]:
    """Population variant sites in the window's free confident bases.

    Parameters
    ----------
    window, occupancy
        Where sites may go; taken positions are marked in ``occupancy``.
    rng
        Random stream of the window.
    sites_per_kb
        Population sites per kb of free confident sequence.
    allele_number
        Chromosomes of the population.
    """
    free = np.flatnonzero(occupancy.free)
    n_sites = int(rng.poisson(sites_per_kb * free.size / 1e3))
    counts = draw_allele_counts(rng, n_sites, allele_number)
    sites: list[PopulationSite] = []
    for count in counts.tolist():
        for _ in range(10):
            pos = occupancy.random_free(rng)
            if pos is None:
                break
            variant: PlantedVariant | None
            if rng.random() < INDEL_FRACTION:
                length = int(rng.choice([1, 1, 1, 1, 2, 2, 3, 4]))
                variant = _random_indel(window, pos, length, bool(rng.random() < 0.5), rng,
                                        (0, 1), "population")
            else:
                variant = _random_snv(window, pos, rng, (0, 1), "population")
            if variant is None:
                continue
            lo = variant.span_start - window.start - POPULATION_SPACING
            hi = variant.span_end - window.start + POPULATION_SPACING
            if lo < 0 or hi > occupancy.free.shape[0] or not occupancy.free[lo:hi].all():
                continue
            occupancy.take(variant.span_start - POPULATION_SPACING,
                           variant.span_end + POPULATION_SPACING)
            sites.append(PopulationSite(variant, int(count), allele_number))
            break
    sites.sort(key=lambda s: (s.variant.pos, s.variant.ref, s.variant.alt))
    log.info("window %s: %d population sites", window.region, len(sites))
    return sites


def sample_individual(sites: Sequence[PopulationSite], rng: np.random.Generator
                      ) -> list[PlantedVariant]:
    """One person's germline variants: each haplotype carries an ALT with probability AF."""
    if not sites:
        return []
    af = np.array([s.af for s in sites])
    carried = rng.random((len(sites), 2)) < af[:, None]
    out: list[PlantedVariant] = []
    for site, (hap0, hap1) in zip(sites, carried.tolist(), strict=True):
        haps = tuple(h for h, on in ((0, hap0), (1, hap1)) if on)
        if haps:
            out.append(replace(site.variant, haplotypes=haps, source="germline"))
    return out


def plant_recurrent_artefacts(window: Window, occupancy: Occupancy, rng: np.random.Generator,
                              *, n_sites: int) -> list[PlantedVariant]:
    """Sites where every library shows a non-reference base in a few percent of reads.

    Returned as variants on both haplotypes whose ``vaf`` is the share of fragments that
    show the artefact (spiked into every sample at that share).
    """
    out: list[PlantedVariant] = []
    low, high = ARTEFACT_FRACTION_RANGE
    for _ in range(n_sites):
        for _ in range(20):
            pos = occupancy.random_free(rng)
            if pos is None:
                break
            variant = _random_snv(window, pos, rng, (0, 1), "recurrent_artefact")
            if variant is not None and occupancy.is_free(variant.span_start, variant.span_end):
                occupancy.take(variant.span_start - 12, variant.span_end + 12)
                out.append(replace(variant, vaf=float(rng.uniform(low, high))))
                break
    return sorted(out, key=lambda v: v.pos)


def population_records(sites: Sequence[PopulationSite]) -> list[Variant]:
    """Sites-only records with AC, AN and AF."""
    return [Variant(s.variant.chrom, s.variant.pos, s.variant.ref, s.variant.alt, info={
        "AC": s.allele_count, "AN": s.allele_number, "AF": round(s.af, 8),
        "TYPE": s.variant.kind}) for s in sites]


def write_population(path: Path, sites: Sequence[PopulationSite], *,
                     contigs: Sequence[tuple[str, int]], reference: str,
                     command_line: str) -> Path:
    """Write the population as a bgzipped, tabix-indexed sites-only VCF (the resource)."""
    header = VcfHeader(contigs=contigs, reference=reference, info=POPULATION_INFO,
                       command_line=command_line,
                       extra_lines=("##oncogenSimulation=population of oncogen simulate "
                                    "(germline resource: pass as --germline-resource)",))
    return write_vcf(path, header, population_records(sites))


def write_recurrent(path: Path, sites: Sequence[PlantedVariant], *,
                    contigs: Sequence[tuple[str, int]], reference: str,
                    command_line: str) -> Path:
    """Write the recurrent artefact sites (any call there is a false positive)."""
    header = VcfHeader(contigs=contigs, reference=reference, info=RECURRENT_INFO,
                       command_line=command_line,
                       extra_lines=("##oncogenSimulation=recurrent artefact sites of oncogen "
                                    "simulate (in every library)",))
    return write_vcf(path, header, [Variant(v.chrom, v.pos, v.ref, v.alt,
                                            info={"FRACTION": round(v.vaf, 4)})
                                    for v in sites])
