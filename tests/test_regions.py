"""UNODC regions: the committed table, and country figures added up by region against the publisher file."""

from __future__ import annotations

from pathlib import Path

import pytest

from trafficking_stats import paths, read_counts
from trafficking_stats.analysis import by_region
from trafficking_stats.errors import SourceFormatError
from trafficking_stats.regions import read_regions

GLOTIP = Path("unodc/glotip-2024-03/data_glotip.xlsx")


def test_region_table_has_one_region_per_country_and_the_five_m49_regions():
    df = read_regions()
    assert df["geo_code"].is_unique
    assert set(df["region"]) == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    assert df.set_index("geo_code").loc["NAM", "region"] == "Africa"  # "NA"-safe reading
    assert df.set_index("geo_code").loc["GBR", "subregion"] == "Northern Europe"


def test_a_repeated_code_is_refused_with_its_line(tmp_path: Path):
    lines = paths.regions_csv().read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "regions.csv"
    bad.write_text("\n".join([*lines[:3], lines[1], *lines[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"line 4, column geo_code: empty or repeated code 'ABW'"):
        read_regions(bad)


def _hand_sum(real_data: Path, region: str, category: str, year: int) -> tuple[int, int, int]:
    """(low, high, countries) summed straight from the publisher's sheet: '<5' counts as 0 to 4.

    Rows without an ISO code are left out, as the loader documents (Sark: no code of its own), and so
    are the sheet rows the build quarantined (``data/processed/quarantine.csv``: e.g. Malta 2020, forced
    labour 6 under a total of "<5").
    """
    import csv

    with (paths.processed_dir() / "quarantine.csv").open(encoding="utf-8", newline="") as fh:
        quarantined = {int(q["raw_row"]) for q in csv.DictReader(fh) if q["dataset"] == "unodc_glotip"}
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(real_data / GLOTIP))
    rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
    low = high = n = 0
    for sheet_row, r in enumerate(rows, start=1):
        if (
            sheet_row > 1
            and sheet_row not in quarantined
            and r[0]
            and r[1]
            and r[2] == region
            and r[4] == "Detected trafficking victims"
            and r[5] == "by form of exploitation"
            and r[6] == category
            and r[7] == "Total"
            and r[8] == "Total"
            and r[9] == year
        ):
            n += 1
            if str(r[11]).strip() == "<5":
                high += 4
            else:
                v = int(float(str(r[11]).replace(",", "")))
                low += v
                high += v
    return low, high, n


@pytest.mark.parametrize(
    ("region", "category", "breakdown"),
    [
        ("Oceania", "Sexual exploitation", "exploitation=sexual"),
        ("Europe", "Forced labour", "exploitation=forced_labour"),
    ],
)
def test_by_region_equals_a_hand_sum_of_the_publisher_file(real_data, region, category, breakdown):
    if not (paths.processed_dir() / "counts.parquet").exists():
        pytest.skip("data/processed has not been built")
    got = by_region(read_counts(), "victims_identified", 2020, breakdown).set_index("region").loc[region]
    low, high, n = _hand_sum(real_data, region, category, 2020)
    assert (got["low"], got["high"], got["countries"]) == (low, high, n)
    assert got["countries_listed"] >= got["countries"]


def test_by_region_refuses_an_unknown_level():
    with pytest.raises(ValueError, match="level must be"):
        by_region(read_counts(), "victims_identified", 2020, level="continent")
