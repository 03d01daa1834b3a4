"""Golden tensors: the encoding of real reads must not drift without a version bump.

A trained model is only valid for the encoder it was trained with; models record
``ENCODER_VERSION`` and the caller scans with the model's version and refuses others. This
test pins the tensors of the mpileup fixture (real 1000 Genomes reads,
tests/data/pileup/README.md) for every version the encoder produces (1.0, the shipped
model's until caller v2, and 1.1, which adds pair-orientation channels), so a change to
channels, window or normalisation fails here until the version is bumped and the golden
file of the new version written with::

    python tests/test_pileup_golden.py

Tolerance policy: candidates (position, alleles, read counts) exact; tensor values within
``atol=1e-6`` (float32 arithmetic may differ in the last bit across numpy builds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import onco_genomics as og
from onco_genomics.pileup.candidates import PileupOptions
from onco_genomics.pileup.encode import (
    CHANNELS,
    CHANNELS_BY_VERSION,
    ENCODER_VERSION,
    ENCODER_VERSIONS,
    WINDOW,
    encoder_spec,
)
from onco_genomics.pileup.scan import scan_region
from onco_genomics.regions import Region

DATA = Path(__file__).parent / "data" / "pileup"


def _golden(version: str) -> Path:
    return DATA / f"golden_mpileup_v{version}.npz"


def _scan(version: str = ENCODER_VERSION) -> og.PileupBatch:
    options = PileupOptions(min_alt_reads=2, min_af=0.05, encoder_version=version)
    return scan_region(DATA / "mpileup_tumor.bam", DATA / "mpileup_normal.bam",
                       DATA / "mpileup_ref.fa", Region("17", 0, 4200), options=options)


def _table(batch: og.PileupBatch) -> np.ndarray:
    return np.array([f"{c.pos}:{c.ref}>{c.alt}:{c.tumor.ref},{c.tumor.alt},{c.tumor.depth}:"
                     f"{c.normal.ref},{c.normal.alt},{c.normal.depth}" for c in batch.candidates])


@pytest.mark.parametrize("version", ENCODER_VERSIONS)
def test_tensors_match_golden_for_each_encoder_version(version: str) -> None:
    golden_path = _golden(version)
    if not golden_path.exists():
        pytest.fail(f"no golden tensors for encoder version {version}: after a "
                    "deliberate encoder change, run `python tests/test_pileup_golden.py`")
    golden = np.load(golden_path, allow_pickle=False)
    batch = _scan(version)
    assert list(golden["channels"]) == list(CHANNELS_BY_VERSION[version]), (
        "channels changed: bump ENCODER_VERSION")
    np.testing.assert_array_equal(_table(batch), golden["candidates"])
    np.testing.assert_allclose(batch.tensors, golden["tensors"], rtol=0, atol=1e-6,
                               err_msg="encoding changed: bump ENCODER_VERSION and regenerate")


def test_version_1_1_extends_1_0_with_orientation_channels() -> None:
    old, new = _scan("1.0"), _scan("1.1")
    assert new.tensors.shape[1] == old.tensors.shape[1] + 10
    np.testing.assert_array_equal(new.tensors[:, :old.tensors.shape[1]], old.tensors)
    names = CHANNELS_BY_VERSION["1.1"]
    for i, cand in enumerate(new.candidates):
        centre = new.tensors[i, :, WINDOW // 2]
        for sample, depths in (("tumor", cand.tumor), ("normal", cand.normal)):
            if cand.vartype != "SNV" or depths.depth == 0:
                continue
            # share of the ALT base's reads in F1R2 orientation
            f1r2 = centre[names.index(f"{sample}_f1r2_{cand.alt}")]
            assert 0.0 <= f1r2 <= 1.0
            if depths.alt:
                assert f1r2 * depths.alt == pytest.approx(depths.alt_f1r2, abs=0.51)


def test_public_api_reexports() -> None:
    assert og.scan_region is scan_region
    assert og.PileupOptions is PileupOptions
    assert og.encoder_spec() == encoder_spec()
    assert og.PileupBatch.empty().tensors.shape == (0, len(CHANNELS), WINDOW)
    assert {"Candidate", "AlleleDepths"} <= set(dir(og))


if __name__ == "__main__":
    for wanted in ENCODER_VERSIONS:
        target = _golden(wanted)
        if target.exists():
            continue  # a version's golden file is never rewritten
        result = _scan(wanted)
        np.savez_compressed(target, candidates=_table(result), tensors=result.tensors,
                            channels=np.array(CHANNELS_BY_VERSION[wanted]))
        print(f"wrote {target} ({len(result)} candidates)")
