"""Benchmark: signature fitting at exome scale (50-1,000 mutations per sample), oncogen vs
SigProfilerAssignment, paired over samples.

Generative settings (one per tissue-like candidate set and noise model): each sample draws 1-8
active signatures (uniformly, at most the set's size) from the set, Dirichlet(1) exposure
fractions over them, and counts with expectation ``N * S w`` for N = 50, 100, 200, 500 or
1,000 mutations, with Poisson noise or overdispersed negative-binomial noise (a Gamma(5, 1/5)
multiplier per channel and sample: variance ``mu + mu^2 / 5``). Every candidate set holds the
flat signatures SBS3, SBS5 and SBS40a. Both tools fit all 86 COSMIC v3.4 SBS signatures.

* SigProfilerAssignment ``cosmic_fit`` (its defaults) runs once per setting on one file with
  all samples of every count (it fits each sample on its own) and is cached under
  ``--workdir`` (default /tmp/oncogen_sig_exome), so re-runs only redo oncogen;
* oncogen (``fit_signatures`` in-process, the ``signatures fit`` defaults, no bootstrap) fits
  each (setting, count) cohort as one catalog -- an exome cohort in which every sample has
  about N mutations -- and, as a second row, every sample alone (one-sample catalog).

Reported per setting and count: mean L1 distance between true and estimated exposure
fractions (0..2) of each tool, the paired difference oncogen - SPA with a 95% bootstrap
interval over samples, and mean signatures per sample (truth, SPA, oncogen).

Settings used to tune oncogen's selection: the ``breast`` and ``lung`` sets (both noise models),
seed 101. Reported: ``colorectal``, ``melanoma`` and ``liver`` (both noise models), seed 7.

    python benchmarks/signatures_exome_scale.py --settings report [--samples 30] [--seed 7]
    python benchmarks/signatures_exome_scale.py --settings tune --seed 101
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from signatures_spa_common import run_spa_cached

from onco_genomics.spectrum.fit import FitOptions, fit_signatures
from onco_genomics.spectrum.reference_signatures import load_reference_signatures

FLAT = ["SBS3", "SBS5", "SBS40a"]
TISSUES: dict[str, list[str]] = {
    "breast": ["SBS1", "SBS2", "SBS8", "SBS13", "SBS17b", "SBS18", *FLAT],
    "lung": ["SBS1", "SBS2", "SBS4", "SBS13", "SBS17a", "SBS18", "SBS92", *FLAT],
    "colorectal": ["SBS1", "SBS10a", "SBS10b", "SBS15", "SBS17a", "SBS17b", "SBS18", "SBS44",
                   "SBS93", *FLAT],
    "melanoma": ["SBS1", "SBS7a", "SBS7b", "SBS7c", "SBS7d", "SBS17a", "SBS17b", "SBS38",
                 *FLAT],
    "liver": ["SBS1", "SBS4", "SBS6", "SBS12", "SBS16", "SBS17a", "SBS22a", "SBS24", *FLAT],
}
NOISES = ("poisson", "negbin")
NB_SIZE = 5.0
LEVELS = (50, 100, 200, 500, 1_000)
SPLITS = {"tune": ("breast", "lung"), "report": ("colorectal", "melanoma", "liver")}


@dataclass(frozen=True)
class Setting:
    """One generative setting: a tissue-like candidate set and a noise model."""

    tissue: str
    noise: str

    @property
    def name(self) -> str:
        return f"{self.tissue}-{self.noise}"


def simulate(cosmic: pd.DataFrame, setting: Setting, n_per_level: int,
             rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Catalog (channels x samples ``N<level>_<i>``) and true fractions (samples x sigs)."""
    pool = TISSUES[setting.tissue]
    columns, truth = {}, {}
    for level in LEVELS:
        for i in range(n_per_level):
            k = int(rng.integers(1, min(8, len(pool)) + 1))
            names = list(rng.choice(pool, size=k, replace=False))
            weights = rng.dirichlet(np.ones(k))
            mu = cosmic[names].to_numpy() @ weights * level
            if setting.noise == "negbin":
                mu = mu * rng.gamma(NB_SIZE, 1.0 / NB_SIZE, size=mu.shape)
            name = f"N{level}_{i:03d}"
            columns[name] = rng.poisson(mu)
            truth[name] = pd.Series(weights, index=names)
    catalog = pd.DataFrame(columns, index=cosmic.index).astype(np.int64)
    return catalog, pd.DataFrame(truth).T.fillna(0.0)


