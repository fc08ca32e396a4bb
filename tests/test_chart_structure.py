"""The chart layer is plain matplotlib underneath, and its imports run one way."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import matplotlib as mpl

from trafficking_stats import read_counts
from trafficking_stats.charts import STANDARD_CHARTS

CHARTS = Path(__file__).resolve().parents[1] / "src/trafficking_stats/charts"


def test_a_returned_chart_is_an_ordinary_figure_its_axis_labels_show():
    fig = STANDARD_CHARTS["mexico-convictions-trend"].build(read_counts(), "web")
    fig.axes[0].set_ylabel("convictions per year (label set by a user)")
    buf = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg")
    assert "convictions per year (label set by a user)" in buf.getvalue()
    assert fig.axes[0].yaxis.label.get_visible()


def _imports(path: Path) -> set[str]:
    """The sibling modules of charts/ that ``path`` imports (``from .x import``, at any depth)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_no_import_circle_in_charts():
    graph = {p.stem: _imports(p) & {q.stem for q in CHARTS.glob("*.py")} for p in CHARTS.glob("*.py")}
    graph.pop("__init__")
    for deps in graph.values():
        deps.discard("__init__")
    seen: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for dep in sorted(graph.get(node, ())):
            assert seen.get(dep) != 1, "import circle: " + " -> ".join([*path, node, dep])
            if dep not in seen:
                visit(dep, [*path, node])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [])
    # the catalogue sits above the chart modules, which never import it
    for chart in ("rescues", "trend", "compare", "hidden", "collections"):
        assert "catalog" not in graph[chart], chart
        assert chart in graph["catalog"], chart
