"""Geography codes and names: the one place that owns them.

Codes follow DESIGN.md:

* ``world``: the slug ``world``.
* ``country``: ISO 3166-1 alpha-3 (``USA``, ``GBR``).
* ``state``: ISO 3166-2 (``US-CA``).
* ``county``: ``<state>-<5-digit FIPS>`` (``US-CA-06019`` is Fresno County).
* ``city``: ``<state>-<slug>`` (``US-CA-fresno``).
* ``region``: a slug for an area that is none of the above (a multi-county service area, England and
  Wales); its ``definition`` says exactly what it covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import TraffickingStatsError

GEO_LEVELS: tuple[str, ...] = ("world", "region", "country", "state", "county", "city")


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

PLACES: dict[str, Place] = {p.code: p for p in _PLACES}


class UnknownPlaceError(TraffickingStatsError, KeyError):
    """A geography code that :mod:`trafficking_stats.geo` does not know."""


def place(code: str) -> Place:
    """Return the :class:`Place` for ``code``; raise :class:`UnknownPlaceError` if it is not known."""
    try:
        return PLACES[code]
    except KeyError:
        raise UnknownPlaceError(
            f"unknown geo_code {code!r}; known codes are listed in trafficking_stats.geo"
        ) from None


def level(code: str) -> str:
    """Return the geography level (``world``, ``country``, ``state``, ...) of ``code``."""
    return place(code).level


def name(code: str) -> str:
    """Return the display name of ``code``."""
    return place(code).name
