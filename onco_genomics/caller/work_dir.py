"""The work folder of a call run, ``<output>.work/``: what makes ``--resume`` possible.

It holds ``manifest.json`` (the inputs' paths, sizes and modification times, the model's
weights checksum, the settings and the chunk list) and one ``chunk_NNNNNN.json`` per finished
chunk with its scored calls, each written atomically. A resumed run keeps the chunk files only
when its own manifest equals the one found, so records never mix runs with different inputs.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from onco_genomics import __version__
from onco_genomics.caller.records import SomaticCall
from onco_genomics.errors import OptionsError
from onco_genomics.io.atomic import atomic_path
from onco_genomics.regions import Region

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
#: layout of the chunk files (and of the SomaticCall records in them); bump when it
#: changes, so that ``--resume`` refuses a work folder written by another layout.
#: 2: F1R2 counts of the REF and ALT reads in both samples
CHUNK_FORMAT = 2


def _file_stamp(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def manifest(*, tumor: Path, normal: Path, reference: Path, model_weights_sha256: Any,
             settings: Mapping[str, Any], chunks: Sequence[Region]) -> dict[str, Any]:
    """What a run's records depend on, as it reads back from JSON (tuples become lists),
    so that a resumed run's manifest compares equal to the one it finds."""
    document = {
        "oncogen_version": __version__,
        "chunk_format": CHUNK_FORMAT,
        "tumor": _file_stamp(tumor),
        "normal": _file_stamp(normal),
        "reference": _file_stamp(reference),
        "model_weights_sha256": model_weights_sha256,
        **settings,
        "chunks": [str(chunk) for chunk in chunks],
    }
    result: dict[str, Any] = json.loads(json.dumps(document))
    return result


def chunk_path(work: Path, index: int) -> Path:
    return work / f"chunk_{index:06d}.json"


def finished_chunks(work: Path, chunks: Sequence[Region], *, resume: bool) -> set[int]:
    """Indices of the chunks whose results a ``--resume`` run would keep.

    Only the chunk files are read; :func:`prepare` checks the manifest.
    """
    if not (resume and (work / MANIFEST_NAME).is_file()):
        return set()
    done = set()
    for index, chunk in enumerate(chunks):
        path = chunk_path(work, index)
        if path.is_file():
            data = json.loads(path.read_text())
            if data.get("chunk") == str(chunk) and data.get("format") == CHUNK_FORMAT:
                done.add(index)
    return done


def prepare(work: Path, expected: Mapping[str, Any], chunks: Sequence[Region], *,
            resume: bool) -> set[int]:
    """Create the work folder, or with ``resume`` check it against ``expected`` (the
    manifest); return the indices of the chunks already finished."""
    manifest_path = work / MANIFEST_NAME
    if resume and manifest_path.is_file():
        found = json.loads(manifest_path.read_text())
        if found != expected:
            changed = sorted(k for k in expected if expected.get(k) != found.get(k))
            raise OptionsError(
                f"--resume: the work folder {work} was made by a run with different inputs or "
                f"settings ({', '.join(changed)}); rerun without --resume to start afresh, or "
                "with the original inputs"
            )
        done = finished_chunks(work, chunks, resume=True)
        log.info("resuming: %d of %d chunks already done in %s", len(done), len(chunks), work)
        return done
    if resume:
        log.warning("--resume: no work folder %s from an earlier run; starting afresh", work)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    with atomic_path(manifest_path) as tmp:
        tmp.write_text(json.dumps(expected, indent=1, sort_keys=True))
    return set()


def write_chunk(work: Path, index: int, chunk: Region, calls: Sequence[SomaticCall],
                candidates: int) -> None:
    """One finished chunk's scored calls, written atomically."""
    payload = {"chunk": str(chunk), "format": CHUNK_FORMAT, "candidates": candidates,
               "calls": [call.to_json() for call in calls]}
    with atomic_path(chunk_path(work, index)) as tmp:
        tmp.write_text(json.dumps(payload, separators=(",", ":")))


def read_chunk(work: Path, index: int) -> list[SomaticCall]:
    data = json.loads(chunk_path(work, index).read_text())
    return [SomaticCall.from_json(item) for item in data["calls"]]
