"""Score somatic calls against a truth set: TP/FP/FN, precision, recall and F1.

Both sides go through the same steps before they are compared:

1. split into one ALT allele per record (the VCF readers already do this);
2. normalise with :func:`~onco_genomics.io.normalize.normalize_variant` (left-align and
   trim indels against the reference; without a reference only trimming is done);
3. keep records whose REF span overlaps the regions (a BED), when regions are given;
4. drop exact duplicates (same chrom, pos, REF, ALT after normalisation).

A call matches a truth record when (chrom, pos, REF, ALT) are equal after normalisation.

Variant classes, after normalisation: ``SNV`` (1 base > 1 base), ``INDEL`` (lengths differ,
including complex length-changing records) and ``MNV`` (equal lengths > 1, reported only
when present). ``ALL`` counts every class.

VAF bins
--------
True positives and false negatives are binned by the truth's VAF (INFO field ``VAF`` by
default). False positives have no truth VAF, so they are binned by the call's own tumour
VAF estimate (INFO ``VAF``/``AF``, else the tumour sample's FORMAT ``AF``, else ``AD``);
an FP with no estimate, or a truth record without a VAF, goes to the ``unknown`` bin. So
the precision of a bin is TP(truth VAF in bin) / (TP + FP(call VAF in bin)).

When a metric has a zero denominator (e.g. precision with no calls) it is NaN and the
result's ``notes`` say so; nothing raises.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from onco_genomics.errors import ContigMismatchError, OptionsError
from onco_genomics.io.normalize import SequenceSource, normalize_variant
from onco_genomics.io.variants import Variant
from onco_genomics.progress import Progress
from onco_genomics.regions import Region, merge_regions

log = logging.getLogger(__name__)

#: default VAF bin edges (fractions): bins centred near 5, 10, 20 and 40 %
DEFAULT_VAF_BINS: tuple[float, ...] = (0.0, 0.075, 0.15, 0.30, 1.0)

VariantClass = Literal["SNV", "INDEL", "MNV"]
Status = Literal["TP", "FP", "FN"]

#: columns of :attr:`EvaluationResult.table`
TABLE_COLUMNS: tuple[str, ...] = (
    "variant_type", "vaf_bin", "tp", "fp", "fn", "precision", "recall", "f1", "fp_germline",
)
#: columns of :attr:`EvaluationResult.variants`
VARIANT_COLUMNS: tuple[str, ...] = (
    "chrom", "pos", "ref", "alt", "variant_type", "status", "vaf", "vaf_bin", "germline",
)

_TUMOR_NAMES = ("tumor", "tumour")


def variant_class(variant: Variant) -> VariantClass:
    """SNV, INDEL or MNV for a normalised variant (see the module notes)."""
    if len(variant.ref) != len(variant.alt):
        return "INDEL"
    return "SNV" if len(variant.ref) == 1 else "MNV"


@dataclass(frozen=True)
class VafBins:
    """Half-open VAF bins ``[e0, e1), [e1, e2), ..., [e_{n-1}, e_n]`` (the last one closed).

    Parameters
    ----------
    edges
        Increasing bin edges as fractions in [0, 1], at least two.
    """

    edges: tuple[float, ...] = DEFAULT_VAF_BINS

    def __post_init__(self) -> None:
        edges = self.edges
        if len(edges) < 2 or any(not 0.0 <= e <= 1.0 for e in edges) or any(
                b <= a for a, b in itertools.pairwise(edges)):
            raise OptionsError(
                f"VAF bin edges must be at least two increasing fractions in [0, 1], got "
                f"{list(edges)}; e.g. 0,0.075,0.15,0.3,1 (or in percent on the command line: "
                "0,7.5,15,30,100)"
            )

    @property
    def labels(self) -> list[str]:
        """Bin labels in percent, e.g. ``[7.5,15)%``; the last bin is closed."""
        out = []
        for i, (lo, hi) in enumerate(itertools.pairwise(self.edges)):
            close = "]" if i == len(self.edges) - 2 else ")"
            out.append(f"[{_pct(lo)},{_pct(hi)}{close}%")
        return out

    def label(self, vaf: float | None) -> str:
        """The bin label of ``vaf``, or ``"unknown"`` when it is None, NaN or outside."""
        if vaf is None or math.isnan(vaf) or not self.edges[0] <= vaf <= self.edges[-1]:
            return "unknown"
        index = min(bisect.bisect_right(self.edges, vaf) - 1, len(self.edges) - 2)
        return self.labels[index]


def _pct(value: float) -> str:
    return f"{value * 100:g}"


@dataclass(frozen=True)
class EvaluationResult:
    """Counts and metrics of one comparison.

    Attributes
    ----------
    table
        One row per (``variant_type``, ``vaf_bin``): variant_type in SNV, INDEL, (MNV,)
        ALL; vaf_bin ``"all"``, each bin label, and ``"unknown"`` when any variant lacks
        a VAF. Columns :data:`TABLE_COLUMNS`; ``precision``/``recall``/``f1`` are NaN where
        undefined, ``fp_germline`` is the number of FPs found in the germline VCF
        (<NA> without one).
    variants
        One row per compared variant (columns :data:`VARIANT_COLUMNS`, 0-based ``pos``),
        after normalisation: the TPs (with the truth's VAF), FPs and FNs.
    notes
        Remarks a reader of the numbers needs (undefined metrics, no reference given...).
    settings
        The options used (for the JSON report).
    """

    table: pd.DataFrame
    variants: pd.DataFrame
    notes: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if tuple(self.table.columns) != TABLE_COLUMNS:
            raise ValueError(f"table columns must be {TABLE_COLUMNS}, "
                             f"got {tuple(self.table.columns)}")
        if tuple(self.variants.columns) != VARIANT_COLUMNS:
            raise ValueError(f"variants columns must be {VARIANT_COLUMNS}")
        if (self.table[["tp", "fp", "fn"]] < 0).any().any():
            raise ValueError("counts must be non-negative")

    def row(self, variant_type: str = "ALL", vaf_bin: str = "all") -> pd.Series:
        """The table row for one variant type and VAF bin."""
        hit = self.table[(self.table["variant_type"] == variant_type)
                         & (self.table["vaf_bin"] == vaf_bin)]
        if hit.empty:
            raise KeyError(f"no row for variant_type={variant_type!r}, vaf_bin={vaf_bin!r}")
        return hit.iloc[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: summary rows (NaN -> None), notes and settings."""
        rows = []
        for record in self.table.to_dict(orient="records"):
            rows.append({k: _json_value(v) for k, v in record.items()})
        return {"metrics": rows, "notes": list(self.notes), "settings": dict(self.settings)}

    def write(self, prefix: str | os.PathLike[str], *,
              inputs: Mapping[str, Any] | None = None) -> list[Path]:
        """Write ``PREFIX.tsv`` (the table), ``PREFIX.variants.tsv`` (every variant, 1-based
        ``pos`` as in VCF text) and ``PREFIX.json`` (metrics, notes, settings and
        ``inputs``), all three or none (atomically). Returns the written paths."""
        from onco_genomics.io.atomic import atomic_outputs

        report = self.to_dict()
        if inputs is not None:
            report["inputs"] = {key: None if value is None else str(value)
                                for key, value in inputs.items()}
        variants = self.variants.assign(pos=self.variants["pos"] + 1)  # 1-based in files
        paths = [Path(f"{prefix}{suffix}") for suffix in (".tsv", ".variants.tsv", ".json")]
        with atomic_outputs() as files:  # all three or none
            self.table.to_csv(files.file(paths[0]), sep="\t", index=False, na_rep="NaN")
            variants.to_csv(files.file(paths[1]), sep="\t", index=False, na_rep="NA")
            files.file(paths[2]).write_text(json.dumps(report, indent=2) + "\n")
        for path in paths:
            log.info("wrote %s", path)
        return paths


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


class _RegionIndex:
    """Overlap queries against merged intervals, per contig."""

    def __init__(self, regions: Iterable[Region]) -> None:
        self.starts: dict[str, list[int]] = {}
        self.ends: dict[str, list[int]] = {}
        for region in merge_regions(regions):
            self.starts.setdefault(region.chrom, []).append(region.start)
            self.ends.setdefault(region.chrom, []).append(region.end)

    def overlaps(self, chrom: str, start: int, end: int) -> bool:
        starts = self.starts.get(chrom)
        if not starts:
            return False
        i = bisect.bisect_right(starts, max(start, end - 1)) - 1
        # merged intervals are disjoint: only the last one starting at or before the span
        # end can overlap, unless the span is empty
        return i >= 0 and self.ends[chrom][i] > start


def _as_float(value: Any) -> float | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def call_vaf(variant: Variant, *, info_fields: Sequence[str] = ("VAF", "AF"),
             tumor_sample: str | None = None) -> float | None:
    """The tumour VAF a call reports, or None.

    Looks at INFO ``info_fields`` first, then FORMAT ``AF`` (else ``AD``: alt / total) of
    ``tumor_sample``; without one, of the single sample, or of the sample whose name
    contains "tumor"/"tumour".
    """
    for key in info_fields:
        if key in variant.info:
            value = _as_float(variant.info[key])
            if value is not None:
                return value
    data = variant.sample_data
    sample = tumor_sample
    if sample is None:
        if len(data) == 1:
            sample = next(iter(data))
        else:
            named = [s for s in data if any(t in s.lower() for t in _TUMOR_NAMES)]
            sample = named[0] if len(named) == 1 else None
    if sample is None or sample not in data:
        return None
    fmt = data[sample]
    if "AF" in fmt:
        value = _as_float(fmt["AF"])
        if value is not None:
            return value
    depths = fmt.get("AD")
    if isinstance(depths, list | tuple) and len(depths) >= 2:
        counts = [_as_float(d) for d in depths]
        if all(c is not None for c in counts):
            total = sum(c for c in counts if c is not None)
            alt = counts[1]
            if total > 0 and alt is not None:
                return alt / total
    return None


@dataclass(frozen=True)
class _Prepared:
    """Normalised, region-restricted, de-duplicated variants keyed by (chrom, pos, ref, alt)."""

    by_key: dict[tuple[str, int, str, str], Variant]
    n_input: int
    n_filtered: int
    n_outside: int
    n_duplicate: int


def _prepare(variants: Iterable[Variant], *, name: str, reference: SequenceSource | None,
             regions: _RegionIndex | None, pass_only: bool) -> _Prepared:
    by_key: dict[tuple[str, int, str, str], Variant] = {}
    n_input = n_filtered = n_outside = n_duplicate = 0
    with Progress(None, f"{name} variants normalised", log_every=30.0, enabled=False) as bar:
        for variant in variants:
            n_input += 1
            bar.update(1)
            if pass_only and not variant.is_pass:
                n_filtered += 1
                continue
            norm = normalize_variant(variant, reference)
            if regions is not None and not regions.overlaps(norm.chrom, norm.pos, norm.end):
                n_outside += 1
                continue
            key = (norm.chrom, norm.pos, norm.ref.upper(), norm.alt.upper())
            if key in by_key:
                n_duplicate += 1
                continue
            by_key[key] = norm
    log.info("%s: %d records, %d not PASS, %d outside the regions, %d duplicates, %d kept",
             name, n_input, n_filtered, n_outside, n_duplicate, len(by_key))
    return _Prepared(by_key, n_input, n_filtered, n_outside, n_duplicate)


def _check_shared_contigs(truth: _Prepared, calls: _Prepared) -> None:
    """Refuse truth and calls on disjoint contigs (``chr20`` vs ``20``): nothing could match."""
    truth_contigs = {key[0] for key in truth.by_key}
    call_contigs = {key[0] for key in calls.by_key}
    if truth_contigs and call_contigs and not truth_contigs & call_contigs:
        raise ContigMismatchError(
            f"the truth has variants on {', '.join(sorted(truth_contigs)[:5])} and the calls "
            f"on {', '.join(sorted(call_contigs)[:5])}: expected shared contig names, found "
            "none, so nothing could match; use VCFs made against the same reference naming "
            "(rename with `bcftools annotate --rename-chrs`)")


def _metrics(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    if math.isnan(precision) or math.isnan(recall) or precision + recall == 0:
        f1 = 0.0 if precision == 0 or recall == 0 else math.nan
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def evaluate_calls(truth: Iterable[Variant], calls: Iterable[Variant], *,
                   reference: SequenceSource | None = None,
                   regions: Iterable[Region] | None = None,
                   germline: Iterable[Variant] | None = None,
                   vaf_bins: Sequence[float] | VafBins = DEFAULT_VAF_BINS,
                   truth_vaf_field: str = "VAF",
                   tumor_sample: str | None = None,
                   pass_only: bool = True) -> EvaluationResult:
    """Compare somatic calls with a truth set.

    Parameters
    ----------
    truth
        Truth variants (all records are used, whatever their FILTER), one ALT each.
    calls
        Called variants, one ALT each.
    reference
        ``fetch(chrom, start, end)`` source used to left-align indels; without it indels
        are only trimmed, so the same indel written at two places in a repeat will not match.
    regions
        Only variants whose REF span overlaps these intervals are compared (e.g. a BED).
    germline
        Germline variants of the patient; FPs that match one are counted in ``fp_germline``.
    vaf_bins
        Bin edges as fractions (default 0, 7.5, 15, 30, 100 %), or a :class:`VafBins`.
    truth_vaf_field
        INFO key of the truth VAF.
    tumor_sample
        Sample of the call VCF whose FORMAT AF/AD gives an FP's VAF (see :func:`call_vaf`).
    pass_only
        Compare only calls with FILTER PASS or ``.``.

    Returns
    -------
    EvaluationResult

    Examples
    --------
    >>> from onco_genomics.io.variants import Variant
    >>> truth = [Variant("1", 10, "A", "T", info={"VAF": 0.1})]
    >>> calls = [Variant("1", 10, "A", "T"), Variant("1", 20, "C", "G")]
    >>> result = evaluate_calls(truth, calls)
    >>> row = result.row("ALL", "all")
    >>> int(row.tp), int(row.fp), int(row.fn), float(row.precision)
    (1, 1, 0, 0.5)
    """
    bins = vaf_bins if isinstance(vaf_bins, VafBins) else VafBins(tuple(float(e) for e in vaf_bins))
    region_index = _RegionIndex(regions) if regions is not None else None
    notes: list[str] = []
    if reference is None:
        notes.append("no reference given: indels were trimmed but not left-aligned, so "
                     "equivalent indels written at different positions in a repeat do not match")
    truth_set = _prepare(truth, name="truth", reference=reference, regions=region_index,
                         pass_only=False)
    call_set = _prepare(calls, name="calls", reference=reference, regions=region_index,
                        pass_only=pass_only)
    _check_shared_contigs(truth_set, call_set)
    if region_index is not None and truth_set.n_outside and not truth_set.by_key:
        notes.append(f"all {truth_set.n_outside} truth variants lie outside the BED regions "
                     f"(BED contigs: {', '.join(sorted(region_index.starts)[:5])}); check "
                     "that the BED and the VCFs name contigs the same way")
    germline_keys: set[tuple[str, int, str, str]] | None = None
    if germline is not None:
        germline_keys = set(_prepare(germline, name="germline", reference=reference,
                                     regions=region_index, pass_only=False).by_key)

    rows: list[dict[str, Any]] = []
    n_truth_no_vaf = 0
    for key, variant in truth_set.by_key.items():
        vaf = _as_float(variant.info.get(truth_vaf_field))
        if vaf is not None and not 0.0 <= vaf <= 1.0:
            raise OptionsError(
                f"truth INFO/{truth_vaf_field} at {variant.chrom}:{variant.vcf_pos} is {vaf}; "
                "expected a fraction in [0, 1]; pass --truth-vaf-field naming a fraction field"
            )
        n_truth_no_vaf += vaf is None
        status: Status = "TP" if key in call_set.by_key else "FN"
        rows.append({"chrom": key[0], "pos": key[1], "ref": key[2], "alt": key[3],
                     "variant_type": variant_class(variant), "status": status, "vaf": vaf,
                     "vaf_bin": bins.label(vaf), "germline": False})
    n_fp_no_vaf = 0
    for key, variant in call_set.by_key.items():
        if key in truth_set.by_key:
            continue
        vaf = call_vaf(variant, tumor_sample=tumor_sample)
        n_fp_no_vaf += vaf is None
        rows.append({"chrom": key[0], "pos": key[1], "ref": key[2], "alt": key[3],
                     "variant_type": variant_class(variant), "status": "FP", "vaf": vaf,
                     "vaf_bin": bins.label(vaf),
                     "germline": germline_keys is not None and key in germline_keys})
    variants = pd.DataFrame(rows, columns=list(VARIANT_COLUMNS))
    variants["vaf"] = variants["vaf"].astype(float)
    variants["pos"] = variants["pos"].astype(np.int64)
    variants["germline"] = variants["germline"].astype(bool)

    if n_truth_no_vaf:
        notes.append(f"{n_truth_no_vaf} truth variant(s) have no INFO/{truth_vaf_field}: "
                     "binned as 'unknown'")
    if n_fp_no_vaf:
        notes.append(f"{n_fp_no_vaf} false positive(s) report no tumour VAF (INFO VAF/AF, "
                     "FORMAT AF/AD): binned as 'unknown'")
    if call_set.n_filtered:
        notes.append(f"{call_set.n_filtered} non-PASS call(s) ignored (--all-filters keeps them)")
    if truth_set.n_duplicate or call_set.n_duplicate:
        notes.append(f"duplicates after normalisation dropped: {truth_set.n_duplicate} truth, "
                     f"{call_set.n_duplicate} calls")

    table = _summarise(variants, bins, has_germline=germline_keys is not None)
    undefined = table[table["vaf_bin"] == "all"]
    for metric, reason in (("precision", "no calls (TP + FP = 0)"),
                           ("recall", "no truth variants (TP + FN = 0)")):
        missing = undefined.loc[undefined[metric].isna(), "variant_type"].tolist()
        if missing:
            notes.append(f"{metric} is undefined (NaN) for {', '.join(missing)}: {reason}")
    settings = {
        "vaf_bins": list(bins.edges), "truth_vaf_field": truth_vaf_field,
        "tumor_sample": tumor_sample, "pass_only": pass_only,
        "left_aligned": reference is not None, "regions": regions is not None,
        "germline": germline_keys is not None,
        "truth_records": truth_set.n_input, "call_records": call_set.n_input,
        "truth_outside_regions": truth_set.n_outside, "calls_outside_regions": call_set.n_outside,
    }
    return EvaluationResult(table=table, variants=variants, notes=tuple(notes), settings=settings)


def _summarise(variants: pd.DataFrame, bins: VafBins, *, has_germline: bool) -> pd.DataFrame:
    types = ["SNV", "INDEL"]
    if (variants["variant_type"] == "MNV").any():
        types.append("MNV")
    labels = ["all", *bins.labels]
    if (variants["vaf_bin"] == "unknown").any():
        labels.append("unknown")
    rows = []
    for vtype in [*types, "ALL"]:
        of_type = variants if vtype == "ALL" else variants[variants["variant_type"] == vtype]
        for label in labels:
            sel = of_type if label == "all" else of_type[of_type["vaf_bin"] == label]
            status = sel["status"]
            tp, fp, fn = (int((status == s).sum()) for s in ("TP", "FP", "FN"))
            precision, recall, f1 = _metrics(tp, fp, fn)
            fp_germline = int((sel["germline"] & (status == "FP")).sum()) if has_germline \
                else pd.NA
            rows.append({"variant_type": vtype, "vaf_bin": label, "tp": tp, "fp": fp, "fn": fn,
                         "precision": precision, "recall": recall, "f1": f1,
                         "fp_germline": fp_germline})
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    table["fp_germline"] = table["fp_germline"].astype("Int64")
    return table


def format_table(result: EvaluationResult) -> str:
    """A fixed-width text table of the result (what ``oncogen evaluate`` prints)."""
    table = result.table.copy()
    for column in ("precision", "recall", "f1"):
        table[column] = table[column].map(lambda x: "NaN" if math.isnan(x) else f"{x:.4f}")
    table["fp_germline"] = table["fp_germline"].map(lambda x: "-" if x is pd.NA else str(x))
    text = table.to_string(index=False)
    if result.notes:
        text += "\n" + "\n".join(f"note: {note}" for note in result.notes)
    return text
