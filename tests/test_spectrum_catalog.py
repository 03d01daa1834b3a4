"""Mutation catalogs: channel definitions, sample rules, and equality with SigProfiler.

Fixtures (tests/data/spectrum/, see README.md there): a 2 kb slice of GRCh37 chr20, the
chr20 rows of SigProfilerMatrixGenerator's 4-breast-cancer example as a MAF, the
SBS96/SBS1536/DBS78 matrices SigProfilerMatrixGenerator 1.4.0 made from those rows, and 900
drawn chr20 indels with SigProfilerMatrixGenerator's ID83 matrix of them.
Counts are compared exactly (integers).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from onco_genomics.cli import cli
from onco_genomics.errors import ContigMismatchError, OptionsError
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import Variant, read_variants
from onco_genomics.spectrum.catalog import (
    CHANNELS,
    CatalogOptions,
    MutationCatalog,
    build_catalogs,
    catalogs_from_variants,
    parse_contexts,
)
from onco_genomics.spectrum.contexts import (
    DBS78_CHANNELS,
    SBS96_CHANNELS,
    dbs_channel,
    reverse_complement,
    sbs_channel,
)
from onco_genomics.spectrum.indel_classes import ID83_CHANNELS, IndelEvent, id83_channel
from onco_genomics.spectrum.matrix_files import read_catalog, write_catalog

DATA = Path(__file__).parent / "data" / "spectrum"
SLICE = DATA / "chr20_1Mb_2kb.fa"
CHR20 = Path("/usr/share/doc/vt/examples/ref/20.fa.gz")
BASES = st.sampled_from("ACGT")


# --------------------------------------------------------------------------- channels


def test_channel_sets_have_cosmic_sizes_and_sigprofiler_order() -> None:
    assert len(SBS96_CHANNELS) == 96 and len(set(SBS96_CHANNELS)) == 96
    assert len(CHANNELS["sbs1536"]) == 1536
    assert len(DBS78_CHANNELS) == 78 and len(ID83_CHANNELS) == 83
    assert list(SBS96_CHANNELS) == sorted(SBS96_CHANNELS)
    assert SBS96_CHANNELS[:2] == ("A[C>A]A", "A[C>A]C")
    assert ID83_CHANNELS[0] == "1:Del:C:0" and ID83_CHANNELS[-1] == "5:Del:M:5"


@given(BASES, BASES, BASES, BASES)
def test_sbs_channel_is_strand_symmetric(ref: str, alt: str, left: str, right: str) -> None:
    forward = sbs_channel(ref, alt, left, right)
    reverse = sbs_channel(reverse_complement(ref), reverse_complement(alt),
                          reverse_complement(right), reverse_complement(left))
    assert forward == reverse
    if ref == alt:
        assert forward is None
    else:
        assert forward in SBS96_CHANNELS and forward[2] in "CT"


@given(BASES, BASES, BASES, BASES)
def test_dbs_channel_is_strand_symmetric(r1: str, r2: str, a1: str, a2: str) -> None:
    ref, alt = r1 + r2, a1 + a2
    channel = dbs_channel(ref, alt)
    if r1 == a1 or r2 == a2:
        assert channel is None
    else:
        assert channel in DBS78_CHANNELS
        assert channel == dbs_channel(reverse_complement(ref), reverse_complement(alt))


def test_sbs_channel_rejects_n_context() -> None:
    assert sbs_channel("C", "T", "N", "A") is None


@pytest.mark.parametrize(("event", "channel"), [
    (IndelEvent("Del", "C", left="GAT", right="AGG"), "1:Del:C:0"),
    (IndelEvent("Del", "G", left="AAGG", right="GGGGGGT"), "1:Del:C:5"),  # 8-mer: capped
    (IndelEvent("Ins", "A", left="CCA", right="AAT"), "1:Ins:T:3"),
    (IndelEvent("Ins", "CA", left="TT", right="CACAG"), "2:Ins:R:2"),
    (IndelEvent("Del", "ACGTAC", left="GGG", right="TTTT"), "5:Del:R:0"),
    (IndelEvent("Del", "ACG", left="TTTT", right="ACTT"), "3:Del:M:2"),
    (IndelEvent("Del", "ACG", left="TTCG", right="TTTT"), "3:Del:M:2"),  # 5' side
    (IndelEvent("Del", "AAGCTT", left="G", right="AAGCTG"), "5:Del:M:5"),
])
def test_id83_channel(event: IndelEvent, channel: str) -> None:
    assert id83_channel(event) == channel
    assert channel in ID83_CHANNELS


def test_parse_contexts() -> None:
    assert parse_contexts("SBS96, id83,sbs96") == ("sbs96", "id83")
    with pytest.raises(OptionsError, match="unknown catalog"):
        parse_contexts("sbs97")


def test_catalog_checks_its_rows() -> None:
    with pytest.raises(ValueError, match="SigProfiler order"):
        MutationCatalog("sbs96", pd.DataFrame({"S": [1, 2]}, index=["A[C>A]A", "A[C>A]C"]))


# --------------------------------------------------------------------------- synthetic records

# slice20 (0-based): 10 C (ctx A_T), 101 A (ctx C_T), 501-502 CC, 314 A + TTTT, 333 A + CCCCC
_VCF_HEADER = """##fileformat=VCFv4.2
##contig=<ID=slice20,length=2000>
##FILTER=<ID=LowQual,Description="low quality">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
"""


def _write_vcf(path: Path, samples: list[str], rows: list[str], extra: str = "") -> Path:
    columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
               *samples]
    path.write_text(_VCF_HEADER + extra + "\t".join(columns) + "\n"
                    + "".join(row.replace(" ", "\t") + "\n" for row in rows))
    return path


def test_tumour_normal_vcf_is_one_sample_and_counts_all_types(tmp_path: Path) -> None:
    rows = [
        "slice20 11 . C T 50 PASS . GT:AD:DP 0/0:30,0:30 0/1:20,10:30",
        "slice20 102 . A G 50 PASS . GT:AD:DP 0/0:30,0:30 0/1:25,5:30",
        "slice20 502 . C T 50 PASS . GT:AD:DP 0/0:30,0:30 0/1:20,10:30",
        "slice20 503 . C T 50 PASS . GT:AD:DP 0/0:30,0:30 0/1:20,10:30",
        "slice20 315 . AT A 50 PASS . GT:AD:DP 0/0:30,0:30 0/1:20,10:30",
        "slice20 334 . A AA 50 PASS . GT:AD:DP 0/0:30,0:30 0/1:20,10:30",
        "slice20 1001 . G A 50 LowQual . GT:AD:DP 0/0:30,0:30 0/1:20,10:30",
    ]
    vcf = _write_vcf(tmp_path / "pair.vcf", ["NORMAL", "TUMOR"], rows)
    cats = build_catalogs([vcf], SLICE, options=CatalogOptions(contexts=("sbs96", "dbs78",
                                                                         "id83")))
    sbs, dbs, ids = (cats[k].counts for k in ("sbs96", "dbs78", "id83"))
    assert list(sbs.columns) == ["TUMOR"]
    assert sbs["TUMOR"][sbs["TUMOR"] > 0].to_dict() == {"A[C>T]T": 1, "A[T>C]G": 1}
    assert dbs["TUMOR"][dbs["TUMOR"] > 0].to_dict() == {"CC>TT": 1}
    assert ids["TUMOR"][ids["TUMOR"] > 0].to_dict() == {"1:Del:T:3": 1, "1:Ins:T:1": 1}

    both = build_catalogs([vcf], SLICE, options=CatalogOptions(adjacent_snvs="dbs+sbs"))
    extra = both["sbs96"].counts["TUMOR"] - sbs["TUMOR"]
    assert extra[extra > 0].to_dict() == {"T[C>T]C": 1, "C[C>T]A": 1}

    everything = build_catalogs([vcf], SLICE, options=CatalogOptions(pass_only=False))
    assert everything["sbs96"].total["TUMOR"] == 3

    floors = build_catalogs([vcf], SLICE, options=CatalogOptions(min_vaf=0.3))
    assert floors["sbs96"].total["TUMOR"] == 1  # the 5/30 record is below the floor


def test_multisample_vcf_membership_and_multiallelic_split(tmp_path: Path) -> None:
    rows = ["slice20 11 . C T,A 50 PASS . GT:AD 0/1:10,5,0 0/2:10,0,4 0/0:20,0,0",
            "slice20 102 . A G 50 PASS . GT:AD ./.:10,3 0/0:20,0 0/1:9,9"]
    vcf = _write_vcf(tmp_path / "cohort.vcf", ["S1", "S2", "S3"], rows)
    counts = build_catalogs([vcf], SLICE)["sbs96"].counts
    assert list(counts.columns) == ["S1", "S2", "S3"]
    nonzero = {s: counts[s][counts[s] > 0].to_dict() for s in counts}
    assert nonzero == {"S1": {"A[C>T]T": 1, "A[T>C]G": 1}, "S2": {"A[C>A]T": 1},
                       "S3": {"A[T>C]G": 1}}


def test_same_tumour_name_in_two_files_is_named_by_file(tmp_path: Path) -> None:
    row = ["slice20 11 . C T 50 PASS . GT 0/0 0/1"]
    a = _write_vcf(tmp_path / "patientA.vcf", ["NORMAL", "TUMOR"], row)
    b = _write_vcf(tmp_path / "patientB.vcf", ["N", "T"], row,
                   extra="##normal_sample=N\n")
    c = _write_vcf(tmp_path / "patientC.vcf", ["NORMAL", "TUMOR"], row)
    catalog = build_catalogs([a, b, c], SLICE)["sbs96"]
    assert catalog.samples == ["patientA", "T", "patientC"]
    assert catalog.total.tolist() == [1, 1, 1]


def test_oncogen_caller_vcf_counts_for_its_tumour(tmp_path: Path) -> None:
    """A VCF written with the caller's own header (##tumor_sample, samples NORMAL then TUMOR)."""
    from onco_genomics.caller.records import vcf_header
    from onco_genomics.io.variants import write_vcf

    header = vcf_header([("slice20", 2000)], normal_sample="blood", tumor_sample="biopsy",
                        reference=str(SLICE), command_line="oncogen call")
    data = {"blood": {"GT": "0/0", "AD": (30, 0), "AF": 0.0},
            "biopsy": {"GT": "0/1", "AD": (20, 10), "AF": 0.33}}
    records = [Variant("slice20", 10, "C", "T", sample_data=data),
               Variant("slice20", 314, "AT", "A", sample_data=data),
               Variant("slice20", 101, "A", "G", filters=("LowQual",), sample_data=data)]
    vcf = write_vcf(tmp_path / "calls.vcf.gz", header, records)
    cats = build_catalogs([vcf], SLICE, options=CatalogOptions(contexts=("sbs96", "id83"),
                                                               min_vaf=0.3))
    assert cats["sbs96"].samples == ["biopsy"]
    assert cats["sbs96"].total["biopsy"] == 1 and cats["id83"].total["biopsy"] == 1


