"""Geography codes follow DESIGN.md's patterns and every place chains up to the world."""

from __future__ import annotations

import re

import pytest

from trafficking_stats import geo

PATTERNS = {
    "world": r"^world$",
    "country": r"^[A-Z]{3}$",
    "state": r"^[A-Z]{2}-[A-Z0-9]{1,3}$",
    "county": r"^[A-Z]{2}-[A-Z]{2}-\d{5}$",
    "city": r"^[A-Z]{2}-[A-Z]{2}-[a-z0-9-]+$",
    "region": r"^([A-Z]{2}-[A-Z]{2,3}|[A-Z]{2}-[A-Z]{2}-[a-z0-9-]+|world-[a-z0-9-]+)$",
}


@pytest.mark.parametrize("code", sorted(geo.PLACES))
def test_code_matches_its_level_pattern_and_parents_reach_world(code):
    p = geo.place(code)
    assert re.match(PATTERNS[p.level], code), (code, p.level)
    seen = {code}
    while p.parent is not None:
        assert p.parent not in seen
        seen.add(p.parent)
        p = geo.place(p.parent)
    assert p.code == "world"


def test_county_codes_carry_their_state_fips():
    fips = {"US-CA": "06", "US-NV": "32"}
    for p in geo.PLACES.values():
        if p.level == "county":
            state = p.code[:5]
            assert p.code[6:8] == fips[state], p.code


def test_unknown_code_is_a_clear_error():
    with pytest.raises(geo.UnknownPlaceError, match="US-CA-atlantis"):
        geo.place("US-CA-atlantis")


def test_countries_by_alpha3_and_alpha2():
    assert geo.place("AGO").name == "Angola" and geo.place("AGO").level == "country"
    assert geo.country_from_alpha2("NA").code == "NAM"  # NA is Namibia, never missing
    assert geo.place("XKX").name == "Kosovo"
    assert geo.place("USA").name == "United States"  # our own name wins
    assert geo.is_valid("NAM", "country", "Namibia")
    with pytest.raises(geo.UnknownPlaceError):
        geo.place("XYZ")


def test_states_and_agencies():
    assert geo.state_by_usps("ne").name == "Nebraska"
    assert geo.state_fips("US-CA") == "06"
    a = geo.agency("US-MD", "MD0130000", "Harford County Sheriff's Office")
    assert a.code == "US-MD-ori-MD0130000" and a.level == "agency"
    assert geo.is_valid(a.code, "agency", a.name)
    assert not geo.is_valid("US-ZZ-ori-MD0130000", "agency", "x")
