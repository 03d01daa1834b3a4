"""Benchmark: how far can a stop rule go towards SigProfilerAssignment's per-sample cosine on
the 21 breast cancers without more signatures, and what does each rule cost on synthetic
truth?

For every sample the forward/swap path of ``oncogen signatures fit`` (one swap-refined set per
size, 1..``--max-size`` signatures) is computed once; each stop rule then picks a size on it.
Reported:

* the *oracle*: the fewest signatures on the path whose reconstruction cosine reaches
  SigProfilerAssignment's (SPA) on each breast cancer, with least-squares (NNLS) exposures and
  with Poisson exposures; no rule can use fewer on average than the oracle, so the target
  (cosine >= SPA on every sample with no more signatures per sample than SPA on average) is
  reachable only if the oracle is below SPA's mean, and then only by a rule that stops within
  the difference of the oracle in nearly every sample;
* with ``--pair-swaps``: the same oracle for a stronger search that also tries exchanging two
  members for two non-members at each size (slow: minutes);
* per stop rule: on the breast cancers the mean signatures and the samples with cosine >= SPA
  (both exposure objectives); on synthetic mixtures (``signatures_synthetic.py``'s simulation,
  seed ``--seed``, default 101 = the tuning set) the mean L1 of exposure fractions (Poisson
  exposures) and false-positive signatures per sample at each mutation count.

The cohort prior is off throughout (it reselects on a second path that depends on the rule);
compare with the "no cohort prior" row of the other benchmarks.

    python benchmarks/signatures_stop_rules.py [--workdir DIR] [--seed 101] [--pair-swaps]

SPA is run once per catalog; with ``--workdir`` its activities are reused from an earlier run
in the same folder.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import nnls

sys.path.insert(0, str(Path(__file__).parent))
from signatures_spa_common import reconstruction_cosine, run_spa, spa_data_dir
from signatures_synthetic import LEVELS, score, simulate

from onco_genomics.spectrum.catalog import MutationCatalog
from onco_genomics.spectrum.matrix_files import read_catalog, write_catalog
from onco_genomics.spectrum.poisson import poisson_deviance, poisson_exposures
from onco_genomics.spectrum.reference_signatures import load_reference_signatures
from onco_genomics.spectrum.swap_path import SampleProblem, forward_swap_path


@dataclass(frozen=True)
class Step:
    """One set on a sample's path, fitted both ways."""

    columns: list[int]
    ls_cosine: float           # NNLS reconstruction cosine
    poisson: np.ndarray        # Poisson exposures (mutations)
    poisson_cosine: float
    deviance: float            # Poisson deviance of the Poisson fit
    noise_floor: float         # expected 1 - cosine from Poisson noise alone, N / (2 |mu|^2)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def _step(m: np.ndarray, basis: np.ndarray, columns: list[int], ls_cosine: float) -> Step:
    columns = sorted(columns)
    sub = basis[:, columns]
    w, _ = nnls(sub, m)
    e = poisson_exposures(m, sub, w * m.sum() / w.sum())
    mu = sub @ e
    return Step(columns, ls_cosine, e, _cos(mu, m), poisson_deviance(m, mu),
                float(m.sum() / (2 * mu @ mu)))


def paths(catalog: pd.DataFrame, basis: np.ndarray, max_size: int) -> dict[str, list[Step]]:
    gram = basis.T @ basis
    out = {}
    for sample in catalog.columns:
        m = catalog[sample].to_numpy(dtype=float)
        out[sample] = [_step(m, basis, columns, cos) for columns, cos in
                       forward_swap_path(m, basis, gram=gram, max_size=max_size)]
    return out