def test_sites_only_vcf_is_one_sample_named_after_the_file(tmp_path: Path) -> None:
    vcf = tmp_path / "sites.vcf.gz"
    text = (_VCF_HEADER.replace("##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n",
                                "")
            + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
            + "slice20\t11\t.\tC\tT\t50\tPASS\tDP=40\n"
            + "slice20\t102\t.\tA\tG\t50\tPASS\tDP=8\n")
    plain = tmp_path / "sites.vcf"
    plain.write_text(text)
    import pysam

    pysam.tabix_compress(str(plain), str(vcf))
    catalog = build_catalogs([vcf], SLICE)["sbs96"]
    assert catalog.samples == ["sites"] and catalog.total["sites"] == 2
    deep = build_catalogs([vcf], SLICE, options=CatalogOptions(min_depth=10))["sbs96"]
    assert deep.total["sites"] == 1  # INFO DP is the depth of a sites-only record


def test_wrong_reference_is_refused(tmp_path: Path) -> None:
    rows = [f"slice20 {p} . G A 50 PASS . GT 0/1" for p in range(200, 260, 2)]
    vcf = _write_vcf(tmp_path / "wrong.vcf", ["T"], rows)
    with pytest.raises(ContigMismatchError, match="REF allele"):
        build_catalogs([vcf], SLICE)
    other = _write_vcf(tmp_path / "other.vcf", ["T"], ["chr9 100 . G A 50 PASS . GT 0/1"])
    with pytest.raises(ContigMismatchError, match="contig"):
        build_catalogs([other], SLICE)


