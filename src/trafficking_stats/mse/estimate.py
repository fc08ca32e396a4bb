"""``estimate_population``: the population estimate, its intervals and diagnostics, and ``sensitivity``.

Units: every estimate and interval limit is a number of cases (people); ``observed`` is the number of
distinct cases on at least one list; the *dark figure* is the estimated number on none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EstimationError
from .bootstrap import BIC_NTOP, BootstrapResult
from .bootstrap import bootstrap as bca_bootstrap  # the parameter `bootstrap` shadows the name
from .models import Pair, profile_interval, wald_interval
from .selection import DEFAULT_THRESHOLDS, METHODS, Selection, select
from .table import ListTable

__all__ = ["MSEResult", "StepInfo", "check_table", "estimate_population", "sensitivity"]


@dataclass(frozen=True)
class StepInfo:
    """One accepted step of the model choice: the ``term`` added (``"A:B"``), its p-value and, for
    ``aic``, the AIC of the model after the step."""

    term: str
    p_value: float
    aic: float | None


@dataclass(frozen=True)
class MSEResult:
    """A multiple systems estimate of a population size, with intervals and diagnostics.

    * ``estimate`` -- observed total plus the fitted dark figure (cases);
    * ``interval`` -- the model-conditional ``1 - alpha`` interval (cases); ``interval_method`` is
      ``"wald-log"`` (Wald interval for the log dark figure, as SparseMSE) or ``"profile"`` (multinomial
      profile likelihood, Cormack 1992, as Rcapture; used by ``aic``);
    * ``bootstrap_interval`` -- the BCa interval that reruns the model choice on every resample, or None;
    * ``terms`` -- the two-list interactions in the chosen model as ``"A:B"`` (list names), including
      ``empty_terms``, the pairs with no observed overlap, estimated at minus infinity;
    * ``observed``, ``dark_figure``, ``standard_error`` (of the estimate, as Rcapture; cases);
      ``method``, ``threshold`` (None when the method has none);
    * ``aic``, ``bic``, ``deviance``, ``df_residual`` of the chosen model; ``steps`` of the search;
      ``profile_mle`` (aic: the maximiser of the profile likelihood, the point of Rcapture's ``CI``);
    * bootstrap diagnostics: ``n_bootstrap``, ``bootstrap_failed`` (resamples left out), ``acceleration``
      (jackknife ``a``), ``seed``.
    """

    estimate: float
    interval: tuple[float, float]
    interval_method: str
    bootstrap_interval: tuple[float, float] | None
    terms: tuple[str, ...]
    observed: int
    method: str
    threshold: float | None
    alpha: float
    lists: tuple[str, ...]
    dark_figure: float
    standard_error: float
    empty_terms: tuple[str, ...]
    aic: float
    bic: float
    deviance: float
    df_residual: int
    steps: tuple[StepInfo, ...]
    profile_mle: float | None = None
    n_bootstrap: int = 0
    bootstrap_failed: int = 0
    acceleration: float | None = None
    seed: int | None = None
    bootstrap_replicates: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (floats, lists and strings; infinite limits as None)."""
        out = asdict(self)
        out.pop("bootstrap_replicates")
        out["interval"] = [_num(v) for v in self.interval]
        out["bootstrap_interval"] = (
            None if self.bootstrap_interval is None else [_num(v) for v in self.bootstrap_interval]
        )
        out["terms"] = list(self.terms)
        out["lists"] = list(self.lists)
        out["empty_terms"] = list(self.empty_terms)
        out["steps"] = [asdict(s) for s in self.steps]
        return out


def _num(v: float) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def check_table(table: ListTable) -> None:
    """Raise :class:`EstimationError` (saying why and what to do) when ``table`` cannot give an estimate."""
    where = f"{table.source}: " if table.source else ""
    if table.n_lists < 2:
        raise EstimationError(
            f"{where}only one list ({', '.join(table.lists) or 'none'}): multiple systems estimation needs "
            "at least two lists whose cases can be matched"
        )
    n = table.observed
    if n == 0:
        raise EstimationError(f"{where}no cases: every count is 0")
    for name, total in table.list_totals().items():
        if total == 0:
            raise EstimationError(f"{where}list {name!r} has no cases: remove its column")
        if total == n:
            raise EstimationError(
                f"{where}list {name!r} contains every observed case, so nothing is known about cases "
                "it misses (the dark figure would be 0): drop that list, or add cases found only elsewhere"
            )


def _name(pair: Pair, lists: tuple[str, ...]) -> str:
    return f"{lists[pair[0]]}:{lists[pair[1]]}"


def estimate_population(
    table: ListTable,
    method: str = "stepwise",
    threshold: float | None = None,
    bootstrap: int = 0,
    seed: int | None = None,
    alpha: float = 0.05,
    interval_method: str | None = None,
) -> MSEResult:
    """Estimate the population size from ``table`` by multiple systems estimation.

    ``method`` chooses the two-list terms (see :mod:`trafficking_stats.mse.selection`): ``"stepwise"``
    (Chan, Silverman and Vincent 2021; ``threshold`` default 0.02), ``"aic"`` (Bales, Hesketh and
    Silverman 2015; Wald ``threshold`` default 0.05), ``"bic"`` (Silverman, Chan and Vincent 2024; up to
    five lists) or ``"main"``. ``threshold`` None takes the method's default. ``bootstrap`` > 0 adds a BCa
    interval from that many resamples seeded with ``seed``; ``alpha`` is the two-sided level of both
    intervals (0.05 gives 95% limits). ``interval_method`` chooses the model-conditional interval:
    ``"wald-log"`` (default except for ``aic``) or ``"profile"`` (default for ``aic``, as Rcapture).
    Raises :class:`EstimationError` when no estimate is possible.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    if threshold is not None and not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a p-value in [0, 1], got {threshold}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if interval_method not in (None, "wald-log", "profile"):
        raise ValueError(f"unknown interval_method {interval_method!r}: 'wald-log' or 'profile'")
    if bootstrap < 0:
        raise ValueError(f"bootstrap must be a number of resamples >= 0, got {bootstrap}")
    check_table(table)
    t, lists = table.n_lists, table.lists
    counts = table.cell_counts()
    if method in DEFAULT_THRESHOLDS:
        threshold = DEFAULT_THRESHOLDS[method] if threshold is None else threshold
    else:
        threshold = None
    sel: Selection = select(counts, t, method, threshold)
    fit = sel.fit
    all_terms = tuple(sorted(fit.terms + fit.empty_terms))
    profile_mle = None
    if interval_method is None:
        interval_method = "profile" if method == "aic" else "wald-log"
    if interval_method == "profile":
        profile_mle, lo, hi = profile_interval(counts, t, all_terms, alpha)
        interval: tuple[float, float] = (lo, hi)
    else:
        interval = wald_interval(fit, alpha)
    boot: BootstrapResult | None = None
    if bootstrap > 0:
        models = None
        if method == "bic":
            ntop = BIC_NTOP.get(t)
            models = [m for m, _, _ in sel.ranking][: ntop if ntop is not None else None]
        boot = bca_bootstrap(counts, t, method, threshold, fit.estimate, bootstrap, seed, alpha, models)
    return MSEResult(
        estimate=fit.estimate,
        interval=(float(interval[0]), float(interval[1])),
        interval_method=interval_method,
        bootstrap_interval=None if boot is None else boot.interval,
        terms=tuple(_name(p, lists) for p in all_terms),
        observed=table.observed,
        method=method,
        threshold=threshold,
        alpha=alpha,
        lists=lists,
        dark_figure=fit.dark_figure,
        standard_error=fit.stderr,
        empty_terms=tuple(_name(p, lists) for p in fit.empty_terms),
        aic=fit.aic,
        bic=fit.bic,
        deviance=fit.deviance,
        df_residual=fit.df_residual,
        steps=tuple(StepInfo(_name(s.pair, lists), s.p_value, s.criterion) for s in sel.steps),
        profile_mle=profile_mle,
        n_bootstrap=bootstrap,
        bootstrap_failed=0 if boot is None else boot.failed,
        acceleration=None if boot is None else boot.acceleration,
        seed=seed,
        bootstrap_replicates=None if boot is None else boot.replicates,
    )


def sensitivity(
    table: ListTable,
    methods: Iterable[str] = METHODS,
    thresholds: Iterable[float] = (0.001, 0.01, 0.02, 0.05),
    bootstrap: int = 0,
    seed: int | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Estimates and intervals for each method (and each threshold, for ``stepwise`` and ``aic``).

    One row per (method, threshold) with columns ``method``, ``threshold`` (NaN for methods without one),
    ``estimate``, ``lower``, ``upper`` (model-conditional), ``interval_method``, ``boot_lower``,
    ``boot_upper`` (NaN without bootstrap), ``terms`` (``"A:B;C:D"``), ``n_terms``, ``observed`` and
    ``note`` (why a row has no estimate, e.g. ``bic`` with more than five lists). Units: cases.
    """
    thresholds = tuple(thresholds)
    records = []
    for method in methods:
        for th in thresholds if method in DEFAULT_THRESHOLDS else (None,):
            rec: dict[str, Any] = {"method": method, "threshold": math.nan if th is None else th}
            try:
                r = estimate_population(table, method, th, bootstrap=bootstrap, seed=seed, alpha=alpha)
            except EstimationError as exc:
                rec.update(estimate=math.nan, lower=math.nan, upper=math.nan, interval_method="")
                rec.update(boot_lower=math.nan, boot_upper=math.nan, terms="", n_terms=0)
                rec.update(observed=table.observed, note=str(exc))
            else:
                b = r.bootstrap_interval or (math.nan, math.nan)
                rec.update(estimate=r.estimate, lower=r.interval[0], upper=r.interval[1])
                rec.update(interval_method=r.interval_method, boot_lower=b[0], boot_upper=b[1])
                rec.update(terms=";".join(r.terms), n_terms=len(r.terms), observed=r.observed, note="")
            records.append(rec)
    return pd.DataFrame.from_records(records)
