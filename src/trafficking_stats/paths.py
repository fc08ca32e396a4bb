"""Every project path in one place.

The project root is the folder holding ``data/``. It is found, in order, from the environment variable
``TRAFFICKING_STATS_ROOT``, or from the package's own location in a source checkout (``src/`` layout,
editable install). Real publisher files used by tests live outside the repository; their folder is
``TRAFFICKING_STATS_REAL_DATA`` or ``../shared/real-data`` beside the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The folder holding ``data/raw`` and ``data/processed``."""
    env = os.environ.get("TRAFFICKING_STATS_ROOT")
    if env:
        return Path(env).resolve()
    return _PACKAGE_DIR.parents[1]


def raw_dir() -> Path:
    """Immutable inputs: hand-transcribed figures and small reference tables (never written by code)."""
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    """Build outputs: committed, reproduced byte for byte by ``trafficking-stats build``."""
    return project_root() / "data" / "processed"


def published_figures_csv() -> Path:
    """The hand-transcribed published figures."""
    return raw_dir() / "published_figures.csv"


def citations_csv() -> Path:
    """One row per cited document."""
    return raw_dir() / "citations.csv"


def population_csv() -> Path:
    """Resident population by place and year (US Census counts), each with a citation and quote."""
    return raw_dir() / "population.csv"


def population_citations_csv() -> Path:
    """The documents the population table cites."""
    return raw_dir() / "population_citations.csv"


def notebooks_dir() -> Path:
    """The numbered notebooks."""
    return project_root() / "notebooks"


def real_data_dir() -> Path:
    """Real publisher files used by tests (outside the repository; may be absent)."""
    env = os.environ.get("TRAFFICKING_STATS_REAL_DATA")
    if env:
        return Path(env).resolve()
    return (project_root().parent / "shared" / "real-data").resolve()


def relative_to_root(path: Path) -> str:
    """``path`` relative to the project root with ``/`` separators (as in outputs); else its name."""
    p = Path(path).resolve()
    try:
        return p.relative_to(project_root()).as_posix()
    except ValueError:
        return p.name


def regions_csv() -> Path:
    """``data/raw/regions.csv``: UNODC's region and subregion of each country (no figures)."""
    return raw_dir() / "regions.csv"
