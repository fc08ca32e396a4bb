"""Geography codes and names: the one place that owns them.

Codes follow DESIGN.md:

* ``world``: the slug ``world``.
* ``country``: ISO 3166-1 alpha-3 (``USA``, ``GBR``).
* ``state``: ISO 3166-2 (``US-CA``).
* ``county``: ``<state>-<5-digit FIPS>`` (``US-CA-06019`` is Fresno County).
* ``city``: ``<state>-<slug>`` (``US-CA-fresno``).
* ``region``: a slug for an area that is none of the above (a multi-county service area, England and
  Wales); its ``definition`` says exactly what it covers.
* ``agency``: one reporting law-enforcement agency, ``<state>-ori-<ORI>`` (``US-MD-ori-MD0130000``), its
  ORI exactly as the publisher writes it (7 characters in UCR master files, 9 in CDE downloads). Agencies
  are too many to list: :func:`agency` builds one, and validation checks the pattern and the state.

Countries come from ISO 3166-1 (the ``pycountry`` package), plus ``XKX`` for Kosovo (a user-assigned
code used by UNODC, the World Bank and the EU). US states, DC and territories are listed below with their
USPS abbreviation and FIPS code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import TraffickingStatsError

GEO_LEVELS: tuple[str, ...] = ("world", "region", "country", "state", "county", "city", "agency")


@dataclass(frozen=True)
class Place:
    """One place: its code, level, display name, parent code and what it covers."""

    code: str
    level: str
    name: str
    parent: str | None
    definition: str = ""


_PLACES: tuple[Place, ...] = (
    Place("world", "world", "World", None, "All countries covered by the reporting body."),
    Place(
        "world-ctdc",
        "region",
        "CTDC dataset coverage",
        "world",
        "All countries with victim registrations in the Counter-Trafficking Data Collaborative's dataset "
        "(the records its contributing organisations shared), not the whole world.",
    ),
    Place("USA", "country", "United States", "world"),
    Place("GBR", "country", "United Kingdom", "world"),
    Place(
        "GB-EAW",
        "region",
        "England and Wales",
        "GBR",
        "England and Wales (ISO 3166-2 nation grouping GB-EAW): the area of police-recorded crime "
        "statistics and the Duty to Notify.",
    ),
    Place("US-CA", "state", "California", "USA"),
    Place("US-NV", "state", "Nevada", "USA"),
    Place("US-CA-06019", "county", "Fresno County, CA", "US-CA"),
    Place("US-CA-06059", "county", "Orange County, CA", "US-CA"),
    Place("US-CA-06107", "county", "Tulare County, CA", "US-CA"),
    Place("US-NV-32003", "county", "Clark County, NV", "US-NV"),
    Place(
        "US-CA-fresno",
        "city",
        "Fresno, CA",
        "US-CA-06019",
        "The City of Fresno (Fresno Police Department's area).",
    ),
    Place(
        "US-NV-las-vegas",
        "city",
        "Las Vegas, NV",
        "US-NV-32003",
        "Las Vegas (Las Vegas Metropolitan Police Department's area).",
    ),
    Place(
        "US-CA-central-valley-6",
        "region",
        "Central Valley (six counties)",
        "US-CA",
        "Fresno, Kern, Kings, Madera, Merced and Tulare counties: the service area of Fresno EOC's "
        "Central Valley Against Human Trafficking program.",
    ),
    Place(
        "US-CA-merced-to-bakersfield",
        "region",
        "Central Valley (Merced to Bakersfield)",
        "US-CA",
        "The area from Merced to Bakersfield covered by the 23 agencies reporting to the Central Valley "
        "Human Trafficking Project (Fresno Pacific University).",
    ),
    Place(
        "US-CA-fresno-madera",
        "region",
        "Fresno and Madera counties",
        "US-CA",
        "Fresno and Madera counties together.",
    ),
)

#: US states, DC and territories: (USPS abbreviation, FIPS code, name).
US_STATES: tuple[tuple[str, str, str], ...] = (
    ("AL", "01", "Alabama"), ("AK", "02", "Alaska"), ("AZ", "04", "Arizona"), ("AR", "05", "Arkansas"),
    ("CA", "06", "California"), ("CO", "08", "Colorado"), ("CT", "09", "Connecticut"), ("DE", "10", "Delaware"),
    ("DC", "11", "District of Columbia"), ("FL", "12", "Florida"), ("GA", "13", "Georgia"), ("HI", "15", "Hawaii"),
    ("ID", "16", "Idaho"), ("IL", "17", "Illinois"), ("IN", "18", "Indiana"), ("IA", "19", "Iowa"),
    ("KS", "20", "Kansas"), ("KY", "21", "Kentucky"), ("LA", "22", "Louisiana"), ("ME", "23", "Maine"),
    ("MD", "24", "Maryland"), ("MA", "25", "Massachusetts"), ("MI", "26", "Michigan"), ("MN", "27", "Minnesota"),
    ("MS", "28", "Mississippi"), ("MO", "29", "Missouri"), ("MT", "30", "Montana"), ("NE", "31", "Nebraska"),
    ("NV", "32", "Nevada"), ("NH", "33", "New Hampshire"), ("NJ", "34", "New Jersey"), ("NM", "35", "New Mexico"),
    ("NY", "36", "New York"), ("NC", "37", "North Carolina"), ("ND", "38", "North Dakota"), ("OH", "39", "Ohio"),
    ("OK", "40", "Oklahoma"), ("OR", "41", "Oregon"), ("PA", "42", "Pennsylvania"), ("RI", "44", "Rhode Island"),
    ("SC", "45", "South Carolina"), ("SD", "46", "South Dakota"), ("TN", "47", "Tennessee"), ("TX", "48", "Texas"),
    ("UT", "49", "Utah"), ("VT", "50", "Vermont"), ("VA", "51", "Virginia"), ("WA", "53", "Washington"),
    ("WV", "54", "West Virginia"), ("WI", "55", "Wisconsin"), ("WY", "56", "Wyoming"),
    ("AS", "60", "American Samoa"), ("GU", "66", "Guam"), ("MP", "69", "Northern Mariana Islands"),
    ("PR", "72", "Puerto Rico"), ("VI", "78", "U.S. Virgin Islands"),
)  # fmt: skip

#: ISO 3166-1 alpha-3 codes of countries whose display name we fix (the rest use pycountry's names).
_EXTRA_COUNTRIES: dict[str, tuple[str, str]] = {"XKX": ("XK", "Kosovo")}

PLACES: dict[str, Place] = {p.code: p for p in _PLACES}
for _abbr, _fips, _name in US_STATES:
    PLACES.setdefault(f"US-{_abbr}", Place(f"US-{_abbr}", "state", _name, "USA"))

AGENCY_RE = re.compile(r"^US-[A-Z]{2}-ori-[A-Z0-9]{7,9}$")


def state_by_usps(abbr: str) -> Place:
    """The US state (or DC, territory) with USPS abbreviation ``abbr`` (``CA``); raises UnknownPlaceError."""
    return place(f"US-{abbr.strip().upper()}")


def state_fips(code: str) -> str:
    """The 2-digit FIPS code of a US state code (``US-CA`` -> ``06``)."""
    for abbr, fips, _ in US_STATES:
        if code == f"US-{abbr}":
            return fips
    raise UnknownPlaceError(f"unknown US state code {code!r}")


def agency(state_code: str, ori: str, agency_name: str) -> Place:
    """A reporting agency as a :class:`Place` (level ``agency``) under the US state ``state_code``."""
    code = f"{state_code}-ori-{ori.strip().upper()}"
    place(state_code)
    if not AGENCY_RE.match(code):
        raise UnknownPlaceError(f"not a valid agency code {code!r} (ORI must be 7-9 letters or digits)")
    return Place(code, "agency", agency_name.strip() or ori, state_code)


@lru_cache(maxsize=1)
def _countries() -> dict[str, Place]:
    import pycountry

    out = {}
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        out[c.alpha_3] = Place(c.alpha_3, "country", name, "world")
    for a3, (_a2, name) in _EXTRA_COUNTRIES.items():
        out[a3] = Place(a3, "country", name, "world")
    for code, p in PLACES.items():  # our own names win (e.g. "United States")
        if p.level == "country":
            out[code] = p
    return out


@lru_cache(maxsize=1)
def _alpha2() -> dict[str, str]:
    import pycountry

    out = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    out.update({a2: a3 for a3, (a2, _) in _EXTRA_COUNTRIES.items()})
    return out


def country(code: str) -> Place:
    """The country with ISO 3166-1 alpha-3 ``code``; raises UnknownPlaceError for a code that does not exist."""
    try:
        return _countries()[code.strip().upper()]
    except KeyError:
        raise UnknownPlaceError(f"{code!r} is not an ISO 3166-1 alpha-3 country code") from None


def country_from_alpha2(code: str) -> Place:
    """The country with ISO 3166-1 alpha-2 ``code`` (``NA`` is Namibia, never missing)."""
    try:
        return country(_alpha2()[code.strip().upper()])
    except KeyError:
        raise UnknownPlaceError(f"{code!r} is not an ISO 3166-1 alpha-2 country code") from None


def is_valid(code: str, level: str, display_name: str) -> bool:
    """True if ``code`` is a known place at ``level`` named ``display_name`` (agencies: pattern + state)."""
    if level == "agency":
        return bool(AGENCY_RE.match(code)) and code.rsplit("-ori-", 1)[0] in PLACES and bool(display_name)
    try:
        p = place(code)
    except UnknownPlaceError:
        return False
    return p.level == level and p.name == display_name


class UnknownPlaceError(TraffickingStatsError, KeyError):
    """A geography code that :mod:`trafficking_stats.geo` does not know."""


def place(code: str) -> Place:
    """Return the :class:`Place` for ``code``; raise :class:`UnknownPlaceError` if it is not known.

    Countries are any ISO 3166-1 alpha-3 code (plus ``XKX``); agencies are not listed: see :func:`agency`.
    """
    p = PLACES.get(code)
    if p is None and len(code) == 3 and code.isupper():
        p = _countries().get(code)
    if p is None:
        raise UnknownPlaceError(f"unknown geo_code {code!r}; known codes are listed in trafficking_stats.geo")
    return p


def level(code: str) -> str:
    """Return the geography level (``world``, ``country``, ``state``, ...) of ``code``."""
    return place(code).level


def name(code: str) -> str:
    """Return the display name of ``code``."""
    return place(code).name
