"""How far can the tumor's reads go? An oracle bound on germline calls in tumor-only mode.

In tumor-only mode a person's *private* germline variants (absent from every resource and
panel) can only be told from somatic SNVs by their allele counts: a heterozygous germline
allele sits at the VAF of the other heterozygous sites (about 0.5 without copy-number
change), a clonal heterozygous somatic one at most at purity / 2. This script asks what the
best per-site classifier could do that knows the true generative model of the held-out
tumors of ``benchmarks/caller_tumor_only.py`` (60x, purity 0.8, somatic VAF = purity x U,
U log-uniform on [0.02, 0.5], 20 private germline variants per Mb, 35% of them homozygous):

* it sees a site's tumor ALT count ``k`` and depth ``n`` (oncogen's candidate counts);
* germline: ``k ~ Binomial(n, h)`` with ``h`` the median VAF of the tumor's heterozygous
  germline SNVs (the truth's; reference bias included);
* somatic: ``k ~ Binomial(n, v)``, ``v`` from the simulator's VAF distribution restricted
  to VAF >= 10% (the scored somatic SNVs);
* it accepts a site when the likelihood ratio somatic : germline is above a cut (the
  Neyman-Pearson test, optimal for this objective), the cut set to reach the wanted recall.

For a fixed depth the ratio rises as k falls, so the oracle is a VAF cut per depth; the
germline share it lets through depends only on that cut (a germline allele's VAF does not
move with purity without copy-number change), and purity only decides how much somatic
recall the cut buys. The oracle's edge over a caller is that it sets the cut knowing the
purity. Homozygous germline
variants (VAF ~1) are separable and left out; so are germline indels (the tumor-only
calls' germline errors are SNVs). The bound covers only this germline-vs-somatic axis: a
real caller also loses recall to artefact rejection, so its germline count at a given
recall cannot be below the oracle's.

Printed:

1. **Observed sites** of the three held-out tumors: private heterozygous germline SNVs and
   somatic SNVs with truth VAF >= 10% in confident.bed, their (k, n) from oncogen's scan of
   the tumor; the oracle's accepted germline sites (count and per Mb) at recall >= 0.8 and
   at >= 0.913 (the shipped model's recall).
2. **Expected** germline per Mb under the generative model (exact sums over k for the
   observed depth distribution at germline sites, scaled to other depths), for depth
   30-200x x purity 0.4-1.0 (purity known), at the same recalls, at the observed rate
   of private heterozygous germline SNVs per Mb.

Usage (after ``benchmarks/caller_tumor_only.py`` has simulated the tumors)::

    python benchmarks/caller_tumor_only_oracle.py --work /tmp/oncogen_tumor_only_bench
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import caller_tumor_only as bench

#: the simulator's clonal VAF range of the held-out tumors (--vaf 0.02-0.5)
VAF_RANGE = (0.02, 0.5)
#: the target, the shipped model's recall and the previous model's
RECALLS = (0.8, 0.884, 0.913)


@dataclass(frozen=True)
class Sites:
    """Observed (k, n) of the scored sites of one or more tumors."""

    germ_k: np.ndarray
    germ_n: np.ndarray
    som_k: np.ndarray  # -1: not a candidate (the caller cannot call it)
    som_n: np.ndarray
    het_vafs: np.ndarray  # VAFs of all heterozygous germline SNVs
    mb: float


def _vaf_grid(purity: float, *, points: int = 400) -> np.ndarray:
    """Somatic VAFs ``purity x U`` (U log-uniform, equal weights) with VAF >= 10%."""
    u = np.exp(np.linspace(np.log(VAF_RANGE[0]), np.log(VAF_RANGE[1]), points))
    v = purity * u
    return v[v >= bench.VAF_MIN]


def somatic_likelihood(k: np.ndarray, n: np.ndarray, vafs: np.ndarray) -> np.ndarray:
    """Mean over ``vafs`` of Binomial(k | n, v)."""
    return np.mean(stats.binom.pmf(k[:, None], n[:, None], vafs[None, :]), axis=1)


def log_ratio(k: np.ndarray, n: np.ndarray, h: float, vafs: np.ndarray) -> np.ndarray:
    """log P(k | n, somatic) - log P(k | n, germline het at ``h``)."""
    som = somatic_likelihood(k, n, vafs)
    germ = stats.binom.pmf(k, n, h)
    return np.log(np.maximum(som, 1e-300)) - np.log(np.maximum(germ, 1e-300))


def best_germline(score_som: np.ndarray, w_som: np.ndarray, score_germ: np.ndarray,
                  w_germ: np.ndarray, recall: float) -> tuple[float, float]:
    """Smallest accepted germline weight over cuts on the score with somatic recall >=
    ``recall`` (recall = accepted somatic weight / total somatic weight), and that recall."""
    cuts = np.unique(np.concatenate([score_som, score_germ]))[::-1]
    total = float(w_som.sum())
    order_s = np.argsort(-score_som)
    cum_s = np.cumsum(w_som[order_s])
    sorted_s = score_som[order_s]
    order_g = np.argsort(-score_germ)
    cum_g = np.cumsum(w_germ[order_g])
    sorted_g = score_germ[order_g]
    for cut in cuts:  # from the strictest cut down: the first that reaches the recall
        n_s = np.searchsorted(-sorted_s, -cut, side="right")
        got = float(cum_s[n_s - 1]) / total if n_s else 0.0
        if got >= recall:
            n_g = np.searchsorted(-sorted_g, -cut, side="right")
            return (float(cum_g[n_g - 1]) if n_g else 0.0), got
    return float(w_germ.sum()), 1.0


def collect(work: Path) -> Sites:
    """(k, n) of the scored sites of the held-out tumors, from oncogen's tumor scan."""
    from onco_genomics.caller.scanning import ChunkScanner
    from onco_genomics.pileup.candidates import PileupOptions
    from onco_genomics.regions import parse_region

    ref = bench.reference(work)
    with open(f"{ref}.fai") as fai:
        lengths = {line.split("\t")[0]: int(line.split("\t")[1]) for line in fai}
    parts: dict[str, list[float]] = {k: [] for k in ("gk", "gn", "sk", "sn", "het")}
    mb = 0.0
    for config in bench.CONFIGS:
        folder = work / config.name
        if not (folder / "tumor.bam").is_file():
            raise SystemExit(f"{folder} has no tumor.bam: run benchmarks/caller_tumor_only.py")
        intervals, size = bench.confident(folder)
        mb += size
        population = set(bench.load_keys(folder / "population.vcf.gz"))
        hets = {(v.pos, v.ref, v.alt) for v in _read(folder / "germline.vcf.gz")
                if len(v.ref) == len(v.alt) == 1 and v.sample_data
                and str(next(iter(v.sample_data.values())).get("GT", "")) in ("0|1", "1|0")
                and bench.inside(v.pos, intervals)}
        private = {key for key in hets if key not in population}
        somatic = {k for k, vaf in bench.load_keys(folder / "truth.vcf.gz").items()
                   if len(k[1]) == len(k[2]) == 1 and vaf >= bench.VAF_MIN
                   and bench.inside(k[0], intervals)}
        counts: dict[tuple[int, str, str], tuple[int, int]] = {}
        chunks = list(parse_region(config.region, lengths).chunks(50_000))
        with ChunkScanner(folder / "tumor.bam", None, ref, chunks, options=PileupOptions(),
                          threads=1) as scanner:
            for _, batch in scanner:
                for cand in batch.candidates:
                    counts[(cand.pos, cand.ref, cand.alt)] = (cand.tumor.alt, cand.tumor.depth)
        for key in hets:
            if key in counts and counts[key][1]:
                parts["het"].append(counts[key][0] / counts[key][1])
        for key in private:
            if key in counts:
                parts["gk"].append(counts[key][0])
                parts["gn"].append(counts[key][1])
        for key in somatic:
            k, n = counts.get(key, (-1, 0))
            parts["sk"].append(k)
            parts["sn"].append(n)
    return Sites(*(np.asarray(parts[k], dtype=np.int64) for k in ("gk", "gn", "sk", "sn")),
                 het_vafs=np.asarray(parts["het"]), mb=mb)


