"""The source registry: one module per publisher format, each with its metadata and ``load(path)``.

To add a source, write ``sources/<id>.py`` with an ``INFO`` (:class:`SourceInfo`) and a
``load(path) -> LoadResult`` function that does format work only, then list it in ``_MODULES`` below.
"""

from __future__ import annotations

from importlib import import_module

from ..errors import TraffickingStatsError
from .base import LoadResult, Source, SourceInfo

_MODULES: tuple[str, ...] = ("published",)


def registry() -> dict[str, Source]:
    """Every registered source by id, in a stable order."""
    out: dict[str, Source] = {}
    for mod_name in _MODULES:
        mod = import_module(f"{__name__}.{mod_name}")
        out[mod.INFO.id] = Source(info=mod.INFO, load=mod.load)
    return out


def get(source_id: str) -> Source:
    """The registered source ``source_id``; raises a clear error listing the known ids."""
    sources = registry()
    if source_id not in sources:
        raise UnknownSourceError(f"unknown source {source_id!r}; known sources: {', '.join(sources)}")
    return sources[source_id]


class UnknownSourceError(TraffickingStatsError, KeyError):
    """A source id that is not in the registry."""

    def __str__(self) -> str:
        return str(self.args[0])


__all__ = ["LoadResult", "Source", "SourceInfo", "UnknownSourceError", "get", "registry"]
