"""Poisson log-linear models for list-overlap tables, their existence checks and intervals.

Model. For ``t`` lists, every observable capture pattern ``w`` (a non-empty subset of the lists) has a
count ``N_w ~ Poisson(mu_w)`` with ``log mu_w = a_0 + sum_{j in w} a_j + sum_{(i, j) in T, i, j in w} a_ij``:
an intercept, one main effect per list and the two-list interactions in the chosen term set ``T``. The
unobservable all-zero pattern has ``log mu_0 = a_0``, so the *dark figure* is ``exp(a_0)`` and the
population estimate is ``N = observed total + exp(a_0)`` (cases).

Sparse tables (Chan, Silverman and Vincent 2021, JASA 116(535), section 2; the SparseMSE R package,
``buildmodel``/``modelfit``): a pair ``(i, j)`` in ``T`` with no observed case on both lists has extended
maximum likelihood estimate ``a_ij = -inf``. It is fitted exactly by removing every pattern containing both
lists and dropping the column; the parameter still counts in AIC/BIC (SparseMSE adds 2 to the AIC for
each). Existence of the (extended) MLE is checked with the linear program of Fienberg and Rinaldo (2012,
Ann. Statist. 40, 996-1023) as in SparseMSE's ``checkident``; identifiability by the column rank of the
design matrix.

Fitting is iteratively reweighted least squares in numpy on a cached design matrix (the same estimating
equations as ``statsmodels``' GLM with the Poisson family and R's ``glm``; ``tests/test_mse.py`` checks
the agreement with statsmodels). ``engine="statsmodels"`` fits with ``statsmodels.api.GLM`` instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import optimize, special, stats

from ..errors import EstimationError

__all__ = [
    "EXISTS",
    "NOT_EXISTS",
    "NOT_IDENTIFIABLE",
    "PoissonFit",
    "all_pairs",
    "cell_patterns",
    "check_model",
    "fit_model",
    "profile_interval",
    "wald_interval",
]

Pair = tuple[int, int]

# Error codes of check_model, as SparseMSE's checkident: 0 fine, 1 no MLE, 2 not identifiable, 3 both.
EXISTS, NOT_EXISTS, NOT_IDENTIFIABLE = 0, 1, 2


@lru_cache(maxsize=32)
def cell_patterns(t: int) -> np.ndarray:
    """The ``2**t - 1`` observable patterns as a read-only 0/1 matrix; row ``k`` is pattern code ``k + 1``."""
    codes = np.arange(1, 2**t, dtype=np.int64)
    pats = ((codes[:, None] >> np.arange(t)) & 1).astype(np.float64)
    pats.setflags(write=False)
    return pats


@lru_cache(maxsize=32)
def all_pairs(t: int) -> tuple[Pair, ...]:
    """Every pair ``(i, j)``, ``i < j``, of 0-based list indices, in SparseMSE's order (1:2, 1:3, .., 2:3)."""
    return tuple((i, j) for i in range(t - 1) for j in range(i + 1, t))


def pair_overlaps(counts: np.ndarray, t: int) -> dict[Pair, int]:
    """Cases on both lists of each pair (whatever other lists they are on)."""
    pats = cell_patterns(t)
    return {(i, j): int(counts @ (pats[:, i] * pats[:, j])) for i, j in all_pairs(t)}


