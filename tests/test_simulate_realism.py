"""Caller-v2 simulator features: FFPE deamination, binned qualities, COSMIC spectra, bwa mem.

Small pairs on the 24 kb slice of real chr20 used by tests/test_simulate.py.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pysam
import pytest

from onco_genomics.errors import OptionsError
from onco_genomics.io.variants import read_variants
from onco_genomics.simulate import SimulationOptions, VafSpec, simulate_pair
from onco_genomics.simulate.plant import ArtefactSite
from onco_genomics.simulate.sequencing import QUALITY_BINS, bin_qualities
from onco_genomics.simulate.spectra import SnvSpectrum, parse_spectrum

DATA = Path(__file__).parent / "data" / "simulate"
REF = DATA / "chr20_10000000.fa"
CONTIG = "20_10000000"
REGION = f"{CONTIG}:1001-23000"


def _options(**overrides: object) -> SimulationOptions:
    settings: dict[str, object] = dict(
        reference=REF, regions=(REGION,), seed=11, tumor_depth=50, normal_depth=25,
        vaf=VafSpec(0.2, 0.5), snv_count=10, indel_count=4, oxog_sites=0.0,
        mutations="random")
    settings.update(overrides)
    return SimulationOptions(**settings)  # type: ignore[arg-type]


def _alt_orientations(bam: Path, chrom: str, pos: int, alt: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    with pysam.AlignmentFile(str(bam)) as handle:
        for column in handle.pileup(chrom, pos, pos + 1, truncate=True, min_base_quality=0,
                                    flag_filter=0x4 | 0x100 | 0x800 | 0x400):
            for read in column.pileups:
                if read.query_position is None:
                    continue
                aln = read.alignment
                if aln.query_sequence[read.query_position] == alt:
                    counts["F1R2" if aln.is_read1 != aln.is_reverse else "F2R1"] += 1
    return counts


def test_ffpe_sites_are_c_to_t_on_one_orientation_and_tumor_only(tmp_path: Path) -> None:
    result = simulate_pair(_options(ffpe_sites=400.0), tmp_path)
    sites = [s for s in result.artefacts if s.kind == "FFPE"]
    assert len(sites) >= 4
    records = {v.pos: v for v in read_variants(tmp_path / "artefacts.vcf.gz")}
    total = 0
    for site in sites:
        assert (site.ref, site.alt) in (("C", "T"), ("G", "A"))
        assert records[site.pos].info["TYPE"] == "FFPE"
        assert records[site.pos].info["ORIENTATION"] == site.orientation
        counts = _alt_orientations(tmp_path / "tumor.bam", CONTIG, site.pos, site.alt)
        wrong = "F2R1" if site.orientation == "F1R2" else "F1R2"
        # a sequencing error can add a read of the other orientation, never many
        assert counts[wrong] <= 1
        total += counts[site.orientation]
        assert sum(_alt_orientations(tmp_path / "normal.bam", CONTIG, site.pos,
                                     site.alt).values()) <= 1
    assert total >= 2 * len(sites)


def test_ffpe_background_adds_c_to_t_only_in_the_tumor(tmp_path: Path) -> None:
    simulate_pair(_options(ffpe_rate=0.02, snv_count=0, indel_count=0, dup_rate=0.0,
                           germline_snv_rate=0.0, germline_indel_rate=0.0), tmp_path)
    ref = pysam.FastaFile(str(REF)).fetch(CONTIG, 0, 24000)

    def mismatches(label: str) -> Counter[str]:
        found: Counter[str] = Counter()
        with pysam.AlignmentFile(str(tmp_path / f"{label}.bam")) as bam:
            for aln in bam.fetch(CONTIG, 2000, 22000):
                if aln.is_unmapped or aln.is_secondary or aln.mapping_quality < 20:
                    continue
                f1r2 = aln.is_read1 != aln.is_reverse
                seq, quals = aln.query_sequence, aln.query_qualities
                for qpos, rpos in aln.get_aligned_pairs(matches_only=True):
                    if quals[qpos] >= 30 and seq[qpos] != ref[rpos]:
                        found[f"{'F1R2' if f1r2 else 'F2R1'}:{ref[rpos]}>{seq[qpos]}"] += 1
        return found

    tumor, normal = mismatches("tumor"), mismatches("normal")
    assert tumor["F1R2:C>T"] > 20 * max(1, tumor["F2R1:C>T"])
    assert tumor["F2R1:G>A"] > 20 * max(1, tumor["F1R2:G>A"])
    assert normal["F1R2:C>T"] < tumor["F1R2:C>T"] / 20


def test_binned_qualities_use_eight_levels(tmp_path: Path) -> None:
    simulate_pair(_options(qualities="binned", tumor_depth=20, normal_depth=10), tmp_path)
    levels = {value for _, _, value in QUALITY_BINS}
    seen: set[int] = set()
    with pysam.AlignmentFile(str(tmp_path / "tumor.bam")) as bam:
        for aln in bam.fetch(until_eof=True):
            seen |= set(aln.query_qualities)
    assert seen <= levels and len(seen) >= 4
    assert bin_qualities(np.array([0, 9, 10, 19, 20, 30, 39, 41])).tolist() == [
        2, 6, 15, 15, 22, 33, 37, 40]


def test_spectrum_parsing_and_errors() -> None:
    assert parse_spectrum("SBS4:0.6,SBS5") == (("SBS4", 0.6), ("SBS5", 0.4))
    assert parse_spectrum("SBS1,SBS5") == (("SBS1", 0.5), ("SBS5", 0.5))
    assert parse_spectrum("") == ()
    for bad in ("SBS4:x", "SBS4:-1", "SBS4:1,SBS5", "SBS1,SBS1"):
        with pytest.raises(OptionsError, match="--snv-spectrum"):
            parse_spectrum(bad)


def test_spectrum_draws_follow_the_signature() -> None:
    pytest.importorskip("SigProfilerAssignment", reason="COSMIC tables ship with "
                        "sigprofilerassignment (test extra)")
    spectrum = SnvSpectrum.load("SBS4")
    rng = np.random.default_rng(3)
    contexts = ["".join(rng.choice(list("ACGT"), 3)) for _ in range(20000)]
    alts = [(ctx[1], spectrum.draw_alt(ctx, rng)) for ctx in contexts]
    drawn = [(ref, alt) for ref, alt in alts if alt is not None]
    classes = Counter(f"{r}>{a}" if r in "CT" else
                      f"{r.translate(str.maketrans('ACGT', 'TGCA'))}>"
                      f"{a.translate(str.maketrans('ACGT', 'TGCA'))}" for r, a in drawn)
    share = classes["C>A"] / len(drawn)
    assert 0.35 < share < 0.8  # SBS4 (tobacco) is dominated by C>A; random would be ~1/6
    assert all(a != r for r, a in drawn)
    with pytest.raises(OptionsError, match="not in"):
        SnvSpectrum.load("SBS999")


def test_simulated_snvs_follow_the_spectrum(tmp_path: Path) -> None:
    pytest.importorskip("SigProfilerAssignment", reason="COSMIC tables ship with "
                        "sigprofilerassignment (test extra)")
    result = simulate_pair(_options(snv_spectrum="SBS4", snv_count=60, indel_count=0,
                                    tumor_depth=10, normal_depth=5), tmp_path)
    snvs = [v for v in result.somatic if v.kind == "SNV"]
    assert len(snvs) == 60 and all(v.source == "spectrum:SBS4" for v in snvs)
    c_to_a = sum((v.ref, v.alt) in (("C", "A"), ("G", "T")) for v in snvs)
    assert c_to_a >= 20


@pytest.mark.skipif(shutil.which("bwa") is None, reason="bwa (Debian package) not installed")
def test_bwa_aligner_places_reads_and_flags_duplicates(tmp_path: Path) -> None:
    result = simulate_pair(_options(aligner="bwa", align_to="regions", tumor_depth=20,
                                    normal_depth=10, dup_rate=0.1), tmp_path)
    params = (tmp_path / "params.json").read_text()
    assert '"aligner": "bwa mem' in params
    with pysam.AlignmentFile(str(tmp_path / "tumor.bam")) as bam:
        assert bam.header.to_dict()["RG"][0]["SM"] == "TUMOR"
        reads = [a for a in bam.fetch(until_eof=True) if not a.is_supplementary]
    assert len(reads) == 2 * result.read_pairs["tumor"]
    mapped = [a for a in reads if not a.is_unmapped]
    assert len(mapped) > 0.98 * len(reads)
    assert all(a.reference_name == CONTIG and a.get_tag("RG") == "TUMOR" for a in mapped)
    # windows index: coordinates are shifted back onto the contig
    assert min(a.reference_start for a in mapped) < 1000 < max(a.reference_start for a in mapped)
    dups = sum(a.is_duplicate for a in reads)
    assert 0.05 * len(reads) < dups < 0.15 * len(reads)
    # the truth alleles are in the reads
    ref = pysam.FastaFile(str(REF))
    snv = next(v for v in result.somatic if v.kind == "SNV")
    assert ref.fetch(CONTIG, snv.pos, snv.pos + 1) == snv.ref
    assert sum(_alt_orientations(tmp_path / "tumor.bam", CONTIG, snv.pos,
                                 snv.alt).values()) >= 2


@pytest.mark.parametrize(("overrides", "message"), [
    ({"aligner": "bowtie"}, "--aligner"),
    ({"qualities": "fuzzy"}, "--qualities"),
    ({"ffpe_rate": 1.0}, "--ffpe-rate"),
    ({"ffpe_sites": -1.0}, "--ffpe-sites"),
    ({"snv_spectrum": "SBS4:0"}, "--snv-spectrum"),
])
def test_invalid_realism_options_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        _options(**overrides)


def test_artefact_site_checks_its_kind() -> None:
    assert ArtefactSite("20", 5, "C", "T", 0.1, "FFPE").orientation == "F1R2"
    assert ArtefactSite("20", 5, "G", "A", 0.1, "FFPE").orientation == "F2R1"
    assert ArtefactSite("20", 5, "C", "A", 0.1).orientation == "F2R1"
    for ref, alt, kind in (("C", "A", "FFPE"), ("C", "T", "OXOG"), ("C", "T", "UV")):
        with pytest.raises(ValueError):
            ArtefactSite("20", 5, ref, alt, 0.1, kind)
