"""Golden tensors: the encoding of real reads must not drift without a version bump.

A trained model is only valid for the encoder it was trained with; models record
``ENCODER_VERSION`` and the caller refuses others. This test pins the tensors of the
mpileup fixture (real 1000 Genomes reads, tests/data/pileup/README.md) for the current
version, so a change to channels, window or normalisation fails here until the version is
bumped and the golden file regenerated with::

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
from onco_genomics.pileup.encode import CHANNELS, ENCODER_VERSION, WINDOW, encoder_spec
from onco_genomics.pileup.scan import scan_region
from onco_genomics.regions import Region

DATA = Path(__file__).parent / "data" / "pileup"
GOLDEN = DATA / f"golden_mpileup_v{ENCODER_VERSION}.npz"
OPTIONS = PileupOptions(min_alt_reads=2, min_af=0.05)


def _scan() -> og.PileupBatch:
    return scan_region(DATA / "mpileup_tumor.bam", DATA / "mpileup_normal.bam",
                       DATA / "mpileup_ref.fa", Region("17", 0, 4200), options=OPTIONS)


def _table(batch: og.PileupBatch) -> np.ndarray:
    return np.array([f"{c.pos}:{c.ref}>{c.alt}:{c.tumor.ref},{c.tumor.alt},{c.tumor.depth}:"
                     f"{c.normal.ref},{c.normal.alt},{c.normal.depth}" for c in batch.candidates])


def test_tensors_match_golden_for_this_encoder_version() -> None:
    if not GOLDEN.exists():
        pytest.fail(f"no golden tensors for encoder version {ENCODER_VERSION}: after a "
                    "deliberate encoder change, run `python tests/test_pileup_golden.py`")
    golden = np.load(GOLDEN, allow_pickle=False)
    batch = _scan()
    assert list(golden["channels"]) == list(CHANNELS), "channels changed: bump ENCODER_VERSION"
    np.testing.assert_array_equal(_table(batch), golden["candidates"])
    np.testing.assert_allclose(batch.tensors, golden["tensors"], rtol=0, atol=1e-6,
                               err_msg="encoding changed: bump ENCODER_VERSION and regenerate")


def test_public_api_reexports() -> None:
    assert og.scan_region is scan_region
    assert og.PileupOptions is PileupOptions
    assert og.encoder_spec() == encoder_spec()
    assert og.PileupBatch.empty().tensors.shape == (0, len(CHANNELS), WINDOW)
    assert {"Candidate", "AlleleDepths"} <= set(dir(og))


if __name__ == "__main__":
    result = _scan()
    np.savez_compressed(GOLDEN, candidates=_table(result), tensors=result.tensors,
                        channels=np.array(CHANNELS))
    print(f"wrote {GOLDEN} ({len(result)} candidates)")
