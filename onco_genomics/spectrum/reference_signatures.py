"""Reference signature sets (COSMIC) and mutational-opportunity weights.

``cosmic:v3.4`` (optionally ``cosmic:v3.4:GRCh38``, ``cosmic:v3.4:GRCh37:exome``) names a
COSMIC release: v3.4 ships with oncogen (``onco_genomics/data/signatures``, GRCh37 and
GRCh38, genome and exome; see its README for provenance and licence), other releases are
read from an installed ``sigprofilerassignment`` package; any other value is a path to a
COSMIC-format file (``Type`` column + one column per signature). The catalog
kind (SBS96, DBS78, ID83) picks the SBS, DBS or ID table of that release.

Opportunity normalisation
-------------------------
COSMIC signatures are defined on whole-genome trinucleotide frequencies. For a catalog from
another territory (an exome, a panel), each signature is re-weighted by the ratio of the
territory's trinucleotide (or dinucleotide) counts to the genome's and renormalised, so the
fit compares like with like. The counts come from ``sigprofilermatrixgenerator``'s
``context_distributions`` tables (genome and exome, GRCh37/GRCh38) or from a user file
(``context,count`` rows).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from importlib import resources
from pathlib import Path

import pandas as pd

from onco_genomics.errors import InputFileError, OptionsError
from onco_genomics.spectrum.contexts import ContextKind, reverse_complement
from onco_genomics.spectrum.matrix_files import read_signatures

log = logging.getLogger(__name__)

_SPEC = re.compile(r"^cosmic:v?(?P<version>[0-9.]+)(?::(?P<build>[A-Za-z0-9]+))?"
                   r"(?::(?P<exome>exome))?$", re.IGNORECASE)
_TABLE = {"sbs96": "SBS", "dbs78": "DBS", "id83": "ID"}
_INSTALL = "pip install sigprofilerassignment"


def _package_dir(package: str, pip_name: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise OptionsError(f"this needs the data of the Python package {pip_name}, which is "
                           f"not installed; install it with `pip install {pip_name}` or pass "
                           "a COSMIC-format signature file instead")
    return Path(spec.origin).parent


def cosmic_path(spec: str, kind: ContextKind) -> Path:
    """Path of the COSMIC table named by ``cosmic:vX.Y[:BUILD][:exome]`` for a catalog kind.

    Raises
    ------
    OptionsError
        Malformed name, a kind COSMIC has no table for, sigprofilerassignment not
        installed, or a release/build it does not ship.
    """
    match = _SPEC.match(spec.strip())
    if match is None:
        raise OptionsError(f"reference {spec!r} is neither a file nor a COSMIC name; expected "
                           "e.g. cosmic:v3.4, cosmic:v3.4:GRCh38 or cosmic:v3.4:GRCh37:exome")
    if kind not in _TABLE:
        raise OptionsError(f"COSMIC has no {kind.upper()} signatures; fit an SBS96, DBS78 or "
                           "ID83 catalog (SBS1536 catalogs: collapse to SBS96 first)")
    version, build = match["version"], match["build"] or "GRCh37"
    suffix = "_exome" if match["exome"] else ""
    name = f"COSMIC_v{version}_{_TABLE[kind]}_{build}{suffix}.txt"
    shipped = Path(str(resources.files("onco_genomics") / "data" / "signatures")) / f"{name}.gz"
    if shipped.is_file():
        return shipped
    root = _package_dir("SigProfilerAssignment", "sigprofilerassignment")
    folder = root / "data" / "Reference_Signatures" / build
    path = folder / f"COSMIC_v{version}_{_TABLE[kind]}_{build}{suffix}.txt"
    if not path.exists():
        available = sorted(p.name for p in folder.glob("COSMIC_*.txt")) if folder.exists() else []
        raise OptionsError(f"the installed sigprofilerassignment has no {path.name}; available "
                           f"in {folder}: {available[:12]} (upgrade with `{_INSTALL} -U`)")
    return path


def load_reference_signatures(spec: str | os.PathLike[str], kind: ContextKind) -> pd.DataFrame:
    """Load reference signatures (channels x signatures, columns summing to 1).

    Parameters
    ----------
    spec
        A COSMIC-format file, or ``cosmic:vX.Y[:BUILD][:exome]`` (see the module docstring).
    kind
        The catalog kind the signatures must match.

    Raises
    ------
    OptionsError, InputFileError
        Unknown name or package missing; unreadable file; channels of another kind.
    """
    text = str(spec)
    path = Path(text)
    if not path.exists() and text.lower().startswith("cosmic:"):
        path = cosmic_path(text, kind)
    elif not path.exists():
        raise InputFileError(f"reference signature file {path} does not exist; give a "
                             "COSMIC-format file or a name such as cosmic:v3.4")
    signatures = read_signatures(path)
    from onco_genomics.spectrum.catalog import CHANNELS

    if tuple(signatures.index) != CHANNELS[kind]:
        raise InputFileError(f"reference {path} holds {len(signatures)} channels, but the "
                             f"catalog is {kind.upper()}; give the matching COSMIC table")
    log.info("reference signatures: %d from %s", signatures.shape[1], path)
    return signatures


def _context_table(build: str, kind: ContextKind, territory: str) -> pd.Series:
    root = _package_dir("SigProfilerMatrixGenerator", "sigprofilermatrixgenerator")
    folder = root / "references" / "chromosomes" / "context_distributions"
    name = {"sbs96": "96", "dbs78": "DBS"}.get(kind)
    if name is None:
        raise OptionsError(f"opportunity normalisation is defined for SBS96 and DBS78, not "
                           f"{kind.upper()}")
    suffix = "_exome" if territory == "exome" else ""
    path = folder / f"context_counts_{build}_{name}{suffix}.csv"
    if not path.exists():
        prefix, tail = "context_counts_", f"_{name}{suffix}.csv"
        builds = sorted(p.name[len(prefix):-len(tail)] for p in folder.glob(f"{prefix}*{tail}")
                        if "_" not in p.name[len(prefix):-len(tail)])
        raise OptionsError(f"--genome-build {build!r} has no {territory} context counts in "
                           f"{folder}; expected one of {', '.join(builds) or 'GRCh37, GRCh38'}")
    table = pd.read_csv(path, index_col=0)
    return table.sum(axis=1).astype(float)


def _read_counts(path: Path) -> pd.Series:
    try:
        table = pd.read_csv(path, sep=None, engine="python", index_col=0, header=None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputFileError(f"opportunity file {path}: {err}; expected rows "
                             "'context<TAB>count' (ACA 123456)") from err
    return pd.to_numeric(table.iloc[:, -1], errors="coerce").dropna()


def _by_channel(counts: pd.Series, channels: list[str], kind: ContextKind) -> pd.Series:
    """Sum context counts onto channels (both strands of a trinucleotide / dinucleotide)."""
    def context_count(context: str) -> float:
        total = float(counts.get(context, 0.0))
        reverse = reverse_complement(context)
        if reverse != context:
            total += float(counts.get(reverse, 0.0))
        return total

    if kind == "sbs96":
        contexts = [c[0] + c[2] + c[-1] for c in channels]
    else:
        contexts = [c[:2] for c in channels]
    values = [context_count(c) for c in contexts]
    return pd.Series(values, index=channels)


def opportunity_weights(target: str, kind: ContextKind, *, build: str = "GRCh37",
                        ) -> pd.Series:
    """Per-channel weights ``target count / genome count`` (mean 1) for re-weighting signatures.

    Parameters
    ----------
    target
        ``"exome"``, ``"genome"`` (all weights 1), or a path to a ``context<TAB>count`` table
        of the territory (trinucleotides for SBS96, dinucleotides for DBS78).
    kind
        ``"sbs96"`` or ``"dbs78"``.
    build
        Genome build of the genome-wide counts.
    """
    from onco_genomics.spectrum.catalog import CHANNELS

    channels = list(CHANNELS[kind])
    genome = _by_channel(_context_table(build, kind, "genome"), channels, kind)
    if target == "genome":
        territory = genome
    elif target == "exome":
        territory = _by_channel(_context_table(build, kind, "exome"), channels, kind)
    else:
        path = Path(target)
        if not path.exists():
            raise OptionsError(f"--opportunity takes genome, exome or a counts file; {path} "
                               "does not exist")
        territory = _by_channel(_read_counts(path), channels, kind)
    if (genome <= 0).any() or (territory <= 0).any():
        raise InputFileError(f"opportunity counts for {target} miss some contexts; every "
                             "trinucleotide (dinucleotide) needs a positive count")
    ratio = (territory / territory.sum()) / (genome / genome.sum())
    return ratio / ratio.mean()


def apply_opportunity(signatures: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Re-weight signatures by per-channel opportunity weights and renormalise the columns."""
    scaled = signatures.mul(weights.reindex(signatures.index), axis=0)
    return scaled / scaled.sum(axis=0)
