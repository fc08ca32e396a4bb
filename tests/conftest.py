"""Shared test fixtures: project paths, the real-data folder (skipped when absent), fresh raw copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trafficking_stats import paths

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw (without staging files) in a temporary folder."""
    dst = tmp_path / "raw"
    shutil.copytree(paths.raw_dir(), dst, ignore=shutil.ignore_patterns("_staging"))
    return dst


@pytest.fixture
def real_data() -> Path:
    """The real publisher files (../shared/real-data or $TRAFFICKING_STATS_REAL_DATA); skip when absent."""
    p = paths.real_data_dir()
    if not p.is_dir():
        pytest.skip(
            f"real publisher files not found at {p} (set TRAFFICKING_STATS_REAL_DATA to their folder)"
        )
    return p


#: Places of the test site (a subset, for speed): a long GLOTIP series (NGA), three FBI reporters (US-TX),
#: several editions of one reporter (GBR, USA), withheld cells and gaps (MEX), no whole-place figure (IRN).
SITE_PLACES = ("NGA", "US-TX", "GBR", "MEX", "IRN", "USA", "BEN")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built once per session: every standard chart (web and social-square), the places of
    :data:`SITE_PLACES` and the notebooks' reports."""
    from trafficking_stats.site import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    build_site(out, place_codes=SITE_PLACES, notebooks=ROOT / "notebooks", presets=["web", "social-square"])
    return out
