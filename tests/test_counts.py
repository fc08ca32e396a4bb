"""Tests of trafficking_stats.counts: published count strings -> (value, qualifier, low, high)."""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trafficking_stats.counts import (
    QUALIFIERS,
    Count,
    format_count,
    is_missing,
    numbers_in,
    parse_count,
    parse_counts,
)
from trafficking_stats.errors import CountParseError, TraffickingStatsError

N = None

# (text, value, qualifier, low, high), written out by hand from the table in the module docstring.
EXAMPLES: list[tuple[object, float | None, str, float | None, float | None]] = [
    # exact
    ("1,035", 1035, "exact", 1035, 1035),
    ("1 035", 1035, "exact", 1035, 1035),
    ("1\u202f035", 1035, "exact", 1035, 1035),
    ("1\u00a0035", 1035, "exact", 1035, 1035),
    ("230", 230, "exact", 230, 230),
    ("0", 0, "exact", 0, 0),
    ("12.7 thousand", 12700, "exact", 12700, 12700),
    ("2.5 million", 2_500_000, "exact", 2_500_000, 2_500_000),
    ("12,700", 12700, "exact", 12700, 12700),
    ("1,234,567", 1_234_567, "exact", 1_234_567, 1_234_567),
    ("1,035.5", 1035.5, "exact", 1035.5, 1035.5),
    ("12.5", 12.5, "exact", 12.5, 12.5),
    ("-1", -1, "exact", -1, -1),
    ("-1,035", -1035, "exact", -1035, -1035),
    (230, 230, "exact", 230, 230),
    (12.5, 12.5, "exact", 12.5, 12.5),
    (Decimal("7"), 7, "exact", 7, 7),
    # over (low is an exclusive bound)
    ("over 230", 230, "over", 230, N),
    ("more than 230", 230, "over", 230, N),
    ("230+", 230, "over", 230, N),
    ("230 +", 230, "over", 230, N),
    (">230", 230, "over", 230, N),
    ("> 230", 230, "over", 230, N),
    ("over 2 million", 2_000_000, "over", 2_000_000, N),
    # at_least
    ("at least 230", 230, "at_least", 230, N),
    ("230 or more", 230, "at_least", 230, N),
    (">=230", 230, "at_least", 230, N),
    ("≥230", 230, "at_least", 230, N),
    ("≥ 230", 230, "at_least", 230, N),
    # under (high is an exclusive bound)
    ("nearly 230", 230, "under", N, 230),
    ("almost 230", 230, "under", N, 230),
    ("just under 230", 230, "under", N, 230),
    ("under 230", 230, "under", N, 230),
    ("less than 230", 230, "under", N, 230),
    ("fewer than 230", 230, "under", N, 230),
    ("fewer than 5", 5, "under", N, 5),
    # at_most
    ("at most 230", 230, "at_most", N, 230),
    ("up to 230", 230, "at_most", N, 230),
    ("<=230", 230, "at_most", N, 230),
    ("≤230", 230, "at_most", N, 230),
    # approximately
    ("about 230", 230, "approximately", N, N),
    ("approximately 230", 230, "approximately", N, N),
    ("around 230", 230, "approximately", N, N),
    ("roughly 230", 230, "approximately", N, N),
    ("some 230", 230, "approximately", N, N),
    ("~230", 230, "approximately", N, N),
    ("~ 230", 230, "approximately", N, N),
    ("c. 230", 230, "approximately", N, N),
    ("c.230", 230, "approximately", N, N),
    ("approx. 230", 230, "approximately", N, N),
    ("about 7,500", 7500, "approximately", N, N),
    ("about 12.7 thousand", 12700, "approximately", N, N),
    # range (value is the low end)
    ("100 to 130", 100, "range", 100, 130),
    ("100-130", 100, "range", 100, 130),
    ("100 - 130", 100, "range", 100, 130),
    ("100–130", 100, "range", 100, 130),
    ("100 — 130", 100, "range", 100, 130),
    ("100—130", 100, "range", 100, 130),
    ("between 100 and 130", 100, "range", 100, 130),
    ("1,000 to 1,500", 1000, "range", 1000, 1500),
    ("2 million to 3 million", 2_000_000, "range", 2_000_000, 3_000_000),
    ("500 thousand to 1 million", 500_000, "range", 500_000, 1_000_000),
    ("-5 to -3", -5, "range", -5, -3),
    # suppressed: the bare symbol is a publisher's small-count code, not a hedge
    ("<5", N, "suppressed", 0, 4),
    ("< 5", N, "suppressed", 0, 4),
    ("<1", N, "suppressed", 0, 0),
    ("<10", N, "suppressed", 0, 9),
    ("<1,000", N, "suppressed", 0, 999),
    # case, surrounding whitespace, footnote markers, spacing between words
    ("OVER 230", 230, "over", 230, N),
    ("About 230", 230, "approximately", N, N),
    ("Between 100 AND 130", 100, "range", 100, 130),
    ("12.7 Thousand", 12700, "exact", 12700, 12700),
    ("  over 230  ", 230, "over", 230, N),
    ("more  than\t230", 230, "over", 230, N),
    ("over\u00a0230", 230, "over", 230, N),
    ("230*", 230, "exact", 230, 230),
    ("230 *", 230, "exact", 230, 230),
    ("over 230†", 230, "over", 230, N),
    ("1,035**", 1035, "exact", 1035, 1035),
    ("230+*", 230, "over", 230, N),
    ("<5*", N, "suppressed", 0, 4),
]


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "low", "high"), EXAMPLES, ids=[repr(e[0]) for e in EXAMPLES]
)
def test_examples(
    text: object, value: float | None, qualifier: str, low: float | None, high: float | None
) -> None:
    c = parse_count(text)  # type: ignore[arg-type]
    assert c == Count(value, qualifier, low, high)
    for x in (c.value, c.low, c.high):
        assert x is None or type(x) is float


