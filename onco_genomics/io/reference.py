"""Reference FASTA access (plain or bgzipped), with its ``.fai`` index.

Plain FASTA is read through pyfaidx. BGZF-compressed FASTA (``ref.fa.gz`` written by
``bgzip``) is read through htslib (pysam), which needs both ``.fai`` and ``.gzi``: pyfaidx
would need Biopython for BGZF, a dependency that buys nothing pysam does not already do.

A :class:`Reference` pickles as its path, so worker processes reopen it lazily.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from onco_genomics.errors import IndexMissingError, InputFileError, RegionError

log = logging.getLogger(__name__)


class _Backend(Protocol):
    def fetch(self, chrom: str, start: int, end: int) -> str: ...

    def close(self) -> None: ...


class _PyfaidxBackend:
    def __init__(self, path: Path) -> None:
        import pyfaidx

        try:
            self._fasta = pyfaidx.Fasta(str(path), as_raw=True, sequence_always_upper=True,
                                        build_index=False, rebuild=False)
        except (pyfaidx.FastaIndexingError, pyfaidx.FastaNotFoundError, ValueError) as err:
            raise InputFileError(f"cannot read FASTA {path}: {err}") from err

    def fetch(self, chrom: str, start: int, end: int) -> str:
        return str(self._fasta[chrom][start:end])

    def close(self) -> None:
        self._fasta.close()


class _HtslibBackend:
    def __init__(self, path: Path) -> None:
        import pysam

        try:
            self._fasta = pysam.FastaFile(str(path))
        except (OSError, ValueError) as err:
            raise InputFileError(f"cannot read bgzipped FASTA {path}: {err}") from err

    def fetch(self, chrom: str, start: int, end: int) -> str:
        return str(self._fasta.fetch(chrom, start, end)).upper()

    def close(self) -> None:
        self._fasta.close()


def _compression(path: Path) -> str:
    """``"none"``, ``"bgzf"`` or ``"gzip"`` from the file's first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(18)
    if head[:2] != b"\x1f\x8b":
        return "none"
    # BGZF: gzip with FEXTRA carrying the 'BC' subfield
    if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzf"
    return "gzip"


