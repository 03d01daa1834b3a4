"""Old path of variant normalisation, kept so existing imports work; the code lives in
:mod:`onco_genomics.io.normalize` (pileup and caller use it, and they sit below evaluate)."""

from __future__ import annotations

from onco_genomics.io.normalize import SequenceSource, is_normalizable, normalize_variant

__all__ = ["SequenceSource", "is_normalizable", "normalize_variant"]
