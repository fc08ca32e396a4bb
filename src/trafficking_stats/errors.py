"""The exception types of trafficking-stats.

Every error the package raises on bad input derives from :class:`TraffickingStatsError`, so callers can
catch one type. Messages name the file, the line (or sheet row) and the column wherever one exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class TraffickingStatsError(Exception):
    """Base class of every error raised by trafficking-stats."""


@dataclass(frozen=True)
class Problem:
    """One problem found in one place of an input: file, 1-based line, column and message."""

    file: str | None
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        col = f"column {self.column!r}: " if self.column else ""
        return f"{where}: {col}{self.message}"


class CountParseError(TraffickingStatsError, ValueError):
    """A published count string that cannot be read as a number; ``text`` holds the offending text."""

    def __init__(self, text: object, reason: str = "not a count") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{reason}: {text!r}")


class SourceFormatError(TraffickingStatsError):
    """A publisher file whose layout is not what its loader expects.

    ``problems`` lists each :class:`Problem` (file, line or sheet row, column, expected vs found).
    """

    def __init__(self, problems: Sequence[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(None, None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ValidationError(TraffickingStatsError):
    """Rows of the normalized table that break the schema; ``problems`` lists every failing row."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the normalized table"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in self.problems))


class EstimationError(TraffickingStatsError, ValueError):
    """A valid input from which the requested estimate cannot be computed.

    Raised, for example, by :mod:`trafficking_stats.mse` for a list-overlap table with a single list, a list
    that contains every observed case, or a model whose maximum likelihood estimate does not exist. The
    message says why and what to do.
    """
