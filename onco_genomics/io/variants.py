"""Variant records: read VCF/BCF and TCGA-style MAF, write VCF 4.2 (bgzip + tabix).

Every reader returns :class:`Variant` records, one per ALT allele (multi-allelic
records are split), with 0-based positions.

VCF text (plain, gzip or BGZF) is parsed here, line by line, with region queries through
the tabix index (pysam); BCF, being binary, is decoded by htslib through cyvcf2. Parsing
the text ourselves reads real callers' output that htslib refuses (MuTect1 writes a
fractional DP into an Integer field) and skips htslib's parse-then-print round trip.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import itertools
import logging
import math
import os
import re
import warnings
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from onco_genomics.errors import IndexMissingError, InputFileError, OptionsError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.regions import Region

if TYPE_CHECKING:
    from onco_genomics.io.reference import Reference

log = logging.getLogger(__name__)

VariantType = Literal["SNV", "MNV", "INS", "DEL", "COMPLEX"]


@dataclass(frozen=True)
class Variant:
    """One ALT allele at one site.

    Attributes
    ----------
    chrom, pos
        Contig and 0-based position of the first REF base.
    ref, alt
        Alleles in VCF convention (indels carry the anchor base). Upper case.
    filters
        FILTER values; empty means PASS (or unfiltered ``.``).
    info
        INFO key -> value (flags are ``True``).
    sample_data
        sample name -> FORMAT key -> value (values for this ALT where per-allele).
    sample
        The tumour sample the record belongs to when the source says so (MAF
        ``Tumor_Sample_Barcode``); None for VCF.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    id: str | None = None
    qual: float | None = None
    filters: tuple[str, ...] = ()
    info: Mapping[str, Any] = field(default_factory=dict)
    sample_data: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sample: str | None = None

    def __post_init__(self) -> None:
        if self.pos < 0:
            raise ValueError(f"Variant position must be >= 0 (0-based), got {self.pos}")
        if not self.ref or not self.alt:
            raise ValueError(f"Variant at {self.chrom}:{self.pos + 1} has an empty allele")

    @property
    def vcf_pos(self) -> int:
        """1-based position, as written in VCF text."""
        return self.pos + 1

    @property
    def end(self) -> int:
        """0-based exclusive end of the REF allele."""
        return self.pos + len(self.ref)

    @property
    def is_pass(self) -> bool:
        return not self.filters or self.filters == ("PASS",)

    @property
    def vartype(self) -> VariantType:
        """SNV, MNV, INS, DEL or COMPLEX, from the alleles as written."""
        nref, nalt = len(self.ref), len(self.alt)
        if nref == nalt:
            return "SNV" if nref == 1 else "MNV"
        if nref == 1 and self.alt[0] == self.ref[0]:
            return "INS"
        if nalt == 1 and self.ref[0] == self.alt[0]:
            return "DEL"
        return "COMPLEX"

    @property
    def is_indel(self) -> bool:
        return self.vartype in ("INS", "DEL")


@dataclass(frozen=True)
class HeaderField:
    """An INFO or FORMAT definition: ``##INFO=<ID=..,Number=..,Type=..,Description="..">``."""

    id: str
    number: str
    type: Literal["Integer", "Float", "Flag", "Character", "String"]
    description: str


@dataclass(frozen=True)
class VcfHeader:
    """Everything :func:`write_vcf` needs for a complete VCF 4.2 header.

    ``contigs`` are (name, length) in reference order; ``filters`` are (id, description)
    and need not include PASS; ``command_line`` goes into ``##oncogenCommand``.
    """

    contigs: Sequence[tuple[str, int]]
    samples: Sequence[str] = ()
    reference: str | None = None
    info: Sequence[HeaderField] = ()
    formats: Sequence[HeaderField] = ()
    filters: Sequence[tuple[str, str]] = ()
    command_line: str | None = None
    extra_lines: Sequence[str] = ()


# ---------------------------------------------------------------------------------------
# Reading and writing
# ---------------------------------------------------------------------------------------

_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
_TBI_MAX_CONTIG = 1 << 29  # TBI indexes positions below 2**29; longer contigs need CSI

_CONTIG_RE = re.compile(r"^##contig=<ID=(?P<id>[^,>]+)(?:.*?[<,]length=(?P<length>\d+))?")

FileFormat = Literal["vcf", "bcf", "maf"]


@dataclass(frozen=True)
class VcfInfo:
    """What a VCF/BCF header declares.

    Attributes
    ----------
    path
        The file described.
    samples
        Sample names in column order.
    contigs
        ``(name, length)`` from the ``##contig`` lines, in header order (length -1 when
        the header gives none).
    info_ids, format_ids, filter_ids
        IDs of the ``##INFO``, ``##FORMAT`` and ``##FILTER`` definitions.
    """

    path: Path
    samples: tuple[str, ...]
    contigs: tuple[tuple[str, int], ...]
    info_ids: frozenset[str]
    format_ids: frozenset[str]
    filter_ids: frozenset[str]

    def __post_init__(self) -> None:
        if len(set(self.samples)) != len(self.samples):
            raise ValueError(f"duplicated sample names in {self.samples}")

    @property
    def contig_names(self) -> list[str]:
        return [name for name, _ in self.contigs]


