"""Progress reporting for long work.

On a terminal a one-line bar (done/total, rate, ETA) is redrawn on stderr; elsewhere
(pipelines, log files) a quiet INFO line is logged every ``log_every`` seconds, in the
spirit of DeepVariant's "N examples, sec per 100".
"""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import TextIO

log = logging.getLogger(__name__)


def _fmt_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:d}:{secs:02d}"


class Progress:
    """Report progress of ``total`` units of work (chunks, reads, sites).

    Parameters
    ----------
    total
        Units expected, or None when unknown.
    label
        What is being counted, e.g. ``"chunks"``.
    rate_label
        Optional second counter reported as a rate (e.g. ``"sites"`` -> sites/s).
    enabled
        None: a bar only when ``stream`` is a terminal; False: never a bar.

    Examples
    --------
    >>> with Progress(3, "chunks", enabled=False) as bar:
    ...     for _ in range(3):
    ...         bar.update(1, extra=100)
    """

    def __init__(self, total: int | None, label: str, *, rate_label: str | None = None,
                 log_every: float = 30.0, enabled: bool | None = None,
                 stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.rate_label = rate_label
        self.log_every = log_every
        self.stream = stream or sys.stderr
        is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar = is_tty if enabled is None else (enabled and is_tty)
        self.done = 0
        self.extra = 0
        self.start = time.monotonic()
        self._last_log = self.start
        self._last_draw = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def message(self) -> str:
        elapsed = time.monotonic() - self.start
        parts = [f"{self.done:,}" + (f"/{self.total:,}" if self.total else "") + f" {self.label}"]
        if self.rate_label and elapsed > 0:
            parts.append(f"{self.extra / elapsed:,.0f} {self.rate_label}/s")
        if self.total and self.done and self.done < self.total:
            eta = elapsed / self.done * (self.total - self.done)
            parts.append(f"ETA {_fmt_duration(eta)}")
        parts.append(f"elapsed {_fmt_duration(elapsed)}")
        return ", ".join(parts)

    def update(self, n: int = 1, *, extra: int = 0) -> None:
        """Record ``n`` more units done (and ``extra`` more of the rate counter)."""
        self.done += n
        self.extra += extra
        now = time.monotonic()
        if self.bar:
            if now - self._last_draw >= 0.2 or (self.total and self.done >= self.total):
                self._last_draw = now
                self.stream.write("\r\033[K" + self.message())
                self.stream.flush()
        elif now - self._last_log >= self.log_every:
            self._last_log = now
            log.info("progress: %s", self.message())

    def close(self) -> None:
        if self.bar:
            self.stream.write("\r\033[K" + self.message() + "\n")
            self.stream.flush()
        else:
            log.info("done: %s", self.message())
