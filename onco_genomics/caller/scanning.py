"""Scan chunks of a tumor/normal pair into pileup batches, in-process or in worker processes.

:class:`ChunkScanner` starts its workers as soon as it is entered, so that a caller can do
slow set-up of its own (``oncogen call`` imports torch and loads the model) while the first
chunks are scanned. Workers never import torch and open their own BAM/FASTA handles inside
:func:`onco_genomics.pileup.scan.scan_region`, one chunk at a time.

Start method: on Linux, when this process has not imported torch and runs no other thread,
workers are forked after the pileup modules (numpy, pysam, numba) are imported here, so they
start in milliseconds with those imports shared. Otherwise (torch already imported, as
inside a training run or a test session; macOS; Windows) they are started with ``spawn``,
which is safe with torch and with open htslib handles, and import the pileup modules
themselves. Either way the scan of a chunk does not depend on the worker that ran it.

Memory is bounded whatever the region size: at most :data:`CHUNKS_IN_FLIGHT_PER_WORKER`
chunks per worker are queued, being scanned or waiting to be consumed at any time.

Workers die with their parent: on Linux each asks the kernel for SIGKILL when its parent
dies (``prctl(PR_SET_PDEATHSIG)``), elsewhere a watchdog thread checks the parent's pid;
workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent stops them).
Leaving the scanner with an exception (an error, SIGTERM turned into an exception by the
CLI) terminates the workers at once instead of waiting for their chunks.
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from onco_genomics.regions import Region

if TYPE_CHECKING:
    from onco_genomics.pileup.candidates import PileupOptions
    from onco_genomics.pileup.encode import PileupBatch

log = logging.getLogger(__name__)

#: chunks per worker submitted but not yet consumed: enough to keep the workers busy
#: while the parent imports torch (measured: 8 let them idle ~0.5 s each on 1 Mb), small
#: enough to bound memory (a 50 kb chunk at 60x is about 4 MB of tensors)
CHUNKS_IN_FLIGHT_PER_WORKER = 16


#: seconds between two checks of the parent's pid where PR_SET_PDEATHSIG is unavailable
PARENT_WATCH_INTERVAL = 1.0
#: seconds a terminated worker gets to exit before it is killed
TERMINATE_GRACE = 5.0
_PR_SET_PDEATHSIG = 1
#: whether this process terminated a pool of workers (see :func:`workers_terminated`)
_terminated = False


def workers_terminated() -> bool:
    """Whether a :class:`ChunkScanner` of this process terminated its workers mid-chunk."""
    return _terminated


def _die_with_parent(parent_pid: int) -> None:
    """Make this worker exit when ``parent_pid`` dies, even if the parent is SIGKILLed."""
    armed = False
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(1)
    if not armed:
        def watch() -> None:
            while True:
                time.sleep(PARENT_WATCH_INTERVAL)
                if os.getppid() != parent_pid:
                    os._exit(1)

        threading.Thread(target=watch, name="oncogen-parent-watch", daemon=True).start()


def init_worker(parent_pid: int | None = None) -> None:
    """Worker start-up: die with the parent, leave SIGINT to it, import the pileup modules.

    Workers only scan (the network runs in the parent), so they never import torch. A
    forked worker inherits the parent's Python signal handlers: SIGTERM goes back to the
    default (exit), and SIGINT is ignored (the parent terminates the workers).
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    import onco_genomics.pileup.scan  # noqa: F401


