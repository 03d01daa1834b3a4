"""VCF/BCF reading and variant-file format detection.

VCF text (plain, gzip or BGZF) is parsed here, line by line, with region queries through
the tabix index (pysam); BCF, being binary, is decoded by htslib through cyvcf2. Parsing
the text ourselves reads real callers' output that htslib refuses (MuTect1 writes a
fractional DP into an Integer field) and skips htslib's parse-then-print round trip.
Multi-allelic records are split into one :class:`Variant` per ALT allele.
"""

from __future__ import annotations

import gzip
import io
import itertools
import logging
import os
import re
import warnings
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onco_genomics.errors import IndexMissingError, InputFileError
from onco_genomics.io.variant_record import FileFormat, Variant, VcfInfo
from onco_genomics.regions import Region

__all__ = ["detect_format", "read_vcf", "vcf_info"]

log = logging.getLogger(__name__)

_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")

_CONTIG_RE = re.compile(r"^##contig=<ID=(?P<id>[^,>]+)(?:.*?[<,]length=(?P<length>\d+))?")


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


def read_vcf(path: Path, kind: FileFormat, *, pass_only: bool,
             region: Region | None) -> Iterator[Variant]:
    """Records of the VCF/BCF ``path`` (``kind`` from :func:`detect_format`)."""
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