# --------------------------------------------------------------------------- writing


def _format_number(value: float | int) -> str:
    if isinstance(value, bool):
        raise ValueError(f"a boolean {value!r} can only be an INFO flag")
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "."
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    text = f"{value:.4g}"
    if "e+" in text and abs(value) < 1e15:
        text = f"{value:.0f}"  # 12345.6 -> 12346, not 1.235e+04
    return text


def _format_scalar(value: Any, key: str) -> str:
    if value is None:
        return "."
    if isinstance(value, str):
        if any(ch in value for ch in "\t\n\r;= ") or (value == "" ):
            raise ValueError(f"value {value!r} of {key} is empty or contains a VCF separator")
        return value
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):  # numpy scalar
        value = value.item()
    if isinstance(value, (int, float)):
        return _format_number(value)
    raise ValueError(f"cannot write a {type(value).__name__} ({value!r}) as the value of {key}")


def _format_value(value: Any, key: str) -> str:
    if isinstance(value, (list, tuple)) or (hasattr(value, "ndim") and value.ndim > 0):
        items = list(value)
        if not items:
            return "."
        return ",".join(_format_scalar(item, key) for item in items)
    return _format_scalar(value, key)


def _format_gt(value: Any) -> str:
    if value is None:
        return "."
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "/".join("." if a is None or a < 0 else str(a) for a in value)
    raise ValueError(f"cannot write GT value {value!r}")


def _file_date() -> datetime.date:
    """Today, or ``SOURCE_DATE_EPOCH`` (reproducible-builds convention) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC).date()
    return datetime.date.today()


def header_lines(header: VcfHeader) -> list[str]:
    """The ``##`` meta lines and the ``#CHROM`` line of a VCF 4.2 file for ``header``."""
    from onco_genomics import __version__

    lines = [
        "##fileformat=VCFv4.2",
        f"##fileDate={_file_date():%Y%m%d}",
        f"##source=oncogen-{__version__}",
    ]
    if header.command_line:
        lines.append(f"##oncogenCommand={header.command_line}")
    if header.reference:
        ref = header.reference
        if "://" not in ref:
            ref = "file://" + str(Path(ref).resolve())
        lines.append(f"##reference={ref}")
    for name, length in header.contigs:
        lines.append(f"##contig=<ID={name},length={int(length)}>")
    lines.append('##FILTER=<ID=PASS,Description="All filters passed">')
    for fid, description in header.filters:
        if fid != "PASS":
            lines.append(f'##FILTER=<ID={fid},Description="{_quote(description)}">')
    for hfield in header.info:
        lines.append(f"##INFO=<ID={hfield.id},Number={hfield.number},Type={hfield.type},"
                     f'Description="{_quote(hfield.description)}">')
    for hfield in header.formats:
        lines.append(f"##FORMAT=<ID={hfield.id},Number={hfield.number},Type={hfield.type},"
                     f'Description="{_quote(hfield.description)}">')
    for extra in header.extra_lines:
        lines.append(extra if extra.startswith("##") else "##" + extra)
    columns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if header.samples:
        columns += ["FORMAT", *header.samples]
    lines.append("\t".join(columns))
    return lines


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class _RecordFormatter:
    """Turns :class:`Variant` records into VCF lines checked against one header."""

    def __init__(self, header: VcfHeader) -> None:
        self.header = header
        self.contig_rank = {name: i for i, (name, _) in enumerate(header.contigs)}
        if len(self.contig_rank) != len(header.contigs):
            raise ValueError("duplicated contig names in the VCF header")
        for hfield in (*header.info, *header.formats):
            if not re.fullmatch(r"[A-Za-z_][0-9A-Za-z_.]*", hfield.id):
                raise ValueError(f"INFO/FORMAT ID {hfield.id!r} is not a valid VCF key")
        self.info = {f.id: f for f in header.info}
        self.format_ids = [f.id for f in header.formats]
        if "GT" in self.format_ids:  # VCF requires GT first
            self.format_ids.remove("GT")
            self.format_ids.insert(0, "GT")
        self.format_set = set(self.format_ids)
        self.filter_ids = {fid for fid, _ in header.filters} | {"PASS"}
        self.samples = list(header.samples)
        if len(set(self.samples)) != len(self.samples):
            raise ValueError(f"duplicated sample names in the header: {self.samples}")

    def sort_key(self, record: Variant) -> tuple[int, int, str, str]:
        rank = self.contig_rank.get(record.chrom)
        if rank is None:
            raise ValueError(
                f"record {record.chrom}:{record.vcf_pos} is on a contig that the VCF header "
                f"does not declare (header contigs: {list(self.contig_rank)[:5]}...)"
            )
        return rank, record.pos, record.ref, record.alt

    def line(self, record: Variant) -> str:
        where = f"{record.chrom}:{record.vcf_pos}"
        info_parts = []
        for key, value in record.info.items():
            definition = self.info.get(key)
            if definition is None:
                raise ValueError(f"record {where}: INFO key {key!r} is not defined in the header")
            if definition.type == "Flag" or isinstance(value, bool):
                if value is True:
                    info_parts.append(key)
                elif value not in (False, None):
                    raise ValueError(f"record {where}: INFO flag {key} must be True/False")
                continue
            if value is None:
                continue
            info_parts.append(f"{key}={_format_value(value, key)}")
        for fid in record.filters:
            if fid not in self.filter_ids:
                raise ValueError(f"record {where}: FILTER {fid!r} is not defined in the header")
        filters = ";".join(record.filters) if record.filters else "PASS"
        columns = [
            record.chrom,
            str(record.vcf_pos),
            record.id or ".",
            record.ref.upper(),
            record.alt.upper(),
            "." if record.qual is None else _format_number(float(record.qual)),
            filters,
            ";".join(info_parts) or ".",
        ]
        if self.samples:
            columns.extend(self._sample_columns(record, where))
        elif record.sample_data:
            raise ValueError(f"record {where} has sample data but the header has no samples")
        return "\t".join(columns)

    def _sample_columns(self, record: Variant, where: str) -> list[str]:
        for sample, values in record.sample_data.items():
            if sample not in self.samples:
                raise ValueError(f"record {where}: sample {sample!r} is not in the header")
            for key in values:
                if key not in self.format_set:
                    raise ValueError(
                        f"record {where}: FORMAT key {key!r} is not defined in the header")
        used = [key for key in self.format_ids
                if any(key in values for values in record.sample_data.values())]
        if not used:
            return ["."] + ["."] * len(self.samples)
        cells = []
        for sample in self.samples:
            values = record.sample_data.get(sample, {})
            parts = []
            for key in used:
                value = values.get(key)
                parts.append(_format_gt(value) if key == "GT" else _format_value(value, key))
            cells.append(":".join(parts))
        return [":".join(used), *cells]


