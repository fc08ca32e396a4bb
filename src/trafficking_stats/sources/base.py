"""What every source module provides: its metadata and the result of loading one file."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

QUARANTINE_COLUMNS: tuple[str, ...] = ("dataset", "raw_file", "raw_row", "column", "text", "reason")


@dataclass(frozen=True)
class SourceInfo:
    """Metadata a source module declares beside its ``load(path)`` function.

    ``years`` says how the source defines its years (calendar, fiscal, report year, ...); ``sha256`` pins a
    downloadable file where one exists.
    """

    id: str
    publisher: str
    reporter_type: str
    home_page: str
    licence: str
    years: str
    description: str
    download_url: str | None = None
    sha256: str | None = None
    default_files: tuple[str, ...] = ()  # relative to data/raw, loaded by `trafficking-stats build`
    #: bulk publisher files: glob patterns relative to a bulk folder (``build --bulk DIR``), e.g.
    #: ``("fbi/cde/HT_*.csv",)``; their yearly aggregates go to data/processed, never the rows themselves
    bulk_patterns: tuple[str, ...] = ()
    citation: str = ""  # key of the citation row the build writes for this source (bulk sources)
    title: str = ""  # title of the cited dataset


@dataclass
class LoadResult:
    """Rows normalized from one input file, plus everything that did not load and why.

    Row accounting: ``read == used + len(quarantine) + sum(skipped.values())``, where ``used`` is the
    number of input records that went into ``rows`` (equal to ``len(rows)`` for a loader that emits one
    row per record; for an aggregating loader, the records summed into its aggregates). ``skipped`` maps
    the name of a documented skip rule to the number of records it skipped.
    """

    source: str
    raw_file: str
    read: int
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)
    used: int | None = None  # None: one output row per used record

    @property
    def n_used(self) -> int:
        """Input records that went into ``rows``."""
        return len(self.rows) if self.used is None else self.used

    def balanced(self) -> bool:
        """True when every record read is used, quarantined or skipped by a named rule."""
        return self.read == self.n_used + len(self.quarantine) + sum(self.skipped.values())

    def accounting(self) -> dict[str, object]:
        """The manifest entry for this file: rows read, loaded, quarantined and skipped by rule."""
        return {
            "read": self.read,
            "loaded": self.n_used,
            "rows_out": len(self.rows),
            "quarantined": len(self.quarantine),
            "skipped": dict(sorted(self.skipped.items())),
        }


@dataclass(frozen=True)
class Source:
    """A registered source: its metadata and its loader."""

    info: SourceInfo
    load: Callable[[Path], LoadResult]


def figure_id(*parts: object) -> str:
    """A figure_id slug from key parts: lowercase letters and digits joined by ``-``.

    ``figure_id(2016, "US-CA", "offenses_actual", "offense=commercial_sex_acts")`` ->
    ``"2016-us-ca-offenses-actual-offense-commercial-sex-acts"``.
    """
    text = "-".join(str(p) for p in parts if p is not None and str(p) != "")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
