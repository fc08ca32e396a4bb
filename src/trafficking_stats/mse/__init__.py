"""Multiple systems estimation (MSE): the size of a population from overlapping lists of its members.

Several agencies each keep a list of the cases (people) they know of; matching the lists gives, for each
capture pattern (the set of lists a case is on), a count of cases. A Poisson log-linear model of those
counts, with main effects per list and chosen two-list interactions, extrapolates to the pattern "on no
list": the dark figure. The population estimate is the observed total plus the dark figure.

The public API::

    from trafficking_stats.mse import read_table, estimate_population, sensitivity
    table = read_table("data/raw/mse/uk2013_6lists.csv")       # validated ListTable
    result = estimate_population(table, method="stepwise", bootstrap=1000, seed=1)
    result.estimate, result.interval, result.bootstrap_interval, result.terms
    sensitivity(table)                                          # DataFrame: method x threshold

Modules: :mod:`.table` (the table and its CSV format), :mod:`.models` (log-linear fits, existence checks,
Wald and profile intervals), :mod:`.selection` (``stepwise``, ``aic``, ``bic``, ``main``, each with its
published source), :mod:`.bootstrap` (BCa intervals rerunning the model choice), :mod:`.estimate`.
"""

from __future__ import annotations

from ..errors import EstimationError
from .estimate import MSEResult, StepInfo, check_table, estimate_population, sensitivity
from .models import PoissonFit, check_model, fit_model, profile_interval, wald_interval
from .selection import METHODS, Selection, select
from .table import COUNT_COLUMN, ListTable, read_table

__all__ = [
    "COUNT_COLUMN",
    "METHODS",
    "EstimationError",
    "ListTable",
    "MSEResult",
    "PoissonFit",
    "Selection",
    "StepInfo",
    "check_model",
    "check_table",
    "estimate_population",
    "fit_model",
    "profile_interval",
    "read_table",
    "select",
    "sensitivity",
    "wald_interval",
]
