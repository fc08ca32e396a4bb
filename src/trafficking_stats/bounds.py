"""Bound-aware arithmetic: sums, differences, ratios and changes of hedged figures.

A published figure is often a bound ("over 230"), an interval ("100 to 130") or a suppressed cell ("<5",
0 to 4). :class:`Figure` holds such a number as the *interval of true values it allows*, and its arithmetic
returns the interval of every result that true inputs could give, so a hedge is never lost:

* ``over 230`` minus exact 200 is ``over 30``; exact + ``over`` is ``over``; a sum with a suppressed term
  is a range (``<5`` + 10 is ``10 to 14``).
* The operands are taken to be *independent* unknowns (interval arithmetic). ``a - a`` is therefore not 0
  for a bounded ``a``: subtract figures of different things only.

Rules (documented here, tested in ``tests/test_bounds.py``):

1. **Interval.** Each figure has an interval ``[low, high]``; ``None`` means unbounded on that side, and
   ``low_open``/``high_open`` mark strict bounds ("over 230" is ``(230, ∞)``). A figure built from a
   count (:meth:`Figure.from_count`, :meth:`Figure.from_row`) is non-negative by default: an unbounded
   low end becomes 0 (``under 10`` is ``[0, 10)``, ``about 100`` is ``[0, ∞)``).
2. **Exact with exact** gives an exact result, the nearest float (a rounding error is not a hedge).
   Otherwise **sums and differences** use interval arithmetic, with strictness carried exactly: an end of
   the result is strict when either end that made it is strict. Endpoints are rounded outward when
   floating point cannot represent them exactly, so the true result always lies inside.
3. **Product and ratio** use interval arithmetic on the four corner values (``0 × ∞ = 0``). Scaling by an
   exact non-zero number keeps strictness ("over 230" per 100,000 residents is an "over" rate); otherwise
   the result's ends are inclusive (slightly wider than needed, never too narrow). A denominator whose
   interval contains 0 excludes the value 0 itself (the ratio is undefined there): ``10 / <5`` is
   ``at least 2.5``; a denominator that is exactly 0 raises :class:`UndefinedRatioError`. A denominator
   whose interval straddles 0 (negative to positive) gives an unbounded result.
4. **Qualifier of a result.** If any operand is ``approximately``, the result is ``approximately``
   (its value is the operation on the published values when every operand is exact or approximate,
   else ``None``). Otherwise the qualifier is read off the interval: one point -> ``exact``; bounded
   below only -> ``over`` (strict) or ``at_least``; bounded above only -> ``under`` (strict) or
   ``at_most``; bounded on both sides -> ``range``; unbounded on both sides -> ``approximately`` with
   value ``None``, shown as "unknown": ``over 230`` minus ``over 100`` could be anything, and 130 would
   claim a precision the inputs do not have.
5. **Value of a result** follows :class:`trafficking_stats.counts.Count`: the bound for one-sided
   figures, the low end for a range, the point for exact.

No pandas at import time; pandas is used only to read a row's missing markers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from .counts import QUALIFIERS, Count
from .errors import TraffickingStatsError

__all__ = ["Figure", "UndefinedRatioError", "pct_change", "sum_figures", "yoy_change"]

_INF = math.inf


class UndefinedRatioError(TraffickingStatsError, ZeroDivisionError):
    """A ratio whose denominator is exactly 0: no true value exists."""


def _is_missing(x: object) -> bool:
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    t = type(x)
    if t.__module__.startswith("pandas") and t.__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(x != x)  # numpy NaN
    except (TypeError, ValueError):
        return False


def _num(x: object) -> float | None:
    return None if _is_missing(x) else float(x)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ outward rounding


def _exact_op(op: str, a: float, b: float) -> Fraction:
    fa, fb = Fraction(a), Fraction(b)
    if op == "+":
        return fa + fb
    if op == "-":
        return fa - fb
    if op == "*":
        return fa * fb
    return fa / fb


def _rounded(op: str, a: float, b: float, direction: int) -> float:
    """``a op b`` for finite a, b, rounded down (direction -1) or up (+1) when inexact."""
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    else:
        r = a / b
    if math.isinf(r):
        return r
    exact = _exact_op(op, a, b)
    if Fraction(r) == exact:
        return r
    if direction < 0 and Fraction(r) > exact:
        return math.nextafter(r, -_INF)
    if direction > 0 and Fraction(r) < exact:
        return math.nextafter(r, _INF)
    return r


def _mul_end(a: float, b: float, direction: int) -> float:
    """Product of two interval ends (either may be ±inf), with 0 × ∞ = 0, rounded outward."""
    if a == 0 or b == 0:
        return 0.0
    if math.isinf(a) or math.isinf(b):
        return _INF if (a > 0) == (b > 0) else -_INF
    return _rounded("*", a, b, direction)


def _div_end(a: float, b: float, direction: int) -> float | None:
    """Quotient of interval ends; ``b`` may be ±0 meaning 'approaching 0 from that side' or ±inf.

    Returns None for ∞/∞ (a corner whose limit is covered by the other corners).
    """
    if math.isinf(b):
        return None if math.isinf(a) else 0.0
    if b == 0:
        if a == 0:
            return 0.0
        pos_b = math.copysign(1.0, b) > 0
        return _INF if (a > 0) == pos_b else -_INF
    if math.isinf(a):
        return _INF if (a > 0) == (b > 0) else -_INF
    return _rounded("/", a, b, direction)


# ------------------------------------------------------------------------------------------ the type


@dataclass(frozen=True)
class Figure:
    """A number with its hedge and the interval of true values it allows.

    ``value``
        The number to show (the bound of a one-sided figure, the low end of a range, the point of an exact
        figure, the estimate of an approximate one); ``None`` for a suppressed cell and for results about
        which nothing is known.
    ``qualifier``
        One of :data:`trafficking_stats.counts.QUALIFIERS`.
    ``low``, ``high``, ``low_open``, ``high_open``
        The interval; ``None`` = unbounded on that side; ``*_open`` marks a strict bound.
    """

    value: float | None
    qualifier: str
    low: float | None
    high: float | None
    low_open: bool = False
    high_open: bool = False

    def __post_init__(self) -> None:
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"qualifier must be one of {QUALIFIERS}, not {self.qualifier!r}")
        lo = -_INF if self.low is None else self.low
        hi = _INF if self.high is None else self.high
        if lo > hi:
            raise ValueError(f"empty interval: low {self.low} > high {self.high}")

    # ----------------------------------------------------------------------------- construction

    @classmethod
    def exact(cls, x: float) -> Figure:
        """An exact number (a population, a constant)."""
        x = float(x)
        return cls(x, "exact", x, x)

    @classmethod
    def from_count(cls, count: Count, *, nonnegative: bool = True) -> Figure:
        """The figure of a parsed count; ``nonnegative`` adds the knowledge that a count is >= 0."""
        return cls._from_fields(count.value, count.qualifier, count.low, count.high, nonnegative)

    @classmethod
    def from_row(cls, row: Mapping[str, object], *, nonnegative: bool = True) -> Figure:
        """The figure of one normalized row (``value``, ``qualifier``, ``value_low``, ``value_high``)."""
        return cls._from_fields(
            _num(row["value"]),
            str(row["qualifier"]),
            _num(row["value_low"]),
            _num(row["value_high"]),
            nonnegative,
        )

    @classmethod
    def _from_fields(
        cls, value: float | None, q: str, low: float | None, high: float | None, nonnegative: bool
    ) -> Figure:
        if q == "approximately":
            low = high = None
        low_open = q == "over"
        high_open = q == "under"
        if nonnegative and low is None and (high is None or high > 0):
            low, low_open = 0.0, False
        return cls(value, q, low, high, low_open, high_open)

    # -------------------------------------------------------------------------------- inspection

    def contains(self, x: float | Fraction) -> bool:
        """Whether the true value ``x`` is allowed by this figure's interval."""
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return False
        return not (self.high is not None and (x > self.high or (self.high_open and x == self.high)))

    @property
    def is_exact(self) -> bool:
        """True for an exact figure (a single known value)."""
        return self.qualifier == "exact"

    def text(self) -> str:
        """Plain text: ``1,035``, ``over 30``, ``at least 2.5``, ``2.5 to 4``, ``about 105``, ``unknown``."""
        q = self.qualifier
        if q == "suppressed" and self.high is not None and float(self.high).is_integer():
            return f"<{_fmt(self.high + 1)}"
        if q in ("range", "suppressed"):
            lo = "0" if self.low is None else _fmt(self.low)
            hi = "?" if self.high is None else _fmt(self.high)
            return f"{lo} to {hi}"
        if self.value is None:
            return "unknown"
        word = {"exact": "", "over": "over ", "at_least": "at least ", "under": "under "}.get(q)
        if word is None:
            word = {"at_most": "at most ", "approximately": "about "}[q]
        return f"{word}{_fmt(self.value)}"

    def __str__(self) -> str:
        return self.text()

    def row_fields(self) -> dict[str, float | str | None]:
        """``value``, ``qualifier``, ``value_low``, ``value_high`` in the normalized table's convention."""
        q = self.qualifier
        lo, hi = self.low, self.high
        if q in ("over", "at_least"):
            hi = None
        elif q in ("under", "at_most"):
            lo = None
        elif q == "approximately":
            lo = hi = None
        value = None if q == "suppressed" else self.value
        return {"value": value, "qualifier": q, "value_low": lo, "value_high": hi}

    # -------------------------------------------------------------------------------- arithmetic

    def _ends(self) -> tuple[float, bool, float, bool]:
        lo = -_INF if self.low is None else float(self.low)
        hi = _INF if self.high is None else float(self.high)
        return lo, self.low_open, hi, self.high_open

    def __add__(self, other: Figure | float) -> Figure:
        o = _as_figure(other)
        if self.is_exact and o.is_exact:
            return Figure.exact(self.value + o.value)  # type: ignore[operator]
        alo, alo_o, ahi, ahi_o = self._ends()
        blo, blo_o, bhi, bhi_o = o._ends()
        lo = _add_end(alo, blo, -1)
        hi = _add_end(ahi, bhi, +1)
        return _result(self, o, lo, alo_o or blo_o, hi, ahi_o or bhi_o, lambda x, y: x + y)

    def __radd__(self, other: float) -> Figure:
        return _as_figure(other) + self

    def __sub__(self, other: Figure | float) -> Figure:
        o = _as_figure(other)
        if self.is_exact and o.is_exact:
            return Figure.exact(self.value - o.value)  # type: ignore[operator]
        alo, alo_o, ahi, ahi_o = self._ends()
        blo, blo_o, bhi, bhi_o = o._ends()
        lo = _sub_end(alo, bhi, -1)
        hi = _sub_end(ahi, blo, +1)
        return _result(self, o, lo, alo_o or bhi_o, hi, ahi_o or blo_o, lambda x, y: x - y)

    def __rsub__(self, other: float) -> Figure:
        return _as_figure(other) - self

    def __mul__(self, other: Figure | float) -> Figure:
        o = _as_figure(other)
        if self.is_exact and o.is_exact:
            return Figure.exact(self.value * o.value)  # type: ignore[operator]
        scaled = _scale(self, o) if o.is_exact else _scale(o, self) if self.is_exact else None
        if scaled is not None:
            return scaled
        alo, _, ahi, _ = self._ends()
        blo, _, bhi, _ = o._ends()
        lows = [_mul_end(a, b, -1) for a in (alo, ahi) for b in (blo, bhi)]
        highs = [_mul_end(a, b, +1) for a in (alo, ahi) for b in (blo, bhi)]
        return _result(self, o, min(lows), False, max(highs), False, lambda x, y: x * y)

    def __rmul__(self, other: float) -> Figure:
        return _as_figure(other) * self

    def __truediv__(self, other: Figure | float) -> Figure:
        o = _as_figure(other)
        blo, _, bhi, _ = o._ends()
        if blo == 0 and bhi == 0:
            raise UndefinedRatioError(f"ratio with a denominator of exactly 0: {self} / {o}")
        if self.is_exact and o.is_exact:
            return Figure.exact(self.value / o.value)  # type: ignore[operator]
        if o.is_exact:
            return _scale(self, o, divide=True)  # type: ignore[return-value]
        alo, _, ahi, _ = self._ends()
        parts: list[tuple[float, float]] = []
        if bhi > 0:  # the positive part of the denominator, (0, bhi] or [blo, bhi]
            parts.append((blo if blo > 0 else 0.0, bhi))
        if blo < 0:  # the negative part, [blo, -0) or [blo, bhi]
            parts.append((blo, bhi if bhi < 0 else -0.0))
        lows: list[float] = []
        highs: list[float] = []
        for p1, p2 in parts:
            for a in (alo, ahi):
                for b in (p1, p2):
                    d_lo = _div_end(a, b, -1)
                    d_hi = _div_end(a, b, +1)
                    if d_lo is not None and d_hi is not None:
                        lows.append(d_lo)
                        highs.append(d_hi)
        point = (lambda x, y: x / y) if o.value not in (None, 0) else None
        return _result(self, o, min(lows), False, max(highs), False, point)

    def __rtruediv__(self, other: float) -> Figure:
        return _as_figure(other) / self