def write_vcf(path: str | os.PathLike[str], header: VcfHeader,
              records: Iterable[Variant]) -> Path:
    """Write a sorted VCF 4.2 file: bgzipped and tabix-indexed when ``path`` ends in ``.gz``.

    Records are sorted by (contig order in ``header``, position, REF, ALT). The file (and
    its ``.tbi``, or ``.csi`` for contigs longer than 2**29) is written atomically: a
    failed run leaves no partial output.

    Parameters
    ----------
    path
        Output path; ``.vcf.gz`` (or ``.bgz``) gives BGZF + index, anything else plain
        text (``.bcf`` is refused with :class:`OptionsError`).
    header
        Contigs, samples, INFO/FORMAT/FILTER definitions and provenance.
    records
        Variants; their INFO/FORMAT keys, filters, samples and contigs must be declared in
        ``header`` (a ValueError otherwise: that is a programming error).

    Returns
    -------
    Path
        The written VCF.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "calls.vcf.gz"
    >>> h = VcfHeader(contigs=[("20", 1000)])
    >>> write_vcf(out, h, [Variant("20", 9, "A", "G")]).name
    'calls.vcf.gz'
    """
    target = Path(path)
    if target.suffix.lower() in (".bcf", ".maf"):
        raise OptionsError(
            f"output {target}: oncogen writes VCF; expected a name ending in .vcf.gz "
            "(bgzipped and indexed) or .vcf. Convert afterwards with "
            "`bcftools view -Ob -o out.bcf out.vcf.gz` if you need BCF")
    formatter = _RecordFormatter(header)
    ordered = sorted(records, key=formatter.sort_key)
    text_lines = header_lines(header)
    text_lines.extend(formatter.line(record) for record in ordered)
    payload = ("\n".join(text_lines) + "\n").encode()
    if target.suffix.lower() not in (".gz", ".bgz"):
        with atomic_path(target) as tmp:
            tmp.write_bytes(payload)
        log.info("wrote %d records to %s", len(ordered), target)
        return target

    index_suffix = write_bgzip_indexed(target, payload,
                                       contig_lengths=[length for _, length in header.contigs])
    log.info("wrote %d records to %s (+%s)", len(ordered), target, index_suffix)
    return target


