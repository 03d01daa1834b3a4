"""Scan chunks of a tumor/normal pair into pileup batches, in-process or in worker processes.

Workers are started with the ``spawn`` method (safe with torch and with open htslib
handles), never import torch, and open their own BAM/FASTA handles inside
:func:`onco_genomics.pileup.scan.scan_region`, one chunk at a time. At most
``2 * threads`` chunks are in flight, so memory stays bounded whatever the region size.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

from onco_genomics.regions import Region

if TYPE_CHECKING:
    from onco_genomics.pileup.candidates import PileupOptions
    from onco_genomics.pileup.encode import PileupBatch

log = logging.getLogger(__name__)


def init_worker() -> None:
    """Worker start-up: warm the pileup kernels once per process.

    Workers only scan (the network runs in the parent), so they never import torch; the
    numba kernels load from their on-disk cache here rather than inside the first chunk.
    """
    import onco_genomics.pileup.scan  # noqa: F401


def scan_chunk(tumor: str, normal: str, reference: str, region: Region,
               options: PileupOptions) -> PileupBatch:
    """Scan one chunk (runs in a worker process, which opens its own handles)."""
    from onco_genomics.pileup.scan import scan_region

    return scan_region(tumor, normal, reference, region, options=options)


def scan_chunks(tumor: str | Path, normal: str | Path, reference: str | Path,
                chunks: Sequence[Region], *, options: PileupOptions, threads: int = 1,
                only: Sequence[int] | None = None) -> Iterator[tuple[int, PileupBatch]]:
    """Yield ``(chunk index, batch)`` for each chunk (or the indices in ``only``).

    With ``threads == 1`` chunks are scanned in this process, in order; otherwise in
    ``threads`` spawned workers and yielded as they finish (callers that need order
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
        Worker processes.
    only
        Indices into ``chunks`` to scan (default: all).
    """
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    todo = list(range(len(chunks))) if only is None else list(only)
    args = (str(tumor), str(normal), str(reference))
    if threads == 1 or len(todo) <= 1:
        for index in todo:
            yield index, scan_chunk(*args, chunks[index], options)
        return
    context = multiprocessing.get_context("spawn")
    max_pending = 2 * threads
    with ProcessPoolExecutor(max_workers=threads, mp_context=context,
                             initializer=init_worker) as pool:
        pending: dict[Future[PileupBatch], int] = {}
        position = 0
        while position < len(todo) or pending:
            while position < len(todo) and len(pending) < max_pending:
                index = todo[position]
                position += 1
                pending[pool.submit(scan_chunk, *args, chunks[index], options)] = index
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f]):
                index = pending.pop(future)
                yield index, future.result()
