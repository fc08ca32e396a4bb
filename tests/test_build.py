"""The build: deterministic bytes, complete row accounting, quarantine, and atomic writes."""

from __future__ import annotations

import csv
import importlib
import json
import shutil
from pathlib import Path

import pytest

from trafficking_stats import outputs, paths
from trafficking_stats.build import OUTPUT_FILES, BuildError, build

# the package re-exports the function `build`, which shadows the module of the same name
build_mod = importlib.import_module("trafficking_stats.build")


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUT_FILES}


def test_two_builds_are_byte_identical_and_match_the_committed_outputs(tmp_path):
    # start from copies of the committed outputs, so bulk datasets (built from publisher files that are
    # not in the repository) are carried over exactly as `make run` does
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(paths.processed_dir(), a)
    shutil.copytree(paths.processed_dir(), b)
    build(out_dir=a)
    build(out_dir=b)
    assert _bytes(a) == _bytes(b)
    committed = _bytes(paths.processed_dir())
    for name in OUTPUT_FILES:
        assert committed[name] == _bytes(a)[name], (
            f"data/processed/{name} is stale: run `make run` and commit"
        )


def test_row_accounting_matches_an_independent_line_count(tmp_path):
    res = build(out_dir=tmp_path)
    with open(paths.published_figures_csv(), newline="", encoding="utf-8") as fh:
        n_data = sum(1 for r in list(csv.reader(fh))[1:] if any(c.strip() for c in r))
    acc = res.manifest["row_accounting"]["published:published_figures.csv"]
    assert acc["read"] == n_data
    assert acc["read"] == acc["loaded"] + acc["quarantined"] + sum(acc["skipped"].values())
    assert acc["loaded"] == len(res.counts)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    inputs = {i["path"]: i for i in manifest["inputs"]}
    assert inputs["published_figures.csv"]["sha256"] == build_mod.sha256(paths.published_figures_csv())


def test_committed_data_has_nothing_quarantined(tmp_path):
    res = build(out_dir=tmp_path, strict=True)
    assert len(res.quarantine) == 0