def write_bgzip_indexed(target: Path, payload: bytes, *,
                        contig_lengths: Iterable[int | None]) -> str:
    """Write VCF text ``payload`` bgzipped to ``target`` with a tabix index.

    A CSI index is used instead when a contig is too long for TBI (2**29 bases). Both files
    are written atomically; a stale index of the other kind is removed. Returns the index
    suffix (``.tbi`` or ``.csi``).
    """
    csi = any((length or 0) >= _TBI_MAX_CONTIG for length in contig_lengths)
    import pysam
    from pysam.libcbgzf import BGZFile

    index_suffix = ".csi" if csi else ".tbi"
    index_target = target.with_name(target.name + index_suffix)
    with atomic_path(index_target, suffix=index_suffix) as tmp_index:
        with atomic_path(target) as tmp:
            with BGZFile(str(tmp), "wb", index=None) as handle:
                handle.write(payload)
            pysam.tabix_index(str(tmp), preset="vcf", force=True, index=str(tmp_index),
                              csi=csi)
    stale = target.with_name(target.name + (".tbi" if csi else ".csi"))
    if stale.exists():
        stale.unlink()
    return index_suffix


# --------------------------------------------------------------------------- reading


def _read_head(path: Path, size: int = 65536) -> tuple[bytes, bool]:
    """First bytes of the (decompressed) file and whether it is gzip/BGZF compressed."""
    if not path.exists():
        raise InputFileError(f"variant file {path} does not exist")
    if path.is_dir():
        raise InputFileError(f"variant file {path} is a folder, expected a VCF, BCF or MAF file")
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if not magic:
        raise InputFileError(
            f"variant file {path} is empty (0 bytes); expected a VCF, BCF or MAF file. "
            "Was it written by a run that failed?")
    compressed = magic[:2] == b"\x1f\x8b"
    if not compressed:
        with open(path, "rb") as handle:
            return handle.read(size), False
    if magic[3] & 4:  # FEXTRA: BGZF; check the end-of-file block htslib writes
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - len(_BGZF_EOF)))
            tail = handle.read()
        if tail != _BGZF_EOF:
            raise InputFileError(
                f"variant file {path} is truncated: the BGZF end-of-file marker is missing. "
                "Re-create or re-download it (check its size/md5).")
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(size), True
    except (EOFError, OSError, gzip.BadGzipFile) as err:
        raise InputFileError(
            f"variant file {path} is truncated or not a readable gzip/BGZF file ({err}); "
            "re-create it (compress VCF with `bgzip`)") from err


def detect_format(path: str | os.PathLike[str]) -> FileFormat:
    """Whether ``path`` holds VCF, BCF or MAF, judged by content (then extension).

    Raises
    ------
    InputFileError
        Empty, truncated or unreadable files and files in none of these formats.
    """
    path = Path(path)
    head, _ = _read_head(path)
    if head.startswith(b"BCF\x02"):
        return "bcf"
    if head.startswith(b"##fileformat=VCF"):
        return "vcf"
    text = head.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and lines[0].startswith("#CHROM\t"):
        return "vcf"
    for line in lines[:200]:
        if line.startswith("#"):
            continue
        columns = line.rstrip("\r").split("\t")
        if "Chromosome" in columns and "Start_Position" in columns:
            return "maf"
        break
    name = path.name.lower()
    if not text.strip():
        raise InputFileError(f"variant file {path} contains no text; expected a VCF or MAF")
    first = lines[0][:80] if lines else ""
    kind = "MAF" if ".maf" in name else "VCF"
    raise InputFileError(
        f"{path} is not a {kind} file: expected a VCF (first line ##fileformat=VCF...), a BCF, "
        f"or a MAF with Chromosome/Start_Position columns; the first line is {first!r}")


def _open_text(path: Path) -> io.TextIOBase:
    """Open VCF/MAF text, plain or gzip/BGZF. Bytes that are not UTF-8 (latin-1 in a
    header description, say) are replaced rather than refused."""
    if _read_head(path, 2)[1]:
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace",
                                newline="")
    return open(path, encoding="utf-8", errors="replace", newline="")


