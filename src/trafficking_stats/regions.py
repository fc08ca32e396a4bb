"""UNODC's world regions: which region and subregion each country belongs to.

``data/raw/regions.csv`` (``geo_code``, ``country``, ``region``, ``subregion``) is transcribed from the
``Region`` and ``Subregion`` columns of UNODC's Global Report data file (GLOTIP, 2024-03), which follow the
UN M49 geoscheme: regions Africa, Americas, Asia, Europe and Oceania; subregions such as "Western Asia" or
"Latin America and the Caribbean". It holds no figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import paths
from .errors import SourceFormatError

if TYPE_CHECKING:
    import pandas as pd

REGION_COLUMNS: tuple[str, ...] = ("geo_code", "country", "region", "subregion")


def read_regions(path: Path | None = None) -> pd.DataFrame:
    """The region table, one row per country code (``str`` columns), checked for its columns and codes.

    Raises :class:`~trafficking_stats.errors.SourceFormatError` naming the file, and the line for a
    repeated or empty code.
    """
    import pandas as pd

    p = Path(path) if path is not None else paths.regions_csv()
    df = pd.read_csv(p, dtype="str", keep_default_na=False)  # "NA" would be Namibia's alpha-2, kept as text
    if tuple(df.columns) != REGION_COLUMNS:
        raise SourceFormatError(
            f"{p}: expected columns {', '.join(REGION_COLUMNS)}, found {list(df.columns)}"
        )
    bad = (df["geo_code"] == "") | df["geo_code"].duplicated()
    if bad.any():
        i = int(bad.to_numpy().argmax())
        code = df["geo_code"].iloc[i]
        raise SourceFormatError(f"{p}, line {i + 2}, column geo_code: empty or repeated code {code!r}")
    return df
