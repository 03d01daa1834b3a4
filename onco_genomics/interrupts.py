"""SIGTERM and SIGINT as an exception, so a stopped run cleans up after itself.

Schedulers (Slurm, Nextflow) stop a job with SIGTERM, a user with Ctrl-C (SIGINT). The CLI
calls :func:`install_signal_handlers`; each signal then raises :class:`Interrupted` in the
main thread, the stack unwinds through every ``finally``: worker processes are terminated
and temporary files removed. :func:`deferred` holds the exception back for the few
statements that create a temporary file and register it for removal, so no signal can
arrive between the two. Library code that never installs the handlers is unaffected.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_depth = 0
_pending: int | None = None


class Interrupted(BaseException):
    """SIGTERM or SIGINT arrived.

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, so that no ``except
    Exception`` swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's convention for a death by signal: 128 + the signal number."""
        return 128 + self.signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def _raise(signum: int) -> None:
    # a second signal during the clean-up kills at once (workers die with us)
    for sig in _SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    raise Interrupted(signum)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    global _pending
    if _depth > 0:
        _pending = signum
        return
    _raise(signum)


def install_signal_handlers() -> None:
    """Turn SIGTERM and SIGINT into :class:`Interrupted` (main thread only)."""
    for sig in _SIGNALS:
        signal.signal(sig, _on_signal)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold :class:`Interrupted` back until the end of the block (then raise it)."""
    global _depth, _pending
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _pending is not None:
            signum, _pending = _pending, None
            _raise(signum)