def test_over_versus_suppressed_symbol() -> None:
    """'fewer than 5' is a hedge with value 5; the bare '<5' is suppression with no value."""
    assert parse_count("fewer than 5") == Count(5.0, "under", None, 5.0)
    assert parse_count("less than 5") == Count(5.0, "under", None, 5.0)
    assert parse_count("<5") == Count(None, "suppressed", 0.0, 4.0)
    assert parse_count("<=5") == Count(5.0, "at_most", None, 5.0)


MISSING = [
    None,
    float("nan"),
    Decimal("NaN"),
    "",
    " ",
    "\t\n",
    "-",
    "–",
    "—",
    "n/a",
    "N/A",
    "N/a",
    "na",
    "NA",
]
MISSING += ["..", "...", " - ", " n/a ", "NA*", "—†"]


@pytest.mark.parametrize("text", MISSING, ids=repr)
def test_missing_markers(text: object) -> None:
    assert is_missing(text)
    assert parse_count(text) is None  # type: ignore[arg-type]


def test_pandas_missing_values() -> None:
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    for x in (pd.NA, pd.NaT, np.nan, np.float32("nan")):
        assert is_missing(x)
        assert parse_count(x) is None
    assert parse_count(np.int64(230)) == Count(230.0, "exact", 230.0, 230.0)
    assert parse_count(np.float64(12.5)) == Count(12.5, "exact", 12.5, 12.5)


@pytest.mark.parametrize(
    "text", ["230", "over 230", "about a dozen", "0", 0, 0.0, "*", "....", "n.a."], ids=repr
)
def test_not_missing(text: object) -> None:
    assert not is_missing(text)


ERRORS: list[tuple[object, str]] = [
    ("about a dozen", "cannot read a count"),
    ("1,03", "misplaced thousands separator"),
    ("10,35", "misplaced thousands separator"),
    ("1,0350", "misplaced thousands separator"),
    ("0,123", "misplaced thousands separator"),
    ("12,5", "misplaced thousands separator"),
    ("1,035 000", "mixed thousands separators"),
    ("130 to 100", "low end is above its high end"),
    ("between 130 and 100", "low end is above its high end"),
    ("12k", "'k' is not an accepted scale word"),
    ("12 K", "'k' is not an accepted scale word"),
    ("over 12k", "'k' is not an accepted scale word"),
    ("2 to 3 million", "ambiguous scale word"),
    ("<0", "n >= 1"),
    ("<2.5", "plain integer"),
    ("<1 million", "plain integer"),
    ("*", "footnote marker without a count"),
    ("†", "footnote marker without a count"),
    ("2 billion", "cannot read a count"),
    ("12 kg", "cannot read a count"),
    ("1e5", "cannot read a count"),
    ("23%", "cannot read a count"),
    ("over about 230", "cannot read a count"),
    ("approx 230", "cannot read a count"),
    ("230 or fewer", "cannot read a count"),
    ("- 1", "cannot read a count"),
    ("12.", "cannot read a count"),
    (".5", "cannot read a count"),
    ("one hundred", "cannot read a count"),
    ("٣٤", "cannot read a count"),  # Arabic-Indic digits are not read as numbers
    ("9" * 400, "too large"),
    (True, "boolean"),
    (float("inf"), "not a finite number"),
    (b"230", "cannot read a count"),
]