def level_of(sample: str) -> int:
    return int(sample.split("_")[0][1:])


def per_sample_l1(truth: pd.DataFrame, estimate: pd.DataFrame) -> pd.Series:
    """L1 between true and estimated fractions (estimate: samples x signatures, any scale)."""
    names = sorted(set(truth.columns) | set(estimate.columns))
    t = truth.reindex(columns=names, fill_value=0.0)
    e = estimate.reindex(index=t.index, columns=names, fill_value=0.0).fillna(0.0)
    e = e.div(e.sum(axis=1).replace(0, 1), axis=0)
    return (t - e).abs().sum(axis=1)


def paired_interval(diff: np.ndarray, rng: np.random.Generator,
                    n_boot: int = 2000) -> tuple[float, float, float]:
    """Mean of paired differences and its 95% percentile-bootstrap interval."""
    idx = rng.integers(0, diff.size, size=(n_boot, diff.size))
    means = diff[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(diff.mean()), float(low), float(high)


def spa_activities(catalog: pd.DataFrame, setting: Setting, seed: int, n: int,
                   workdir: Path) -> pd.DataFrame:
    """SigProfilerAssignment activities (samples x signatures), cached per setting."""
    activities, timed = run_spa_cached(catalog, workdir / f"{setting.name}_seed{seed}_n{n}")
    if timed is not None:
        print(f"(SigProfilerAssignment {setting.name}: {timed.wall:.0f} s wall, "
              f"{timed.cpu:.0f} s CPU)", file=sys.stderr)
    return activities


Fitter = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]