def _index_for(path: Path) -> Path | None:
    for suffix in (".tbi", ".csi"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            return candidate
    return None


def read_variants(path: str | os.PathLike[str], *, pass_only: bool = False,
                  region: Region | None = None,
                  reference: Reference | None = None) -> Iterator[Variant]:
    """Read a VCF, BCF or MAF file as :class:`Variant` records, one per ALT allele.

    Multi-allelic VCF records are split; per-allele values (INFO/FORMAT ``Number=A`` or
    ``R``, e.g. AF, AD) are reduced to this allele (``R`` keeps REF and this ALT).
    Symbolic (``<DEL>``), breakend and ``*`` alleles are skipped. For a split record GT is
    rewritten so that this ALT is allele 1 and other ALTs are missing (``.``).

    Parameters
    ----------
    path
        VCF/BCF (plain or bgzipped) or TCGA-style MAF (plain or gzipped).
    pass_only
        Keep only records whose FILTER is PASS or ``.``.
    region
        Keep records whose start lies in this region. VCF/BCF need an index
        (``.tbi``/``.csi``); a MAF is filtered while reading.
    reference
        For MAF insertions and deletions written with ``-``: supplies the anchor base
        that VCF-style alleles need.

    Raises
    ------
    InputFileError
        Missing, empty, truncated or non-variant files; malformed VCF records or MAF rows
        (with the line number). Format errors are raised on the call; record errors
        while iterating.
    IndexMissingError
        ``region`` given for a file without an index.
    """
    path = Path(path)
    kind = detect_format(path)
    if kind == "maf":
        return _read_maf(path, pass_only=pass_only, region=region, reference=reference)
    return _read_vcf(path, kind, pass_only=pass_only, region=region)


_NUMERIC: dict[str, Any] = {"Integer": int, "Float": float}


def _convert(text: str, vtype: str) -> Any:
    convert = _NUMERIC.get(vtype)
    if convert is None:
        return None if text == "." or text == "" else text
    try:
        return convert(text)
    except ValueError:
        pass
    if text == "." or text == "":
        return None
    try:
        return float(text)  # an Integer field holding 1.5, or a Float spelled oddly
    except ValueError:
        return text  # kept as written rather than guessed


def _parse_value(text: str, number: str, vtype: str, allele: int, n_alt: int) -> Any:
    """Parse one INFO/FORMAT value; reduce per-allele values to ALT number ``allele``."""
    if text == ".":
        return None
    if "," not in text and number not in ("R", "G", "."):
        return _convert(text, vtype)  # the common single value (Number=1, or A with one ALT)
    items = [_convert(item, vtype) for item in text.split(",")]
    if number == "A":
        if len(items) == n_alt:
            return items[allele - 1]
        return tuple(items) if len(items) > 1 else items[0]
    if number == "R":
        if len(items) == n_alt + 1:
            return (items[0], items[allele])
        return tuple(items)
    if len(items) == 1 and number not in ("G", "."):
        return items[0]
    return tuple(items)  # Number=1 holding several values is kept whole, not cut


def _is_skippable(alt: str) -> bool:
    return alt in ("*", ".", "<*>", "<NON_REF>") or alt.startswith("<") or "[" in alt \
        or "]" in alt


def _recode_gt(gt: str, allele: int, n_alt: int) -> str:
    if n_alt == 1 or gt in (".", "./.", ".|."):
        return gt
    out = []
    token = ""
    for ch in gt:
        if ch in "/|":
            out.append(_recode_allele(token, allele))
            out.append(ch)
            token = ""
        else:
            token += ch
    out.append(_recode_allele(token, allele))
    return "".join(out)


def _recode_allele(token: str, allele: int) -> str:
    if token in (".", "", "0"):
        return token
    return "1" if token == str(allele) else "."


@dataclass(frozen=True)
class _VcfLayout:
    """What record parsing needs from a VCF header."""

    samples: tuple[str, ...]
    info: Mapping[str, tuple[str, str]]  # ID -> (Number, Type)
    formats: Mapping[str, tuple[str, str]]
    filters: frozenset[str]
    contigs: tuple[tuple[str, int], ...]


_DEFINITION_RE = re.compile(r"^##(?P<kind>INFO|FORMAT|FILTER)=<(?P<body>.*)>\s*$")


def _definition_field(body: str, key: str) -> str | None:
    head = body.split("Description=", 1)[0]  # the description may quote anything
    match = re.search(rf"(?:^|,){key}=([^,>]*)", head)
    return match.group(1) if match else None


def _parse_header(path: Path, lines: Sequence[str]) -> _VcfLayout:
    """Parse ``##`` lines and the ``#CHROM`` line (the last of ``lines``)."""
    info: dict[str, tuple[str, str]] = {}
    formats: dict[str, tuple[str, str]] = {}
    filters: set[str] = set()
    contigs: list[tuple[str, int]] = []
    for line in lines[:-1]:
        contig = _CONTIG_RE.match(line)
        if contig:
            contigs.append((contig["id"], int(contig["length"] or -1)))
            continue
        match = _DEFINITION_RE.match(line)
        if not match:
            continue
        body = match["body"]
        field_id = _definition_field(body, "ID")
        if not field_id:
            raise InputFileError(f"{path}: header line {line[:80]!r} has no ID; expected "
                                 "##INFO/FORMAT/FILTER=<ID=...,...>")
        if match["kind"] == "FILTER":
            filters.add(field_id)
            continue
        number = _definition_field(body, "Number") or "."
        vtype = _definition_field(body, "Type") or "String"
        (info if match["kind"] == "INFO" else formats)[field_id] = (number, vtype)
    columns = lines[-1].rstrip("\r\n").split("\t")
    if columns[:8] != ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]:
        raise InputFileError(
            f"{path}: the column header line is {lines[-1][:80]!r}; expected "
            "#CHROM POS ID REF ALT QUAL FILTER INFO [FORMAT samples...] separated by tabs")
    samples = tuple(columns[9:])
    if len(set(samples)) != len(samples):
        raise InputFileError(f"{path}: duplicated sample names in the #CHROM line: {samples}")
    return _VcfLayout(samples=samples, info=info, formats=formats,
                      filters=frozenset(filters), contigs=tuple(contigs))


