"""User-facing errors.

Every error a user can fix (bad input, missing index, incompatible model) is an
:class:`OncogenError`. The CLI prints it as one line ``oncogen: error: ...`` and exits
with status 2; anything else is a bug and keeps its traceback.

Messages follow one shape: what was expected, what was found, and the fix.
"""

from __future__ import annotations


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
