"""BCa bootstrap intervals that rerun the model choice on every resample.

Chan, Silverman and Vincent (2021, JASA 116(535), section 3.3) and the SparseMSE R package's
``estimatepopulation``/``bcaconfvalues``; Silverman, Chan and Vincent (2024, Statistics and Computing 34,
44) for the BIC variant.

* Resampling: ``B`` multinomial resamples of the ``n`` observed cases over the observed patterns (each
  pattern drawn with probability count / n), drawn with ``numpy.random.default_rng(seed)``, so a seed gives
  the same interval every time. The whole model choice (``stepwise``, ``aic``, ``bic`` or ``main``) is
  repeated on each resample.
* Acceleration ``a``: the delete-one-case jackknife, grouped by pattern -- remove one case from pattern
  ``k`` (for every pattern with a positive count ``c_k``), re-estimate to get ``theta_k``; with
  ``d_k = sum_k c_k theta_k / n - theta_k``, ``a = sum c_k d_k**3 / (6 (sum c_k d_k**2)**1.5)``.
* Bias correction ``z0 = Phi^-1(share of bootstrap estimates below the point estimate)``; the limit for
  level ``q`` is the ``Phi(z0 + (z0 + z_q) / (1 - a (z0 + z_q)))`` quantile of the bootstrap estimates
  (R's type-8 quantile, numpy's ``median_unbiased``), as ``bcaconfvalues``.

Resamples in which a list has no case are estimated without that list (the extended MLE of the list's
main effect is minus infinity, which leaves the other cells' fit unchanged); a resample in which one
list holds every case has dark figure 0 (extended MLE), so its estimate is the observed total. A
resample on which no model can be fitted (e.g. fewer than two lists left) is counted in ``failed`` and
left out, as MultipleSystemsEstimation leaves out non-finite replicates. For ``bic`` the search on each
resample is restricted to the ``ntop`` models with the smallest BIC on the original data (all of them up
to three lists, 20 for four, 100 for five: MultipleSystemsEstimation's defaults).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ..errors import EstimationError
from .models import Pair, cell_patterns
from .selection import bic_search, select

__all__ = ["BootstrapResult", "bca_interval", "bootstrap"]

BIC_NTOP = {2: None, 3: None, 4: 20, 5: 100}


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap estimates ``replicates`` (cases; failed ones left out), the jackknife acceleration
    ``acceleration``, the BCa ``interval`` at ``alpha`` (two-sided), and the number of ``failed`` resamples.
    """

    replicates: np.ndarray = field(repr=False)
    jackknife: np.ndarray = field(repr=False)
    acceleration: float
    interval: tuple[float, float]
    failed: int
    seed: int | None


def bca_interval(
    replicates: np.ndarray, estimate: float, acceleration: float, levels: Sequence[float]
) -> np.ndarray:
    """BCa limits at cumulative ``levels`` (e.g. 0.025, 0.975) as SparseMSE's ``bcaconfvalues``."""
    reps = np.asarray(replicates, dtype=float)
    share = float(np.mean(reps < estimate))
    z0 = stats.norm.ppf(share)
    za = stats.norm.ppf(np.asarray(levels, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        za0 = za + z0
        q = stats.norm.cdf(z0 + za0 / (1 - acceleration * za0))
    if share == 0.0:
        q = np.zeros_like(za)
    elif share == 1.0:
        q = np.ones_like(za)
    q = np.clip(np.nan_to_num(q, nan=0.5), 0.0, 1.0)
    return np.quantile(reps, q, method="median_unbiased")


def _estimate_cells(
    full: np.ndarray, t: int, method: str, threshold: float | None, models: list[tuple[Pair, ...]] | None
) -> float:
    """The estimate on one resampled table of all-pattern counts (see the module docstring for edge cases)."""
    pats = cell_patterns(t)
    n = float(full.sum())
    totals = full @ pats
    if np.any(totals == n):
        return n
    keep = np.flatnonzero(totals > 0)
    if len(keep) < 2:
        return math.nan
    if len(keep) < t:
        k = len(keep)
        codes = (pats[:, keep] @ (1 << np.arange(k))).astype(np.int64)
        reduced = np.zeros(2**k - 1)
        pos = full > 0
        np.add.at(reduced, codes[pos] - 1, full[pos])
        remap = {int(old): new for new, old in enumerate(keep)}
        if models is not None:
            models = sorted(
                {
                    tuple(sorted((remap[i], remap[j]) for i, j in m))
                    for m in models
                    if all(i in remap and j in remap for i, j in m)
                }
            )
        full, t = reduced, k
    try:
        if method == "bic" and models is not None:
            return bic_search(full, t, list(models)).fit.estimate
        return select(full, t, method, threshold).fit.estimate
    except (EstimationError, np.linalg.LinAlgError):
        return math.nan


def bootstrap(
    cell_counts: np.ndarray,
    t: int,
    method: str,
    threshold: float | None,
    estimate: float,
    n_boot: int,
    seed: int | None,
    alpha: float = 0.05,
    models: list[tuple[Pair, ...]] | None = None,
) -> BootstrapResult:
    """BCa interval for ``method`` on the table of all-pattern ``cell_counts`` (see the module docstring).

    ``estimate`` is the point estimate from the original data; ``models`` (bic only) the candidate models
    for the resamples.
    """
    cell_counts = np.asarray(cell_counts, dtype=np.int64)
    rows = np.flatnonzero(cell_counts > 0)
    obs = cell_counts[rows]
    n = int(obs.sum())
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, obs / n, size=n_boot)
    full = np.zeros(len(cell_counts))
    reps = np.empty(n_boot)
    for b in range(n_boot):
        full[:] = 0.0
        full[rows] = draws[b]
        reps[b] = _estimate_cells(full, t, method, threshold, models)
    jack = np.empty(len(rows))
    for k, r in enumerate(rows):
        full = cell_counts.astype(float)
        full[r] -= 1
        jack[k] = _estimate_cells(full, t, method, threshold, models)
    ok = np.isfinite(reps)
    if not np.all(np.isfinite(jack)) or ok.sum() == 0:
        raise EstimationError(
            "the bootstrap cannot give an interval: the model could not be fitted on the jackknife "
            "tables or on any resample (the table is too sparse)"
        )
    d = np.sum(obs * jack) / n - jack
    denom = float(np.sum(obs * d**2))
    accel = float(np.sum(obs * d**3) / (6 * denom**1.5)) if denom > 0 else 0.0
    lo, hi = bca_interval(reps[ok], estimate, accel, [alpha / 2, 1 - alpha / 2])
    return BootstrapResult(
        replicates=reps[ok],
        jackknife=jack,
        acceleration=accel,
        interval=(float(lo), float(hi)),
        failed=int((~ok).sum()),
        seed=seed,
    )
