"""`build --bulk`: aggregates of publisher files join the build; without the files, they are kept."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats.build import OUTPUT_FILES
from trafficking_stats.sources import registry
from trafficking_stats.sources.base import QUARANTINE_COLUMNS, LoadResult, Source, SourceInfo, figure_id

build_mod = importlib.import_module("trafficking_stats.build")

INFO = SourceInfo(
    id="dummy_bulk", publisher="Test Publisher", reporter_type="government", home_page="https://example.org",
    licence="CC0", years="calendar", description="A test bulk source.", bulk_patterns=("dummy/*.csv",),
    citation="dummy-bulk", title="Dummy bulk file",
)  # fmt: skip


def load(path: Path) -> LoadResult:
    """Sum a two-column (year,count) file into one yearly GBR total per year."""
    with open(path, newline="") as fh:
        rec = list(csv.DictReader(fh))
    by_year: dict[int, int] = {}
    for r in rec:
        by_year[int(r["year"])] = by_year.get(int(r["year"]), 0) + int(r["count"])
    rows = [{
        "dataset": INFO.id, "figure_id": figure_id(y, "gbr"), "reporter": "Test",
        "reporter_type": "government", "geo_level": "country", "geo_code": "GBR",
        "geo_name": "United Kingdom",
        "period_start": f"{y}-01-01", "period_end": f"{y}-12-31", "period_kind": "calendar_year", "year": y,
        "metric": "victims_referred", "breakdown": "total", "value": float(n), "qualifier": "exact",
        "value_low": float(n), "value_high": float(n), "unit": "persons", "vintage": "test",
        "citation": INFO.citation, "quote": None, "conflict_group": None, "raw_file": path.name,
        "raw_row": None, "note": None,
    } for y, n in sorted(by_year.items())]  # fmt: skip
    return LoadResult(INFO.id, path.name, len(rec), pd.DataFrame(rows),
                      pd.DataFrame(columns=list(QUARANTINE_COLUMNS)), used=len(rec))  # fmt: skip


@pytest.fixture
def with_dummy(monkeypatch):
    sources = {**registry(), INFO.id: Source(INFO, load)}
    monkeypatch.setattr(build_mod, "registry", lambda: sources)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in OUTPUT_FILES}


def test_bulk_rows_are_aggregated_then_kept_without_input(with_dummy, tmp_path):
    bulk = tmp_path / "bulk"
    (bulk / "dummy").mkdir(parents=True)
    (bulk / "dummy" / "file.csv").write_text("year,count\n2020,3\n2020,4\n2021,5\n")
    out = tmp_path / "out"
    first = build_mod.build(out_dir=out, bulk_dir=bulk)
    d = first.counts[first.counts.dataset == "dummy_bulk"]
    assert list(d.value) == [7, 5]  # 3 + 4 summed, never de-duplicated
    acc = first.manifest["row_accounting"]["dummy_bulk:dummy/file.csv"]
    assert (acc["read"], acc["loaded"], acc["rows_out"]) == (3, 3, 2)
    assert "dummy-bulk" in set(first.citations.citation)
    before = _bytes(out)
    kept = build_mod.build(out_dir=out)  # no bulk folder: keep the last rows
    assert kept.kept == ["dummy_bulk"]
    assert _bytes(out) == before
    build_mod.build(out_dir=out, bulk_dir=bulk)  # same input again: same bytes
    assert _bytes(out) == before


def test_without_previous_output_a_bulk_dataset_is_simply_absent(with_dummy, tmp_path):
    res = build_mod.build(out_dir=tmp_path / "fresh")
    assert "dummy_bulk" not in set(res.counts.dataset)
    assert res.kept == []


def test_two_different_files_with_the_same_vintage_of_the_same_figures_are_refused(
    with_dummy, tmp_path, capsys
):
    """The dummy loader labels every file vintage 'test': two different files cannot both be it."""
    from trafficking_stats import cli

    bulk = tmp_path / "bulk"
    (bulk / "dummy").mkdir(parents=True)
    (bulk / "dummy" / "a.csv").write_text("year,count\n2020,3\n")
    (bulk / "dummy" / "b.csv").write_text("year,count\n2020,30\n")
    out = tmp_path / "out"
    with pytest.raises(
        build_mod.vintages.VintageConflictError, match="same vintage 'test' of the same figures"
    ):
        build_mod.build(out_dir=out, bulk_dir=bulk)
    assert not out.exists()
    assert cli.main(["build", "--bulk", str(bulk), "--out", str(out)]) == 4
    assert (
        "error: dummy/b.csv: dummy_bulk: this file and dummy/a.csv are different files"
        in capsys.readouterr().err
    )
    (bulk / "dummy" / "b.csv").write_text("year,count\n2020,3\n")  # now the same content: one input
    res = build_mod.build(out_dir=out, bulk_dir=bulk)
    assert list(res.counts[res.counts.dataset == "dummy_bulk"].value) == [3]
    assert res.manifest["same_content_inputs"] == [
        {"source": "dummy_bulk", "path": "dummy/b.csv", "same_as": "dummy/a.csv"}
    ]


def test_a_replaced_file_that_lowers_a_figure_needs_accept_changes(with_dummy, tmp_path):
    bulk = tmp_path / "bulk"
    (bulk / "dummy").mkdir(parents=True)
    f = bulk / "dummy" / "file.csv"
    f.write_text("year,count\n2020,100\n2021,50\n")
    out = tmp_path / "out"
    build_mod.build(out_dir=out, bulk_dir=bulk)
    before = _bytes(out)
    f.write_text("year,count\n2020,89\n2021,50\n")  # 2020 falls by 11%
    with pytest.raises(
        build_mod.guards.FigureDropError, match=r"dummy_bulk: GBR victims_referred .* 2020: 100 -> 89"
    ):
        build_mod.build(out_dir=out, bulk_dir=bulk)
    assert _bytes(out) == before
    f.write_text("year,count\n2020,91\n2021,50\n")  # 9%: within the threshold
    res = build_mod.build(out_dir=out, bulk_dir=bulk)
    assert list(res.counts[res.counts.dataset == "dummy_bulk"].value) == [91, 50]
    assert res.manifest["accepted_changes"] == []


def test_a_file_moved_or_renamed_is_one_input_and_a_path_given_new_content_is_replaced(with_dummy, tmp_path):
    bulk = tmp_path / "bulk"
    (bulk / "dummy").mkdir(parents=True)
    (bulk / "dummy" / "a.csv").write_text("year,count\n2020,3\n")
    out = tmp_path / "out"
    build_mod.build(out_dir=out, bulk_dir=bulk)
    (bulk / "dummy" / "a.csv").rename(bulk / "dummy" / "b.csv")  # moved: same content, other name
    res = build_mod.build(out_dir=out, bulk_dir=bulk)
    assert list(res.counts[res.counts.dataset == "dummy_bulk"].value) == [3]
    assert [i["path"] for i in res.manifest["inputs"] if i["source"] == "dummy_bulk"] == ["dummy/a.csv"]
    # the old path back with new content (a new year), the old content still at b.csv: a.csv is
    # replaced and b.csv, no longer equal to any input's content at its path, is added
    (bulk / "dummy" / "a.csv").write_text("year,count\n2020,3\n2021,4\n")
    with pytest.raises(build_mod.vintages.VintageConflictError, match="same vintage 'test'"):
        build_mod.build(out_dir=out, bulk_dir=bulk)  # both say vintage 'test' for 2020: refused
    (bulk / "dummy" / "b.csv").unlink()
    res = build_mod.build(out_dir=out, bulk_dir=bulk)
    assert list(res.counts[res.counts.dataset == "dummy_bulk"].value) == [3, 4]
    assert [i["path"] for i in res.manifest["inputs"] if i["source"] == "dummy_bulk"] == ["dummy/a.csv"]
