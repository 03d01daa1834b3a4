"""Tests of onco_genomics.io.variants: VCF/BCF/MAF reading, VCF writing, bad inputs."""

from __future__ import annotations

import gzip
import logging
import shutil
from pathlib import Path

import pysam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onco_genomics.errors import IndexMissingError, InputFileError, OptionsError
from onco_genomics.io.reference import Reference
from onco_genomics.io.variants import (
    HeaderField,
    Variant,
    VcfHeader,
    detect_format,
    read_variants,
    vcf_info,
    write_vcf,
)
from onco_genomics.regions import Region

DATA = Path(__file__).parent / "data" / "io"
MUTECT = DATA / "mutect2_like.vcf"


def by_site(variants: list[Variant]) -> dict[tuple[str, int, str, str], Variant]:
    return {(v.chrom, v.pos, v.ref, v.alt): v for v in variants}


# --------------------------------------------------------------------------- reading VCF


@pytest.mark.parametrize("name", ["mutect2_like.vcf", "mutect2_like.vcf.gz", "mutect2_like.bcf"])
def test_read_vcf_plain_bgzip_and_bcf_agree(name: str) -> None:
    variants = list(read_variants(DATA / name))
    # 11 records: one multi-allelic (2 ALTs), one G,* (star skipped), one <DEL> (skipped)
    assert len(variants) == 11
    assert variants == list(read_variants(MUTECT))


def test_read_vcf_values_and_positions() -> None:
    sites = by_site(list(read_variants(MUTECT)))
    snv = sites[("17", 119, "A", "G")]
    assert snv.vcf_pos == 120
    assert snv.is_pass and snv.filters == ()
    assert snv.info == {"DP": 84, "NALOD": 1.62, "TLOD": 35.21}
    assert snv.sample_data["HG00101_T"] == {"GT": "0/1", "AD": (30, 12), "AF": 0.289, "DP": 42,
                                            "F1R2": (14, 6)}
    deletion = sites[("17", 349, "TG", "T")]
    assert deletion.vartype == "DEL"
    assert deletion.info["STR"] is True
    assert deletion.info["RPA"] == (3, 2)
    assert sites[("17", 1009, "C", "CTT")].filters == ("weak_evidence",)
    assert sites[("17", 2047, "A", "T")].id == "rs55555555"
    assert sites[("17", 2499, "GG", "TT")].vartype == "MNV"
    missing = sites[("20", 2_000_000, "AAA", "A")].sample_data["HG00101_T"]
    assert missing == {"GT": "0/1", "AD": None, "AF": None, "DP": None, "F1R2": None}


def test_multiallelic_split_picks_per_allele_values() -> None:
    sites = by_site(list(read_variants(MUTECT)))
    first, second = sites[("17", 776, "C", "A")], sites[("17", 776, "C", "T")]
    assert first.filters == second.filters == ("clustered_events", "multiallelic")
    assert first.info["TLOD"] == 18.33 and second.info["TLOD"] == 8.02  # Number=A
    assert first.info["DP"] == second.info["DP"] == 70  # Number=1 kept
    tumor_a, tumor_t = first.sample_data["HG00101_T"], second.sample_data["HG00101_T"]
    assert tumor_a["AD"] == (25, 8) and tumor_t["AD"] == (25, 5)  # Number=R: REF + this ALT
    assert tumor_a["AF"] == 0.211 and tumor_t["AF"] == 0.133
    assert tumor_a["F1R2"] == (12, 4) and tumor_t["F1R2"] == (12, 3)
    # GT recoded so this ALT is allele 1 and the other ALT is missing
    assert tumor_a["GT"] == "0/1/." and tumor_t["GT"] == "0/./1"


def test_star_and_symbolic_alleles_are_skipped() -> None:
    sites = by_site(list(read_variants(MUTECT)))
    at_1500 = [key for key in sites if key[:2] == ("17", 1499)]
    assert at_1500 == [("17", 1499, "A", "G")]
    assert sites[("17", 1499, "A", "G")].sample_data["HG00101_T"]["AD"] == (22, 7)
    assert sites[("17", 1499, "A", "G")].sample_data["HG00101_T"]["GT"] == "0|1"
    assert not [key for key in sites if key[:2] == ("17", 3332)]


def test_pass_only() -> None:
    variants = list(read_variants(MUTECT, pass_only=True))
    assert all(v.is_pass for v in variants)
    assert len(variants) == 7


