"""BED interval files (0-based, half-open), plain or gzipped.

Only the first three columns (chrom, start, end) are used; ``track``, ``browser`` and
``#`` lines are skipped.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from onco_genomics.errors import InputFileError, RegionError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.regions import Region

log = logging.getLogger(__name__)


def _open_text(path: Path) -> io.TextIOBase:
    with open(path, "rb") as handle:
        magic = handle.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def read_bed(path: str | os.PathLike[str]) -> list[Region]:
    """Read the intervals of a BED file, in file order.

    Parameters
    ----------
    path
        BED file (``.bed`` or ``.bed.gz``); columns beyond the third are ignored.

    Raises
    ------
    InputFileError
        Missing file, fewer than 3 columns, non-integer or negative coordinates,
        ``start >= end``, or no interval at all; messages give the line number.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> bed = pathlib.Path(tempfile.mkdtemp()) / "x.bed"
    >>> _ = bed.write_text("track name=x\\n20\\t0\\t100\\n")
    >>> read_bed(bed)
    [Region(chrom='20', start=0, end=100)]
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"BED file {path} does not exist or is not a file")
    regions: list[Region] = []
    try:
        with _open_text(path) as handle:
            for line_no, line in enumerate(handle, start=1):
                text = line.rstrip("\r\n")
                if not text.strip() or text.startswith(("#", "track", "browser")):
                    continue
                regions.append(_parse_line(text, path, line_no))
    except (UnicodeDecodeError, EOFError, gzip.BadGzipFile) as err:
        raise InputFileError(f"BED file {path} is not readable text ({err}); expected "
                             "tab-separated CHROM START END lines (optionally gzipped)") from err
    if not regions:
        raise InputFileError(f"BED file {path} contains no intervals (expected CHROM START END "
                             "lines)")
    log.debug("read %d intervals from %s", len(regions), path)
    return regions


def _parse_line(text: str, path: Path, line_no: int) -> Region:
    where = f"BED file {path} line {line_no}"
    fields = text.split("\t")
    if len(fields) < 3:
        fields = text.split()  # tolerate space-separated BED, as bedtools does
    if len(fields) < 3:
        raise InputFileError(f"{where}: expected at least 3 tab-separated columns "
                             f"(CHROM START END), found {len(fields)}: {text[:60]!r}")
    chrom, start_text, end_text = fields[0], fields[1], fields[2]
    try:
        start, end = int(start_text), int(end_text)
    except ValueError as err:
        raise InputFileError(f"{where}: START and END must be integers, found "
                             f"{start_text!r} and {end_text!r}") from err
    if start < 0 or start >= end:
        raise InputFileError(f"{where}: expected 0 <= START < END (0-based, half-open), found "
                             f"START={start} END={end}")
    try:
        return Region(chrom, start, end)
    except RegionError as err:  # pragma: no cover - guarded above
        raise InputFileError(f"{where}: {err}") from err


def write_bed(path: str | os.PathLike[str], regions: Iterable[Region]) -> Path:
    """Write ``regions`` as a 3-column BED file (atomically), in the order given.

    A name ending in ``.gz`` gives a BGZF file (gzip-compatible and tabix-indexable).
    """
    target = Path(path)
    lines = [f"{r.chrom}\t{r.start}\t{r.end}\n" for r in regions]
    with atomic_path(target) as tmp:
        if target.suffix == ".gz":  # BGZF, so `tabix -p bed` can index it
            from pysam.libcbgzf import BGZFile

            with BGZFile(str(tmp), "wb", index=None) as handle:
                handle.write("".join(lines).encode())
        else:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.writelines(lines)
    log.debug("wrote %d intervals to %s", len(lines), target)
    return target
