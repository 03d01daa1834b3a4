"""Direct tests of onco_genomics.caller.labels: which candidates are training positives."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from onco_genomics.caller.labels import (
    CandidateLabels,
    TruthSet,
    allele_key,
    label_candidates,
)
from onco_genomics.caller.network import VARIANT_CLASSES, allele_targets
from onco_genomics.io.variants import Variant
from onco_genomics.regions import Region

#          0123456789012345678901234
SEQUENCE = "GACGTTTTTTCAGGCATGCAAAAGT"


class _Reference:
    def fetch(self, chrom: str, start: int, end: int) -> str:
        assert chrom == "c1"
        return SEQUENCE[max(start, 0):end]


REF = _Reference()


def _candidate(pos: int, ref: str, alt: str) -> SimpleNamespace:
    vartype = "SNV" if len(ref) == len(alt) == 1 else ("INS" if len(alt) > len(ref) else "DEL")
    return SimpleNamespace(chrom="c1", pos=pos, ref=ref, alt=alt, vartype=vartype)


def _truth(*variants: tuple[int, str, str, float], germline: tuple[Variant, ...] = ()
           ) -> TruthSet:
    return TruthSet(
        somatic={allele_key(Variant("c1", pos, ref, alt), REF): vaf
                 for pos, ref, alt, vaf in variants},
        germline=frozenset(allele_key(v, REF) for v in germline))


def test_insertion_in_a_run_matches_whatever_its_representation() -> None:
    # truth writes the T insertion at the end of the T run, the candidate at its start
    truth = _truth((9, "T", "TT", 0.25))
    labels = label_candidates([_candidate(3, "G", "GT"), _candidate(9, "T", "TA")], truth, REF)
    assert labels.type_target.tolist() == [VARIANT_CLASSES.index("INS"), 0]
    assert labels.length_target.tolist() == [allele_targets("INS", "G", "GT")[1], -1]
    assert labels.alt_target.tolist() == [-1, -1]
    assert labels.truth_vaf[0] == 0.25 and math.isnan(labels.truth_vaf[1])
    assert labels.positives == 1


def test_deletion_with_extra_padding_matches() -> None:
    truth = _truth((18, "CAAAA", "CAAA", 0.1))  # one A deleted, padded with three A
    labels = label_candidates([_candidate(18, "CA", "C")], truth, REF)
    assert labels.type_target.tolist() == [VARIANT_CLASSES.index("DEL")]


def test_snvs_match_exactly_on_position_and_allele() -> None:
    truth = _truth((12, "G", "T", 0.4))
    labels = label_candidates([_candidate(12, "G", "T"), _candidate(12, "G", "A"),
                               _candidate(13, "G", "T")], truth, REF)
    assert labels.type_target.tolist() == [VARIANT_CLASSES.index("SNV"), 0, 0]
    assert labels.alt_target[0] == allele_targets("SNV", "G", "T")[0] >= 0
    assert (labels.alt_target[1:] == -1).all() and (labels.length_target == -1).all()


def test_germline_alleles_are_negatives_flagged() -> None:
    truth = _truth((12, "G", "T", 0.4), germline=(Variant("c1", 16, "T", "C"),))
    labels = label_candidates([_candidate(16, "T", "C"), _candidate(12, "G", "T")], truth, REF)
    assert labels.type_target.tolist() == [0, VARIANT_CLASSES.index("SNV")]
    assert labels.germline.tolist() == [True, False]


def test_truth_in_regions_keeps_only_inside_positions() -> None:
    truth = _truth((12, "G", "T", 0.4), (20, "A", "G", 0.2),
                   germline=(Variant("c1", 16, "T", "C"),))
    subset = truth.in_regions([Region("c1", 10, 17)])
    assert list(subset.somatic) == [("c1", 12, "G", "T")]
    assert subset.germline == frozenset({("c1", 16, "T", "C")})


def test_labels_refuse_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="alt_target has 1 entries, expected 2"):
        CandidateLabels(type_target=np.zeros(2, dtype=np.int64),
                        alt_target=np.zeros(1, dtype=np.int64),
                        length_target=np.zeros(2, dtype=np.int64),
                        truth_vaf=np.zeros(2), germline=np.zeros(2, dtype=bool))
