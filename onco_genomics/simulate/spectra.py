"""Substitution spectra of randomly placed somatic SNVs, from COSMIC SBS96 signatures.

Without a spectrum, random SNVs are transitions two times in three at any base. With one
(``--snv-spectrum SBS4:0.6,SBS5:0.4``), a random SNV is drawn from a mixture of COSMIC
single-base-substitution signatures in their trinucleotide context: a candidate position is
accepted with probability proportional to the mixture's total weight of its
pyrimidine-centred context (rejection sampling against the genome's own context
frequencies, so the planted catalog follows the signature as COSMIC defines it, i.e. on
whole-genome opportunities), and its alternate base is drawn from the mixture's three
substitutions of that context. The signatures come from the COSMIC tables that
``sigprofilerassignment`` ships (v3.4, GRCh37); a COSMIC-format file works as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from onco_genomics.errors import OptionsError

_COMPLEMENT = str.maketrans("ACGT", "TGCA")
_ITEM = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?::\s*([0-9.eE+-]+))?\s*$")
#: the COSMIC release the signature names refer to
COSMIC_RELEASE = "cosmic:v3.4"


def parse_spectrum(text: str) -> tuple[tuple[str, float], ...]:
    """``"SBS4:0.6,SBS5:0.4"`` -> ``(("SBS4", 0.6), ("SBS5", 0.4))`` (weights summing to 1).

    A name without a weight gets an equal share of what the weighted ones leave; an empty
    text means no spectrum.

    Examples
    --------
    >>> parse_spectrum("SBS1,SBS5")
    (('SBS1', 0.5), ('SBS5', 0.5))
    """
    items: list[tuple[str, float | None]] = []
    for part in (p for p in text.split(",") if p.strip()):
        match = _ITEM.match(part)
        if match is None:
            raise OptionsError(f"--snv-spectrum: cannot parse {part!r}; expected signature "
                               "names with optional weights, e.g. SBS4:0.6,SBS5:0.4")
        try:
            weight = float(match[2]) if match[2] is not None else None
        except ValueError as err:
            raise OptionsError(f"--snv-spectrum: weight of {match[1]} is not a number: "
                               f"{match[2]!r}") from err
        if weight is not None and not (np.isfinite(weight) and weight > 0):
            raise OptionsError(f"--snv-spectrum: weights must be > 0, found {weight} for "
                               f"{match[1]}")
        items.append((match[1], weight))
    if not items:
        return ()
    names = [name for name, _ in items]
    if len(set(names)) != len(names):
        raise OptionsError(f"--snv-spectrum: a signature is named twice in {text!r}")
    given = sum(w for _, w in items if w is not None)
    unweighted = [name for name, w in items if w is None]
    if unweighted and given >= 1.0:
        raise OptionsError("--snv-spectrum: the weights given already sum to 1 or more; "
                           f"give weights for {', '.join(unweighted)} too")
    rest = (1.0 - given) / len(unweighted) if unweighted else 0.0
    weights = [w if w is not None else rest for _, w in items]
    total = sum(weights)
    return tuple((name, round(w / total, 6)) for name, w in zip(names, weights, strict=True))


@dataclass(frozen=True)
class SnvSpectrum:
    """A mixture of SBS96 signatures, ready to draw SNVs from.

    Attributes
    ----------
    components
        Signature names and weights (from :func:`parse_spectrum`).
    probabilities
        SBS96 channel (``A[C>T]G``) -> mixture probability.
    """

    components: tuple[tuple[str, float], ...]
    probabilities: dict[str, float] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.components:
            raise ValueError("a spectrum needs at least one signature")
        total = sum(self.probabilities.values())
        if not np.isclose(total, 1.0, atol=1e-3):
            raise ValueError(f"spectrum probabilities must sum to 1, got {total}")

    @classmethod
    def load(cls, text: str, *, reference: str = COSMIC_RELEASE) -> SnvSpectrum:
        """The mixture named by ``text`` (:func:`parse_spectrum`) from COSMIC ``reference``."""
        from onco_genomics.spectrum.reference_signatures import load_reference_signatures

        components = parse_spectrum(text)
        if not components:
            raise OptionsError("--snv-spectrum: expected at least one signature, e.g. SBS5")
        table = load_reference_signatures(reference, "sbs96")
        missing = [name for name, _ in components if name not in table.columns]
        if missing:
            raise OptionsError(f"--snv-spectrum: {', '.join(missing)} not in {reference}; "
                               f"known signatures include {', '.join(table.columns[:12])}, ...")
        mixture = np.zeros(len(table))
        for name, weight in components:
            mixture += weight * table[name].to_numpy(dtype=float)
        mixture /= mixture.sum()
        return cls(components, {str(k): float(v)
                                for k, v in zip(table.index, mixture, strict=True)})

    def __str__(self) -> str:
        return ",".join(f"{name}:{weight:g}" for name, weight in self.components)

    def _context_weights(self) -> dict[str, tuple[float, tuple[str, ...], np.ndarray]]:
        cached: dict[str, tuple[float, tuple[str, ...], np.ndarray]] | None = getattr(
            self, "_cache", None)
        if cached is None:
            by_context: dict[str, dict[str, float]] = {}
            for channel, prob in self.probabilities.items():
                context = channel[0] + channel[2] + channel[6]
                by_context.setdefault(context, {})[channel[4]] = prob
            cached = {}
            for context, alts in by_context.items():
                names = tuple(sorted(alts))
                weights = np.array([alts[a] for a in names])
                cached[context] = (float(weights.sum()), names, weights)
            object.__setattr__(self, "_cache", cached)
        return cached

    def draw_alt(self, trinucleotide: str, rng: np.random.Generator) -> str | None:
        """An alternate base for the centre of ``trinucleotide`` (reference strand), or None.

        None (rejected) with probability ``1 - w / w_max``, where ``w`` is the mixture's
        weight of the pyrimidine-centred context and ``w_max`` the largest such weight.
        """
        trinucleotide = trinucleotide.upper()
        if len(trinucleotide) != 3 or any(b not in "ACGT" for b in trinucleotide):
            return None
        purine = trinucleotide[1] in "AG"
        context = (trinucleotide.translate(_COMPLEMENT)[::-1] if purine else trinucleotide)
        weights = self._context_weights()
        total, names, probs = weights[context]
        w_max = max(w for w, _, _ in weights.values())
        if rng.random() * w_max >= total:
            return None
        alt = names[int(rng.choice(len(names), p=probs / total))]
        return alt.translate(_COMPLEMENT) if purine else alt
