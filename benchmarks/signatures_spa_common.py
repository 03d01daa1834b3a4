"""Shared helpers of the signature benchmarks: run SigProfilerAssignment and oncogen as
whole processes and read their outputs.

Both tools are run as separate processes (``python -c`` for SigProfilerAssignment's
``cosmic_fit``, the ``oncogen`` console script), so the reported times include start-up and
imports: the whole-process wall time a user sees. CPU time (user + system of the child) is
reported too, because on a shared machine it is the steadier measure.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from onco_genomics.spectrum.fit import FitOptions

SPA_SCRIPT = """
import sys
from SigProfilerAssignment import Analyzer
Analyzer.cosmic_fit(sys.argv[1], sys.argv[2], input_type="matrix", context_type="96",
                    genome_build="GRCh37", cosmic_version=3.4, make_plots=False,
                    export_probabilities=False, verbose=False)
"""


@dataclass(frozen=True)
class Timed:
    """Wall and CPU seconds of one child process."""

    wall: float
    cpu: float


def run_timed(command: list[str]) -> Timed:
    """Run a command, fail loudly on a non-zero exit, return its wall and CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(command)}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu)


def run_spa(catalog: Path, out: Path) -> tuple[pd.DataFrame, Timed]:
    """SigProfilerAssignment cosmic_fit (COSMIC v3.4, GRCh37): activities (samples x sigs)."""
    timed = run_timed([sys.executable, "-c", SPA_SCRIPT, str(catalog), str(out)])
    activities = pd.read_csv(out / "Assignment_Solution" / "Activities"
                             / "Assignment_Solution_Activities.txt", sep="\t", index_col=0)
    return activities, timed


def run_spa_cached(catalog: pd.DataFrame, folder: Path) -> tuple[pd.DataFrame, Timed | None]:
    """:func:`run_spa` on ``catalog`` written to ``folder``, reusing the activities a previous
    run left there for the identical catalog (then the time is None)."""
    from onco_genomics.spectrum.catalog import MutationCatalog
    from onco_genomics.spectrum.matrix_files import write_catalog

    path = folder / "catalog.SBS96.tsv"
    cached = folder / "spa" / "Assignment_Solution" / "Activities" / \
        "Assignment_Solution_Activities.txt"
    if path.exists() and cached.exists():
        previous = pd.read_csv(path, sep="\t", index_col=0)
        if previous.shape == catalog.shape and (previous.to_numpy() == catalog.to_numpy()).all():
            return pd.read_csv(cached, sep="\t", index_col=0), None
    folder.mkdir(parents=True, exist_ok=True)
    write_catalog(MutationCatalog("sbs96", catalog), path)
    return run_spa(path, folder / "spa")


def run_oncogen(catalog: Path, out: Path, *extra: str) -> tuple[pd.DataFrame, Timed]:
    """``oncogen signatures fit`` with COSMIC v3.4: exposures (samples x sigs)."""
    out.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("oncogen")
    command = [str(exe) if exe.exists() else "oncogen", "-q", "signatures", "fit",
               str(catalog), "--reference", "cosmic:v3.4", "-o", str(out / "exposures.tsv"),
               *extra]
    timed = run_timed(command)
    matrix = pd.read_csv(out / "exposures.matrix.tsv", sep="\t", index_col=0)
    return matrix, timed


def reconstruction_cosine(catalog: pd.DataFrame, signatures: pd.DataFrame,
                          exposures: pd.DataFrame) -> pd.Series:
    """Cosine of ``S e`` to each sample's catalog; exposures are samples x signatures."""
    e = exposures.reindex(columns=signatures.columns, fill_value=0.0).loc[catalog.columns]
    recon = signatures.to_numpy() @ e.to_numpy().T
    m = catalog.to_numpy(dtype=float)
    num = (recon * m).sum(axis=0)
    den = np.linalg.norm(recon, axis=0) * np.linalg.norm(m, axis=0)
    return pd.Series(np.where(den > 0, num / np.where(den > 0, den, 1), 0.0),
                     index=catalog.columns)


def spa_data_dir() -> Path:
    import SigProfilerAssignment

    return Path(os.path.dirname(SigProfilerAssignment.__file__)) / "data"


def fit_variants() -> list[tuple[str, FitOptions]]:
    """(label, FitOptions) of the method variants both fit benchmarks tabulate."""
    variants: list[tuple[str, FitOptions]] = [
        (f"default, --min-improvement {rho:.2f}", FitOptions(min_improvement=rho))
        for rho in (0.1, 0.15, 0.2, 0.25, 0.3)]
    variants += [("least-squares exposures (--objective least-squares; no pooled prior)",
                  FitOptions(objective="least-squares")),
                 ("no cohort prior (--cohort-fraction 0)", FitOptions(cohort_fraction=0.0)),
                 ("no pooled prior (--no-pooled-prior: the method before it)",
                  FitOptions(pooled_prior=False)),
                 ("neither cohort step nor Poisson exposures (the first method)",
                  FitOptions(objective="least-squares", cohort_fraction=0.0))]
    return variants
