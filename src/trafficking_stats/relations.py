"""Relations between figures that an editor recorded: one statement reported by several outlets, and
figures that are a part of another (``data/raw/figure_relations.csv``).

* ``also_reported_by``: the figure's statement was also reported by the document ``other`` (a key of
  ``citations.csv``), in the words of ``quote``. One statement reported by two outlets is one figure with
  two citations, never two figures.
* ``part_of``: the figure counts a part of the figure ``other`` (a ``figure_id``): 106 girls among the
  "over 230" rescued. A part is drawn and described as a part, never as a conflicting figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import paths

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RELATIONS", "also_reported_by", "parts_of", "read_relations"]

#: The relations an editor may record, with what ``other`` holds.
RELATIONS: dict[str, str] = {
    "also_reported_by": "a citation key (citations.csv) of another document reporting the same statement",
    "part_of": "the figure_id of the figure this one is a part of",
}

COLUMNS: tuple[str, ...] = ("figure_id", "relation", "other", "citation", "quote", "note")


def relations_csv() -> Path:
    """``data/raw/figure_relations.csv``: how figures of one statement relate (a part, a restatement)."""
    return paths.raw_dir() / "figure_relations.csv"


def read_relations(path: str | Path | None = None) -> pd.DataFrame:
    """The relations table (``data/raw/figure_relations.csv`` by default), every column a string.

    Raises ValueError naming the file and line for an unknown relation or a missing column."""
    import pandas as pd

    p = Path(path) if path is not None else relations_csv()
    if not p.is_file():
        return pd.DataFrame({c: pd.Series(dtype="str") for c in COLUMNS})
    df = pd.read_csv(p, dtype="str", keep_default_na=False)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{p}: line 1: missing column(s) {', '.join(missing)}")
    for i, rel in enumerate(df["relation"], start=2):
        if rel not in RELATIONS:
            raise ValueError(
                f"{p}: line {i}: column 'relation': {rel!r} is not one of {', '.join(RELATIONS)}"
            )
    return df[list(COLUMNS)]


def also_reported_by(relations: pd.DataFrame, figure_id: str) -> list[str]:
    """Citation keys of the other documents that reported the statement of ``figure_id``."""
    m = (relations["figure_id"] == figure_id) & (relations["relation"] == "also_reported_by")
    return relations.loc[m, "other"].tolist()


def parts_of(relations: pd.DataFrame, figure_id: str) -> list[str]:
    """Figure ids recorded as parts of ``figure_id``."""
    m = (relations["other"] == figure_id) & (relations["relation"] == "part_of")
    return relations.loc[m, "figure_id"].tolist()