def pair_swap_cosines(m: np.ndarray, basis: np.ndarray, max_size: int) -> list[float]:
    """Best cosine per size when 2-for-2 exchanges are tried after the 1-for-1 swaps."""
    problem = SampleProblem(m, basis, basis.T @ basis)
    n = basis.shape[1]
    active, cos = problem.best_addition([])
    active, cos = problem.refine_by_swaps(active, cos)
    out = [cos]
    while len(active) < max_size:
        active, cos = problem.best_addition(active)
        active, cos = problem.refine_by_swaps(active, cos)
        while True:
            others = [k for k in range(n) if k not in active]
            rows = [[a for i, a in enumerate(active) if i not in out_pair] + list(in_pair)
                    for out_pair in itertools.combinations(range(len(active)), 2)
                    for in_pair in itertools.combinations(others, 2)]
            cosines = problem.batch_cosines(np.array(rows, dtype=np.intp))
            best = int(np.argmax(cosines))
            if cosines[best] <= cos + 1e-12:
                break
            active, cos = problem.refine_by_swaps([int(x) for x in rows[best]],
                                                  float(cosines[best]))
        out.append(cos)
    return out


Rule = Callable[[Step, Step, float], bool]  # (current, next, mutations) -> take next?


def _rules() -> list[tuple[str, Rule]]:
    rules: list[tuple[str, Rule]] = []
    for rho in (0.10, 0.15, 0.20, 0.25):
        rules.append((f"dissimilarity: next set removes >= {rho:.2f} of 1 - cosine"
                      + (" (the default)" if rho == 0.2 else ""),
                      lambda a, b, n, r=rho: 1 - b.ls_cosine <= (1 - r) * (1 - a.ls_cosine)))
    for c in (2.0, 10.0, 50.0):
        rules.append((f"likelihood ratio: deviance gain > {c:g}" + (" (AIC)" if c == 2 else ""),
                      lambda a, b, n, c=c: a.deviance - b.deviance > c))
    for c in (1.0, 2.0):
        rules.append((f"likelihood ratio: deviance gain > {c:g} log N"
                      + (" (BIC)" if c == 1 else ""),
                      lambda a, b, n, c=c: a.deviance - b.deviance > c * np.log(n)))
    rules.append(("relative deviance: next set removes >= 0.10 of the deviance",
                  lambda a, b, n: b.deviance <= 0.9 * a.deviance))
    for d in (0.01, 0.02, 0.03):
        rules.append((f"absolute L2 (SPA-like): relative L2 error falls by > {d:g}",
                      lambda a, b, n, d=d: (np.sqrt(1 - a.ls_cosine ** 2)
                                            - np.sqrt(1 - b.ls_cosine ** 2)) > d))
    for f in (1.0, 2.0):
        rules.append((f"excess over {f:g}x Poisson noise floor: removes >= 0.20 of it",
                      lambda a, b, n, f=f: (1 - a.ls_cosine > f * a.noise_floor
                                            and (1 - b.ls_cosine - b.noise_floor)
                                            <= 0.8 * (1 - a.ls_cosine - a.noise_floor))))
    return rules


def choose(steps: list[Step], rule: Rule, mutations: float) -> Step:
    k = 0
    while k + 1 < len(steps) and rule(steps[k], steps[k + 1], mutations):
        k += 1
    return steps[k]


