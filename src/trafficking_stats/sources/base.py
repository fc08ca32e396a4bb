"""What every source module provides: its metadata and the result of loading one file."""

from __future__ import annotations

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


@dataclass
class LoadResult:
    """Rows normalized from one input file, plus everything that did not load and why.

    Row accounting: ``read == len(rows) + len(quarantine) + sum(skipped.values())``.
    ``skipped`` maps the name of a documented skip rule to the number of rows it skipped.
    """

    source: str
    raw_file: str
    read: int
    rows: pd.DataFrame
    quarantine: pd.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)

    def accounting(self) -> dict[str, object]:
        """The manifest entry for this file: rows read, loaded, quarantined and skipped by rule."""
        return {
            "read": self.read,
            "loaded": len(self.rows),
            "quarantined": len(self.quarantine),
            "skipped": dict(sorted(self.skipped.items())),
        }


@dataclass(frozen=True)
class Source:
    """A registered source: its metadata and its loader."""

    info: SourceInfo
    load: Callable[[Path], LoadResult]