def _read(path: Path) -> list:  # type: ignore[type-arg]
    from onco_genomics.io.variants import read_variants

    return list(read_variants(path))


def observed_table(sites: Sites, h: float, purity: float) -> list[str]:
    rows = []
    for label, vafs in ((f"oracle (purity {purity})", _vaf_grid(purity)),):
        seen = sites.som_k >= 0
        s_som = np.full(len(sites.som_k), -np.inf)
        s_som[seen] = log_ratio(sites.som_k[seen], sites.som_n[seen], h, vafs)
        s_germ = log_ratio(sites.germ_k, sites.germ_n, h, vafs)
        cells = []
        for recall in RECALLS:
            germ, got = best_germline(s_som, np.ones(len(s_som)), s_germ,
                                      np.ones(len(s_germ)), recall)
            cells.append(f"{germ / sites.mb:.2f} ({int(germ)}; recall {got:.3f})")
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return rows


def expected_per_mb(depths: np.ndarray, h: float, purity: float, recall: float,
                    hets_per_mb: float) -> float:
    """Expected private germline calls per Mb at somatic recall ``recall`` (exact over k)."""
    values, freq = np.unique(depths, return_counts=True)
    weight_n = freq / freq.sum()
    truth_vafs = _vaf_grid(purity)
    s_all, w_som, w_germ = [], [], []
    for n, wn in zip(values, weight_n, strict=True):
        k = np.arange(0, n + 1)
        nn = np.full(len(k), n)
        s_all.append(log_ratio(k, nn, h, truth_vafs))
        w_som.append(wn * somatic_likelihood(k, nn, truth_vafs))
        w_germ.append(wn * stats.binom.pmf(k, n, h))
    s = np.concatenate(s_all)
    germ, _ = best_germline(s, np.concatenate(w_som), s, np.concatenate(w_germ), recall)
    return germ * hets_per_mb