def _fmt(v: float) -> str:
    v = float(v)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if v.is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:.4g}"


def _as_figure(x: Figure | float) -> Figure:
    if isinstance(x, Figure):
        return x
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise TypeError(f"cannot combine a Figure with {type(x).__name__}")
    return Figure.exact(float(x))


def _add_end(a: float, b: float, direction: int) -> float:
    if math.isinf(a) or math.isinf(b):
        return a if math.isinf(a) else b  # ∞ + (-∞) cannot happen: both ends are on the same side
    return _rounded("+", a, b, direction)


def _sub_end(a: float, b: float, direction: int) -> float:
    if math.isinf(a):
        return a
    if math.isinf(b):
        return -b
    return _rounded("-", a, b, direction)


def _scale(f: Figure, k: Figure, *, divide: bool = False) -> Figure | None:
    """``f`` times (or divided by) the exact number ``k``: strictness of ``f``'s ends is kept."""
    c = float(k.value)  # type: ignore[arg-type]
    if c == 0:
        if divide:
            raise UndefinedRatioError(f"ratio with a denominator of exactly 0: {f} / 0")
        return Figure.exact(0.0)
    lo, lo_o, hi, hi_o = f._ends()
    op = "/" if divide else "*"

    def end(x: float, direction: int) -> float:
        if math.isinf(x):
            return x if c > 0 else -x
        return _rounded(op, x, c, direction)

    if c > 0:
        nlo, nlo_o, nhi, nhi_o = end(lo, -1), lo_o, end(hi, +1), hi_o
    else:
        nlo, nlo_o, nhi, nhi_o = end(hi, -1), hi_o, end(lo, +1), lo_o
    return _result(f, k, nlo, nlo_o, nhi, nhi_o, (lambda x, y: x / y) if divide else (lambda x, y: x * y))