def _read_fai(fai: Path) -> list[tuple[str, int]]:
    contigs: list[tuple[str, int]] = []
    with open(fai, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 5 or not fields[1].isdigit():
                raise InputFileError(
                    f"FASTA index {fai} line {line_no} is malformed (expected 5 tab-separated "
                    f"columns NAME LENGTH OFFSET LINEBASES LINEWIDTH, found {line[:60]!r}); "
                    "delete it and let oncogen rebuild it, or run `samtools faidx` on the FASTA")
            contigs.append((fields[0], int(fields[1])))
    counts = Counter(name for name, _ in contigs)
    duplicated = sorted(name for name, count in counts.items() if count > 1)
    if duplicated:
        raise _duplicated_names(fai.with_suffix(""), duplicated)
    return contigs


def _duplicated_names(fasta: Path, names: list[str]) -> InputFileError:
    return InputFileError(
        f"FASTA {fasta} has duplicated sequence names ({', '.join(names[:5])}); expected "
        "each contig once: rename or remove the duplicates")


class Reference:
    """A reference genome FASTA (plain or bgzipped) with random access.

    Parameters
    ----------
    path
        FASTA file. A missing ``.fai`` (and ``.gzi`` for bgzipped FASTA) is built beside
        it; when that folder is read-only an :class:`IndexMissingError` names the
        ``samtools faidx`` command to run.

    Examples
    --------
    >>> ref = Reference("/usr/share/samtools/test/mpileup/mpileup.ref.fa")  # doctest: +SKIP
    >>> ref.fetch("17", 0, 10)  # doctest: +SKIP
    'AAGCTTCTCA'
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._backend: _Backend | None = None
        self._check_file()
        self._compression = _compression(self.path)
        if self._compression == "gzip":
            raise InputFileError(
                f"FASTA {self.path} is compressed with plain gzip, which does not allow "
                f"random access; expected plain text or BGZF. Recompress it with "
                f"`gunzip -c {self.path} | bgzip > {self._bgzip_name()}` and use that file "
                "(or decompress it)")
        self._ensure_index()
        self._contigs = _read_fai(self.fai_path)
        if not self._contigs:
            raise InputFileError(f"FASTA {self.path} has no sequences (empty index "
                                 f"{self.fai_path})")
        self._lengths = dict(self._contigs)

    # ------------------------------------------------------------------ setup

    def _bgzip_name(self) -> str:
        name = self.path.name
        stem = name[:-3] if name.endswith(".gz") else name
        return str(self.path.with_name(stem + ".bgz"))

    def _check_file(self) -> None:
        if not self.path.exists():
            raise InputFileError(f"reference FASTA {self.path} does not exist")
        if self.path.is_dir():
            raise InputFileError(f"reference FASTA {self.path} is a folder, expected a file")
        if self.path.stat().st_size == 0:
            raise InputFileError(f"reference FASTA {self.path} is empty (0 bytes)")

    @property
    def fai_path(self) -> Path:
        return self.path.with_name(self.path.name + ".fai")

    @property
    def gzi_path(self) -> Path:
        return self.path.with_name(self.path.name + ".gzi")

    def _needed_indexes(self) -> list[Path]:
        needed = [self.fai_path]
        if self._compression == "bgzf":
            needed.append(self.gzi_path)
        return needed

    def _ensure_index(self) -> None:
        missing = [p for p in self._needed_indexes() if not p.exists()]
        stale = [p for p in self._needed_indexes()
                 if p.exists() and p.stat().st_mtime < self.path.stat().st_mtime]
        if stale:
            log.warning("%s is older than %s; if the FASTA changed, delete the index so it is "
                        "rebuilt", ", ".join(map(str, stale)), self.path)
        if not missing:
            return
        folder = self.path.parent
        fix = f"`samtools faidx {self.path}`"
        gzi_gz = self.path.with_name(self.path.name + ".gzi.gz")
        if self.gzi_path in missing and gzi_gz.exists():
            fix += f" (or `gunzip -k {gzi_gz}`: the .gzi beside it is itself gzipped)"
        if not os.access(folder, os.W_OK):
            raise IndexMissingError(
                f"reference FASTA {self.path} needs the index {', '.join(map(str, missing))}, "
                f"which is missing, and the folder {folder} is read-only so oncogen cannot "
                f"build it; run {fix} where you can write, or copy the FASTA to a writable "
                "folder")
        log.info("building FASTA index for %s", self.path)
        try:
            if self._compression == "bgzf":
                self._build_bgzf_index(gzi_gz)
            else:
                self._build_plain_index()
        except OSError as err:
            raise IndexMissingError(
                f"could not build the index of {self.path} ({err}); run {fix}") from err

    def _build_plain_index(self) -> None:
        import pyfaidx

        try:
            pyfaidx.Faidx(str(self.path), build_index=True).close()
        except UnicodeDecodeError:
            self.fai_path.unlink(missing_ok=True)
            raise InputFileError(f"{self.path} is not a FASTA: it holds bytes that are not "
                                 "text; expected '>' header lines followed by sequence "
                                 "lines") from None
        except ValueError as err:  # pyfaidx: 'Duplicate key "c1"'
            self.fai_path.unlink(missing_ok=True)
            match = re.search(r'Duplicate key "(.*)"', str(err))
            if match is None:
                raise
            raise _duplicated_names(self.path, [match.group(1)]) from err
        except pyfaidx.FastaIndexingError as err:
            # pyfaidx leaves a partial .fai behind on malformed input
            self.fai_path.unlink(missing_ok=True)
            raise InputFileError(
                f"{self.path} is not a valid FASTA: {err}. Expected '>' header lines followed "
                "by sequence lines of equal length") from err

    def _build_bgzf_index(self, gzi_gz: Path) -> None:
        import pysam

        if not self.gzi_path.exists() and gzi_gz.exists():
            # Debian's vt-examples ships 20.fa.gz.gzi.gz: use it rather than re-reading 60 Mb
            with gzip.open(gzi_gz, "rb") as src:
                data = src.read()
            tmp = self.gzi_path.with_name(self.gzi_path.name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, self.gzi_path)
            if self.fai_path.exists():
                return
        try:
            pysam.faidx(str(self.path))
        except pysam.SamtoolsError as err:
            raise InputFileError(f"{self.path} is not a valid bgzipped FASTA: {err}") from err

    # ------------------------------------------------------------------ access

    def _open(self) -> _Backend:
        if self._backend is None:
            if self._compression == "bgzf":
                self._backend = _HtslibBackend(self.path)
            else:
                self._backend = _PyfaidxBackend(self.path)
        return self._backend

    @property
    def contigs(self) -> list[tuple[str, int]]:
        """``(name, length)`` in FASTA order."""
        return list(self._contigs)

    @property
    def lengths(self) -> dict[str, int]:
        """Contig name -> length."""
        return dict(self._lengths)

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Upper-case sequence of ``chrom`` over 0-based half-open ``[start, end)``.

        Raises
        ------
        RegionError
            Unknown contig, or an interval not within ``0..length``.
        """
        length = self._lengths.get(chrom)
        if length is None:
            alt = chrom[3:] if chrom.startswith("chr") else f"chr{chrom}"
            hint = f"; the FASTA names it {alt!r}" if alt in self._lengths else ""
            raise RegionError(f"contig {chrom!r} is not in reference {self.path}{hint}")
        if not 0 <= start <= end <= length:
            raise RegionError(
                f"interval {chrom}:{start}-{end} (0-based) is outside contig {chrom} of "
                f"length {length:,} in {self.path}")
        if start == end:
            return ""
        return self._open().fetch(chrom, start, end)

    def close(self) -> None:
        """Close the file handle (a later :meth:`fetch` reopens it)."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None

    def __enter__(self) -> Reference:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_backend"] = None  # workers reopen their own handle
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"Reference({str(self.path)!r}, {len(self._contigs)} contigs)"
