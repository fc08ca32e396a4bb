"""The notebooks are committed as reviewers re-run them: executed in order, titled, with small clean outputs.

nbval (``make test``) re-executes them and compares outputs; these checks catch what nbval does not: a
notebook saved half-run or out of order, an error or a warning kept in an output, a missing summary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]-*.ipynb"))
EXPECTED = [
    "01-sources-and-definitions.ipynb",
    "02-fresno-2021-rescues-and-cases.ipynb",
    "03-united-states.ipynb",
    "04-world-and-uk.ipynb",
    "05-export-charts.ipynb",
    "06-hidden-population.ipynb",
]
#: A code cell whose source contains this marker may have no output (e.g. a cell that only defines names).
NO_OUTPUT = "# no output"


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell: dict) -> str:
    return "".join(cell["source"])


def test_the_issue_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS][: len(EXPECTED)] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_fully_executed_in_order(path: Path):
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    for n, cell in enumerate(code, start=1):
        where = f"{path.name}, code cell {n} ({_src(cell).splitlines()[0][:60]!r})"
        assert cell["execution_count"] == n, f"{where}: execution count {cell['execution_count']}, not {n}"
        assert cell["outputs"] or NO_OUTPUT in _src(cell), f"{where}: no output (re-run the notebook)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_hold_no_errors_warnings_or_machine_details(path: Path):
    for n, cell in enumerate((c for c in _cells(path) if c["cell_type"] == "code"), start=1):
        for out in cell["outputs"]:
            where = f"{path.name}, code cell {n}"
            assert out["output_type"] != "error", f"{where}: error output {out.get('ename')}"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), f"{where}: stderr"
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"0x[0-9a-f]{8,}|/work/|/home/|/tmp/|\d{4}-\d\d-\d\dT\d\d:", text), where
            assert not re.search(r"<(matplotlib|Figure|Axes)\b", text), f"{where}: a plot object's repr"
            assert len(text) < 6000, f"{where}: a large output ({len(text)} characters); print less"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_title_and_findings_at_the_top(path: Path):
    first = _cells(path)[0]
    assert first["cell_type"] == "markdown" and _src(first).startswith("# "), path.name
    assert "**Findings.**" in _src(first), f"{path.name}: no two-line summary of findings at the top"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_hold_calls_not_logic(path: Path):
    """No code cell longer than a few lines, no function or class definitions: logic goes in the package."""
    for n, cell in enumerate((c for c in _cells(path) if c["cell_type"] == "code"), start=1):
        src = _src(cell)
        lines = [ln for ln in src.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(lines) <= 8, f"{path.name}, code cell {n}: {len(lines)} lines"
        assert not re.search(r"^\s*(def|class) ", src, re.M), f"{path.name}, code cell {n}: a definition"


def test_sanitize_file_and_nbval_are_wired_into_make_test(root: Path):
    make = (root / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"--nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg", make)
    assert (root / "notebooks" / "sanitize.cfg").is_file()
