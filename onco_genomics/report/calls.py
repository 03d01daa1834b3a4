"""What a report shows about one call set: counts, VAFs, spectrum, signatures, evaluation.

:func:`summarise_calls` reads a somatic VCF (any caller's; oncogen's tumor sample is found
as :func:`onco_genomics.evaluate.compare.call_vaf` finds it) and computes, with the public
API of the other stages, everything :mod:`onco_genomics.report.render` draws.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from onco_genomics.io.variants import Variant

log = logging.getLogger(__name__)

#: pyrimidine-centred substitution classes, in COSMIC order
SUBSTITUTIONS = ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G")
_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def variant_type(variant: Variant) -> str:
    """SNV, INS, DEL or MNV (INFO/TYPE when the caller wrote one)."""
    declared = variant.info.get("TYPE")
    if isinstance(declared, str) and declared:
        return declared.upper()
    if len(variant.ref) == len(variant.alt):
        return "SNV" if len(variant.ref) == 1 else "MNV"
    return "INS" if len(variant.alt) > len(variant.ref) else "DEL"


def substitution_class(ref: str, alt: str) -> str:
    """``C>T`` for both C>T and its reverse complement G>A."""
    if ref in "GA":
        ref, alt = ref.translate(_COMPLEMENT), alt.translate(_COMPLEMENT)
    return f"{ref}>{alt}"


@dataclass(frozen=True)
class CallSummary:
    """One call set, summarised for a report.

    Attributes
    ----------
    name, path
        Display name (the file name) and the VCF.
    counts
        Records by FILTER (rows; ``PASS`` first) and variant type (columns).
    vafs
        Tumour VAF of each PASS record that reports one.
    substitutions
        PASS SNVs per substitution class (:data:`SUBSTITUTIONS`).
    catalog
        SBS96 counts of the PASS SNVs (channels x 1), None without a reference.
    exposures
        Signature fit of that catalog (signature, mutations, fraction), None without one.
    evaluation
        Precision/recall table against a truth VCF, None without one.
    notes
        Remarks for the reader (too few mutations for signatures, ...).
    """

    name: str
    path: Path
    counts: pd.DataFrame
    vafs: np.ndarray
    substitutions: pd.Series
    catalog: pd.DataFrame | None = None
    exposures: pd.DataFrame | None = None
    evaluation: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def n_pass(self) -> int:
        if "PASS" not in self.counts.index:
            return 0
        return int(self.counts.loc[["PASS"]].to_numpy().sum())


def summarise_calls(calls: str | os.PathLike[str], *,
                    reference: str | os.PathLike[str] | None = None,
                    truth: str | os.PathLike[str] | None = None,
                    bed: str | os.PathLike[str] | None = None,
                    signatures: str | None = "cosmic:v3.4",
                    tumor_sample: str | None = None) -> CallSummary:
    """Summarise a somatic VCF for :func:`~onco_genomics.report.render.write_html_report`.

    Parameters
    ----------
    calls
        Somatic VCF (bgzipped or not).
    reference
        FASTA of the calls: adds the SBS96 spectrum and, with ``signatures``, exposures.
    truth, bed
        Truth VCF (and confident regions): adds precision/recall by type and VAF.
    signatures
        Reference signatures for the fit (None: no fit).
    tumor_sample
        Sample whose FORMAT AF/AD gives the VAF (default: as ``oncogen evaluate`` finds it).
    """
    from onco_genomics.evaluate.compare import call_vaf
    from onco_genomics.io.reference import Reference
    from onco_genomics.io.variants import read_variants

    path = Path(calls)
    ref = Reference(reference) if reference is not None else None
    records = list(read_variants(path, reference=ref))
    rows = [("PASS" if not v.filters else ";".join(v.filters), variant_type(v)) for v in records]
    table = pd.DataFrame(rows, columns=["filter", "type"])
    counts = (pd.crosstab(table["filter"], table["type"]) if rows else pd.DataFrame(dtype=int))
    if not counts.empty:
        order = ["PASS", *sorted(i for i in counts.index if i != "PASS")]
        counts = counts.reindex([i for i in order if i in counts.index])
    passed = [v for v in records if not v.filters]
    vafs = np.array([x for v in passed
                     if (x := call_vaf(v, tumor_sample=tumor_sample)) is not None], dtype=float)
    classes = pd.Series(0, index=list(SUBSTITUTIONS), dtype=int)
    for v in passed:
        if variant_type(v) == "SNV" and v.ref in "ACGT" and v.alt in "ACGT":
            classes[substitution_class(v.ref, v.alt)] += 1
    notes: list[str] = []
    catalog = exposures = evaluation = None
    if reference is not None:
        from onco_genomics.spectrum.catalog import build_catalogs

        sbs = build_catalogs([path], ref if ref is not None else reference)["sbs96"]
        catalog = sbs.counts
        if signatures and int(catalog.to_numpy().sum()) > 0:
            from onco_genomics.spectrum.fit import (
                MIN_RELIABLE_MUTATIONS,
                fit_catalog,
            )

            fit = fit_catalog(sbs, signatures)
            exposures = fit.exposure_table()
            total = int(catalog.to_numpy().sum())
            if total < MIN_RELIABLE_MUTATIONS:
                notes.append(f"{total} SBS mutations: fewer than {MIN_RELIABLE_MUTATIONS}, so "
                             "the signature exposures are a rough hint only")
    if truth is not None:
        from onco_genomics.evaluate.compare import evaluate_calls

        regions = None
        if bed is not None:
            from onco_genomics.io.bed import read_bed

            regions = read_bed(bed)
        result = evaluate_calls(read_variants(truth, reference=ref),
                                read_variants(path, reference=ref), reference=ref,
                                regions=regions, tumor_sample=tumor_sample)
        evaluation = result.table
        notes += list(result.notes)
    log.info("%s: %d records, %d PASS", path, len(records), len(passed))
    return CallSummary(name=path.name, path=path, counts=counts, vafs=vafs,
                       substitutions=classes, catalog=catalog, exposures=exposures,
                       evaluation=evaluation, notes=tuple(notes))
