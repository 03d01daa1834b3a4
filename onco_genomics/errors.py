"""User-facing errors.

Every error a user can fix (bad input, missing index, incompatible model) is an
:class:`OncogenError`. The CLI prints it as one line ``oncogen: error: ...`` and exits
with status 2; anything else is a bug and keeps its traceback.

Messages follow one shape: what was expected, what was found, and the fix.
"""

from __future__ import annotations

import errno


class OncogenError(Exception):
    """Base class for errors caused by input or settings the user can fix."""


class InputFileError(OncogenError):
    """A file is missing, empty, truncated, or not in the expected format."""


class IndexMissingError(InputFileError):
    """An index (.fai, .bai/.crai, .tbi/.csi) needed for random access is absent."""


class ContigMismatchError(OncogenError):
    """Contig names or lengths differ between inputs (BAM vs FASTA, VCF vs FASTA)."""


class TableFormatError(InputFileError, ValueError):
    """A feature/expression/label table is malformed (orientation, duplicates, NaNs).

    Also a :class:`ValueError`, as scikit-learn expects of an estimator given bad data."""


class OptionsError(OncogenError, ValueError):
    """Options that are invalid on their own or in combination (also a :class:`ValueError`,
    as scikit-learn expects of an estimator with bad parameters)."""


class ModelError(OncogenError):
    """A model file is missing, unsafe, or incompatible with this oncogen version/encoder."""


class RegionError(OncogenError):
    """A genomic region string or BED interval is malformed or outside the reference."""


class OutputPathError(OncogenError):
    """An output location cannot be written (a folder where a file goes, no permission)."""


class InterruptedRunError(OncogenError):
    """A run stopped by a lost worker or a full disk; the message says how to resume it."""


#: errno -> (what happened, the fix); the file-system errors a user can fix
_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "choose a location you may write to (or read, for an "
                   "input), or fix its permissions"),
    errno.EPERM: ("operation not permitted", "choose a location you may write to, or fix its "
                  "permissions"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder",
                    "choose a path whose folders are folders"),
    errno.EISDIR: ("is a folder, expected a file", "give a file name, not a folder"),
    errno.EEXIST: ("already exists", "remove it or choose another name"),
    errno.ENOSPC: ("no space left on the device", "free some space or write elsewhere; "
                   "nothing was kept under the output name"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or write elsewhere; nothing was "
                   "kept under the output name"),
    errno.EROFS: ("read-only file system", "write the output to a writable location"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.ENAMETOOLONG: ("file name too long", "choose a shorter name"),
    errno.EFBIG: ("file too large for the file system", "write to another file system"),
    errno.ELOOP: ("too many symbolic links", "check the path's links"),
}


def os_error_message(err: OSError) -> str | None:
    """One line for a file-system error a user can fix, or None for anything else.

    Examples
    --------
    >>> os_error_message(IsADirectoryError(errno.EISDIR, "Is a directory", "out"))
    'out: is a folder, expected a file; give a file name, not a folder'
    >>> os_error_message(OSError("truncated file")) is None
    True
    """
    if err.errno not in _OS_ERRORS:
        return None
    what, fix = _OS_ERRORS[err.errno]
    names = [str(name) for name in (err.filename, err.filename2) if name is not None]
    where = " -> ".join(names)
    return f"{where}: {what}; {fix}" if where else f"{what}; {fix}"
