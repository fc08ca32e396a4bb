"""The source registry: one module per publisher format, each with its metadata and ``load(path)``.

To add a source, write ``sources/<id>.py`` with an ``INFO`` (:class:`SourceInfo`) and a
``load(path) -> LoadResult`` function that does format work only. Modules are discovered: every public
module of this package that defines both is registered, in alphabetical order (``published`` first).
"""

from __future__ import annotations

import functools
import pkgutil
from collections.abc import Callable
from functools import lru_cache
from importlib import import_module
from pathlib import Path

from ..errors import Problem, SourceFormatError, TraffickingStatsError
from .base import LoadResult, Source, SourceInfo


def _module_names() -> list[str]:
    names = [
        m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_") and m.name != "base"
    ]
    return sorted(names, key=lambda n: (n != "published", n))


#: Modules whose exceptions, escaping a loader, mean "this file cannot be read" rather than a bug of ours.
_LIBRARY_MODULES = ("pyarrow", "pandas", "python_calamine", "zipfile", "_csv", "csv", "openpyxl", "numpy")


def _guarded(load: Callable[[Path], LoadResult]) -> Callable[[Path], LoadResult]:
    """``load`` with a last line of defence: an exception from a parsing library (or a UnicodeError) that
    a loader did not turn into a :class:`SourceFormatError` becomes one naming the file, with the
    original as its cause. Exceptions from our own code are not touched: they are bugs and must show.
    """

    @functools.wraps(load)
    def guarded(path: Path, *args: object, **kwargs: object) -> LoadResult:
        try:
            return load(path, *args, **kwargs)
        except TraffickingStatsError:
            raise
        except Exception as exc:
            module = type(exc).__module__.split(".")[0]
            if not (isinstance(exc, UnicodeError) or module in _LIBRARY_MODULES):
                raise
            raise SourceFormatError(
                Problem(str(path), None, None, f"cannot read the file: {type(exc).__name__}: {exc}"[:500])
            ) from exc

    return guarded


@lru_cache(maxsize=1)
def _registry() -> tuple[tuple[str, Source], ...]:
    out = []
    for mod_name in _module_names():
        mod = import_module(f"{__name__}.{mod_name}")
        if hasattr(mod, "INFO") and hasattr(mod, "load"):
            out.append((mod.INFO.id, Source(info=mod.INFO, load=_guarded(mod.load))))
    return tuple(out)


def registry() -> dict[str, Source]:
    """Every registered source by id, in a stable order (``published`` first, then alphabetical)."""
    return dict(_registry())


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
