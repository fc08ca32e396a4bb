"""data/processed/datapackage.json is a Frictionless Data Package the third-party validator accepts."""

from __future__ import annotations

import json

import frictionless
import pytest

from trafficking_stats import paths, schema
from trafficking_stats.build import build, read_counts


def _errors(report: frictionless.Report) -> list[tuple[str, str]]:
    return [(e.type, e.note) for t in report.tasks for e in t.errors] + [
        (e.type, e.note) for e in report.errors
    ]


@pytest.fixture(scope="module")
def small_package(tmp_path_factory):
    """A package built from data/raw alone (the hand-transcribed figures): quick to validate."""
    out = tmp_path_factory.mktemp("pkg") / "processed"
    build(paths.raw_dir(), out)
    return out


def test_built_package_validates_with_zero_errors(small_package):
    report = frictionless.validate(small_package / "datapackage.json")
    assert _errors(report) == []
    assert report.valid and report.stats["tasks"] == 9


def test_validator_catches_a_broken_foreign_key_and_an_out_of_vocabulary_value(small_package, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(small_package, bad)

    def spoil(name: str, column: str, value: str) -> None:
        text = (bad / name).read_text(encoding="utf-8").splitlines(keepends=True)
        header = text[0].rstrip("\n").split(",")
        row = text[1].rstrip("\n").split(",")
        assert len(row) == len(header)  # the first row has no quoted commas
        row[header.index(column)] = value
        (bad / name).write_text(text[0] + ",".join(row) + "\n" + "".join(text[2:]), encoding="utf-8")

    spoil("counts.csv", "measure_id", "ffffffffff")
    spoil("measures.csv", "metric", "victims_guessed")
    found = _errors(frictionless.validate(bad / "datapackage.json"))
    types = {t for t, _ in found}
    assert {"foreign-key", "constraint-error"} <= types
    assert any(t == "foreign-key" and "ffffffffff" in note for t, note in found)


def test_descriptor_is_generated_from_schema(small_package):
    pkg = json.loads((small_package / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in pkg["resources"]}
    counts = res["counts"]["schema"]
    fields = {f["name"]: f for r in ("counts", "measures", "periods") for f in res[r]["schema"]["fields"]}
    assert fields["metric"]["constraints"]["enum"] == list(schema.METRICS)
    assert (fields["year"]["type"], fields["period_start"]["type"], fields["value"]["type"]) == (
        "year",
        "date",
        "number",
    )
    assert fields["raw_row"]["type"] == "integer"
    assert counts["primaryKey"] == ["dataset", "figure_id"]
    refs = {fk["fields"]: fk["reference"]["resource"] for fk in counts["foreignKeys"]}
    assert refs == {"measure_id": "measures", "period": "periods", "geo_code": "places"}
    refs = {fk["fields"]: fk["reference"]["resource"] for fk in res["measures"]["schema"]["foreignKeys"]}
    assert refs == {"citation": "citations", "note_id": "notes", "series_id": "series"}
    assert all(r["licenses"] and r["sources"] for r in pkg["resources"])
    assert {f["type"] for r in pkg["resources"] for f in r["schema"]["fields"]} <= {
        "string",
        "integer",
        "number",
        "date",
        "year",
    }


def test_committed_package_validates_with_zero_errors():
    p = paths.processed_dir() / "datapackage.json"
    report = frictionless.validate(p)
    assert _errors(report) == []
    # and it describes what read_counts() reads: same number of rows
    assert report.tasks[0].stats["rows"] == len(read_counts())
