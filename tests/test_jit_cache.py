"""numba's compiled-kernel cache goes to a user cache directory, never the install location."""

from __future__ import annotations

from pathlib import Path

import numba
import pytest

import onco_genomics
from onco_genomics.pileup import jit_cache


def test_user_set_cache_dir_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    assert jit_cache.configure_numba_cache() == str(tmp_path)
    assert numba.config.CACHE_DIR == str(tmp_path)


def test_default_is_outside_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(numba.config, "CACHE_DIR", "")
    chosen = Path(jit_cache.configure_numba_cache())
    assert chosen == tmp_path / "oncogen" / "numba"
    assert numba.config.CACHE_DIR == str(chosen)
    package = Path(onco_genomics.__file__).parent
    assert package not in chosen.parents


def test_kernels_are_cached_in_the_configured_dir() -> None:
    from onco_genomics.pileup import columns

    dispatcher = columns._scan_indels_kernel
    locator = dispatcher._cache._impl.locator  # numba's chosen cache location
    assert type(locator).__name__ == "UserProvidedCacheLocator"
    package = Path(onco_genomics.__file__).parent
    assert package not in Path(locator.get_cache_path()).parents