def test_mnv_records_padded_alleles_and_long_runs() -> None:
    ref = Reference(SLICE)
    variants = {"A": [Variant("slice20", 501, "CC", "TT"),         # one DBS record
                      Variant("slice20", 9, "ACT", "ATT"),         # padded SNV at 10
                      Variant("slice20", 100, "CAT", "GTA"),       # 3-base MNV: nowhere
                      Variant("slice20", 1300, "T", "C"), Variant("slice20", 1301, "T", "G"),
                      Variant("slice20", 1302, "A", "G")]}          # run of 3 SNVs: nowhere
    cats = catalogs_from_variants(variants, ref, contexts=("sbs96", "dbs78"))
    sbs, dbs = cats["sbs96"].counts["A"], cats["dbs78"].counts["A"]
    assert sbs[sbs > 0].to_dict() == {"A[C>T]T": 1}
    assert dbs[dbs > 0].to_dict() == {"CC>TT": 1}


def test_variants_api_with_chr_prefix_and_empty_sample() -> None:
    ref = Reference(SLICE)
    variants = {"A": [Variant("chrslice20", 10, "C", "T")], "B": []}
    cats = catalogs_from_variants(variants, ref, contexts=("sbs96", "sbs1536"))
    assert cats["sbs96"].total.to_dict() == {"A": 1, "B": 0}
    assert cats["sbs1536"].counts.loc["AA[C>T]TG", "A"] == 1