@lru_cache(maxsize=4096)
def _design(t: int, terms: tuple[Pair, ...], empty: tuple[Pair, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Design matrix and kept-cell mask for ``terms`` (fitted) with ``empty`` pairs at minus infinity."""
    pats = cell_patterns(t)
    keep = np.ones(len(pats), dtype=bool)
    for i, j in empty:
        keep &= (pats[:, i] * pats[:, j]) == 0
    sub = pats[keep]
    cols = [np.ones(len(sub)), *(sub[:, j] for j in range(t)), *(sub[:, i] * sub[:, j] for i, j in terms)]
    x = np.column_stack(cols)
    x.setflags(write=False)
    keep.setflags(write=False)
    return x, keep


def split_terms(
    counts: np.ndarray, t: int, terms: tuple[Pair, ...]
) -> tuple[tuple[Pair, ...], tuple[Pair, ...]]:
    """Split ``terms`` into those with an observed overlap (fitted) and those without (minus infinity)."""
    pats = cell_patterns(t)
    fitted, empty = [], []
    for i, j in terms:
        (fitted if counts @ (pats[:, i] * pats[:, j]) > 0 else empty).append((i, j))
    return tuple(fitted), tuple(empty)


def design(
    counts: np.ndarray, t: int, terms: tuple[Pair, ...]
) -> tuple[np.ndarray, np.ndarray, tuple, tuple]:
    """``(X, keep, fitted_terms, empty_terms)`` for the model with two-list ``terms`` on ``counts``.

    ``counts`` are the counts of all ``2**t - 1`` observable patterns (:meth:`ListTable.cell_counts`).
    ``X`` has columns intercept, main effects (list order), then the fitted pairs; rows are the patterns
    kept (``keep``), i.e. those containing no pair of ``empty_terms``.
    """
    terms = tuple(sorted(set(terms)))
    fitted, empty = split_terms(counts, t, terms)
    x, keep = _design(t, fitted, empty)
    return x, keep, fitted, empty


@dataclass(frozen=True)
class PoissonFit:
    """One fitted Poisson log-linear model (see the module docstring for the model).

    ``coef`` and ``cov`` are the estimates and their inverse-Fisher-information covariance for the
    columns of the design (intercept, main effects, ``terms``); ``fitted`` the fitted counts of the kept
    patterns (``keep`` over all ``2**t - 1``); ``deviance`` the Poisson deviance and ``loglik`` the full
    Poisson log-likelihood (with the ``log y!`` terms, as R's ``glm`` AIC) over the kept patterns.
    ``empty_terms`` are the pairs estimated at minus infinity.
    """

    t: int
    terms: tuple[Pair, ...]
    empty_terms: tuple[Pair, ...]
    coef: np.ndarray = field(repr=False)
    cov: np.ndarray = field(repr=False)
    keep: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    deviance: float
    loglik: float
    observed: int
    iterations: int
    converged: bool

    @property
    def n_params(self) -> int:
        """Parameters of the model: intercept, ``t`` main effects, all two-list terms (minus-infinite too)."""
        return 1 + self.t + len(self.terms) + len(self.empty_terms)

    @property
    def df_residual(self) -> int:
        """Kept patterns minus fitted parameters."""
        return int(self.keep.sum()) - len(self.coef)

    @property
    def dark_figure(self) -> float:
        """The fitted count of the unobserved all-zero pattern, ``exp(a_0)`` (cases)."""
        return float(np.exp(self.coef[0]))

    @property
    def estimate(self) -> float:
        """The population estimate: observed total plus the dark figure (cases)."""
        return self.observed + self.dark_figure

    @property
    def stderr(self) -> float:
        """Standard error of :attr:`estimate` (cases): ``sqrt(exp(a_0) + exp(2 a_0) var(a_0))``, Poisson
        variation of the dark figure plus the delta-method variance of ``exp(a_0)``, as Rcapture's
        ``closedpCI.t`` ``stderr``."""
        b0 = float(self.coef[0])
        return math.sqrt(math.exp(b0) + math.exp(2 * b0) * float(self.cov[0, 0]))

    @property
    def aic(self) -> float:
        """Akaike's criterion ``-2 loglik + 2 k``, ``k`` = :attr:`n_params` (as SparseMSE's ``modelfit``)."""
        return -2.0 * self.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        """Schwarz's criterion ``-2 loglik + k log(observed)``, ``k`` = :attr:`n_params`.

        This reproduces MultipleSystemsEstimation's BIC values (e.g. 57.14081 for Korea, model b:c + c:d).
        Counting minus-infinite terms in ``k`` (like SparseMSE's AIC) is this package's choice: the
        reference BIC code was not available to check how it counts them.
        """
        return -2.0 * self.loglik + self.n_params * math.log(self.observed)

    def term_se(self, pair: Pair) -> float:
        """Standard error of the coefficient of ``pair`` (``inf`` for a minus-infinite term)."""
        if pair in self.empty_terms:
            return math.inf
        k = 1 + self.t + self.terms.index(pair)
        return float(np.sqrt(self.cov[k, k]))

    def wald_p(self, pair: Pair) -> float:
        """Two-sided Wald p-value of the coefficient of ``pair`` (1 for a minus-infinite term)."""
        if pair in self.empty_terms:
            return 1.0
        k = 1 + self.t + self.terms.index(pair)
        z = self.coef[k] / np.sqrt(self.cov[k, k])
        return float(2.0 * stats.norm.sf(abs(z)))


def _poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    pos = y > 0
    return float(2.0 * (np.sum(y[pos] * np.log(y[pos] / mu[pos])) - np.sum(y - mu)))


def irls(
    x: np.ndarray, y: np.ndarray, tol: float = 1e-10, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
    """Poisson-log GLM by iteratively reweighted least squares: ``(coef, cov, fitted, iterations, ok)``.

    Starts like R's ``glm`` (``mu = y + 0.1``) and stops when the relative change of the deviance is below
    ``tol`` (R uses 1e-8). Raises :class:`EstimationError` when the weighted normal equations are singular.
    """
    y = np.asarray(y, dtype=np.float64)
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = math.inf
    beta = np.zeros(x.shape[1])
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        z = eta + (y - mu) / mu
        xw = x.T * mu
        try:
            beta = np.linalg.solve(xw @ x, xw @ z)
        except np.linalg.LinAlgError as exc:
            raise EstimationError(
                "the model's design matrix is singular (its parameters are not identifiable): "
                "use fewer two-list terms"
            ) from exc
        eta = x @ beta
        mu = np.exp(eta)
        dev = _poisson_deviance(y, mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            converged = True
            break
        dev_old = dev
    xw = x.T * mu
    cov = np.linalg.inv(xw @ x)
    return beta, cov, mu, it, converged


def _fit_statsmodels(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
    import statsmodels.api as sm

    res = sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-10)
    return (
        np.asarray(res.params),
        np.asarray(res.cov_params()),
        np.asarray(res.fittedvalues),
        int(res.fit_history["iteration"]),
        bool(res.converged),
    )


def fit_model(counts: np.ndarray, t: int, terms: tuple[Pair, ...] = (), engine: str = "numpy") -> PoissonFit:
    """Fit the model with main effects and two-list ``terms`` to ``counts`` of all observable patterns.

    ``engine`` is ``"numpy"`` (IRLS on the cached design, fast) or ``"statsmodels"`` (``sm.GLM``, Poisson
    family). The existence of the MLE is not checked here: use :func:`check_model` first.
    """
    counts = np.asarray(counts, dtype=np.float64)
    x, keep, fitted_terms, empty = design(counts, t, terms)
    y = counts[keep]
    if engine == "numpy":
        coef, cov, mu, it, conv = irls(x, y)
    elif engine == "statsmodels":
        coef, cov, mu, it, conv = _fit_statsmodels(x, y)
    else:
        raise ValueError(f"unknown engine {engine!r}: 'numpy' or 'statsmodels'")
    dev = _poisson_deviance(y, mu)
    loglik = float(np.sum(y * np.log(mu) - mu - special.gammaln(y + 1)))
    return PoissonFit(
        t=t,
        terms=fitted_terms,
        empty_terms=empty,
        coef=coef,
        cov=cov,
        keep=keep,
        fitted=mu,
        deviance=dev,
        loglik=loglik,
        observed=int(np.rint(counts.sum())),
        iterations=it,
        converged=conv,
    )


_EXIST_CACHE: dict[tuple, bool] = {}


def lp_exists(x: np.ndarray, y: np.ndarray) -> bool:
    """Fienberg-Rinaldo linear program as SparseMSE's ``checkident``: is there a strictly positive table
    with the same sufficient statistics ``X^T y``?

    Maximise ``s`` over ``v >= 0``, ``s >= 0`` with ``X^T (v + s 1) = X^T y``; the MLE exists iff the optimum
    is positive. (``checkident`` writes the same program with constraints ``v_i >= s``.) Kept as the
    reference for :func:`mle_exists`, which answers the same question faster.
    """
    n_cells = x.shape[0]
    tvec = x.T @ y
    a_eq = np.column_stack([x.T, x.T @ np.ones(n_cells)])
    c = np.zeros(n_cells + 1)
    c[-1] = -1.0
    res = optimize.linprog(c, A_eq=a_eq, b_eq=tvec, bounds=(0, None), method="highs")
    if res.status != 0:
        return False
    return bool(-res.fun > 1e-9 * max(1.0, float(y.sum())))


def mle_exists(x: np.ndarray, y: np.ndarray, tol: float = 1e-9) -> bool:
    """Does the (extended-parameter-free) MLE of the Poisson log-linear model with design ``x`` exist?

    The dual of :func:`lp_exists` (Fienberg and Rinaldo 2012): the MLE fails to exist iff some direction
    ``c`` has ``X c >= 0`` on every cell, ``X c = 0`` on the cells with a positive count, and ``X c != 0``.
    Such ``c`` lie in the null space ``N`` of the rows with positive counts; when that space is trivial,
    or ``X N = 0``, the MLE exists without a linear program. Otherwise solve, over ``u``,
    ``max sum(A u)`` subject to ``0 <= A u <= 1`` with ``A`` = the zero-count rows of ``X N``: the MLE exists
    iff the optimum is 0.
    """
    pos = y > 0
    if pos.all():
        return True
    xs = x[pos]
    if xs.shape[0] == 0:
        return False
    _, sv, vt = np.linalg.svd(xs, full_matrices=True)
    rank = int(np.sum(sv > tol * max(1.0, sv[0]))) if len(sv) else 0
    null = vt[rank:].T  # p x k
    if null.shape[1] == 0:
        return True
    a = x[~pos] @ null
    if np.all(np.abs(a) < 1e-9):
        return True
    m = a.shape[0]
    res = optimize.linprog(
        -a.sum(axis=0),
        A_ub=np.vstack([a, -a]),
        b_ub=np.concatenate([np.ones(m), np.zeros(m)]),
        bounds=(None, None),
        method="highs",
    )
    if res.status != 0:  # unbounded cannot happen (A u <= 1); treat solver trouble as "does not exist"
        return False
    return bool(-res.fun <= 1e-7)


def check_model(counts: np.ndarray, t: int, terms: tuple[Pair, ...] = ()) -> int:
    """SparseMSE's ``checkident``: 0 if the model's MLE exists and is identifiable, else 1 (the MLE does
    not exist), 2 (not identifiable) or 3 (both), for ``counts`` of all observable patterns.

    Existence depends on the data only through which patterns have a positive count, so results are
    cached by that support (the bootstrap refits the same models on many resamples).
    """
    counts = np.asarray(counts, dtype=np.float64)
    x, keep, fitted_terms, empty = design(counts, t, terms)
    y = counts[keep]
    key = (t, fitted_terms, empty, np.packbits(y > 0).tobytes())
    ok = _EXIST_CACHE.get(key)
    if ok is None:
        if len(_EXIST_CACHE) > 200_000:
            _EXIST_CACHE.clear()
        ok = mle_exists(x, y)
        _EXIST_CACHE[key] = ok
    rankdef = x.shape[1] - np.linalg.matrix_rank(x)
    return (0 if ok else NOT_EXISTS) + (NOT_IDENTIFIABLE if rankdef > 0 else 0)


def wald_interval(fit: PoissonFit, alpha: float = 0.05) -> tuple[float, float]:
    """Model-conditional interval for the population: ``observed + exp(a_0 -+ z se(a_0))``.

    The Wald interval for the intercept on the log scale, i.e. for the log dark figure, as SparseMSE's
    ``estimatepopulation.0`` (``qnorm`` of the intercept with ``sqrt(cov.unscaled[1, 1])``).
    """
    z = stats.norm.ppf(1 - alpha / 2)
    se = float(np.sqrt(fit.cov[0, 0]))
    return (fit.observed + math.exp(fit.coef[0] - z * se), fit.observed + math.exp(fit.coef[0] + z * se))


def _cormack_term(n0: float, total: float) -> float:
    """The correction from the Poisson to the multinomial profile likelihood (Cormack 1992), as Rcapture."""
    if total > 100:
        if n0 in (0, 1):
            return -total + 0.5 * math.log(2 * math.pi * total)
        return n0 - total - 0.5 * math.log(n0 / total)
    xlogx = n0 * math.log(n0) if n0 > 0 else 0.0
    return xlogx + special.gammaln(total + 1) - total * math.log(total) - special.gammaln(n0 + 1)


def profile_interval(
    counts: np.ndarray, t: int, terms: tuple[Pair, ...], alpha: float = 0.05, upper_factor: float = 3.0
) -> tuple[float, float, float]:
    """Multinomial profile-likelihood interval for the population (Cormack 1992; Rcapture ``closedpCI.t``).

    For a candidate population ``N`` the unobserved cell gets count ``N - n`` and the model is refitted to
    the complete table; the profile log-likelihood is ``-deviance(N) / 2`` plus Cormack's term. Returns
    ``(N_max, lower, upper)``: the maximiser and the two roots of ``l(N) = l(N_max) - chi2_1(1 - alpha) / 2``,
    searched on ``[n, N_max]`` and ``[N_max, upper_factor * N_hat]`` (``N_hat`` the Poisson estimate), as
    Rcapture. A bound not found there is ``n`` (lower) or ``inf`` (upper).
    """
    counts = np.asarray(counts, dtype=np.float64)
    x, keep, _, _ = design(counts, t, terms)
    y = counts[keep]
    n = float(y.sum())
    x_aug = np.vstack([x, np.eye(1, x.shape[1])])
    n_hat = fit_model(counts, t, terms).estimate

    def loglik(big_n: float) -> float:
        n0 = max(big_n - n, 0.0)
        y_aug = np.append(y, n0)
        _, _, mu, _, _ = irls(x_aug, y_aug)
        return -_poisson_deviance(y_aug, mu) / 2.0 + _cormack_term(n0, n0 + n)

    opt = optimize.minimize_scalar(
        lambda v: -loglik(v), bounds=(n, 3 * n_hat), method="bounded", options={"xatol": 1e-4}
    )
    n_max, l_max = float(opt.x), -float(opt.fun)
    target = l_max - stats.chi2.ppf(1 - alpha, 1) / 2.0

    def g(v: float) -> float:
        return loglik(v) - target

    lower = n
    if g(n) < 0:
        lower = float(optimize.brentq(g, n, n_max, xtol=1e-4))
    hi = upper_factor * n_hat
    upper = math.inf
    if g(hi) < 0:
        upper = float(optimize.brentq(g, n_max, hi, xtol=1e-4))
    return n_max, lower, upper