def _read_text_header(path: Path, handle: io.TextIOBase) -> tuple[list[str], int]:
    """Read header lines up to and including ``#CHROM``; return them and the line count."""
    lines: list[str] = []
    for line in handle:
        if line.startswith("##"):
            lines.append(line.rstrip("\r\n"))
        elif line.startswith("#"):
            lines.append(line.rstrip("\r\n"))
            return lines, len(lines)
        else:
            break
    raise InputFileError(f"{path} has no #CHROM header line before its records; expected a "
                         "VCF header ending in '#CHROM POS ID REF ALT QUAL FILTER INFO ...'")


def _read_vcf(path: Path, kind: FileFormat, *, pass_only: bool,
              region: Region | None) -> Iterator[Variant]:
    if region is not None and _index_for(path) is None:
        compressed = _read_head(path, 4)[1]
        fix = (f"index it with `tabix -p vcf {path}` (or `bcftools index {path}`)"
               if compressed or kind == "bcf" else
               f"compress and index it with `bgzip {path} && tabix -p vcf {path}.gz`")
        raise IndexMissingError(
            f"a region query ({region}) on {path} needs a .tbi or .csi index, found none; {fix}")
    if kind == "bcf":
        return _iter_bcf(path, pass_only=pass_only, region=region)
    return _iter_text_vcf(path, pass_only=pass_only, region=region)


def _iter_text_vcf(path: Path, *, pass_only: bool,
                   region: Region | None) -> Iterator[Variant]:
    """VCF text is parsed here (not by htslib), so real callers' quirks such as MuTect1's
    fractional DP in an Integer field are read rather than refused."""
    handle = _open_text(path)
    with handle:
        header, n_header = _read_text_header(path, handle)
        layout = _parse_header(path, header)
        lines: Iterable[str]
        if region is None:
            lines = handle
        else:
            lines = _tabix_lines(path, region)
        try:
            for line_no, line in enumerate(lines, start=n_header + 1):
                if not line.strip():
                    continue
                if region is None:
                    where = f"line {line_no}"
                else:
                    where = "record at " + ":".join(line.split("\t", 2)[:2])
                columns = line.rstrip("\r\n").split("\t")
                yield from _record_variants(columns, layout, path, where, pass_only=pass_only,
                                            region=region)
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            raise InputFileError(f"{path} is truncated or corrupt ({err}); re-create it") from err


def _tabix_lines(path: Path, region: Region) -> Iterator[str]:
    import pysam

    index = _index_for(path)
    try:
        tabix = pysam.TabixFile(str(path), index=str(index))
    except OSError as err:
        raise InputFileError(f"cannot open {path} with its index {index}: {err}; re-create "
                             f"the index with `tabix -f -p vcf {path}`") from err
    with tabix:
        if region.chrom not in tabix.contigs:
            return
        yield from tabix.fetch(region.chrom, region.start, region.end)


def _iter_bcf(path: Path, *, pass_only: bool, region: Region | None) -> Iterator[Variant]:
    from cyvcf2 import VCF

    try:
        vcf = VCF(str(path), lazy=True)
    except (OSError, ValueError) as err:
        raise InputFileError(f"cannot open {path} as BCF: {err}") from err
    try:
        layout = _parse_header(path, vcf.raw_header.rstrip("\n").split("\n"))
        source: Iterator[Any] = iter(vcf)
        if region is not None:
            # an empty region is a normal answer, not a warning (cyvcf2 warns on first read)
            query = iter(vcf(str(region)))
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="no intervals found")
                first = next(query, None)
            source = itertools.chain([first] if first is not None else [], query)
        for record in _checked(source, path):
            columns = str(record).rstrip("\n").split("\t")
            yield from _record_variants(columns, layout, path, f"{record.CHROM}:{record.POS}",
                                        pass_only=pass_only, region=region)
    finally:
        vcf.close()


def _checked(records: Iterator[Any], path: Path) -> Iterator[Any]:
    """Pass records through, turning htslib parse failures into :class:`InputFileError`."""
    where = "the header"
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except Exception as err:
            # cyvcf2 raises a bare Exception for htslib read errors; anything else is a bug
            if "htslib" not in str(err) and "bcf_read" not in str(err):
                raise
            raise InputFileError(
                f"{path}: malformed or truncated record after {where} ({err}). Check the "
                f"file with `bcftools view {path}`"
            ) from err
        where = f"{record.CHROM}:{record.POS}"
        yield record