@pytest.mark.parametrize(("text", "reason"), ERRORS, ids=[repr(e[0])[:30] for e in ERRORS])
def test_errors_quote_the_text(text: object, reason: str) -> None:
    with pytest.raises(CountParseError) as info:
        parse_count(text)  # type: ignore[arg-type]
    exc = info.value
    assert exc.text is text  # the text as given, not stripped
    assert reason in exc.reason
    assert repr(text) in str(exc)
    assert isinstance(exc, TraffickingStatsError)
    assert isinstance(exc, ValueError)


def test_error_message_example() -> None:
    with pytest.raises(CountParseError, match=r"cannot read a count: 'about a dozen'"):
        parse_count("about a dozen")


def test_range_with_equal_ends_is_that_one_number() -> None:
    # a "range" of one number is exact: a range qualifier needs high > low (schema rule qualifier_interval)
    assert parse_count("100 to 100") == Count(100.0, "exact", 100.0, 100.0)


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (Count(1035.0, "exact", 1035.0, 1035.0), "1,035"),
        (Count(12.5, "exact", 12.5, 12.5), "12.5"),
        (Count(-1.0, "exact", -1.0, -1.0), "-1"),
        (Count(0.0, "exact", 0.0, 0.0), "0"),
        (Count(1035.5, "exact", 1035.5, 1035.5), "1,035.5"),
        (Count(2_500_000.0, "exact", 2_500_000.0, 2_500_000.0), "2,500,000"),
        (Count(1.5e-05, "exact", 1.5e-05, 1.5e-05), "0.000015"),
        (Count(1e20, "exact", 1e20, 1e20), "100,000,000,000,000,000,000"),
        (Count(230.0, "over", 230.0, None), "over 230"),
        (Count(230.0, "at_least", 230.0, None), "at least 230"),
        (Count(230.0, "under", None, 230.0), "under 230"),
        (Count(230.0, "at_most", None, 230.0), "at most 230"),
        (Count(7500.0, "approximately", None, None), "about 7,500"),
        (Count(100.0, "range", 100.0, 130.0), "100 to 130"),
        (Count(None, "suppressed", 0.0, 4.0), "<5"),
        (Count(230, "exact", 230, 230), "230"),  # ints are accepted too
    ],
    ids=lambda x: x if isinstance(x, str) else x.qualifier,
)
def test_format_count(count: Count, text: str) -> None:
    assert format_count(count) == text


@pytest.mark.parametrize(
    "count",
    [
        Count(None, "exact", None, None),
        Count(None, "over", 1.0, None),
        Count(1.0, "range", None, 2.0),
        Count(None, "suppressed", 0.0, None),
        Count(None, "suppressed", 0.0, 2.5),
        Count(math.inf, "exact", math.inf, math.inf),
        Count(math.nan, "approximately", None, None),
    ],
    ids=repr,
)
def test_format_count_rejects_malformed(count: Count) -> None:
    with pytest.raises(ValueError):
        format_count(count)


def test_count_rejects_unknown_qualifier() -> None:
    with pytest.raises(ValueError, match="qualifier"):
        Count(1.0, "more_or_less", None, None)


def test_count_is_frozen() -> None:
    c = Count(1.0, "exact", 1.0, 1.0)
    with pytest.raises(AttributeError):
        c.value = 2.0  # type: ignore[misc]


def test_qualifiers() -> None:
    assert QUALIFIERS == (
        "exact",
        "over",
        "at_least",
        "under",
        "at_most",
        "approximately",
        "range",
        "suppressed",
    )


