"""Atomic output: write to temporary files beside the targets, then rename.

A failed or interrupted run never leaves a half-written output under the final name:

* :func:`atomic_path` for one file;
* :class:`OutputSet` (:func:`atomic_outputs`) for several files and folders written by one
  command (a table and its side tables, a model folder and its report): all are written
  under temporary names first and renamed into place together only when every one is
  complete, so a failure leaves none of them;
* :func:`check_output_path` checks an output location before any work, so a command does
  not find out that it cannot write only after minutes of computing.

Temporary files and folders get the permissions a plain ``open()``/``mkdir()`` would give
(the umask), not the 0600/0700 of :mod:`tempfile`, so shared outputs stay readable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from onco_genomics.errors import OutputPathError
from onco_genomics.interrupts import deferred


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _full_suffix(target: Path) -> str:
    return "".join(target.suffixes[-2:]) if target.suffixes else ""


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def check_output_path(path: str | os.PathLike[str], *, folder: bool = False,
                      what: str = "output") -> Path:
    """Refuse an output location that cannot be written, before any work is done.

    Parameters
    ----------
    path
        The file (or, with ``folder=True``, the folder) a command will write.
    folder
        The output is a folder.
    what
        How messages name it (``"-o/--output"``).

    Raises
    ------
    OutputPathError
        A folder where a file goes (or the reverse), a file where a parent folder goes,
        or a parent folder this process may not write into.
    """
    target = Path(path)
    if target.exists():
        if folder and not target.is_dir():
            raise OutputPathError(f"{what} {target} is a file; expected a folder to write "
                                  "into: give a new folder name")
        if not folder and target.is_dir():
            raise OutputPathError(f"{what} {target} is a folder; expected a file name (e.g. "
                                  f"{target / 'out'}...)")
    parent = target.parent
    while not parent.exists():
        if parent == parent.parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise OutputPathError(f"{what} {target}: {parent} is a file, not a folder; choose a "
                              "path whose folders are folders")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputPathError(f"{what} {target}: the folder {parent} is not writable "
                              "(permission denied); choose a folder you may write to")
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it to ``path`` on success.

    ``suffix`` defaults to the target's full suffix (``.vcf.gz``), so tools that look at
    extensions (pysam, matplotlib) behave as for the final name. On error the temporary
    file is removed and the target is untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> out.read_text()
    'hello'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if suffix is None:
        suffix = _full_suffix(target)
    tmp: Path | None = None
    try:
        with deferred():  # SIGTERM/SIGINT wait until tmp is known, so it is removed
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix,
                                            dir=target.parent)
            os.close(fd)
            tmp = Path(tmp_name)
        # mkstemp creates 0600; give the output the permissions a plain open() would
        tmp.chmod(0o666 & ~_umask())
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise


def make_temp_folder(target: str | os.PathLike[str]) -> Path:
    """An empty temporary folder beside ``target`` with the umask's permissions.

    :func:`tempfile.mkdtemp` makes 0700 folders: renamed into place, a lab's shared model
    folder would be unreadable to colleagues.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp.chmod(0o777 & ~_umask())
    return tmp


def replace_folder(tmp: Path, target: Path) -> None:
    """Move the finished folder ``tmp`` to ``target``, replacing an existing folder there."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        _remove(old)
        os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            os.replace(old, target)
            raise
        _remove(old)
    else:
        os.replace(tmp, target)


class OutputSet:
    """Several outputs of one command, committed together or not at all.

    :meth:`file` and :meth:`folder` hand out temporary paths beside each target; nothing
    appears under a final name until :meth:`commit`, which renames them all (restoring the
    previous files if a rename fails). :meth:`discard` removes the temporary paths. Use it
    through :func:`atomic_outputs`.
    """

    def __init__(self) -> None:
        self._pending: dict[Path, Path] = {}
        self._made: list[Path] = []  # folders made for the outputs, removed on discard

    def _make_parents(self, target: Path) -> None:
        missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            self._made.append(folder)

    def file(self, path: str | os.PathLike[str], *, suffix: str | None = None) -> Path:
        """A temporary file path for the output ``path`` (same suffix)."""
        target = self._claim(path)
        self._make_parents(target)
        with deferred():  # registered before a signal can interrupt: discard() removes it
            fd, name = tempfile.mkstemp(
                prefix=f".{target.name}.",
                suffix=_full_suffix(target) if suffix is None else suffix, dir=target.parent)
            os.close(fd)
            tmp = Path(name)
            self._pending[target] = tmp
        tmp.chmod(0o666 & ~_umask())
        return tmp

    def folder(self, path: str | os.PathLike[str]) -> Path:
        """An empty temporary folder for the output folder ``path``."""
        target = self._claim(path)
        self._make_parents(target)
        with deferred():
            tmp = make_temp_folder(target)
            self._pending[target] = tmp
        return tmp

    def _claim(self, path: str | os.PathLike[str]) -> Path:
        target = Path(path)
        if target in self._pending:
            raise ValueError(f"{target} is already an output of this set")
        return target

    @property
    def targets(self) -> list[Path]:
        """The final paths, in the order they were added."""
        return list(self._pending)

    def commit(self) -> None:
        """Rename every temporary path to its target; all or none."""
        done: list[tuple[Path, Path | None]] = []
        try:
            for target, tmp in self._pending.items():
                backup: Path | None = None
                if target.exists():
                    backup = target.with_name(f".{target.name}.old")
                    _remove(backup)
                    os.replace(target, backup)
                done.append((target, backup))
                os.replace(tmp, target)
        except BaseException:
            for target, backup in reversed(done):
                tmp = self._pending[target]
                if target.exists() and not tmp.exists():
                    os.replace(target, tmp)  # back to its temporary name, discarded below
                if backup is not None:
                    os.replace(backup, target)
            raise
        for _, backup in done:
            if backup is not None:
                _remove(backup)
        self._pending.clear()
        self._made.clear()

    def discard(self) -> None:
        """Remove every temporary path not yet committed."""
        for tmp in self._pending.values():
            _remove(tmp)
        self._pending.clear()
        for folder in reversed(self._made):  # deepest first; only if left empty
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made.clear()


@contextlib.contextmanager
def atomic_outputs() -> Iterator[OutputSet]:
    """Write several outputs, then commit them together; on any error none is kept.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_outputs() as outputs:
    ...     _ = outputs.file(folder / "a.tsv").write_text("a")
    ...     _ = outputs.file(folder / "b.tsv").write_text("b")
    >>> sorted(p.name for p in folder.iterdir())
    ['a.tsv', 'b.tsv']
    """
    outputs = OutputSet()
    try:
        yield outputs
        outputs.commit()
    finally:
        outputs.discard()