def _result(
    a: Figure,
    b: Figure,
    lo: float,
    lo_open: bool,
    hi: float,
    hi_open: bool,
    point: Callable[[float, float], float] | None,
) -> Figure:
    """Build a result from its interval according to the module's rules 4 and 5."""
    low = None if math.isinf(lo) else lo
    high = None if math.isinf(hi) else hi
    if low is None:
        lo_open = False
    if high is None:
        hi_open = False
    if "approximately" in (a.qualifier, b.qualifier):
        value = None
        point_ok = {a.qualifier, b.qualifier} <= {"exact", "approximately"}
        if point is not None and point_ok and a.value is not None and b.value is not None:
            value = point(a.value, b.value)
        return Figure(value, "approximately", low, high, lo_open, hi_open)
    if low is not None and high is not None:
        if low == high and not lo_open and not hi_open:
            return Figure(low, "exact", low, high)
        return Figure(low, "range", low, high, lo_open, hi_open)
    if low is not None:
        return Figure(low, "over" if lo_open else "at_least", low, None, lo_open, False)
    if high is not None:
        return Figure(high, "under" if hi_open else "at_most", None, high, False, hi_open)
    return Figure(None, "approximately", None, None)


# --------------------------------------------------------------------------------------- helpers


def sum_figures(figures: Iterable[Figure]) -> Figure:
    """The bound-aware sum of ``figures`` (exact 0 for none). Check comparability before calling."""
    total = Figure.exact(0.0)
    for f in figures:
        total = total + f
    return total


def yoy_change(previous: Figure, current: Figure) -> Figure:
    """Year-on-year change ``current - previous`` in the figures' unit, bounds carried."""
    return current - previous


def pct_change(previous: Figure, current: Figure) -> Figure:
    """Year-on-year change in percent, ``(current / previous - 1) * 100``, bounds carried.

    Each operand appears once, so the interval is exact (not widened by dependence). A previous value that
    may be 0 (a suppressed cell) gives an unbounded result; exactly 0 raises :class:`UndefinedRatioError`.
    """
    return (current / previous - 1.0) * 100.0
