"""Choice of the two-list terms of the log-linear model: ``stepwise``, ``aic``, ``bic`` and ``main``.

Each function takes ``counts`` (the counts of all ``2**t - 1`` observable patterns, cases) and ``t`` and
returns a :class:`Selection`: the fitted model and a record of the steps. None returns a model whose MLE
does not exist: candidates failing :func:`~trafficking_stats.mse.models.check_model` are skipped, and when
even the main-effects model fails an :class:`~trafficking_stats.errors.EstimationError` is raised.

* ``stepwise`` -- Chan, Silverman and Vincent (2021), "Multiple systems estimation for sparse capture
  data: inferential challenges when there are nonoverlapping lists", JASA 116(535), 1297-1306, section 3.2;
  the SparseMSE R package's ``stepwisefit`` (2.0.1). Start from main effects. For every pair not yet in
  the model, the p-value of its observed overlap ``n*`` (cases on both lists) against a Poisson with mean
  ``mu*`` = the fitted overlap under the current model is ``min(P(X <= n*), P(X >= n*))``; a pair whose
  addition fails the existence/identifiability check gets p-value 1. Add the pair with the smallest
  p-value (the first in pair order on ties) when it is below ``threshold`` (default 0.02), refit, repeat.
  Pairs with no overlap enter at minus infinity (their patterns removed), as in SparseMSE.
* ``aic`` -- the method of Bales, Hesketh and Silverman (2015), "Modern slavery in the UK: how many
  victims?", Significance 12(3), 16-21, as coded in modslavmse's ``MSEfit`` (Rcapture ``closedpCI.t``):
  add the pair that lowers the AIC most, provided it lowers it at all and the Wald p-value of its
  coefficient in the new model is at most ``threshold`` (default 0.05, ``MSEfit``'s default; a
  minus-infinite term has p-value 1). Unlike ``MSEfit`` (plain ``glm``), candidates whose MLE does not
  exist are skipped. The interval is the profile likelihood of Cormack (1992), as Rcapture.
* ``bic`` -- Silverman, Chan and Vincent (2024), "Bootstrapping multiple systems estimates to account for
  model selection", Statistics and Computing 34, 44; MultipleSystemsEstimation's ``estimate_population_bic``
  with interactions of order at most 2: fit every model with main effects and any set of two-list terms
  (all hierarchical for that order) whose MLE exists, choose the smallest BIC. Up to five lists (1,024
  models). That package's default for four and five lists (``maxorder = 3``) also admits three-list
  terms, which are not fitted here, so for four or five lists its default result can differ.
* ``main`` -- main effects only (independent lists).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import special

from ..errors import EstimationError
from .models import EXISTS, Pair, PoissonFit, all_pairs, cell_patterns, check_model, fit_model

__all__ = ["METHODS", "Selection", "Step", "select"]

METHODS = ("stepwise", "aic", "bic", "main")
DEFAULT_THRESHOLDS = {"stepwise": 0.02, "aic": 0.05}
BIC_MAX_LISTS = 5


@dataclass(frozen=True)
class Step:
    """One accepted addition: the ``pair`` (0-based list indices), its p-value and the criterion after it.

    ``p_value`` is the Poisson overlap p-value (stepwise) or the Wald p-value (aic); ``criterion`` the
    model's AIC (aic) or ``None``.
    """

    pair: Pair
    p_value: float
    criterion: float | None


@dataclass(frozen=True)
class Selection:
    """The chosen model ``fit`` with the ``steps`` that built it and, for ``bic``, every model's BIC.

    ``ranking`` (bic only) lists ``(terms, BIC, estimate)`` for every model whose MLE exists, smallest
    BIC first.
    """

    method: str
    fit: PoissonFit
    steps: tuple[Step, ...]
    ranking: tuple[tuple[tuple[Pair, ...], float, float], ...] = ()


def _main(counts: np.ndarray, t: int, check: bool = True) -> PoissonFit:
    if check and check_model(counts, t, ()) != EXISTS:
        raise EstimationError(
            "the maximum likelihood estimate of the main-effects model does not exist for this table: "
            "its zero counts leave a parameter unbounded (for example no case is on two lists, so nothing "
            "links the lists). An estimate needs lists that overlap: merge or drop lists, or add the "
            "overlaps if the cases were not matched across lists"
        )
    return fit_model(counts, t, ())


def stepwise(counts: np.ndarray, t: int, threshold: float = 0.02) -> Selection:
    """Forward stepwise selection by Poisson overlap p-values (Chan, Silverman and Vincent 2021)."""
    fit = _main(counts, t)
    if threshold <= 0:
        return Selection("stepwise", fit, ())
    pairs = all_pairs(t)
    if threshold >= 1 and check_model(counts, t, pairs) == EXISTS:  # SparseMSE: pthresh = 1 is the full model
        return Selection("stepwise", fit_model(counts, t, pairs), ())
    pats = cell_patterns(t)
    both = np.column_stack([pats[:, i] * pats[:, j] for i, j in pairs])  # patterns x pairs
    nstar = counts @ both
    included: list[Pair] = []
    steps: list[Step] = []
    while len(included) < len(pairs):
        mustar = fit.fitted @ both[fit.keep]
        # min(P(X <= n*), P(X >= n*)) for X ~ Poisson(mu*); pdtr/pdtrc are the Poisson cdf/survival
        upper = np.where(nstar > 0, special.pdtrc(np.maximum(nstar - 1, 0), mustar), 1.0)
        p = np.minimum(special.pdtr(nstar, mustar), upper)
        for k, pr in enumerate(pairs):
            if pr in included:
                p[k] = 1.0
        chosen = None
        for k in sorted(range(len(pairs)), key=lambda k: (p[k], k)):
            if p[k] >= threshold:
                break
            if check_model(counts, t, (*included, pairs[k])) == EXISTS:
                chosen = k
                break
        if chosen is None:
            break
        included.append(pairs[chosen])
        fit = fit_model(counts, t, tuple(included))
        steps.append(Step(pairs[chosen], float(p[chosen]), None))
    return Selection("stepwise", fit, tuple(steps))


def aic_forward(counts: np.ndarray, t: int, threshold: float = 0.05) -> Selection:
    """Forward selection by AIC with a Wald-test stop (Bales, Hesketh and Silverman 2015; modslavmse)."""
    fit = _main(counts, t)
    pairs = all_pairs(t)
    included: list[Pair] = []
    steps: list[Step] = []
    while len(included) < len(pairs):
        best: PoissonFit | None = None
        best_pair: Pair | None = None
        for pr in pairs:
            if pr in included:
                continue
            terms = (*included, pr)
            if check_model(counts, t, terms) != EXISTS:
                continue
            cand = fit_model(counts, t, terms)
            if best is None or cand.aic < best.aic:
                best, best_pair = cand, pr
        if best is None or best_pair is None or best.aic >= fit.aic:
            break
        p = best.wald_p(best_pair)
        if p > threshold:
            break
        included.append(best_pair)
        fit = best
        steps.append(Step(best_pair, p, fit.aic))
    return Selection("aic", fit, tuple(steps))


def bic_models(t: int) -> list[tuple[Pair, ...]]:
    """Every set of two-list terms for ``t`` lists (all hierarchical models of order at most 2)."""
    pairs = all_pairs(t)
    return [tuple(c) for r in range(len(pairs) + 1) for c in itertools.combinations(pairs, r)]


def bic_search(counts: np.ndarray, t: int, models: list[tuple[Pair, ...]] | None = None) -> Selection:
    """The smallest-BIC model among ``models`` (default :func:`bic_models`) whose MLE exists."""
    if models is None:
        if t > BIC_MAX_LISTS:
            raise EstimationError(
                f"the BIC search fits every model and is limited to {BIC_MAX_LISTS} lists; this table has "
                f"{t}: use method 'stepwise', or merge lists"
            )
        _main(counts, t)
        models = bic_models(t)
    ranking = []
    for terms in models:
        if check_model(counts, t, terms) != EXISTS:
            continue
        f = fit_model(counts, t, terms)
        ranking.append((f.bic, len(ranking), terms, f))
    if not ranking:
        raise EstimationError("no candidate model has a maximum likelihood estimate for this table")
    ranking.sort(key=lambda r: (r[0], r[1]))
    best = ranking[0][3]
    return Selection("bic", best, (), tuple((terms, float(b), f.estimate) for b, _, terms, f in ranking))


def select(counts: np.ndarray, t: int, method: str, threshold: float | None = None) -> Selection:
    """Run ``method`` (one of :data:`METHODS`) on ``counts`` with ``threshold`` (None: its default)."""
    if method == "stepwise":
        return stepwise(counts, t, DEFAULT_THRESHOLDS["stepwise"] if threshold is None else threshold)
    if method == "aic":
        return aic_forward(counts, t, DEFAULT_THRESHOLDS["aic"] if threshold is None else threshold)
    if method == "bic":
        return bic_search(counts, t)
    if method == "main":
        return Selection("main", _main(counts, t), ())
    raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
