"""The static chart gallery web site (``trafficking-stats site``); see :mod:`.build`."""

from __future__ import annotations

from .build import SiteResult, build_site

__all__ = ["SiteResult", "build_site"]
