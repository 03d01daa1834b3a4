"""Right-censored survival outcomes: the typed target of every survival model.

A :class:`SurvivalOutcome` holds one follow-up time and one event flag per sample, checked
once (finite times >= 0, at least one event, matching sample ids), and converts to the
structured array scikit-survival's estimators and metrics expect.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from onco_genomics.errors import OncogenError, TableFormatError

log = logging.getLogger(__name__)

#: dtype of scikit-survival's outcome arrays (field names are ours, order is theirs)
SURV_DTYPE = np.dtype([("event", "?"), ("time", "<f8")])


@dataclass(frozen=True)
class SurvivalOutcome:
    """Follow-up time and event indicator per sample.

    Attributes
    ----------
    time
        Follow-up time, 1-D float array, every value finite and >= 0 (any unit, used
        consistently).
    event
        1-D bool array; True where the event (death, relapse) was observed, False if censored.
    sample_ids
        Sample identifiers, same length, unique.
    """

    time: np.ndarray
    event: np.ndarray
    sample_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        time = np.asarray(self.time, dtype=float)
        event = np.asarray(self.event)
        if time.ndim != 1 or event.shape != time.shape or len(self.sample_ids) != time.size:
            raise ValueError(
                f"time {time.shape}, event {event.shape} and {len(self.sample_ids)} sample ids "
                "must be 1-D and of equal length")
        if len(set(self.sample_ids)) != len(self.sample_ids):
            raise TableFormatError(
                "expected unique sample ids in the survival outcome, found duplicates; "
                "keep one row per sample")
        if event.dtype != bool:
            event = event.astype(bool)
        object.__setattr__(self, "time", time)
        object.__setattr__(self, "event", event)

    def __len__(self) -> int:
        return int(self.time.size)

    @property
    def n_events(self) -> int:
        """Number of observed events."""
        return int(self.event.sum())

    def to_structured(self) -> np.ndarray:
        """The outcome as scikit-survival's structured array (fields ``event``, ``time``)."""
        out = np.empty(len(self), dtype=SURV_DTYPE)
        out["event"] = self.event
        out["time"] = self.time
        return out

    def subset(self, index: np.ndarray | Sequence[int]) -> SurvivalOutcome:
        """The outcome of the samples at positions ``index``."""
        idx = np.asarray(index)
        return SurvivalOutcome(self.time[idx], self.event[idx],
                               tuple(self.sample_ids[i] for i in idx))


def make_outcome(time: Sequence[float] | np.ndarray, event: Sequence[object] | np.ndarray, *,
                 sample_ids: Sequence[str] | None = None, source: str = "the clinical table",
                 ) -> SurvivalOutcome:
    """Check raw time/event columns and build a :class:`SurvivalOutcome`.

    Parameters
    ----------
    time
        Follow-up times; must be finite and not negative. Times of 0 are accepted with a
        warning, as R's survival and scikit-survival accept them (a sample censored at 0
        adds nothing to a Cox likelihood; an event at 0 counts before every other).
    event
        Event indicators: 1/0, True/False, or the strings ``"1"``/``"0"``, ``"dead"``/``"alive"``,
        ``"true"``/``"false"``, ``"yes"``/``"no"`` (case-insensitive).
    sample_ids
        Sample identifiers (default ``"0"``, ``"1"``, ...).
    source
        Where the columns came from, for error messages.

    Raises
    ------
    OncogenError
        Missing, non-numeric, negative or infinite times; unreadable events; no event at all.
    """
    time_s = pd.to_numeric(pd.Series(np.asarray(time, dtype=object)), errors="coerce")
    ids = (tuple(str(s) for s in sample_ids) if sample_ids is not None
           else tuple(str(i) for i in range(len(time_s))))
    bad = time_s.isna().to_numpy()
    if bad.any():
        examples = ", ".join(ids[i] for i in np.flatnonzero(bad)[:5])
        raise TableFormatError(
            f"expected a numeric follow-up time for every sample in {source}, found "
            f"{int(bad.sum())} missing or non-numeric (e.g. {examples}); fill them in or drop "
            "those samples")
    time_arr = time_s.to_numpy(dtype=float)
    negative = ~np.isfinite(time_arr) | (time_arr < 0)
    if negative.any():
        examples = ", ".join(f"{ids[i]}={time_arr[i]:g}" for i in np.flatnonzero(negative)[:5])
        raise TableFormatError(
            f"expected follow-up times >= 0 in {source}, found {int(negative.sum())} negative "
            f"or infinite (e.g. {examples}); check the time column (a date difference the "
            "wrong way round?) or drop those samples")
    zero = time_arr == 0
    if zero.any():
        examples = ", ".join(ids[i] for i in np.flatnonzero(zero)[:5])
        log.warning("%d samples in %s have a follow-up time of 0 (e.g. %s); they are kept "
                    "(a sample censored at 0 adds nothing to a Cox model), but a time of 0 "
                    "often means lost at baseline or a missing value coded as 0",
                    int(zero.sum()), source, examples)
    event_arr = _parse_events(event, ids, source)
    if not event_arr.any():
        raise OncogenError(
            f"expected at least one observed event in {source}, found all {len(ids)} samples "
            "censored; a Cox model cannot be fitted without events (check the event column's "
            "coding: 1 = event, 0 = censored)")
    if event_arr.sum() < 10:
        log.warning("only %d events among %d samples in %s: concordance and risk groups "
                    "will be very uncertain", int(event_arr.sum()), len(ids), source)
    return SurvivalOutcome(time_arr, event_arr, ids)


_TRUE = {"1", "true", "t", "yes", "y", "dead", "deceased", "event", "1.0"}
_FALSE = {"0", "false", "f", "no", "n", "alive", "censored", "living", "0.0"}


def _parse_events(event: Sequence[object] | np.ndarray, ids: tuple[str, ...],
                  source: str) -> np.ndarray:
    values = np.asarray(event, dtype=object)
    if values.shape != (len(ids),):
        raise ValueError(f"expected {len(ids)} event values, found shape {values.shape}")
    out = np.zeros(len(ids), dtype=bool)
    bad: list[str] = []
    for i, value in enumerate(values):
        if isinstance(value, bool | np.bool_):
            out[i] = bool(value)
            continue
        text = str(value).strip().lower()
        if text in _TRUE:
            out[i] = True
        elif text not in _FALSE:
            bad.append(f"{ids[i]}={value!r}")
    if bad:
        raise TableFormatError(
            f"expected event values 1/0 (or true/false, dead/alive) in {source}, found "
            f"{len(bad)} others (e.g. {', '.join(bad[:5])}); recode the event column")
    return out