def test_parse_counts_collects_errors_with_positions() -> None:
    values = ["1035", "over 230", "about a dozen", None, "1,035", "1035", "1,03", 12, "n/a", "<5"]
    counts, errors = parse_counts(values)
    assert counts == [
        Count(1035.0, "exact", 1035.0, 1035.0),
        Count(230.0, "over", 230.0, None),
        None,
        None,
        Count(1035.0, "exact", 1035.0, 1035.0),
        Count(1035.0, "exact", 1035.0, 1035.0),
        None,
        Count(12.0, "exact", 12.0, 12.0),
        None,
        Count(None, "suppressed", 0.0, 4.0),
    ]
    assert [i for i, _ in errors] == [2, 6]
    assert all(isinstance(e, CountParseError) for _, e in errors)
    assert errors[0][1].text == "about a dozen"
    assert errors[1][1].text == "1,03"


def test_parse_counts_fast_path_agrees_and_is_quick() -> None:
    import time

    values = [str(i) for i in range(46_000)] + ["007", "٣٤", "²", "9" * 400]
    t0 = time.perf_counter()
    counts, errors = parse_counts(iter(values))
    elapsed = time.perf_counter() - t0
    assert counts[:46_000] == [Count(float(i), "exact", float(i), float(i)) for i in range(46_000)]
    assert counts[46_000] == Count(7.0, "exact", 7.0, 7.0)
    assert [i for i, _ in errors] == [46_001, 46_002, 46_003]  # non-ASCII digits and overflow are errors
    assert elapsed < 1.0


def test_module_does_not_import_pandas_or_numpy() -> None:
    """counts.py on its own (without the package __init__, which may import more) stays light."""
    import trafficking_stats.counts as counts_module

    pkg_dir = str(Path(counts_module.__file__).parent)
    code = (
        "import sys, types\n"
        "pkg = types.ModuleType('trafficking_stats')\n"
        f"pkg.__path__ = [{pkg_dir!r}]\n"
        "sys.modules['trafficking_stats'] = pkg\n"
        "import trafficking_stats.counts\n"
        "print('pandas' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------------------------- property-based

PREFIX_HEDGES = {
    "over": "over",
    "more than": "over",
    ">": "over",
    "at least": "at_least",
    ">=": "at_least",
    "≥": "at_least",
    "nearly": "under",
    "almost": "under",
    "just under": "under",
    "under": "under",
    "less than": "under",
    "fewer than": "under",
    "at most": "at_most",
    "up to": "at_most",
    "<=": "at_most",
    "≤": "at_most",
    "about": "approximately",
    "approximately": "approximately",
    "around": "approximately",
    "roughly": "approximately",
    "some": "approximately",
    "~": "approximately",
    "c.": "approximately",
    "approx.": "approximately",
}
SUFFIX_HEDGES = {"+": "over", " +": "over", " or more": "at_least"}
SEPARATORS = [",", " ", "\u00a0", "\u202f", ""]


def _number_text(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@settings(max_examples=200)
@given(st.text())
def test_arbitrary_text_raises_only_count_parse_error(text: str) -> None:
    try:
        c = parse_count(text)
    except CountParseError as exc:
        assert repr(text) in str(exc)
        return
    assert c is None or (isinstance(c, Count) and c.qualifier in QUALIFIERS)


@settings(max_examples=300)
@given(st.text(alphabet="0123456789,. -–—+<>=≥≤~*†abcdefhiklmnorstuvwx\u00a0\u202f", max_size=25))
def test_number_like_text_raises_only_count_parse_error(text: str) -> None:
    """Text built from the grammar's own characters reaches deeper branches than st.text() does."""
    try:
        c = parse_count(text)
    except CountParseError as exc:
        assert exc.text is text
        return
    assert c is None or c.qualifier in QUALIFIERS
    if c is not None and c.qualifier != "suppressed":
        assert c.value is not None and math.isfinite(c.value)


@settings(max_examples=200)
@given(
    st.sampled_from(sorted(PREFIX_HEDGES)),
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(SEPARATORS),
    st.sampled_from(["", " ", "  ", "\u00a0"]),
    st.booleans(),
    st.sampled_from(["", "*", " †"]),
)
def test_prefix_hedges_are_never_exact(
    hedge: str, n: int, sep: str, space: str, upper: bool, note: str
) -> None:
    if not space and hedge[-1].isalpha():
        space = " "  # a word hedge needs a space before the number
    text = f"{hedge}{space}{_number_text(n, sep)}{note}"
    text = text.upper() if upper else text
    c = parse_count(text)
    assert c is not None
    assert c.qualifier != "exact"
    assert c.qualifier == PREFIX_HEDGES[hedge]
    assert c.value == n


@settings(max_examples=200)
@given(
    st.sampled_from(sorted(SUFFIX_HEDGES)),
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(SEPARATORS),
)
def test_suffix_hedges_are_never_exact(hedge: str, n: int, sep: str) -> None:
    c = parse_count(f"{_number_text(n, sep)}{hedge}")
    assert c is not None
    assert c.qualifier == SUFFIX_HEDGES[hedge] != "exact"
    assert c.value == n


@settings(max_examples=100)
@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["<", "< "]))
def test_bare_less_than_symbol_is_suppression_never_exact(n: int, symbol: str) -> None:
    text = f"{symbol}{n:,}"
    if n == 0:
        with pytest.raises(CountParseError):
            parse_count(text)
        return
    assert parse_count(text) == Count(None, "suppressed", 0.0, float(n - 1))


