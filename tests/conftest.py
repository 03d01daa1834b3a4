"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def one_torch_thread() -> Iterator[None]:
    """Tiny networks: one torch thread avoids oversubscription on shared CPUs (restored after).

    Use with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def population_sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tumor with a population (germline resource), recurrent artefacts and 3 panel normals.

    The 22 kb chr20 slice of tests/data/simulate (contig ``20_10000000``), region 1001-23000;
    used by test_pon.py and test_tumor_only.py.
    """
    from onco_genomics.simulate import SimulationOptions, VafSpec, simulate_pair

    out = tmp_path_factory.mktemp("population")
    simulate_pair(SimulationOptions(
        reference=Path(__file__).parent / "data" / "simulate" / "chr20_10000000.fa",
        regions=("20_10000000:1001-23000",), seed=11, tumor_depth=40, normal_depth=40,
        purity=0.8, vaf=VafSpec(0.3, 0.5), snv_count=12, indel_count=0, oxog_sites=0.0,
        mutations="random", population_sites=10.0, private_germline_rate=100.0,
        recurrent_artefacts=400.0, pon_normals=3, dbs_rate=150.0, align_to="regions"), out)
    return out


@pytest.fixture(scope="session")
def pon_vcf(population_sim: Path) -> Path:
    """``oncogen pon`` of the three panel normals of :func:`population_sim`."""
    import onco_genomics as og

    out = population_sim / "pon.vcf.gz"
    og.build_panel_of_normals([population_sim / f"pon_normal_{k:02d}.bam" for k in (1, 2, 3)],
                              reference=Path(__file__).parent / "data" / "simulate"
                              / "chr20_10000000.fa", output=out,
                              regions=["20_10000000:1001-23000"])
    return out