def worker_context() -> BaseContext:
    """``fork`` where it is safe and fast, else ``spawn`` (see the module docstring)."""
    if (sys.platform.startswith("linux") and "torch" not in sys.modules
            and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        import onco_genomics.pileup.scan  # noqa: F401  (forked workers inherit the imports)

        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def scan_chunk(tumor: str, normal: str | None, reference: str, region: Region,
               options: PileupOptions) -> PileupBatch:
    """Scan one chunk (runs in a worker process, which opens its own handles).

    An htslib failure (a corrupt BGZF block, a stale index, a CRAM read against the wrong
    reference) becomes an :class:`~onco_genomics.errors.InputFileError` naming the file.
    """
    import pysam

    from onco_genomics.errors import OncogenError
    from onco_genomics.io.alignments import read_error
    from onco_genomics.pileup.scan import scan_region

    if not log.isEnabledFor(logging.DEBUG):
        pysam.set_verbosity(0)  # htslib's own lines would break the one-line error
    try:
        return scan_region(tumor, normal, reference, region, options=options)
    except OncogenError:
        raise
    except OSError as err:
        if err.errno not in (None, 0, errno.EIO):
            raise  # a file-system error (permission, disk): the CLI root says so
        raise read_error([tumor] if normal is None else [tumor, normal], err,
                         where=str(region)) from None


class ChunkScanner:
    """Scan chunks of a tumor/normal pair; workers start when the scanner is entered.

    Iterating yields ``(chunk index, batch)``: in chunk order with ``threads == 1`` (scanned
    in this process, lazily), otherwise as the workers finish them (callers that need order
    index the results).

    Parameters
    ----------
    tumor, normal, reference
        Input paths (workers reopen them).
    chunks
        Regions to scan.
    options
        Candidate thresholds and read filters.
    threads
        Worker processes (1: scan in this process).
    only
        Indices into ``chunks`` to scan (default: all), in the order to submit them.

    Examples
    --------
    >>> with ChunkScanner("t.bam", "n.bam", "ref.fa", chunks, options=PileupOptions(),
    ...                   threads=2) as scanner:  # doctest: +SKIP
    ...     model = load_caller_model()           # runs while the workers scan
    ...     for index, batch in scanner:
    ...         ...
    """

    def __init__(self, tumor: str | Path, normal: str | Path | None, reference: str | Path,
                 chunks: Sequence[Region], *, options: PileupOptions, threads: int = 1,
                 only: Sequence[int] | None = None) -> None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self._args = (str(tumor), None if normal is None else str(normal), str(reference))
        self._chunks = tuple(chunks)
        self.indices: tuple[int, ...] = tuple(range(len(self._chunks)) if only is None else only)
        self.options = options
        # no chunk left (a --resume after every chunk finished): no pool at all
        self.workers = max(1, min(threads, len(self.indices))) if threads > 1 else 1
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[Future[PileupBatch], int] = {}
        self._position = 0
        self._iterated = False

    def __enter__(self) -> ChunkScanner:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self.terminate()

    def start(self) -> None:
        """Start the workers and submit the first chunks (nothing to do with one thread)."""
        if self.workers == 1 or self._pool is not None:
            return
        context = worker_context()
        log.debug("scanning %d chunks in %d workers (%s)", len(self.indices), self.workers,
                  context.get_start_method())
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                         initializer=init_worker, initargs=(os.getpid(),))
        self._submit()

    def close(self) -> None:
        """Stop the workers; chunks not yet started are cancelled."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pending.clear()

    def terminate(self) -> None:
        """Stop the workers now, abandoning their chunks (on errors and interruptions)."""
        global _terminated
        if self._pool is None:
            return
        _terminated = True
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + TERMINATE_GRACE
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        self._pending.clear()

    def _submit(self) -> None:
        assert self._pool is not None
        limit = CHUNKS_IN_FLIGHT_PER_WORKER * self.workers
        while self._position < len(self.indices) and len(self._pending) < limit:
            index = self.indices[self._position]
            self._position += 1
            future = self._pool.submit(scan_chunk, *self._args, self._chunks[index],
                                       self.options)
            self._pending[future] = index

    def __iter__(self) -> Iterator[tuple[int, PileupBatch]]:
        if self._iterated:
            raise RuntimeError("a ChunkScanner can be iterated only once")
        self._iterated = True
        if self.workers == 1:
            for index in self.indices:
                yield index, scan_chunk(*self._args, self._chunks[index], self.options)
            return
        self.start()
        while self._pending:
            finished, _ = wait(self._pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=self._pending.__getitem__):
                index = self._pending.pop(future)
                batch = future.result()
                self._submit()  # keep the workers busy while the caller uses the batch
                yield index, batch


def scan_chunks(tumor: str | Path, normal: str | Path, reference: str | Path,
                chunks: Sequence[Region], *, options: PileupOptions, threads: int = 1,
                only: Sequence[int] | None = None) -> Iterator[tuple[int, PileupBatch]]:
    """Yield ``(chunk index, batch)`` for each chunk (or the indices in ``only``).

    A generator over a :class:`ChunkScanner` (same parameters), whose workers start on the
    first ``next()``; use the class directly to start them earlier.
    """
    with ChunkScanner(tumor, normal, reference, chunks, options=options, threads=threads,
                      only=only) as scanner:
        yield from scanner
