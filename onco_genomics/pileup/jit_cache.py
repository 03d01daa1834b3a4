"""Where numba keeps its compiled kernels: a user cache directory, never the install location.

``@numba.njit(cache=True)`` writes ``.nbi``/``.nbc`` files beside the source by default,
i.e. into ``site-packages/onco_genomics/pileup/__pycache__/``. Those files are not in the
wheel's RECORD, so ``pip uninstall`` leaves them behind, and the leftover folder shadows a
later editable install as a namespace package. :func:`configure_numba_cache` points numba at
``platformdirs.user_cache_dir("oncogen")/numba`` instead (``NUMBA_CACHE_DIR`` set by the
user wins), falling back to a per-user folder in the temporary directory when that is not
writable. It is called before the kernels are defined (:mod:`onco_genomics.pileup.columns`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ENV = "NUMBA_CACHE_DIR"


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def default_cache_dir() -> Path:
    """``<user cache dir>/oncogen/numba``, or a per-user temporary folder if not writable."""
    import platformdirs

    preferred = Path(platformdirs.user_cache_dir("oncogen")) / "numba"
    if _writable(preferred):
        return preferred
    user = getattr(os, "getuid", lambda: "user")()
    return Path(tempfile.gettempdir()) / f"oncogen-numba-{user}"


def configure_numba_cache() -> str:
    """Set ``NUMBA_CACHE_DIR`` (unless the user set it) and numba's config; return the folder.

    Works whether or not numba is already imported (another package, e.g. shap, may have
    imported it first): numba reads ``config.CACHE_DIR`` each time a cached kernel is
    defined.
    """
    chosen = os.environ.get(ENV) or str(default_cache_dir())
    os.environ[ENV] = chosen
    numba = sys.modules.get("numba")
    if numba is not None and not numba.config.CACHE_DIR:
        numba.config.CACHE_DIR = chosen
    return chosen