def oncogen_cohort(options: FitOptions) -> Fitter:
    """Fit each count's samples as one catalog; exposures samples x signatures."""
    def run(catalog: pd.DataFrame, cosmic: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for level in LEVELS:
            cols = [c for c in catalog.columns if level_of(c) == level]
            parts.append(fit_signatures(catalog[cols], cosmic, options=options).exposures.T)
        return pd.concat(parts)
    return run


def oncogen_alone(options: FitOptions) -> Fitter:
    """Fit every sample on its own (a one-sample catalog: no cohort prior)."""
    def run(catalog: pd.DataFrame, cosmic: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([fit_signatures(catalog[[c]], cosmic, options=options).exposures.T
                          for c in catalog.columns])
    return run


def methods() -> dict[str, Fitter]:
    """The oncogen rows: the defaults on cohorts and on single samples, and the method before
    the pooled prior (``--no-pooled-prior``) on cohorts."""
    base = FitOptions(n_bootstrap=0)
    return {"oncogen (cohort)": oncogen_cohort(base),
            "oncogen (sample alone)": oncogen_alone(base),
            "oncogen --no-pooled-prior (cohort)": oncogen_cohort(
                FitOptions(n_bootstrap=0, pooled_prior=False))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", choices=[*SPLITS, "all"], default="report")
    parser.add_argument("--samples", type=int, default=30, help="samples per setting and count")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/oncogen_sig_exome"))
    parser.add_argument("--spa-only", action="store_true",
                        help="only run (and cache) SigProfilerAssignment")
    args = parser.parse_args()
    tissues = [t for split in SPLITS.values() for t in split] if args.settings == "all" \
        else list(SPLITS[args.settings])
    settings = [Setting(t, noise) for t in tissues for noise in NOISES]
    cosmic = load_reference_signatures("cosmic:v3.4", "sbs96")
    rng_ci = np.random.default_rng(0)
    fitters = methods()
    rows = []
    for number, setting in enumerate(settings):
        rng = np.random.default_rng([args.seed, number, len(settings)])
        catalog, truth = simulate(cosmic, setting, args.samples, rng)
        spa = spa_activities(catalog, setting, args.seed, args.samples, args.workdir)
        if args.spa_only:
            continue
        spa = spa.loc[catalog.columns]
        results = {"SigProfilerAssignment": spa}
        results.update({label: fit(catalog, cosmic) for label, fit in fitters.items()})
        l1 = {label: per_sample_l1(truth, est) for label, est in results.items()}
        nsig = {label: (est.loc[catalog.columns] > 0).sum(axis=1)
                for label, est in results.items()}
        true_n = (truth > 0).sum(axis=1)
        for level in LEVELS:
            samples = [c for c in catalog.columns if level_of(c) == level]
            for label in fitters:
                diff = (l1[label][samples] - l1["SigProfilerAssignment"][samples]).to_numpy()
                mean, low, high = paired_interval(diff, rng_ci)
                rows.append({"setting": setting.name, "N": level, "method": label,
                             "spa_l1": l1["SigProfilerAssignment"][samples].mean(),
                             "l1": l1[label][samples].mean(), "diff": mean, "low": low,
                             "high": high, "true_n": true_n[samples].mean(),
                             "spa_n": nsig["SigProfilerAssignment"][samples].mean(),
                             "n": nsig[label][samples].mean(), "diffs": diff})
    if args.spa_only:
        return
    table = pd.DataFrame(rows)
    print(f"## Exome-scale synthetic mixtures: settings {', '.join(s.name for s in settings)}; "
          f"{args.samples} samples per setting and count, seed {args.seed}\n")
    labels = list(fitters)
    short = {"oncogen (cohort)": "cohort", "oncogen (sample alone)": "alone",
             "oncogen --no-pooled-prior (cohort)": "no pooled prior"}
    print("| setting | mutations | SPA L1 | " + " | ".join(
        f"{short.get(label, label)}: L1, - SPA [95% CI]" for label in labels)
        + " | sigs: true / SPA / " + " / ".join(short.get(label, label) for label in labels)
        + " |")
    print("|---|---:|---:|" + "---|" * len(labels) + "---|")
    for (setting, level), group in table.groupby(["setting", "N"], sort=False):
        cells = []
        for r in group.itertuples():
            mark = " **" if r.high < 0 else (" (worse)" if r.low > 0 else "")
            cells.append(f"{r.l1:.3f}, {r.diff:+.3f} [{r.low:+.3f}, {r.high:+.3f}]{mark}")
        first = group.iloc[0]
        counts = " / ".join(f"{n:.2f}" for n in [first["true_n"], first["spa_n"],
                                                  *group["n"]])
        print(f"| {setting} | {level:,} | {first['spa_l1']:.3f} | " + " | ".join(cells)
              + f" | {counts} |")
    print("\n### Pooled over the settings above (paired over all their samples)\n")
    print("| mutations | method | SPA L1 | oncogen L1 | oncogen - SPA [95% CI] | "
          "settings won / tied / lost (interval) | settings below SPA (point estimate) |")
    print("|---:|---|---:|---:|---|---|---|")
    for (level, label), group in table.groupby(["N", "method"], sort=False):
        diff = np.concatenate(list(group["diffs"]))
        mean, low, high = paired_interval(diff, rng_ci)
        won = int((group["high"] < 0).sum())
        lost = int((group["low"] > 0).sum())
        print(f"| {level:,} | {label} | {group['spa_l1'].mean():.3f} | {group['l1'].mean():.3f} "
              f"| {mean:+.3f} [{low:+.3f}, {high:+.3f}] | {won} / {len(group) - won - lost} / "
              f"{lost} | {int((group['diff'] < 0).sum())} / {len(group)} |")
    print("\n(L1 between true and estimated exposure fractions, 0..2; a difference below 0 "
          "favours oncogen; '**': the interval lies below 0, '(worse)': above 0. 'cohort': "
          "each count's samples fitted as one catalog; 'alone': each sample fitted on its "
          "own.)")


if __name__ == "__main__":
    main()