def _record_variants(columns: list[str], layout: _VcfLayout, path: Path, where: str, *,
                     pass_only: bool, region: Region | None) -> Iterator[Variant]:
    """The :class:`Variant` records (one per ALT) of one VCF data line split on tabs."""
    n_samples = len(layout.samples)
    if len(columns) < 8 or (n_samples and len(columns) != 9 + n_samples):
        expected = 9 + n_samples if n_samples else 8
        raise InputFileError(
            f"{path} {where}: expected {expected} tab-separated columns, found "
            f"{len(columns)} ({chr(9).join(columns)[:80]!r}); is the file cut or "
            "space-separated?")
    chrom, pos_text, vid_text, ref, alt_text, qual_text, filter_text, info_text = columns[:8]
    try:
        pos = int(pos_text) - 1
    except ValueError as err:
        raise InputFileError(f"{path} {where}: POS must be an integer, found "
                             f"{pos_text!r}") from err
    if pos < 0 or not ref or ref == ".":
        raise InputFileError(f"{path} {where}: expected POS >= 1 and a REF allele, found "
                             f"POS={pos_text} REF={ref!r}")
    if region is not None and not region.contains(chrom, pos):
        return
    filters: tuple[str, ...] = ()
    if filter_text not in (".", "PASS"):
        filters = tuple(filter_text.split(";"))
    if pass_only and filters:
        return
    try:
        qual = None if qual_text == "." else float(qual_text)
    except ValueError as err:
        raise InputFileError(f"{path} {where}: QUAL must be a number or '.', found "
                             f"{qual_text!r}") from err
    alts = alt_text.split(",")
    n_alt = len(alts)
    ref = ref.upper()
    vid = None if vid_text == "." else vid_text
    unknown = (".", "String")
    info_items = []  # (key, has value, text, Number, Type), resolved once per record
    if info_text != ".":
        for item in info_text.split(";"):
            key, eq, value = item.partition("=")
            info_items.append((key, bool(eq), value, *layout.info.get(key, unknown)))
    fmt_keys = columns[8].split(":") if len(columns) > 8 and columns[8] != "." else []
    fmt_defs = [(key, *layout.formats.get(key, unknown)) for key in fmt_keys]
    sample_cells = [cell.split(":") for cell in columns[9:]]
    for allele, alt in enumerate(alts, start=1):
        if _is_skippable(alt):
            log.debug("%s: skipping allele %s at %s:%d", path, alt, chrom, pos + 1)
            continue
        info: dict[str, Any] = {
            key: _parse_value(value, number, vtype, allele, n_alt) if has_value else True
            for key, has_value, value, number, vtype in info_items}
        sample_data: dict[str, dict[str, Any]] = {}
        for name, cells in zip(layout.samples, sample_cells, strict=True):
            values: dict[str, Any] = {}
            for (key, number, vtype), cell in zip(fmt_defs, cells, strict=False):
                if key == "GT":
                    values[key] = _recode_gt(cell, allele, n_alt)
                else:
                    values[key] = _parse_value(cell, number, vtype, allele, n_alt)
            sample_data[name] = values
        yield Variant(chrom=chrom, pos=pos, ref=ref, alt=alt.upper(), id=vid, qual=qual,
                      filters=filters, info=info, sample_data=sample_data)


def _layout(path: Path, kind: FileFormat) -> _VcfLayout:
    if kind == "bcf":
        from cyvcf2 import VCF

        try:
            vcf = VCF(str(path), lazy=True)
        except (OSError, ValueError) as err:
            raise InputFileError(f"cannot open {path} as BCF: {err}") from err
        try:
            return _parse_header(path, vcf.raw_header.rstrip("\n").split("\n"))
        finally:
            vcf.close()
    with _open_text(path) as handle:
        try:
            header, _ = _read_text_header(path, handle)
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            raise InputFileError(f"{path}: cannot read the VCF header ({err})") from err
    return _parse_header(path, header)


def vcf_info(path: str | os.PathLike[str]) -> VcfInfo:
    """Samples, contigs and INFO/FORMAT/FILTER IDs declared in a VCF/BCF header.

    Raises
    ------
    InputFileError
        The file is missing, empty, truncated, a MAF or not a VCF.
    """
    path = Path(path)
    kind = detect_format(path)
    if kind == "maf":
        raise InputFileError(f"{path} is a MAF file; a VCF or BCF with a header is needed here")
    layout = _layout(path, kind)
    return VcfInfo(path=path, samples=layout.samples, contigs=layout.contigs,
                   info_ids=frozenset(layout.info), format_ids=frozenset(layout.formats),
                   filter_ids=layout.filters | {"PASS"})


# --------------------------------------------------------------------------- MAF