@pytest.mark.parametrize("name", ["mutect2_like.vcf.gz", "mutect2_like.bcf"])
def test_region_query_keeps_records_starting_inside(name: str) -> None:
    # 17:350 TG>T starts at 0-based 349: a region starting at 350 excludes it
    region = Region("17", 350, 2048)
    got = [(v.pos, v.alt) for v in read_variants(DATA / name, region=region)]
    assert got == [(776, "A"), (776, "T"), (1009, "CTT"), (1499, "G"), (2047, "T")]
    assert [v.chrom for v in read_variants(DATA / name, region=Region("20", 0, 1_500_000))] \
        == ["20"]


def test_region_query_without_index_names_tabix() -> None:
    with pytest.raises(IndexMissingError, match=r"tabix -p vcf .*no_index\.vcf\.gz"):
        read_variants(DATA / "no_index.vcf.gz", region=Region("17", 0, 1000))
    with pytest.raises(IndexMissingError, match="bgzip"):
        read_variants(MUTECT, region=Region("17", 0, 1000))
    # without a region the same file reads fine
    assert len(list(read_variants(DATA / "no_index.vcf.gz"))) == 11


def test_vcf_info() -> None:
    info = vcf_info(DATA / "mutect2_like.vcf.gz")
    assert info.samples == ("HG00101_T", "HG00101_N")
    assert info.contigs == (("17", 81195210), ("20", 63025520))
    assert info.contig_names == ["17", "20"]
    assert {"TLOD", "NALOD", "DP", "STR"} <= info.info_ids
    assert {"GT", "AD", "AF", "F1R2"} <= info.format_ids
    assert {"PASS", "weak_evidence", "normal_artifact"} <= info.filter_ids
    assert vcf_info(DATA / "mutect2_like.bcf").samples == info.samples


# --------------------------------------------------------------------------- bad inputs


def test_empty_file() -> None:
    with pytest.raises(InputFileError, match="empty"):
        read_variants(DATA / "empty.vcf")
    with pytest.raises(InputFileError, match="empty"):
        vcf_info(DATA / "empty.vcf")


def test_truncated_bgzip() -> None:
    with pytest.raises(InputFileError, match="truncated"):
        read_variants(DATA / "truncated.vcf.gz")


def test_text_that_is_not_a_vcf() -> None:
    with pytest.raises(InputFileError, match=r"not a VCF file.*'sample\\tgene\\tvalue'"):
        read_variants(DATA / "not_a_vcf.txt")


def test_malformed_record_names_its_line() -> None:
    with pytest.raises(InputFileError, match=r"line 31: expected 11 tab-separated columns, "
                                             r"found 4 \('17\\t3001\\t\.\\tC'\)"):
        list(read_variants(DATA / "malformed_record.vcf"))


@pytest.mark.parametrize(
    ("line", "message"),
    [("17\tten\t.\tA\tG\t.\tPASS\t.", "POS must be an integer, found 'ten'"),
     ("17\t0\t.\tA\tG\t.\tPASS\t.", "expected POS >= 1"),
     ("17\t5\t.\tA\tG\thigh\tPASS\t.", "QUAL must be a number"),
     ("17 5 . A G . PASS .", "space-separated")],
)
def test_bad_record_fields(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.vcf"
    path.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                    f"{line}\n")
    with pytest.raises(InputFileError, match=rf"line 3: .*{message}"):
        list(read_variants(path))