def _spa(catalog_path: Path, out: Path) -> pd.DataFrame:
    cached = out / "Assignment_Solution" / "Activities" / "Assignment_Solution_Activities.txt"
    if cached.exists():
        return pd.read_csv(cached, sep="\t", index_col=0)
    return run_spa(catalog_path, out)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=101, help="synthetic seed (101: tuning)")
    parser.add_argument("--samples", type=int, default=100, help="synthetic samples per count")
    parser.add_argument("--max-size", type=int, default=12)
    parser.add_argument("--pair-swaps", action="store_true")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="sigstop_"))
    work.mkdir(parents=True, exist_ok=True)
    cosmic = load_reference_signatures("cosmic:v3.4", "sbs96")
    basis = cosmic.to_numpy(dtype=float)

    breast_path = spa_data_dir() / "Samples.txt"
    breast = read_catalog(breast_path).counts
    spa = _spa(breast_path, work / "spa_breast21").loc[breast.columns]
    spa_cos = reconstruction_cosine(breast, cosmic, spa)
    spa_n = (spa > 0).sum(axis=1)
    breast_paths = paths(breast, basis, args.max_size)

    synthetic, truth = simulate(cosmic, args.samples, np.random.default_rng(args.seed))
    synthetic_path = work / f"synthetic_seed{args.seed}.SBS96.tsv"
    write_catalog(MutationCatalog("sbs96", synthetic), synthetic_path)
    spa_syn = score(truth, _spa(synthetic_path, work / f"spa_synthetic_seed{args.seed}"))
    synthetic_paths = paths(synthetic, basis, args.max_size)

    def fewest(cosines: list[float], target: float) -> int:
        return next((k for k, c in enumerate(cosines, 1) if c >= target - 1e-9),
                    len(cosines) + 1)

    oracle_ls = [fewest([s.ls_cosine for s in breast_paths[x]], spa_cos[x])
                 for x in breast.columns]
    oracle_p = [fewest([s.poisson_cosine for s in breast_paths[x]], spa_cos[x])
                for x in breast.columns]
    print("## Oracle: fewest signatures on the path reaching SPA's cosine, 21 breast "
          "cancers\n")
    print("| sample | mutations | SPA cosine | SPA sigs | oracle, NNLS exposures | "
          "oracle, Poisson exposures |")
    print("|---|---:|---:|---:|---:|---:|")
    for x, a, b in zip(breast.columns, oracle_ls, oracle_p, strict=True):
        print(f"| {x} | {int(breast[x].sum()):,} | {spa_cos[x]:.4f} | {spa_n[x]} | {a} | {b} |")
    print(f"| mean | | | {spa_n.mean():.2f} | {np.mean(oracle_ls):.2f} | "
          f"{np.mean(oracle_p):.2f} |")
    if args.pair_swaps:
        pair = [fewest(pair_swap_cosines(breast[x].to_numpy(dtype=float), basis,
                                         args.max_size), spa_cos[x]) for x in breast.columns]
        print(f"\nWith 2-for-2 exchanges as well: oracle mean {np.mean(pair):.2f} "
              f"(NNLS exposures); per sample {pair}.")

    print(f"\n## Stop rules on the path (no cohort prior): breast cancers and synthetic "
          f"seed {args.seed}\n")
    print("| rule | breast: mean sigs | cosine >= SPA, NNLS exp. | cosine >= SPA, Poisson "
          "exp. | " + " | ".join(f"synthetic {n:,}: L1 / FP" for n in LEVELS) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(LEVELS))
    spa_cells = [f"{spa_syn[spa_syn['level'] == n]['l1'].mean():.3f} / "
                 f"{spa_syn[spa_syn['level'] == n]['false_pos'].mean():.2f}" for n in LEVELS]
    print(f"| SigProfilerAssignment | {spa_n.mean():.2f} | | | " + " | ".join(spa_cells) + " |")
    names = list(cosmic.columns)
    for label, rule in _rules():
        picked = {x: choose(breast_paths[x], rule, float(breast[x].sum()))
                  for x in breast.columns}
        n_sigs = np.mean([len(s.columns) for s in picked.values()])
        ls_wins = sum(picked[x].ls_cosine >= spa_cos[x] - 1e-9 for x in breast.columns)
        p_wins = sum(picked[x].poisson_cosine >= spa_cos[x] - 1e-9 for x in breast.columns)
        estimate = pd.DataFrame(0.0, index=synthetic.columns, columns=names)
        for x in synthetic.columns:
            step = choose(synthetic_paths[x], rule, float(synthetic[x].sum()))
            estimate.loc[x, [names[c] for c in step.columns]] = step.poisson
        table = score(truth, estimate)
        cells = [f"{table[table['level'] == n]['l1'].mean():.3f} / "
                 f"{table[table['level'] == n]['false_pos'].mean():.2f}" for n in LEVELS]
        print(f"| {label} | {n_sigs:.2f} | {ls_wins} / 21 | {p_wins} / 21 | "
              + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