def _break_count(raw: Path, line: int, text: str) -> None:
    p = raw / "published_figures.csv"
    with open(p, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[line - 1][rows[0].index("count")] = text
    with open(p, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def test_a_figure_its_quote_does_not_show_fails_a_strict_build(raw_copy, tmp_path):
    """Line 17 is 'rescued 106 girls': a mistyped 107 is caught, with the file, line and column."""
    p = raw_copy / "published_figures.csv"
    assert "rescued 106 girls" in p.read_text(encoding="utf-8").splitlines()[16]
    _break_count(raw_copy, 17, "107")
    with pytest.raises(BuildError, match=r"published_figures.csv:17: column 'quote': .*does not show"):
        build(raw_copy, tmp_path / "out", strict=True)


def test_a_bad_row_is_quarantined_with_its_line_and_the_rest_load(raw_copy, tmp_path):
    good = build(out_dir=tmp_path / "good")
    _break_count(raw_copy, 3, "ovr 230")
    res = build(raw_copy, tmp_path / "bad")
    assert len(res.counts) == len(good.counts) - 1
    q = res.quarantine
    assert list(q["raw_row"]) == [3]
    assert q.loc[0, "column"] == "count" and "ovr 230" in q.loc[0, "reason"]
    acc = res.manifest["row_accounting"]["published:published_figures.csv"]
    assert (acc["read"], acc["loaded"], acc["quarantined"]) == (len(good.counts), len(good.counts) - 1, 1)


def test_strict_build_fails_and_leaves_previous_outputs_untouched(raw_copy, tmp_path):
    out = tmp_path / "out"
    build(out_dir=out)
    before = _bytes(out)
    _break_count(raw_copy, 2, "about a dozen")
    with pytest.raises(BuildError, match="about a dozen"):
        build(raw_copy, out, strict=True)
    assert _bytes(out) == before


def test_a_build_that_fails_midway_leaves_previous_outputs_intact(raw_copy, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(out_dir=out)
    before = _bytes(out)
    # change the input so a successful build would change the outputs
    _break_count(raw_copy, 2, "999")
    calls = []
    real_write = outputs._write_file

    def failing_write(path, data):
        calls.append(path.name)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        real_write(path, data)

    monkeypatch.setattr(outputs, "_write_file", failing_write)
    with pytest.raises(OSError, match="disk full"):
        build(raw_copy, out)
    assert _bytes(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".out.lock"], "leftovers"


def test_processed_csv_and_parquet_hold_the_same_table(tmp_path):
    import pandas as pd

    import trafficking_stats as ts
    from trafficking_stats import metadata, schema

    counts = ts.read_counts()
    csv_df = pd.read_csv(paths.processed_dir() / "counts.csv", keep_default_na=False, dtype="str")
    assert len(csv_df) == len(counts)
    assert list(csv_df["figure_id"]) == list(counts["figure_id"])
    assert list(csv_df.columns) == list(metadata.STORED_COLUMNS)
    assert list(counts.columns) == list(schema.COLUMN_NAMES)  # read_counts joins the notes etc. back
    # the CSV with its key tables is the same table as the parquet, cell for cell
    folder = paths.processed_dir()
    from_csv = metadata.unfold(csv_df.astype("object").where(csv_df != "", None), folder)
    again = schema.coerce(from_csv)
    pd.testing.assert_frame_equal(again, counts)


def test_metadata_is_kept_once_and_counts_csv_is_small():
    import pandas as pd

    import trafficking_stats as ts

    folder = paths.processed_dir()
    notes = pd.read_csv(folder / "notes.csv", keep_default_na=False)
    assert notes["note_id"].is_unique and notes["note"].is_unique
    counts = ts.read_counts()
    assert set(notes["note"]) == set(counts["note"].dropna())
    # 31.3 MB before notes, reporters, vintages, input files and place names were kept once; 11.1 MB
    # before measures and periods were; issue 15 asks for at most 6 MB
    assert (folder / "counts.csv").stat().st_size <= 6_000_000
    measures = pd.read_csv(folder / "measures.csv", keep_default_na=False)
    assert measures["measure_id"].is_unique
    # one measure = one dataset, series, metric, breakdown, unit, citation and note: counted independently
    key = ["dataset", "reporter", "vintage", "raw_file", "metric", "breakdown", "unit", "citation", "note"]
    assert len(measures) == len(counts[key].astype("object").drop_duplicates())
    periods = pd.read_csv(folder / "periods.csv", keep_default_na=False)
    assert periods["period"].is_unique
    assert len(periods) == len(counts[["period_start", "period_end"]].drop_duplicates())


def test_find_conflicts_rules():
    import pandas as pd

    from trafficking_stats import schema
    from trafficking_stats.build import find_conflicts
    from trafficking_stats.counts import parse_count

    def fig(fid, count, start="2018-01-01", end="2018-12-31", group=None, vintage="v1"):
        c = parse_count(count)
        return {
            "dataset": "published", "figure_id": fid, "reporter": "R", "reporter_type": "government",
            "geo_level": "country", "geo_code": "GBR", "geo_name": "United Kingdom", "period_start": start,
            "period_end": end, "period_kind": "calendar_year" if end.endswith("12-31") else "partial_year",
            "year": 2018 if end.endswith("12-31") else None, "metric": "victims_referred",
            "breakdown": "total",
            "value": c.value, "qualifier": c.qualifier, "value_low": c.low, "value_high": c.high,
            "unit": "persons", "vintage": vintage, "citation": "c", "quote": count, "conflict_group": group,
            "raw_file": "f.csv", "raw_row": 2, "note": None,
        }  # fmt: skip

    df = schema.validate(pd.DataFrame([
        fig("a", "6,993"), fig("b", "6,985", vintage="v2"),  # same key, different numbers: a conflict
        fig("c", "over 6,000", vintage="v3"),  # same key again: joins the conflict
        fig("d", "100", start="2018-01-01", end="2018-06-30", group="g"),  # declared with e
        fig("e", "100", start="2019-01-01", end="2019-06-30", group="g"),
    ]))  # fmt: skip
    out = find_conflicts(df)
    same = out[out.rule == "same_key"]
    assert sorted(same.figure_id) == ["a", "b", "c"]
    assert set(same.intervals_overlap) == {"no"}
    declared = out[out.rule == "declared"]
    assert sorted(declared.figure_id) == ["d", "e"] and set(declared.intervals_overlap) == {"yes"}
    # identical figures from two documents are not a conflict
    agree = schema.validate(pd.DataFrame([fig("a", "6,993"), fig("b", "6,993", vintage="v2")]))
    assert len(find_conflicts(agree)) == 0


def test_read_counts_reads_the_older_stored_form(tmp_path):
    """A data/processed written before measures and periods were factored out (series_id and note_id on
    every row) still reads, so a build keeps the bulk rows of an older checkout instead of failing."""
    import shutil

    import pandas as pd

    import trafficking_stats as ts
    from trafficking_stats import metadata

    folder = paths.processed_dir()
    new = pd.read_parquet(folder / "counts.parquet").head(500)
    m = pd.read_csv(folder / "measures.csv", dtype="str", keep_default_na=False, na_values=[""])
    per = pd.read_csv(folder / "periods.csv", dtype="str", keep_default_na=False, na_values=[""])
    old = new.merge(m, on="measure_id", how="left").merge(per, on="period", how="left")
    old = old.drop(columns=["measure_id", "period"])
    assert metadata.is_stored(old.columns)
    old.to_parquet(tmp_path / "counts.parquet")
    for name in ("notes.csv", "series.csv", "places.csv"):
        shutil.copy(folder / name, tmp_path / name)
    got = ts.read_counts(tmp_path / "counts.parquet")
    pd.testing.assert_frame_equal(got, ts.read_counts().head(500))


def test_manifest_hashes_every_output_but_itself():
    import hashlib
    import json

    from trafficking_stats.build import OUTPUT_FILES

    folder = paths.processed_dir()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["outputs"]) == set(OUTPUT_FILES) - {"manifest.json"}
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
