"""Parsing published count strings: ``"over 230"`` -> ``Count(230.0, "over", 230.0, None)``.

Figures on human trafficking are published with hedges. A hedge is data: ``over 230`` is never exact, so
each count is kept as the number *as published* (``value``), its ``qualifier`` and the interval
``[low, high]`` the figure allows (``None`` = unbounded or unknown on that side).

Interval semantics (``n`` is the number as published, after any scale word):

=================  ==========================================  ===========  ======  ======
qualifier          accepted forms (case-insensitive)           value        low     high
=================  ==========================================  ===========  ======  ======
``exact``          ``1,035``  ``1 035``  ``230``  ``-1``        n            n       n
                   ``12.5``  ``12.7 thousand``  ``2.5 million``
``over``           ``over n``  ``more than n``  ``n+``  ``>n``  n            n (*)   None
``at_least``       ``at least n``  ``n or more``  ``>=n``       n            n       None
                   ``≥n``
``under``          ``under n``  ``nearly n``  ``almost n``      n            None    n (*)
                   ``just under n``  ``less than n``
                   ``fewer than n``
``at_most``        ``at most n``  ``up to n``  ``<=n``  ``≤n``  n            None    n
``approximately``  ``about n``  ``approximately n``            n            None    None
                   ``around n``  ``roughly n``  ``some n``
                   ``~n``  ``c. n``  ``approx. n``
``range``          ``a to b``  ``a-b``  ``a–b``  ``a — b``      a (low end)  a       b
                   ``between a and b``
``suppressed``     ``<n`` / ``< n`` (n a plain integer >= 1)    None         0       n - 1
=================  ==========================================  ===========  ======  ======

(*) ``over`` and ``under`` bounds are *exclusive* (the figure is strictly above/below ``n``); every
other bound is inclusive. ``approximately`` gives no interval at all: how far "about" reaches is the
publisher's secret.

``under`` versus ``suppressed``: the words ``less than 5`` / ``fewer than 5`` are a hedge
(``under``, value 5, high 5). The bare symbol ``<5`` is the small-count suppression code of statistical
publishers (e.g. UNODC): the true count is one of 0..4 and was withheld, so ``value`` is ``None``,
``low`` 0 and ``high`` n - 1. Use the words, not the symbol, to transcribe a hedged figure.

Grammar details:

* Surrounding whitespace and trailing footnote markers are ignored: ``*``, ``†``, ``‡``, ``§`` and
  superscript digits (``230*``, ``1,234*``, ``56¹``; superscripts are never part of a count). Words
  may be separated by any run of spaces, tabs, no-break spaces (U+00A0) or narrow no-break spaces
  (U+202F).
* Thousands separators are ``,``, a space, U+00A0 or U+202F, one kind per number and only in valid
  positions: ``1,035`` and ``12 700`` are read, ``1,03``, ``10,35`` and ``1,035 000`` are errors.
  The decimal mark is ``.`` (so ``1.035`` is one point zero three five).
* A leading ``-`` makes a number negative (``-1``: publishers' adjustments).
* Scale words are ``thousand`` and ``million`` only (``12.7 thousand`` = 12700, computed exactly);
  ``k``, ``m``, ``bn`` are errors. In a range a scale word on the high end needs one on the low end
  (``2 to 3 million`` is ambiguous and an error; write ``2 million to 3 million``).
* A range whose low end is above its high end is an error; one whose ends are equal (``100 to 100``)
  is that one number, exact. A suppression code needs a plain
  integer of at least 1 (``<0``, ``<2.5``, ``<1 thousand`` are errors).
* Missing markers (:func:`is_missing`; :func:`parse_count` returns ``None``): ``None``, a float NaN,
  pandas ``NA``/``NaT``, the empty or whitespace-only string, ``-``, ``–``, ``—``, ``n/a``, ``na``,
  ``..`` and ``...`` (any case). ``NA`` may mean something else in other columns; in a count it is
  missing. A footnote marker alone (``*``) is not missing but an error.
* An ``int`` or finite ``float`` input is exact. Anything else raises
  :class:`~trafficking_stats.errors.CountParseError` whose message quotes the text.

pandas and numpy are not imported here (importing the package must stay cheap).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from .errors import CountParseError

__all__ = ["QUALIFIERS", "Count", "format_count", "is_missing", "numbers_in", "parse_count", "parse_counts"]

QUALIFIERS: tuple[str, ...] = (
    "exact",
    "over",
    "at_least",
    "under",
    "at_most",
    "approximately",
    "range",
    "suppressed",
)


@dataclass(frozen=True)
class Count:
    """One published count: the number as published, its hedge and the interval it allows.

    ``value``
        The number as published (``"over 230"`` -> 230.0); ``None`` only for ``suppressed``. For a
        range it is the low end.
    ``qualifier``
        The hedge, one of :data:`QUALIFIERS`.
    ``low``, ``high``
        The interval the figure allows; ``None`` where the figure sets no bound. The bounds of ``over``
        (``low``) and ``under`` (``high``) are exclusive, all others inclusive (see the module docstring).
    """

    value: float | None
    qualifier: str
    low: float | None
    high: float | None

    def __post_init__(self) -> None:
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"qualifier must be one of {QUALIFIERS}, not {self.qualifier!r}")


# --------------------------------------------------------------------------------------------- grammar

_FLAGS = re.IGNORECASE | re.ASCII  # ASCII: [0-9] only, no Unicode case folding surprises ("ſome")
_WS = "[ \\t\\n\\r\\f\\v\\u00a0\\u202f]"
_SEP_CHARS = ", \u00a0\u202f"
_SEP = "[,\\u0020\\u00a0\\u202f]"
# A loose number token: separators anywhere between digits; _number() then checks their positions so that
# "1,03" is reported as a misplaced separator rather than as "not a count".
_NUM = rf"-?[0-9](?:[0-9]|{_SEP}(?=[0-9]))*(?:\.[0-9]+)?"
_SCALES: dict[str, int] = {"thousand": 1_000, "million": 1_000_000}
_SCALE = "|".join(_SCALES)


def _scaled(name: str) -> str:
    return rf"(?P<{name}>{_NUM})(?:{_WS}+(?P<{name}_scale>{_SCALE}))?"


def _phrase(words: str) -> str:
    return f"{_WS}+".join(re.escape(w) for w in words.split())


_PREFIX_WORDS: dict[str, str] = {
    "over": "over",
    "more than": "over",
    "at least": "at_least",
    "just under": "under",
    "under": "under",
    "nearly": "under",
    "almost": "under",
    "less than": "under",
    "fewer than": "under",
    "at most": "at_most",
    "up to": "at_most",
    "about": "approximately",
    "approximately": "approximately",
    "around": "approximately",
    "roughly": "approximately",
    "some": "approximately",
}
_PREFIX_SYMBOLS: dict[str, str] = {
    ">=": "at_least",
    "≥": "at_least",
    "<=": "at_most",
    "≤": "at_most",
    ">": "over",
    "~": "approximately",
    "c.": "approximately",
    "approx.": "approximately",
}
_MISSING = frozenset({"", "-", "–", "—", "n/a", "na", "..", "..."})
#: Trailing footnote markers: symbols and superscript digits.
FOOTNOTE_MARKS = "*†‡§¹²³⁰⁴⁵⁶⁷⁸⁹"
_FOOTNOTE = re.compile(f"(?:{_WS}*[{re.escape(FOOTNOTE_MARKS)}])+$")

_RE_EXACT = re.compile(_scaled("n"), _FLAGS)
_RE_PREFIX_WORD = re.compile(
    "(?P<hedge>"
    + "|".join(_phrase(w) for w in sorted(_PREFIX_WORDS, key=len, reverse=True))
    + f"){_WS}+"
    + _scaled("n"),
    _FLAGS,
)
_RE_PREFIX_SYMBOL = re.compile(
    "(?P<hedge>"
    + "|".join(re.escape(s) for s in sorted(_PREFIX_SYMBOLS, key=len, reverse=True))
    + f"){_WS}*"
    + _scaled("n"),
    _FLAGS,
)
_RE_SUPPRESSED = re.compile(f"<{_WS}*" + _scaled("n"), _FLAGS)
_RE_PLUS = re.compile(_scaled("n") + f"{_WS}*\\+", _FLAGS)
_RE_OR_MORE = re.compile(_scaled("n") + f"{_WS}+{_phrase('or more')}", _FLAGS)
_RE_RANGE = re.compile(_scaled("n") + f"(?:{_WS}+to{_WS}+|{_WS}*[-–—]{_WS}*)" + _scaled("hi"), _FLAGS)
_RE_BETWEEN = re.compile(f"between{_WS}+" + _scaled("n") + f"{_WS}+and{_WS}+" + _scaled("hi"), _FLAGS)
_RE_K = re.compile(f"[0-9]{_WS}*k(?![a-z])", _FLAGS)
_RE_GROUPS = re.compile(_SEP)


def _fail(text: object, reason: str) -> CountParseError:
    return CountParseError(text, reason)


def _number(text: object, token: str, scale: str | None) -> float:
    """The value of a loose number token (checked strictly) times its scale word; raises CountParseError."""
    digits = token.lstrip("-")
    int_part, _, frac = digits.partition(".")
    seps = {c for c in int_part if c in _SEP_CHARS}
    if seps:
        if len(seps) > 1:
            raise _fail(text, "mixed thousands separators in the count")
        groups = _RE_GROUPS.split(int_part)
        head, tail = groups[0], groups[1:]
        if not 1 <= len(head) <= 3 or head.startswith("0") or any(len(g) != 3 for g in tail):
            raise _fail(text, "misplaced thousands separator in the count")
        int_part = "".join(groups)
    plain = ("-" if token.startswith("-") else "") + int_part + ("." + frac if frac else "")
    # Decimal keeps "12.7 thousand" exact (12700.0, not 12700.000000000002).
    value = float(plain) if scale is None else float(Decimal(plain) * _SCALES[scale.lower()])
    if not math.isfinite(value):
        raise _fail(text, "the count is too large")
    return value


def _value(text: object, m: re.Match[str], name: str = "n") -> float:
    return _number(text, m[name], m[f"{name}_scale"])


def _strip(text: str) -> tuple[str, bool]:
    """``text`` without surrounding whitespace and trailing footnote markers; and whether it had markers."""
    s = text.strip()
    if not s or s[-1] not in FOOTNOTE_MARKS:
        return s, False
    m = _FOOTNOTE.search(s)
    if m is None:
        return s, False
    return s[: m.start()].strip(), True


def _exact(v: float) -> Count:
    return Count(v, "exact", v, v)


def _hedged(v: float, qualifier: str) -> Count:
    if qualifier in ("over", "at_least"):
        return Count(v, qualifier, v, None)
    if qualifier in ("under", "at_most"):
        return Count(v, qualifier, None, v)
    return Count(v, qualifier, None, None)  # approximately


def _range(text: object, m: re.Match[str]) -> Count:
    if m["hi_scale"] and not m["n_scale"]:
        reason = "ambiguous scale word in the range (write it on both ends: '2 million to 3 million')"
        raise _fail(text, reason)
    lo, hi = _value(text, m), _value(text, m, "hi")
    if lo > hi:
        raise _fail(text, "the range's low end is above its high end")
    if lo == hi:  # "100 to 100": one number written as a range
        return _exact(lo)
    return Count(lo, "range", lo, hi)


def _suppressed(text: object, m: re.Match[str]) -> Count:
    if m["n_scale"] or "." in m["n"]:
        raise _fail(text, "a suppression code '<n' needs a plain integer n")
    n = _value(text, m)
    if n < 1:
        raise _fail(text, "a suppression code '<n' needs n >= 1")
    return Count(None, "suppressed", 0.0, n - 1)


def _word_hedge(text: object, m: re.Match[str]) -> Count:
    return _hedged(_value(text, m), _PREFIX_WORDS[" ".join(m["hedge"].lower().split())])


# (pattern, builder) in the order they are tried; each pattern must match the whole text.
_RULES: tuple[tuple[re.Pattern[str], Callable[[object, re.Match[str]], Count]], ...] = (
    (_RE_EXACT, lambda t, m: _exact(_value(t, m))),
    (_RE_PREFIX_WORD, _word_hedge),
    (_RE_PREFIX_SYMBOL, lambda t, m: _hedged(_value(t, m), _PREFIX_SYMBOLS[m["hedge"].lower()])),
    (_RE_SUPPRESSED, _suppressed),
    (_RE_PLUS, lambda t, m: _hedged(_value(t, m), "over")),
    (_RE_OR_MORE, lambda t, m: _hedged(_value(t, m), "at_least")),
    (_RE_RANGE, _range),
    (_RE_BETWEEN, _range),
)


# ------------------------------------------------------------------------------------------------- API


_NUMBER_IN_TEXT = re.compile(
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(thousand|million|billion)\b)?", re.IGNORECASE
)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def numbers_in(text: str) -> set[float]:
    """Every number a reader could see in ``text``: ``"1,035"`` is 1035, ``"1.2 million"`` is 1.2 and
    1,200,000, and digits run together by commas are also read one by one (``"2014,443,300"`` gives 2014,
    443 and 300 as well as 2014443300), so a quoted table row shows each of its cells.

    Used to check that a transcribed figure appears in the quote that is its evidence.
    """
    out: set[float] = set()
    for m in _NUMBER_IN_TEXT.finditer(text):
        v = float(m.group(1).replace(",", ""))
        out.add(v)
        if m.group(2):
            out.add(round(v * _SCALE[m.group(2).lower()], 6))
    out.update(float(t) for t in re.findall(r"\d+(?:\.\d+)?", text))
    return out


def is_missing(text: object) -> bool:
    """Whether ``text`` is a missing-value marker (see the module docstring for the list).

    True for ``None``, a NaN (float, Decimal or numpy float), pandas ``NA``/``NaT`` and the marker strings
    ``""``, ``-``, ``–``, ``—``, ``n/a``, ``na``, ``..``, ``...`` in any case, with surrounding whitespace
    and trailing footnote markers ignored. False for everything else, including unreadable text.
    """
    if text is None:
        return True
    if isinstance(text, str):
        core, had_footnote = _strip(text)
        return core.lower() in _MISSING and not (had_footnote and not core)
    if isinstance(text, bool | numbers.Integral):
        return False
    if isinstance(text, Decimal):
        return text.is_nan()
    if isinstance(text, numbers.Real):
        return math.isnan(float(text))
    t = type(text)
    return t.__module__.startswith("pandas") and t.__name__ in ("NAType", "NaTType")


def parse_count(text: str | int | float | None) -> Count | None:
    """Parse one published count (``"over 230"``, ``"1,035"``, ``"100 to 130"``, ``"<5"``, 230, 12.5).

    Returns ``None`` for a missing marker (:func:`is_missing`) and a :class:`Count` otherwise; ``int``,
    ``float`` and ``Decimal`` inputs are exact. Raises :class:`~trafficking_stats.errors.CountParseError`
    quoting the text for anything unreadable (and for booleans, infinities and non-text objects).
    """
    if is_missing(text):
        return None
    if isinstance(text, str):
        core, _ = _strip(text)
        if not core:
            raise _fail(text, "a footnote marker without a count")
        for pattern, build in _RULES:
            m = pattern.fullmatch(core)
            if m is not None:
                return build(text, m)
        if _RE_K.search(core):
            raise _fail(text, "'k' is not an accepted scale word (write 'thousand')")
        raise _fail(text, "cannot read a count")
    if isinstance(text, bool):
        raise _fail(text, "a boolean is not a count")
    if isinstance(text, numbers.Integral):
        v = float(int(text))
    elif isinstance(text, numbers.Real | Decimal):
        v = float(text)
    else:
        raise _fail(text, f"cannot read a count from a {type(text).__name__}")
    if not math.isfinite(v):
        raise _fail(text, "the count is not a finite number")
    return _exact(v)


def parse_counts(values: Iterable[object]) -> tuple[list[Count | None], list[tuple[int, CountParseError]]]:
    """Parse many counts without raising.

    Returns ``(counts, errors)``: ``counts`` has one entry per input (``None`` for a missing marker *or*
    an unreadable value) and ``errors`` lists ``(0-based position, CountParseError)`` for each unreadable
    value. Plain digit strings take a fast path and repeated strings are parsed once.
    """
    counts: list[Count | None] = []
    errors: list[tuple[int, CountParseError]] = []
    seen: dict[str, Count | None] = {}
    for i, text in enumerate(values):
        if type(text) is str:
            if text in seen:
                counts.append(seen[text])
                continue
            if text.isascii() and text.isdigit():
                v = float(text)
                if math.isfinite(v):
                    c: Count | None = Count(v, "exact", v, v)
                    seen[text] = c
                    counts.append(c)
                    continue
        try:
            c = parse_count(text)  # type: ignore[arg-type]
        except CountParseError as exc:
            errors.append((i, exc))
            counts.append(None)
            continue
        if type(text) is str:
            seen[text] = c
        counts.append(c)
    return counts, errors


def _fmt(v: float) -> str:
    """A number in canonical text: thousands commas, integers without ``.0``, no exponent."""
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"cannot format a non-finite number: {v!r}")
    if v.is_integer():
        return f"{int(v):,}"
    return f"{Decimal(repr(v)):,f}"


_WORDS: dict[str, str] = {
    "over": "over",
    "at_least": "at least",
    "under": "under",
    "at_most": "at most",
    "approximately": "about",
}


def format_count(count: Count) -> str:
    """The canonical text of ``count``; ``parse_count(format_count(c)) == c`` for every well-formed Count.

    Forms: exact ``1,035`` (``12.5``, ``-1``), ``over 230``, ``at least 230``, ``under 230``, ``at most 230``,
    ``about 230``, range ``100 to 130``, suppressed ``<5`` (``high + 1``). Integers print without ``.0``.
    Raises ValueError for a Count lacking a field its qualifier needs, or a non-finite number.
    """
    q = count.qualifier
    if q == "suppressed":
        if count.high is None or not float(count.high).is_integer() or count.high < 0:
            raise ValueError(f"a suppressed count needs an integer high >= 0: {count!r}")
        return f"<{_fmt(count.high + 1)}"
    if q == "range":
        if count.low is None or count.high is None:
            raise ValueError(f"a range needs low and high: {count!r}")
        return f"{_fmt(count.low)} to {_fmt(count.high)}"
    if count.value is None:
        raise ValueError(f"a count with qualifier {q!r} needs a value: {count!r}")
    if q == "exact":
        return _fmt(count.value)
    return f"{_WORDS[q]} {_fmt(count.value)}"
