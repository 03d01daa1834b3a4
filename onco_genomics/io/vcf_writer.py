"""VCF 4.2 writing: header lines, record formatting checked against the header, bgzip +
tabix (or CSI) index, all written atomically."""

from __future__ import annotations

import datetime
import logging
import math
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from onco_genomics.errors import OptionsError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.io.variant_record import Variant, VcfHeader

__all__ = ["header_lines", "write_bgzip_indexed", "write_vcf"]

log = logging.getLogger(__name__)

_TBI_MAX_CONTIG = 1 << 29  # TBI indexes positions below 2**29; longer contigs need CSI


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