_MAF_REF_CHECKS = 10_000  # records whose REF is compared with the genome (assembly check)
_MAF_REQUIRED = ("Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2")


def _read_maf(path: Path, *, pass_only: bool, region: Region | None,
              reference: Reference | None) -> Iterator[Variant]:
    handle = _open_text(path)
    return _iter_maf(handle, path, pass_only=pass_only, region=region, reference=reference)


def _iter_maf(handle: io.TextIOBase, path: Path, *, pass_only: bool, region: Region | None,
              reference: Reference | None) -> Iterator[Variant]:
    with handle:
        lines = (line for line in handle if not line.startswith("#") and line.strip())
        reader = csv.DictReader(lines, delimiter="\t")
        columns = reader.fieldnames or []
        missing = [name for name in _MAF_REQUIRED if name not in columns]
        if "Tumor_Seq_Allele2" in missing and "Tumor_Seq_Allele1" in columns:
            missing.remove("Tumor_Seq_Allele2")
        if missing:
            raise InputFileError(
                f"MAF {path} lacks the column(s) {missing}; expected TCGA MAF columns "
                f"{list(_MAF_REQUIRED)} (+ Tumor_Sample_Barcode); found {columns[:12]}")
        checked = mismatched = 0
        example = ""
        for row in reader:
            line_no = reader.line_num
            variant = _maf_row(row, path, line_no, reference)
            if variant is None:
                continue
            if (reference is not None and checked < _MAF_REF_CHECKS
                    and variant.end <= reference.lengths.get(variant.chrom, -1)):
                checked += 1
                genome = reference.fetch(variant.chrom, variant.pos, variant.end)
                if genome != variant.ref:
                    mismatched += 1
                    example = example or (f"{variant.chrom}:{variant.vcf_pos} MAF "
                                          f"{variant.ref}, reference {genome}")
            if pass_only and not variant.is_pass:
                continue
            if region is not None and not region.contains(variant.chrom, variant.pos):
                continue
            yield variant
        if mismatched:
            log.warning("%s: %d of %d Reference_Allele values checked differ from %s (e.g. %s); "
                        "is the MAF from another assembly (see its NCBI_Build column)?", path,
                        mismatched, checked, reference.path if reference else "", example)


def _maf_row(row: Mapping[str, str | None], path: Path, line_no: int,
             reference: Reference | None) -> Variant | None:
    where = f"MAF {path} record {line_no}"
    chrom = (row.get("Chromosome") or "").strip()
    start_text = (row.get("Start_Position") or "").strip()
    ref = (row.get("Reference_Allele") or "").strip().upper()
    alt = (row.get("Tumor_Seq_Allele2") or "").strip().upper()
    if not alt or alt == ref:
        alt = (row.get("Tumor_Seq_Allele1") or "").strip().upper()
    if not chrom or not start_text or not ref:
        raise InputFileError(f"{where}: Chromosome, Start_Position and Reference_Allele "
                             f"must be filled, found {chrom!r}, {start_text!r}, {ref!r}")
    try:
        start = int(start_text)
    except ValueError as err:
        raise InputFileError(f"{where}: Start_Position must be an integer, "
                             f"found {start_text!r}") from err
    if start < 1:
        raise InputFileError(f"{where}: Start_Position must be >= 1 (1-based), found {start}")
    if not alt or alt == ref:
        log.debug("%s: no tumour allele differs from the reference; skipped", where)
        return None
    for allele in (ref, alt):
        if allele != "-" and set(allele) - set("ACGTN"):
            raise InputFileError(f"{where}: allele {allele!r} is not '-' or A/C/G/T/N bases")
    barcode = (row.get("Tumor_Sample_Barcode") or "").strip() or None
    filter_text = (row.get("FILTER") or "").strip()
    filters = () if filter_text in ("", ".", "PASS") else tuple(filter_text.split(";"))
    if ref != "-" and alt != "-":
        return Variant(chrom, start - 1, ref, alt, filters=filters, sample=barcode)
    if reference is None:
        raise InputFileError(
            f"{where} is an indel written with '-' ({ref}>{alt}); converting it to VCF "
            "alleles needs the preceding reference base: pass the reference FASTA "
            "(reference=Reference(...) / --ref)")
    if ref == "-":  # insertion after Start_Position
        anchor_pos = start - 1
        anchor = reference.fetch(chrom, anchor_pos, anchor_pos + 1)
        return Variant(chrom, anchor_pos, anchor, anchor + alt, filters=filters, sample=barcode)
    # deletion of Start_Position..End_Position: anchor is the base before
    anchor_pos = start - 2
    if anchor_pos < 0:
        raise InputFileError(f"{where}: a deletion at the first base of {chrom} has no anchor")
    anchor = reference.fetch(chrom, anchor_pos, anchor_pos + 1)
    return Variant(chrom, anchor_pos, anchor + ref, anchor, filters=filters, sample=barcode)
