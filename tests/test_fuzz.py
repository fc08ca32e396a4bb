"""Mutation fuzzing of every source's loader: whatever is done to a good file, only the package's own
errors come out, or a load whose row accounting balances (issue 6).

Each example takes a source's good fixture (the base of the bad-input corpus) and applies one to three
mutations: truncate, flip bytes, drop, duplicate or shuffle lines, replace one cell with random text.
Examples per source: ``TRAFFICKING_STATS_FUZZ_EXAMPLES`` (default 200); derandomized, so a CI run is
reproducible and a failure can be re-run.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trafficking_stats as ts
from trafficking_stats.errors import TraffickingStatsError

BAD = Path(__file__).resolve().parent / "data" / "bad"
_spec = importlib.util.spec_from_file_location("make_corpus", BAD / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)  # type: ignore[union-attr]

EXAMPLES = int(os.environ.get("TRAFFICKING_STATS_FUZZ_EXAMPLES", "200"))
SOURCES = list(corpus.BASES)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """``text`` after one to three random mutations, as bytes."""
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "drop", "duplicate", "shuffle", "cell"]))
        lines = data.split(b"\n")
        if kind == "truncate":
            data = data[: draw(st.integers(0, max(len(data) - 1, 0)))]
        elif kind == "flip" and data:
            b = bytearray(data)
            for _ in range(draw(st.integers(1, 8))):
                i = draw(st.integers(0, len(b) - 1))
                b[i] = draw(st.integers(0, 255))
            data = bytes(b)
        elif kind == "drop" and len(lines) > 1:
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = b"\n".join(lines)
        elif kind == "duplicate" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif kind == "shuffle" and len(lines) > 1:
            data = b"\n".join(draw(st.permutations(lines)))
        elif kind == "cell":
            i = draw(st.integers(0, max(len(lines) - 1, 0)))
            cells = lines[i].split(b",")
            j = draw(st.integers(0, len(cells) - 1))
            cells[j] = draw(st.text(max_size=12)).encode("utf-8", "surrogatepass")
            lines[i] = b",".join(cells)
            data = b"\n".join(lines)
    return data


def _as_file(source: str, data: bytes, folder: Path, as_workbook: bool) -> Path:
    pattern = corpus.BASES[source][1]
    p = folder / pattern.format("fuzz")
    if source == "unodc_glotip" and as_workbook:  # mutate the sheet's rows, then write the workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # a workbook cannot hold control characters

        text = ILLEGAL_CHARACTERS_RE.sub("", data.decode("utf-8", "replace"))
        data = corpus._glotip(corpus._rows(text)) if text.strip() else b""
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("source", SOURCES)
def test_mutated_files_give_only_our_errors_or_a_balanced_load(source: str):
    folder = Path(tempfile.mkdtemp(prefix=f"ts-fuzz-{source}-"))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(data=mutated(corpus.BASES[source][0]), as_workbook=st.booleans())
    def check(data: bytes, as_workbook: bool) -> None:
        path = _as_file(source, data, folder, as_workbook)
        try:
            result = ts.load(source, path)
        except TraffickingStatsError:
            return
        assert result.balanced(), result.accounting()

    check()
