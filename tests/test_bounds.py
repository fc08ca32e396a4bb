"""Bound-aware arithmetic: hedges survive sums, differences, ratios and changes (trafficking_stats.bounds)."""

from __future__ import annotations

import math
import operator
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trafficking_stats.bounds import Figure, UndefinedRatioError, pct_change, sum_figures, yoy_change
from trafficking_stats.counts import Count, parse_count


def fig(text: str, **kw: bool) -> Figure:
    return Figure.from_count(parse_count(text), **kw)


def test_over_minus_exact_is_over():
    r = fig("over 230") - 200
    assert (r.qualifier, r.value, r.low, r.low_open, r.high) == ("over", 30.0, 30.0, True, None)
    assert r.text() == "over 30"


def test_exact_plus_over_is_over():
    r = Figure.exact(10) + fig("over 230")
    assert (r.qualifier, r.value) == ("over", 240.0)


def test_at_least_plus_exact_stays_inclusive():
    r = fig("at least 40") + 2
    assert (r.qualifier, r.value, r.low_open) == ("at_least", 42.0, False)


def test_over_plus_under_for_counts_is_over_the_lower_bound():
    # counts are >= 0, so "under 10" is [0, 10): the sum is more than 230 + 0
    r = fig("over 230") + fig("under 10")
    assert (r.qualifier, r.value) == ("over", 230.0)


def test_over_plus_under_without_nonnegativity_is_unknown():
    r = fig("over 230", nonnegative=False) + fig("under 10", nonnegative=False)
    assert r.qualifier == "approximately" and r.value is None and r.low is None and r.high is None
    assert r.text() == "unknown"


def test_over_minus_over_is_unknown_not_a_point():
    r = fig("over 230") - fig("over 100")
    assert r.value is None and r.text() == "unknown"


def test_approximate_stays_approximate():
    r = fig("about 100") + 5
    assert (r.qualifier, r.value, r.text()) == ("approximately", 105.0, "about 105")


def test_suppressed_plus_exact_is_range():
    r = fig("<5") + 10
    assert (r.qualifier, r.low, r.high) == ("range", 10.0, 14.0)
    assert r.text() == "10 to 14"


def test_ratio_with_suppressed_denominator_is_one_sided_interval():
    r = Figure.exact(10) / fig("<5")  # 10 / 1..4 (0 is undefined): at least 2.5
    assert (r.qualifier, r.low, r.high) == ("at_least", 2.5, None)


def test_ratio_with_suppressed_numerator_is_range():
    r = fig("<5") / 10
    assert (r.qualifier, r.low, r.high) == ("range", 0.0, 0.4)


def test_division_by_exact_zero_raises():
    with pytest.raises(UndefinedRatioError):
        Figure.exact(3) / 0
    with pytest.raises(ZeroDivisionError):
        fig("over 3") / Figure.exact(0)


def test_division_by_interval_straddling_zero_is_unbounded():
    straddle = Figure(None, "range", -2.0, 3.0)
    r = Figure.exact(6) / straddle
    assert r.low is None and r.high is None


def test_rate_of_over_count_is_over_rate():
    r = fig("over 230") / 542_107 * 100_000
    assert r.qualifier == "over" and r.low_open
    assert r.low == pytest.approx(42.4270, abs=1e-4)  # 23,000,000 / 542,107 by hand


def test_year_on_year_change_and_percent():
    assert yoy_change(Figure.exact(200), fig("over 230")).text() == "over 30"
    p = pct_change(Figure.exact(100), fig("over 230"))
    assert p.qualifier == "over" and p.low == pytest.approx(130.0)
    assert pct_change(fig("<5"), Figure.exact(10)).qualifier == "at_least"  # previous may be 1..4


def test_sum_of_figures():
    r = sum_figures([Figure.exact(1), fig("over 230"), fig("<5")])
    assert (r.qualifier, r.value) == ("over", 231.0)


def test_row_fields_follow_table_convention():
    assert fig("over 230").row_fields() == {
        "value": 230.0,
        "qualifier": "over",
        "value_low": 230.0,
        "value_high": None,
    }
    assert fig("under 10").row_fields()["value_low"] is None  # the >= 0 knowledge is not written back
    assert fig("<5").row_fields() == {
        "value": None,
        "qualifier": "suppressed",
        "value_low": 0.0,
        "value_high": 4.0,
    }


# ----------------------------------------------------------------------------------------- properties

_n = st.integers(min_value=0, max_value=10**7)
_frac = st.fractions(min_value=0, max_value=1, max_denominator=1000)


@st.composite
def figure_and_truth(draw: st.DrawFn) -> tuple[Figure, Fraction]:
    """A hedged count and one true value it allows."""
    q = draw(
        st.sampled_from(
            ["exact", "over", "at_least", "under", "at_most", "approximately", "range", "suppressed"]
        )
    )
    v = draw(_n)
    if q == "exact":
        return Figure.from_count(Count(float(v), q, float(v), float(v))), Fraction(v)
    if q in ("over", "at_least"):
        d = draw(st.fractions(min_value=0, max_value=10**6, max_denominator=1000))
        if q == "over" and d == 0:
            d = Fraction(1, 2)
        return Figure.from_count(Count(float(v), q, float(v), None)), Fraction(v) + d
    if q in ("under", "at_most"):
        v = max(v, 1)
        f = draw(_frac)
        if q == "under" and f == 1:
            f = Fraction(1, 2)
        return Figure.from_count(Count(float(v), q, None, float(v))), Fraction(v) * f
    if q == "approximately":
        return Figure.from_count(Count(float(v), q, None, None)), Fraction(draw(_n))
    if q == "range":
        hi = v + draw(st.integers(min_value=1, max_value=10**5))
        t = Fraction(v) + (hi - v) * draw(_frac)
        return Figure.from_count(Count(float(v), q, float(v), float(hi))), t
    n = draw(st.integers(min_value=1, max_value=20))
    return Figure.from_count(Count(None, q, 0.0, float(n - 1))), Fraction(draw(st.integers(0, n - 1)))


_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


@settings(max_examples=600, deadline=None)
@given(figure_and_truth(), figure_and_truth(), st.sampled_from(sorted(_OPS)))
def test_true_result_always_inside_computed_interval(a, b, op):
    (fa, ta), (fb, tb) = a, b
    assert fa.contains(ta) and fb.contains(tb)  # the generated truths are consistent with the figures
    if op == "/" and tb == 0:
        return  # the true ratio does not exist
    if op == "/" and fb.low == 0 and fb.high == 0:
        with pytest.raises(UndefinedRatioError):
            _OPS[op](fa, fb)
        return
    result = _OPS[op](fa, fb)
    if fa.is_exact and fb.is_exact:
        assert result.is_exact
        assert result.value == _OPS[op](float(ta), float(tb))
    else:
        assert result.contains(_OPS[op](ta, tb)), (fa, fb, op, ta, tb, result)


@settings(max_examples=300, deadline=None)
@given(figure_and_truth(), st.integers(min_value=1, max_value=4 * 10**8))
def test_rate_interval_contains_true_rate(a, population):
    f, t = a
    r = f / population * 100_000
    if f.is_exact:
        assert math.isclose(r.value, float(t) / population * 100_000, rel_tol=1e-12)
    else:
        assert r.contains(t / population * 100_000)
