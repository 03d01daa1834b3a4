"""Merge per-shard VCFs (the gather step of a scatter/gather run) into one indexed VCF.

The shards must come from one run: the same samples, contigs and INFO/FORMAT definitions
(FILTER definitions are united). Records are sorted by the header's contig order, then
position, REF and ALT (input order breaks ties); exact duplicate records, which a caller can
emit on both sides of a shard boundary, are written once. The output is bgzipped and
tabix-indexed, and written atomically.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from onco_genomics.errors import ContigMismatchError, InputFileError, OptionsError
from onco_genomics.io.atomic import check_output_path
from onco_genomics.io.variants import detect_format, write_bgzip_indexed

log = logging.getLogger(__name__)

_META_RE = re.compile(r"^##(?P<kind>INFO|FORMAT|FILTER|contig)=<(?P<body>.*)>\s*$")
_FIELD_RE = re.compile(r'(?P<key>[A-Za-z_][\w.]*)=(?P<value>"(?:[^"\\]|\\.)*"|[^,]*)')


def _fields(body: str) -> dict[str, str]:
    """Key/value pairs of a structured header line body (``ID=..,Number=..``)."""
    return {m["key"]: m["value"].strip('"') for m in _FIELD_RE.finditer(body)}


@dataclass(frozen=True)
class ShardHeader:
    """The parts of a VCF header that must agree between shards.

    Attributes
    ----------
    path
        The file.
    lines
        All ``##`` meta lines, in order.
    samples
        Sample columns.
    contigs
        ``(name, length)`` from ``##contig`` (length None when absent), in order.
    info, formats
        ID -> (Number, Type, Description).
    filters
        ID -> the ``##FILTER`` line.
    """

    path: Path
    lines: tuple[str, ...]
    samples: tuple[str, ...]
    contigs: tuple[tuple[str, int | None], ...]
    info: dict[str, tuple[str, str, str]]
    formats: dict[str, tuple[str, str, str]]
    filters: dict[str, str]

    def __post_init__(self) -> None:
        names = [name for name, _ in self.contigs]
        if len(set(names)) != len(names):
            raise InputFileError(f"{self.path}: a ##contig is declared twice; expected "
                                 "unique contig names")


def _open_text(path: Path) -> Iterator[str]:
    with open(path, "rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    if compressed:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from handle
    else:
        with open(path, encoding="utf-8") as handle:
            yield from handle


def _read(path: Path) -> tuple[ShardHeader, list[str]]:
    """Header and record lines (without newline) of a VCF file."""
    if detect_format(path) != "vcf":
        raise InputFileError(
            f"{path}: expected a VCF (plain or bgzipped) to merge, found BCF or MAF; convert "
            f"it with `bcftools view -Oz -o {path}.vcf.gz {path}`")
    meta: list[str] = []
    samples: tuple[str, ...] | None = None
    records: list[str] = []
    for raw in _open_text(path):
        line = raw.rstrip("\r\n")
        if samples is not None:
            if line:
                records.append(line)
        elif line.startswith("##"):
            meta.append(line)
        elif line.startswith("#CHROM"):
            samples = tuple(line.split("\t")[9:])
        elif line:
            raise InputFileError(f"{path}: expected a #CHROM header line before the records, "
                                 f"found {line[:60]!r}")
    if samples is None:
        raise InputFileError(f"{path}: no #CHROM header line; expected a complete VCF header")
    contigs: list[tuple[str, int | None]] = []
    info: dict[str, tuple[str, str, str]] = {}
    formats: dict[str, tuple[str, str, str]] = {}
    filters: dict[str, str] = {}
    for line in meta:
        match = _META_RE.match(line)
        if not match:
            continue
        fields = _fields(match["body"])
        key = fields.get("ID", "")
        if match["kind"] == "contig":
            length = fields.get("length")
            contigs.append((key, int(length) if length else None))
        elif match["kind"] == "FILTER":
            filters[key] = line
        else:
            target = info if match["kind"] == "INFO" else formats
            target[key] = (fields.get("Number", ""), fields.get("Type", ""),
                           fields.get("Description", ""))
    header = ShardHeader(path=path, lines=tuple(meta), samples=samples, contigs=tuple(contigs),
                         info=info, formats=formats, filters=filters)
    return header, records


def _check_compatible(first: ShardHeader, other: ShardHeader) -> None:
    fix = "merge only the shards of one run (same inputs, reference and oncogen version)"
    if other.samples != first.samples:
        raise InputFileError(
            f"{other.path}: expected the samples of {first.path.name} "
            f"{list(first.samples)}, found {list(other.samples)}; {fix}")
    if other.contigs != first.contigs:
        names_a = [name for name, _ in first.contigs]
        names_b = [name for name, _ in other.contigs]
        detail = ("the same names with different lengths" if names_a == names_b else
                  f"{len(names_b)} contigs ({', '.join(names_b[:5])}"
                  f"{', ...' if len(names_b) > 5 else ''}) instead of {len(names_a)}")
        raise ContigMismatchError(
            f"{other.path}: expected the ##contig lines of {first.path.name}, found {detail}; "
            f"{fix}")
    for kind, ours, theirs in (("INFO", first.info, other.info),
                               ("FORMAT", first.formats, other.formats)):
        if ours != theirs:
            differing = sorted(k for k in set(ours) | set(theirs) if ours.get(k) != theirs.get(k))
            raise InputFileError(
                f"{other.path}: expected the {kind} definitions of {first.path.name}, found "
                f"differences in {', '.join(differing)}; {fix}")


_REF_RE = re.compile(r"^[ACGTNRYSWKMBDHVacgtnryswkmbdhv]+$")


def _check_record(path: Path, number: int, line: str,
                  n_columns: int) -> tuple[str, int, str, str]:
    """Check one record line against its header; return (CHROM, POS, REF, ALT).

    A merge copies records verbatim, so each one must be a record bcftools accepts: the
    header's column count (8, or 9 + one per sample), an integer POS, REF bases, an ALT,
    a numeric or missing QUAL, and no sample with more values than FORMAT has keys.
    """
    columns = line.split("\t")
    where = f"{path}: record {number} ({line[:50]!r}{'...' if len(line) > 50 else ''})"
    fix = "the shard is damaged or was cut short: rerun that shard"
    if len(columns) != n_columns:
        raise InputFileError(f"{where}: expected {n_columns} tab-separated columns as in its "
                             f"#CHROM line, found {len(columns)}; {fix}")
    chrom, pos_text, _, ref, alt, qual = columns[:6]
    try:
        pos = int(pos_text)
    except ValueError:
        pos = -1
    if pos < 0 or not chrom:
        raise InputFileError(f"{where}: expected a contig name and an integer POS, found "
                             f"{chrom!r} {pos_text!r}; {fix}")
    if not _REF_RE.match(ref) or not alt:
        raise InputFileError(f"{where}: expected REF bases (A, C, G, T, N) and an ALT, found "
                             f"REF {ref!r} ALT {alt!r}; {fix}")
    if qual != ".":
        try:
            float(qual)
        except ValueError:
            raise InputFileError(f"{where}: QUAL {qual!r} is neither a number nor '.'; "
                                 f"{fix}") from None
    if n_columns > 8:
        n_keys = len(columns[8].split(":"))
        for sample in columns[9:]:
            if len(sample.split(":")) > n_keys:
                raise InputFileError(f"{where}: a sample column has more values than FORMAT "
                                     f"{columns[8]!r} has keys; {fix}")
    return chrom, pos, ref, alt


def merge_vcfs(paths: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str]) -> Path:
    """Concatenate shard VCFs into one sorted, de-duplicated, bgzipped and indexed VCF.

    Parameters
    ----------
    paths
        Shard VCFs (plain or bgzipped), in any order.
    out
        Output path ending in ``.vcf.gz``; its ``.tbi`` (``.csi`` for contigs of 2**29
        bases or more) is written beside it.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    OptionsError
        No inputs, an input listed twice, or an output name not ending in ``.vcf.gz``.
    InputFileError
        An input that is not a VCF, or whose samples or INFO/FORMAT definitions differ from
        the first input's (the message names the file).
    ContigMismatchError
        An input with different ``##contig`` lines, or a record on an undeclared contig.
    """
    target = Path(out)
    if not paths:
        raise OptionsError("merge needs at least one VCF; found none (did the glob match?)")
    if not target.name.endswith(".vcf.gz"):
        raise OptionsError(f"merge writes bgzipped VCF: expected an output name ending in "
                           f".vcf.gz, found {target.name!r}")
    check_output_path(target, what="-o/--output")
    inputs = [Path(p) for p in paths]
    resolved = [p.resolve() for p in inputs]
    if len(set(resolved)) != len(resolved):
        twice = sorted({str(p) for p in inputs if resolved.count(p.resolve()) > 1})
        raise OptionsError(f"each shard VCF must be given once; listed twice: {', '.join(twice)}")
    if target.resolve() in resolved:
        raise OptionsError(f"the output {target} is also an input; choose another name")

    first, records = _read(inputs[0])
    filters = dict(first.filters)
    extra_filters: list[str] = []
    keyed: list[tuple[str, int, str, str, str]] = []
    for index, path in enumerate(inputs):
        header, lines = (first, records) if index == 0 else _read(path)
        if index:
            _check_compatible(first, header)
        for fid, line in header.filters.items():
            if fid not in filters:
                filters[fid] = line
                extra_filters.append(line)
        n_columns = 8 + (1 + len(header.samples) if header.samples else 0)
        for number, line in enumerate(lines, start=1):
            chrom, pos, ref, alt = _check_record(path, number, line, n_columns)
            keyed.append((chrom, pos, ref, alt, line))
        log.debug("%s: %d records", path, len(lines))

    rank = {name: i for i, (name, _) in enumerate(first.contigs)}
    unknown = sorted({chrom for chrom, *_ in keyed if chrom not in rank})
    if unknown:
        raise ContigMismatchError(
            f"records on contigs {', '.join(unknown)} have no ##contig line in "
            f"{first.path}; expected every record's contig in the header")
    keyed.sort(key=lambda r: (rank[r[0]], r[1], r[2], r[3]))  # stable: input order on ties
    merged: list[str] = []
    n_exact = n_conflict = 0
    last_key: tuple[str, int, str, str] | None = None
    last_lines: set[str] = set()
    for chrom, pos, ref, alt, line in keyed:
        key = (chrom, pos, ref, alt)
        if key == last_key:
            if line in last_lines:
                n_exact += 1
                continue
            n_conflict += 1
            log.warning("%s:%d %s>%s appears in two shards with different content; both kept",
                        chrom, pos, ref, alt)
        else:
            last_key, last_lines = key, set()
        last_lines.add(line)
        merged.append(line)
    if n_exact:
        log.info("dropped %d exact duplicate record(s) at shard boundaries", n_exact)

    meta = list(first.lines)
    if extra_filters:
        at = max((i for i, line in enumerate(meta) if line.startswith("##FILTER")),
                 default=len(meta) - 1) + 1
        meta[at:at] = extra_filters
    chrom_line = "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            *(["FORMAT", *first.samples] if first.samples else [])])
    payload = ("\n".join([*meta, chrom_line, *merged]) + "\n").encode()
    write_bgzip_indexed(target, payload, contig_lengths=[length for _, length in first.contigs])
    log.info("merged %d VCFs: %d records (%d exact duplicates dropped, %d conflicting "
             "duplicates kept) -> %s", len(inputs), len(merged), n_exact, n_conflict, target)
    return target