def test_truncated_plain_gzip_vcf(tmp_path: Path) -> None:
    header = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    body = "".join(f"17\t{pos}\t.\tA\tG\t50\tPASS\tDP={pos % 97}\n"
                   for pos in range(1, 20_001))
    packed = gzip.compress((header + body).encode())
    path = tmp_path / "cut.vcf.gz"
    path.write_bytes(packed[: len(packed) // 2])  # past the first 64 kB of text
    with pytest.raises(InputFileError, match="truncated or corrupt"):
        list(read_variants(path))
    path.write_bytes(packed[:100])  # cut inside the header
    with pytest.raises(InputFileError, match="truncated"):
        read_variants(path)


def test_region_error_names_the_record(tmp_path: Path) -> None:
    text = (DATA / "mutect2_like.vcf").read_text().replace("17\t2048\trs55555555\tA\tT\t.",
                                                           "17\t2048\trs55555555\tA\tT\tx")
    plain = tmp_path / "q.vcf"
    plain.write_text(text)
    pysam.tabix_index(str(plain), preset="vcf")
    with pytest.raises(InputFileError, match=r"record at 17:2048: QUAL must be a number"):
        list(read_variants(tmp_path / "q.vcf.gz", region=Region("17", 2000, 2100)))
    assert list(read_variants(tmp_path / "q.vcf.gz", region=Region("X", 0, 100))) == []


def test_header_without_chrom_line(tmp_path: Path) -> None:
    path = tmp_path / "nohdr.vcf"
    path.write_text("##fileformat=VCFv4.2\n17\t5\t.\tA\tG\t.\tPASS\t.\n")
    with pytest.raises(InputFileError, match="no #CHROM header line"):
        list(read_variants(path))
    with pytest.raises(InputFileError, match="no #CHROM header line"):
        vcf_info(path)


def test_float_formatting(tmp_path: Path) -> None:
    header = VcfHeader(contigs=[("17", 4200)], info=[HeaderField("X", "4", "Float", "x")])
    record = Variant("17", 0, "A", "C", qual=12345.678, info={"X": [0.000123456, 2.0, 3,
                                                                  float("nan")]})
    line = write_vcf(tmp_path / "f.vcf", header, [record]).read_text().splitlines()[-1]
    assert line == "17\t1\t.\tA\tC\t12346\tPASS\tX=0.0001235,2,3,."


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        read_variants(tmp_path / "absent.vcf")
    with pytest.raises(InputFileError, match="folder"):
        read_variants(tmp_path)


def test_plain_gzip_vcf_reads(tmp_path: Path) -> None:
    plain_gz = tmp_path / "calls.vcf.gz"
    with gzip.open(plain_gz, "wb") as handle:
        handle.write(MUTECT.read_bytes())
    assert detect_format(plain_gz) == "vcf"
    assert list(read_variants(plain_gz)) == list(read_variants(MUTECT))


def test_vcf_info_refuses_maf() -> None:
    with pytest.raises(InputFileError, match="MAF"):
        vcf_info(DATA / "tumor.maf")


# --------------------------------------------------------------------------- MAF


def test_maf_with_reference_matches_vcf_alleles() -> None:
    ref = Reference(DATA / "chr17_4kb.fa")
    variants = list(read_variants(DATA / "tumor.maf", reference=ref))
    assert detect_format(DATA / "tumor.maf") == "maf"
    got = [(v.chrom, v.pos, v.ref, v.alt, v.sample) for v in variants]
    assert got == [
        ("17", 119, "A", "G", "TCGA-A1-A0SB-01A"),
        ("17", 349, "TG", "T", "TCGA-A1-A0SB-01A"),  # '-' deletion gets its anchor base
        ("17", 1009, "C", "CTT", "TCGA-A1-A0SB-01A"),  # insertion after Start_Position
        ("17", 2499, "GG", "TT", "TCGA-A2-A04P-01A"),
        ("17", 3000, "C", "T", "TCGA-A2-A04P-01A"),  # Allele2 == REF: falls back to Allele1
    ]
    vcf_sites = set(by_site(list(read_variants(MUTECT))))
    assert {(c, p, r, a) for c, p, r, a, _ in got} <= vcf_sites
    assert variants[-1].filters == ("common_variant",)
    assert len(list(read_variants(DATA / "tumor.maf", reference=ref, pass_only=True))) == 4
    in_region = read_variants(DATA / "tumor.maf", reference=ref, region=Region("17", 300, 2000))
    assert [v.pos for v in in_region] == [349, 1009]


def test_maf_reference_mismatch_is_warned(tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    ref = Reference(DATA / "chr17_4kb.fa")
    with caplog.at_level(logging.WARNING):
        list(read_variants(DATA / "tumor.maf", reference=ref))
    assert not caplog.records  # the fixture agrees with the reference
    wrong = tmp_path / "wrong_build.maf"
    wrong.write_text((DATA / "tumor.maf").read_text().replace("\t120\t120\t+\tMissense_Mutation"
                                                              "\tSNP\tA\tA\tG",
                                                              "\t120\t120\t+\tMissense_Mutation"
                                                              "\tSNP\tC\tC\tG"))
    with caplog.at_level(logging.WARNING):
        list(read_variants(wrong, reference=ref))
    assert "1 of 5 Reference_Allele values checked differ" in caplog.text
    assert "17:120 MAF C, reference A" in caplog.text


def test_maf_indel_without_reference_is_a_clear_error() -> None:
    with pytest.raises(InputFileError, match="needs the preceding reference base"):
        list(read_variants(DATA / "tumor.maf"))


def test_maf_gzipped_and_missing_columns(tmp_path: Path) -> None:
    gz = tmp_path / "tumor.maf.gz"
    with gzip.open(gz, "wb") as handle:
        handle.write((DATA / "tumor.maf").read_bytes())
    ref = Reference(DATA / "chr17_4kb.fa")
    assert len(list(read_variants(gz, reference=ref))) == 5
    bad = tmp_path / "bad.maf"
    bad.write_text("Chromosome\tStart_Position\tTumor_Seq_Allele2\n17\t5\tA\n")
    with pytest.raises(InputFileError, match="Reference_Allele"):
        list(read_variants(bad))
    bad.write_text("Chromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\n"
                   "17\tfive\tA\tC\n")
    with pytest.raises(InputFileError, match=r"record 2: Start_Position must be an integer"):
        list(read_variants(bad))
    bad.write_text("Chromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele1\n"
                   "17\t5\tA\tZ\n")
    with pytest.raises(InputFileError, match="'Z' is not"):
        list(read_variants(bad))


# --------------------------------------------------------------------------- writing


def somatic_header(**overrides: object) -> VcfHeader:
    settings: dict[str, object] = dict(
        contigs=[("17", 81195210), ("20", 63025520)],
        samples=["TUMOR", "NORMAL"],
        reference=str(DATA / "chr17_4kb.fa"),
        info=[HeaderField("SOMATIC", "0", "Flag", "Somatic call"),
              HeaderField("TLOD", "A", "Float", "Tumor log odds"),
              HeaderField("DP", "1", "Integer", "Depth"),
              HeaderField("CALLER", "1", "String", "Caller")],
        formats=[HeaderField("AD", "R", "Integer", "Allelic depths"),
                 HeaderField("GT", "1", "String", "Genotype"),
                 HeaderField("AF", "A", "Float", "Allele fraction")],
        filters=[("LowQual", "Probability below threshold")],
        command_line="oncogen call t.bam n.bam --ref ref.fa",
    )
    settings.update(overrides)
    return VcfHeader(**settings)  # type: ignore[arg-type]


def somatic_records() -> list[Variant]:
    return [
        Variant("20", 999_999, "C", "T", qual=31.123456, info={"SOMATIC": True, "TLOD": 12.3456,
                                                            "DP": 40, "CALLER": "cnn"},
                sample_data={"TUMOR": {"GT": "0/1", "AD": (30, 10), "AF": 0.25},
                             "NORMAL": {"GT": "0/0", "AD": [38, 0]}}),
        Variant("17", 349, "TG", "T", filters=("LowQual",), info={"SOMATIC": False, "DP": 20},
                sample_data={"TUMOR": {"AD": (15, 5)}}),
        Variant("17", 119, "A", "G", info={"TLOD": [1e-7]}),
        Variant("17", 119, "A", "C", id="rs1"),
    ]


def test_write_vcf_bgzip_roundtrip_and_htslib_reads_index(tmp_path: Path) -> None:
    out = write_vcf(tmp_path / "calls.vcf.gz", somatic_header(), somatic_records())
    assert out == tmp_path / "calls.vcf.gz"
    assert (tmp_path / "calls.vcf.gz.tbi").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.vcf.gz", "calls.vcf.gz.tbi"]
    back = list(read_variants(out))
    # sorted by header contig order (17 before 20), position, REF, ALT
    assert [(v.chrom, v.pos, v.alt) for v in back] == [
        ("17", 119, "C"), ("17", 119, "G"), ("17", 349, "T"), ("20", 999_999, "T")]
    somatic = back[3]
    assert somatic.info == {"SOMATIC": True, "TLOD": 12.35, "DP": 40, "CALLER": "cnn"}
    assert somatic.qual == 31.12
    assert somatic.sample_data == {"TUMOR": {"GT": "0/1", "AD": (30, 10), "AF": 0.25},
                                   "NORMAL": {"GT": "0/0", "AD": (38, 0), "AF": None}}
    assert back[2].filters == ("LowQual",) and back[2].info == {"DP": 20}
    assert back[2].sample_data["NORMAL"] == {"AD": None}
    assert back[0].id == "rs1"
    assert back[1].info == {"TLOD": 1e-7}
    with pysam.VariantFile(str(out)) as vf:
        assert list(vf.header.contigs) == ["17", "20"]
        assert vf.header.contigs["20"].length == 63025520
        fetched = list(vf.fetch("20", 999_000, 1_000_100))
        assert [(r.pos, r.ref, r.alts) for r in fetched] == [(1_000_000, "C", ("T",))]
        assert fetched[0].samples["TUMOR"]["AD"] == (30, 10)
        assert fetched[0].info["SOMATIC"] is True
    assert [v.pos for v in read_variants(out, region=Region("17", 300, 400))] == [349]


def test_write_vcf_header_lines(tmp_path: Path) -> None:
    out = write_vcf(tmp_path / "calls.vcf", somatic_header(extra_lines=["##note=x"]),
                    somatic_records())
    text = out.read_text()
    lines = text.splitlines()
    assert lines[0] == "##fileformat=VCFv4.2"
    assert lines[1].startswith("##fileDate=20")
    assert lines[2].startswith("##source=oncogen-")
    assert "##oncogenCommand=oncogen call t.bam n.bam --ref ref.fa" in lines
    assert f"##reference=file://{(DATA / 'chr17_4kb.fa').resolve()}" in lines
    assert "##contig=<ID=17,length=81195210>" in lines
    assert '##FILTER=<ID=PASS,Description="All filters passed">' in lines
    assert '##INFO=<ID=TLOD,Number=A,Type=Float,Description="Tumor log odds">' in lines
    assert "##note=x" in lines
    assert lines[-5] == "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\tNORMAL"
    # GT first in FORMAT, keys in header order, missing values '.'
    assert lines[-1] == ("20\t1000000\t.\tC\tT\t31.12\tPASS\tSOMATIC;TLOD=12.35;DP=40;"
                         "CALLER=cnn\tGT:AD:AF\t0/1:30,10:0.25\t0/0:38,0:.")
    assert lines[-2] == "17\t350\t.\tTG\tT\t.\tLowQual\tDP=20\tAD\t15,5\t."
    assert lines[-3] == "17\t120\t.\tA\tG\t.\tPASS\tTLOD=1e-07\t.\t.\t."
    assert detect_format(out) == "vcf"
    assert list(read_variants(out)) == list(read_variants(
        write_vcf(tmp_path / "calls.vcf.gz", somatic_header(), somatic_records())))


def test_write_vcf_is_deterministic_and_without_samples(tmp_path: Path) -> None:
    header = VcfHeader(contigs=[("17", 4200)])
    records = [Variant("17", 5, "A", "T"), Variant("17", 2, "C", "G")]
    first = write_vcf(tmp_path / "a.vcf", header, records).read_text()
    second = write_vcf(tmp_path / "b.vcf", header, reversed(records)).read_text()
    assert first == second
    assert first.splitlines()[-1] == "17\t6\t.\tA\tT\t.\tPASS\t."
    assert [v.pos for v in read_variants(tmp_path / "a.vcf")] == [2, 5]


def test_write_vcf_byte_identical_with_source_date_epoch(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = write_vcf(tmp_path / "a.vcf.gz", somatic_header(), somatic_records()).read_bytes()
    second = write_vcf(tmp_path / "b.vcf.gz", somatic_header(),
                       reversed(somatic_records())).read_bytes()
    assert first == second
    assert b"##fileDate=20231114" in gzip.decompress(first)


def test_write_vcf_empty_is_valid(tmp_path: Path) -> None:
    out = write_vcf(tmp_path / "none.vcf.gz", somatic_header(), [])
    assert list(read_variants(out)) == []
    assert vcf_info(out).samples == ("TUMOR", "NORMAL")
    assert list(read_variants(out, region=Region("17", 0, 100))) == []


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (Variant("chr17", 1, "A", "G"), "does not declare"),
        (Variant("17", 1, "A", "G", info={"XX": 1}), "INFO key 'XX'"),
        (Variant("17", 1, "A", "G", sample_data={"TUMOR": {"ZZ": 1}}), "FORMAT key 'ZZ'"),
        (Variant("17", 1, "A", "G", sample_data={"OTHER": {"AD": (1, 2)}}), "sample 'OTHER'"),
        (Variant("17", 1, "A", "G", filters=("Nope",)), "FILTER 'Nope'"),
        (Variant("17", 1, "A", "G", info={"CALLER": "a b"}), "separator"),
    ],
)
def test_write_vcf_refuses_undeclared_things(tmp_path: Path, record: Variant,
                                             message: str) -> None:
    target = tmp_path / "calls.vcf.gz"
    with pytest.raises(ValueError, match=message):
        write_vcf(target, somatic_header(), [record])
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_write_vcf_refuses_bad_headers(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="duplicated contig"):
        write_vcf(tmp_path / "x.vcf", VcfHeader(contigs=[("1", 5), ("1", 5)]), [])
    with pytest.raises(ValueError, match="not a valid VCF key"):
        write_vcf(tmp_path / "x.vcf", somatic_header(
            info=[HeaderField("TUMOR AF", "1", "Float", "x")]), [])
    quoted = somatic_header(info=[HeaderField("Q", "1", "String", 'say "hi"')])
    text = write_vcf(tmp_path / "q.vcf", quoted, []).read_text()
    assert '##INFO=<ID=Q,Number=1,Type=String,Description="say \\"hi\\"">' in text
    assert vcf_info(tmp_path / "q.vcf").info_ids == {"Q"}


def test_write_vcf_failure_keeps_previous_output(tmp_path: Path) -> None:
    target = write_vcf(tmp_path / "calls.vcf.gz", somatic_header(), somatic_records())
    before = target.read_bytes(), (tmp_path / "calls.vcf.gz.tbi").read_bytes()

    def failing() -> object:
        yield Variant("17", 1, "A", "G")
        raise RuntimeError("caller crashed")

    with pytest.raises(RuntimeError):
        write_vcf(target, somatic_header(), failing())  # type: ignore[arg-type]
    assert (target.read_bytes(), (tmp_path / "calls.vcf.gz.tbi").read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.vcf.gz", "calls.vcf.gz.tbi"]


def test_write_vcf_refuses_bcf_name(tmp_path: Path) -> None:
    with pytest.raises(OptionsError, match=r"\.vcf\.gz.*bcftools view -Ob"):
        write_vcf(tmp_path / "calls.bcf", somatic_header(), [])
    out = write_vcf(tmp_path / "calls.vcf.bgz", somatic_header(), somatic_records())
    assert (tmp_path / "calls.vcf.bgz.tbi").exists()
    assert len(list(read_variants(out))) == 4


def test_write_vcf_long_contig_uses_csi(tmp_path: Path) -> None:
    header = VcfHeader(contigs=[("big", 600_000_000)])
    out = write_vcf(tmp_path / "big.vcf.gz", header, [Variant("big", 550_000_000, "A", "C")])
    assert (tmp_path / "big.vcf.gz.csi").exists()
    assert not (tmp_path / "big.vcf.gz.tbi").exists()
    got = list(read_variants(out, region=Region("big", 549_999_000, 550_000_100)))
    assert [v.pos for v in got] == [550_000_000]


def test_fixture_copy_reads_like_original(tmp_path: Path) -> None:
    # reading must not depend on the fixture folder (no stray index lookups elsewhere)
    shutil.copy(DATA / "mutect2_like.vcf.gz", tmp_path / "x.vcf.gz")
    shutil.copy(DATA / "mutect2_like.vcf.gz.tbi", tmp_path / "x.vcf.gz.tbi")
    assert len(list(read_variants(tmp_path / "x.vcf.gz", region=Region("17", 0, 4200)))) == 9


# --------------------------------------------------------------------------- property


@st.composite
def variant_sets(draw: st.DrawFn) -> list[Variant]:
    bases = st.sampled_from("ACGT")
    sites = draw(st.lists(st.tuples(st.sampled_from(["17", "20"]), st.integers(0, 4000)),
                          min_size=0, max_size=12, unique=True))
    records = []
    for chrom, pos in sites:
        ref = draw(st.text(bases, min_size=1, max_size=3))
        alt = draw(st.text(bases, min_size=1, max_size=3).filter(lambda a, r=ref: a != r))
        info: dict[str, object] = {"DP": draw(st.integers(0, 10_000))}
        if draw(st.booleans()):
            info["SOMATIC"] = True
        if draw(st.booleans()):
            # htslib keeps VCF Floats as float32: no subnormals, |x| <= 3.4e38
            info["TLOD"] = draw(st.floats(-1e6, 1e6, width=32, allow_subnormal=False))
        tumor: dict[str, object] = {"GT": draw(st.sampled_from(["0/1", "1/1", "0|1", "./."])),
                                    "AD": (draw(st.integers(0, 999)), draw(st.integers(0, 999)))}
        records.append(Variant(chrom, pos, ref, alt, info=info,
                               filters=draw(st.sampled_from([(), ("LowQual",)])),
                               sample_data={"TUMOR": tumor}))
    return records


def rounded(value: float) -> float:
    text = f"{value:.4g}"
    return float(f"{value:.0f}") if "e+" in text else float(text)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=variant_sets())
def test_write_read_roundtrip_property(tmp_path: Path, records: list[Variant]) -> None:
    out = write_vcf(tmp_path / "p.vcf.gz", somatic_header(), records)
    back = list(read_variants(out))
    order = {"17": 0, "20": 1}
    expected = sorted(records, key=lambda v: (order[v.chrom], v.pos, v.ref, v.alt))
    assert [(v.chrom, v.pos, v.ref, v.alt, v.filters) for v in back] == \
        [(v.chrom, v.pos, v.ref, v.alt, v.filters) for v in expected]
    for got, want in zip(back, expected, strict=True):
        want_info = dict(want.info)
        if "TLOD" in want_info:
            want_info["TLOD"] = rounded(float(want_info["TLOD"]))  # type: ignore[arg-type]
        assert got.info == want_info
        assert got.sample_data["TUMOR"] == want.sample_data["TUMOR"]
        assert got.sample_data["NORMAL"] == {"GT": ".", "AD": None}  # FORMAT keys of the record


# --------------------------------------------------------------------------- real callers


def test_real_mutect1_vcf_that_htslib_refuses() -> None:
    # PureCN's MuTect1 example: the tumour DP is fractional (79.0663) in an Integer field,
    # which htslib/bcftools reject; oncogen reads it and keeps the value as written
    path = DATA / "purecn_mutect1.vcf.gz"
    variants = list(read_variants(path))
    assert len(variants) == 300
    first = variants[0]
    assert (first.chrom, first.vcf_pos, first.ref, first.alt, first.id) == \
        ("chr1", 909276, "A", "G", "chr1909276xxx")
    assert first.filters == ("REJECT",) and first.info == {"DB": True}
    assert first.sample_data["LIB-02240e4"] == {"GT": "0/1", "AD": (60, 97), "BQ": 34.0,
                                                "DP": 79.0663, "FA": 0.224172}
    assert first.sample_data["LIB-02252e4"] == {"GT": "0", "AD": (28, 36), "BQ": None,
                                                "DP": 64, "FA": 0.563}
    assert len(list(read_variants(path, pass_only=True))) == 2
    info = vcf_info(path)
    assert info.samples == ("LIB-02240e4", "LIB-02252e4")
    assert info.contigs[0] == ("chr1", 249250621) and len(info.contigs) == 25
    assert {"REJECT", "PASS"} <= info.filter_ids
    in_region = list(read_variants(path, region=Region("chr2", 0, 50_000_000)))
    assert in_region == [v for v in variants if v.chrom == "chr2" and v.pos < 50_000_000]
    assert in_region


def test_real_mutect2_vcf_agrees_with_htslib() -> None:
    path = DATA / "purecn_mutect2.vcf.gz"
    ours = list(read_variants(path))
    with pysam.VariantFile(str(path)) as vf:
        theirs = list(vf)
    assert len(ours) == len(theirs) == 11
    for mine, record in zip(ours, theirs, strict=True):
        assert (mine.chrom, mine.vcf_pos, mine.ref, mine.alt) == \
            (record.chrom, record.pos, record.ref, record.alts[0])
        assert mine.info["TLOD"] == pytest.approx(record.info["TLOD"][0], rel=1e-6)
        assert mine.info["P_GERMLINE"] == pytest.approx(record.info["P_GERMLINE"][0],
                                                        rel=1e-6)
        sample = record.samples["EU_It"]
        assert mine.sample_data["EU_It"]["AD"] == tuple(sample["AD"])
        assert mine.sample_data["EU_It"]["SA_POST_PROB"] == pytest.approx(
            tuple(sample["SA_POST_PROB"]), rel=1e-6)
        assert mine.sample_data["EU_It"]["MBQ"] == sample["MBQ"][0]  # Number=A -> scalar