@settings(max_examples=200)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from([" to ", "-", " - ", "–", " – ", "—", " — "]),
    st.booleans(),
)
def test_ranges_are_never_exact(a: int, b: int, dash: str, between: bool) -> None:
    lo, hi = min(a, b), max(a, b)
    text = f"between {lo:,} and {hi:,}" if between else f"{lo:,}{dash}{hi:,}"
    want = "range" if lo < hi else "exact"  # equal ends: one number
    assert parse_count(text) == Count(float(lo), want, float(lo), float(hi))


_ints = st.integers(min_value=0, max_value=10**9).map(float)
_decimals = st.decimals(
    min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False
).map(float)
_floats = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
_exact_values = st.one_of(_ints, _decimals, _floats)


def _counts() -> st.SearchStrategy[Count]:
    exact = _exact_values.map(lambda v: Count(v, "exact", v, v))
    approx = _exact_values.map(lambda v: Count(v, "approximately", None, None))
    lower = st.tuples(_ints, st.sampled_from(["over", "at_least"])).map(
        lambda t: Count(t[0], t[1], t[0], None)
    )
    upper = st.tuples(_ints, st.sampled_from(["under", "at_most"])).map(
        lambda t: Count(t[0], t[1], None, t[0])
    )
    ranges = (
        st.tuples(_ints, _ints)
        .filter(lambda t: t[0] != t[1])
        .map(sorted)
        .map(lambda t: Count(t[0], "range", t[0], t[1]))
    )
    suppressed = st.integers(min_value=1, max_value=10**9).map(
        lambda n: Count(None, "suppressed", 0.0, float(n - 1))
    )
    return st.one_of(exact, approx, lower, upper, ranges, suppressed)


@settings(max_examples=400)
@given(_counts())
def test_round_trip(c: Count) -> None:
    text = format_count(c)
    assert parse_count(text) == c
    if all(x is None or x.is_integer() for x in (c.value, c.low, c.high)):
        assert "." not in text  # integers print without ".0"


ROUND_TRIP_EXAMPLES = [
    Count(12.5, "exact", 12.5, 12.5),
    Count(230.0, "over", 230.0, None),
    Count(230.0, "at_least", 230.0, None),
    Count(230.0, "under", None, 230.0),
    Count(230.0, "at_most", None, 230.0),
    Count(0.25, "approximately", None, None),
    Count(100.0, "range", 100.0, 130.0),
    Count(None, "suppressed", 0.0, 4.0),
]


def test_round_trip_examples_cover_every_qualifier() -> None:
    assert {c.qualifier for c in ROUND_TRIP_EXAMPLES} == set(QUALIFIERS)
    for c in ROUND_TRIP_EXAMPLES:
        assert parse_count(format_count(c)) == c


@settings(max_examples=300)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_exact_integers_with_separators(n: int) -> None:
    text = f"{n:,}"
    for variant in (text, text.replace(",", " "), text.replace(",", "\u00a0"), text.replace(",", "\u202f")):
        c = parse_count(variant)
        assert c is not None
        assert c.qualifier == "exact"
        assert c.value == n
    assert parse_count(str(n)) == parse_count(text)
    assert parse_count(n) == parse_count(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rescued 106 girls from their traffickers", {106}),
        ("more than 1,035 victims in 2019", {1035, 2019, 1, 35}),
        ("about 1.2 million people", {1.2, 1_200_000}),
        ("2014,443,300,141", {2014, 443, 300, 141}),
    ],
)
def test_numbers_a_reader_sees_in_a_quote(text: str, expected: set[float]):
    assert expected <= numbers_in(text)