def expected_table(depths: np.ndarray, h: float, mean_depth: float, hets_per_mb: float,
                   grid_depths: Sequence[int], grid_purities: Sequence[float]) -> list[str]:
    rows = []
    for depth in grid_depths:
        scaled = np.maximum(np.round(depths * depth / mean_depth), 1).astype(np.int64)
        for purity in grid_purities:
            cells = [f"{expected_per_mb(scaled, h, purity, recall, hets_per_mb):.2f}"
                     for recall in RECALLS]
            rows.append(f"| {depth}x | {purity:.1f} | " + " | ".join(cells) + " |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/oncogen_tumor_only_bench"))
    args = parser.parse_args(argv)
    sites = collect(args.work)
    h = float(np.median(sites.het_vafs))
    purity = 0.8
    seen = sites.som_k >= 0
    print(f"held-out tumors: {sites.mb:.2f} confident Mb; {len(sites.germ_k)} private "
          f"heterozygous germline SNVs found by the scan (median VAF "
          f"{np.median(sites.germ_k / sites.germ_n):.3f}); {len(sites.som_k)} somatic SNVs "
          f"with truth VAF >= 10% ({int(seen.sum())} candidates); median VAF of all "
          f"{len(sites.het_vafs)} heterozygous germline SNVs h = {h:.3f}; median depth at "
          f"germline hets {np.median(sites.germ_n):.0f}")
    print("\n### Oracle on the observed sites (germline per Mb called somatic)\n")
    print("| oracle | at recall >= 0.8 | at recall >= 0.884 | at recall >= 0.913 |\n"
          "|---|---|---|---|")
    for line in observed_table(sites, h, purity):
        print(line)
    depths = sites.germ_n
    rate = len(depths) / sites.mb
    print("\n### Expected germline per Mb under the generative model "
          f"({rate:.1f} private het SNVs per Mb as observed; depth distribution of the observed "
          f"germline sites, mean {depths.mean():.1f} at 60x, scaled)\n")
    print("| depth | purity | recall 0.8 | recall 0.884 | recall 0.913 |\n|---|---|---|---|---|")
    for line in expected_table(depths, h, 60.0, rate, (30, 60, 100, 200),
                               (0.4, 0.6, 0.8, 1.0)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
