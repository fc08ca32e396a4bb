"""Closed vocabularies of the breakdown dimensions, and the country names publishers write.

Every ``key=value`` pair of a ``breakdown`` must be in the vocabulary of its dataset and key, kept as data
in one place, ``data/raw/vocabularies.csv`` (columns ``dataset``, ``key``, ``kind``, ``value``,
``source``):

* ``kind`` ``category``: ``value`` is one allowed value (the publisher's own list, mapped by the loader);
* ``kind`` ``country``: any ISO 3166-1 alpha-3 code known to :mod:`trafficking_stats.geo` (plus ``XKX``),
  written in lower case (``citizenship=alb``).

A value outside the vocabulary is never a new category: :func:`breakdown_problems` reports it ("not a known
country or category") and the row is quarantined.

Publishers write countries as free text (UNODC GLOTIP's citizenship and repatriation categories are the
national authorities' own words). :func:`resolve_country` maps such a text to a vocabulary value: a
country's ISO 3166-1 name, official or common name, in English or in its Spanish, French, Portuguese or
Italian translation (pycountry's ``iso3166-1`` catalogues), or an entry of
``data/raw/country_aliases.csv`` (UN M49 names, demonyms and the non-country categories ``nationals``,
``abroad``, ``unknown``, ``stateless``; columns ``text``, ``value``, ``why``). Matching ignores case,
accents and punctuation. Misspellings, regions and questionnaire codes resolve to nothing, on purpose.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import geo, paths
from .errors import Problem

if TYPE_CHECKING:
    import pandas as pd

VOCABULARY_COLUMNS: tuple[str, ...] = ("dataset", "key", "kind", "value", "source")
ALIAS_COLUMNS: tuple[str, ...] = ("text", "value", "why")
KINDS: tuple[str, ...] = ("category", "country")
#: Languages of pycountry's translations searched besides English (those GLOTIP submissions use).
LANGUAGES: tuple[str, ...] = ("es", "fr", "pt", "it")
NOT_KNOWN = "not a known country or category"


def vocabularies_csv() -> Path:
    """``data/raw/vocabularies.csv``."""
    return paths.raw_dir() / "vocabularies.csv"


def country_aliases_csv() -> Path:
    """``data/raw/country_aliases.csv``."""
    return paths.raw_dir() / "country_aliases.csv"


@dataclass(frozen=True)
class Vocabulary:
    """The allowed values of one dataset's breakdown key: listed categories, and countries if ``country``."""

    categories: frozenset[str]
    country: bool

    def allows(self, value: str) -> bool:
        """True if ``value`` is a listed category or (a country key) a known country code in lower case."""
        if value in self.categories:
            return True
        return self.country and value == value.lower() and _is_country(value.upper())


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and set(columns) - set(rows[0]):
        raise ValueError(f"{path}: expected columns {', '.join(columns)}")
    return rows


@lru_cache(maxsize=4)
def _vocabularies(path: str) -> dict[tuple[str, str], Vocabulary]:
    cats: dict[tuple[str, str], set[str]] = {}
    country: set[tuple[str, str]] = set()
    for r in _read_csv(Path(path), VOCABULARY_COLUMNS):
        key = (r["dataset"], r["key"])
        cats.setdefault(key, set())
        if r["kind"] == "country":
            country.add(key)
        elif r["kind"] == "category":
            cats[key].add(r["value"])
        else:
            raise ValueError(f"{path}: kind {r['kind']!r} is not one of {', '.join(KINDS)}")
    return {k: Vocabulary(frozenset(v), k in country) for k, v in cats.items()}


def vocabularies(path: Path | None = None) -> dict[tuple[str, str], Vocabulary]:
    """Every (dataset, breakdown key) -> :class:`Vocabulary`, read from ``data/raw/vocabularies.csv``."""
    return _vocabularies(str(Path(path) if path is not None else vocabularies_csv()))


@lru_cache(maxsize=512)
def _is_country(code: str) -> bool:
    try:
        geo.country(code)
    except geo.UnknownPlaceError:
        return False
    return True


def normalize(text: str) -> str:
    """Text as matched: accents dropped, lower case, runs of anything but letters and digits as one space."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).strip()


@lru_cache(maxsize=4)
def _names(aliases_path: str) -> dict[str, str]:
    import gettext

    import pycountry

    out: dict[str, str] = {}
    english = []
    for c in pycountry.countries:
        out.setdefault(normalize(c.alpha_3), c.alpha_3)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(c, attr, None)
            if name:
                english.append((name, c.alpha_3))
                out.setdefault(normalize(name), c.alpha_3)
    for lang in LANGUAGES:  # translations never displace an English name
        t = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for name, a3 in english:
            out.setdefault(normalize(t.gettext(name)), a3)
    for r in _read_csv(Path(aliases_path), ALIAS_COLUMNS):  # the aliases file wins: it is checked by hand
        out[normalize(r["text"])] = r["value"]
    return out


def resolve_country(text: str, aliases: Path | None = None) -> str | None:
    """The vocabulary value a publisher's country text stands for, or None when it names no known country
    or category: ``"Viet Nam"`` -> ``"vnm"``, ``"Alemania"`` -> ``"deu"``, ``"Nationals"`` ->
    ``"nationals"``, ``"Q6.1_10s_2019"`` -> None."""
    found = _names(str(Path(aliases) if aliases is not None else country_aliases_csv())).get(normalize(text))
    if found is None:
        return None
    if found.isupper():
        return found.lower() if _is_country(found) else None
    return found


def breakdown_problems(df: pd.DataFrame, path: Path | None = None) -> list[tuple[object, Problem]]:
    """``(row index, Problem)`` for every row whose breakdown has a key or value outside its dataset's
    vocabulary (checked once per distinct dataset and breakdown)."""
    import pandas as pd

    vocab = vocabularies(path)
    ds_s, b_s = df["dataset"].astype("str"), df["breakdown"].astype("str")
    verdict: dict[tuple[str, str], str] = {}
    for ds, b in set(zip(ds_s, b_s, strict=True)):
        msgs = []
        for pair in [] if b == "total" else b.split(";"):
            key, _, value = pair.partition("=")
            v = vocab.get((ds, key))
            if v is None:
                msgs.append(f"breakdown key {key!r} is not a dimension of {ds} (data/raw/vocabularies.csv)")
            elif not v.allows(value):
                msgs.append(f"{key}={value!r}: {NOT_KNOWN} for {ds} (data/raw/vocabularies.csv)")
        verdict[(ds, b)] = "; ".join(msgs)
    bad = {k: m for k, m in verdict.items() if m}
    out: list[tuple[object, Problem]] = []
    if not bad:
        return out
    hit = pd.Series(list(zip(ds_s, b_s, strict=True)), index=df.index).isin(bad)
    for idx in df.index[hit.to_numpy()]:
        f = df.at[idx, "raw_file"] if "raw_file" in df.columns else None
        r = df.at[idx, "raw_row"] if "raw_row" in df.columns else None
        f = None if f is None or bool(pd.isna(f)) else str(f)
        r = None if r is None or bool(pd.isna(r)) else int(r)
        out.append((idx, Problem(f, r, "breakdown", bad[(ds_s.at[idx], b_s.at[idx])])))
    return out