# --------------------------------------------------------------------------- vs SigProfiler


needs_chr20 = pytest.mark.skipif(not CHR20.exists(),
                                 reason="needs Debian vt-examples (GRCh37 chr20 FASTA)")


@needs_chr20
@pytest.mark.parametrize("kind", ["sbs96", "sbs1536", "dbs78"])
def test_brca_chr20_equals_sigprofiler(kind: str) -> None:
    """SigProfilerMatrixGenerator's matrices of the same 699 chr20 SNVs, compared exactly."""
    options = CatalogOptions(contexts=(kind,), adjacent_snvs="dbs+sbs")  # type: ignore[arg-type]
    ours = build_catalogs([DATA / "BRCA_example_chr20.maf"], CHR20, options=options)[kind]
    theirs = read_catalog(DATA / f"BRCA_example_chr20.SigProfiler.{ours.name}.tsv")
    pd.testing.assert_frame_equal(ours.counts[theirs.samples], theirs.counts,
                                  check_names=False)


@needs_chr20
def test_chr20_indels_id83_equals_sigprofiler() -> None:
    """SigProfilerMatrixGenerator's ID83 of 900 drawn left-aligned indels on real chr20."""
    options = CatalogOptions(contexts=("id83",))
    ours = build_catalogs([DATA / "chr20_indels.maf"], CHR20, options=options)["id83"]
    theirs = read_catalog(DATA / "chr20_indels.SigProfiler.ID83.tsv")
    assert theirs.total.sum() == 900
    pd.testing.assert_frame_equal(ours.counts[theirs.samples], theirs.counts,
                                  check_names=False)


def _right_aligned(variant: Variant, ref: Reference) -> Variant:
    """The same indel shifted as far right as the reference allows."""
    seq = ref.fetch(variant.chrom, variant.pos, variant.pos + 300)
    if len(variant.ref) > len(variant.alt):
        size, p = len(variant.ref) - 1, 1
        while seq[p] == seq[p + size]:
            p += 1
        return Variant(variant.chrom, variant.pos + p - 1, seq[p - 1:p + size], seq[p - 1])
    inserted, p = variant.alt[1:], 1
    while seq[p] == inserted[0]:
        inserted, p = inserted[1:] + inserted[0], p + 1
    return Variant(variant.chrom, variant.pos + p - 1, seq[p - 1], seq[p - 1] + inserted)


@needs_chr20
def test_id83_does_not_depend_on_indel_alignment() -> None:
    ref = Reference(CHR20)
    left = list(read_variants(DATA / "chr20_indels.maf", reference=ref))
    right = [_right_aligned(v, ref) for v in left]
    assert sum(a.pos != b.pos for a, b in zip(left, right, strict=True)) > 500
    cats = catalogs_from_variants({"left": left, "right": right}, ref, contexts=("id83",))
    counts = cats["id83"].counts
    assert counts["left"].tolist() == counts["right"].tolist()


@needs_chr20
def test_cli_writes_sigprofiler_layout(tmp_path: Path) -> None:
    out = tmp_path / "brca.tsv"
    result = CliRunner().invoke(cli, ["spectrum", str(DATA / "BRCA_example_chr20.maf"),
                                      "--ref", str(CHR20), "-o", str(out),
                                      "--context", "sbs96,dbs78"])
    assert result.exit_code == 0, result.output
    sbs = out.with_name("brca.SBS96.tsv")
    assert sbs.read_text().splitlines()[0].split("\t")[0] == "MutationType"
    catalog = read_catalog(sbs)
    # COSMIC mode: the 7 adjacent pairs are DBS only
    assert catalog.total.sum() == 699 - 14
    assert read_catalog(out.with_name("brca.DBS78.tsv")).total.sum() == 7


def test_cli_reports_bad_plot_extension(tmp_path: Path) -> None:
    vcf = _write_vcf(tmp_path / "one.vcf", ["T"], ["slice20 11 . C T 50 PASS . GT 0/1"])
    result = CliRunner().invoke(cli, ["spectrum", str(vcf), "--ref", str(SLICE), "-o",
                                      str(tmp_path / "c.tsv"), "--plot",
                                      str(tmp_path / "c.gif")])
    assert result.exit_code == 2
    assert ".png, .svg or .pdf" in result.output


def test_catalog_file_round_trip(tmp_path: Path) -> None:
    counts = pd.DataFrame({"X": range(78), "Y": 1}, index=list(DBS78_CHANNELS))
    write_catalog(MutationCatalog("dbs78", counts), tmp_path / "d.tsv")
    back = read_catalog(tmp_path / "d.tsv")
    assert back.kind == "dbs78"
    pd.testing.assert_frame_equal(back.counts, counts, check_names=False)
