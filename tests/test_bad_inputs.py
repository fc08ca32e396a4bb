"""Every case of the bad-input corpus ends as tests/data/bad/cases.csv says: a format error naming the
file and place, a quarantined row with the rest loading, a row that fails validation, or a documented
load; never a bare library traceback, never silently dropped rows (docs/bad-inputs.md)."""

from __future__ import annotations

import functools
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import trafficking_stats as ts
from trafficking_stats import schema
from trafficking_stats.errors import SourceFormatError

BAD = Path(__file__).resolve().parent / "data" / "bad"
_spec = importlib.util.spec_from_file_location("make_corpus", BAD / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)  # type: ignore[union-attr]

CASES = corpus.cases()
FILES = [c for c in CASES if not c["file"].startswith("(made at test time)")]
LARGE = [c for c in CASES if c["file"].startswith("(made at test time)")]


def _id(c: dict[str, str]) -> str:
    return f"{c['source']}-{c['case']}"


def _check(c: dict[str, str], path: Path) -> None:
    try:
        result = ts.load(c["source"], path)
    except SourceFormatError as exc:
        assert c["outcome"] == "format", f"{path.name}: unexpected format error: {exc}"
        text = str(exc)
        assert c["says"] in text, text
        assert f"{path}{c['where']}" in text, f"the error does not name {path.name}{c['where']}: {text}"
        return
    assert c["outcome"] != "format", f"{path.name}: loaded, but a format error was expected"
    assert result.balanced(), f"{path.name}: row accounting does not balance: {result.accounting()}"
    q = result.quarantine
    line = int(c["where"].lstrip(":")) if c["where"] else None
    if c["outcome"] == "quarantine":
        hit = q[(q["raw_row"] == line) & q["reason"].astype("str").str.contains(c["says"], regex=False)]
        assert len(hit) >= 1, (
            f"{path.name}: line {line} not quarantined for {c['says']!r}: {q.to_dict('records')}"
        )
        assert len(result.rows) > 0, f"{path.name}: nothing else loaded"
        return
    problems = [p for _, p in schema.problems(result.rows)]
    if c["outcome"] == "invalid":
        assert any(p.line == line and c["says"] in p.message for p in problems), problems
        return
    assert c["outcome"] == "loads"
    good = _good(c["source"])
    assert len(result.rows) == len(good.rows), "rows were lost or added"
    assert len(q) == len(good.quarantine), "rows quarantined that the good file loads"


@functools.cache
def _good(source: str):
    """The load of the source's good fixture (the corpus files are made from it)."""
    text, pattern = corpus.BASES[source]
    data = corpus._glotip(corpus._rows(text)) if source == "unodc_glotip" else text.encode()
    tmp = Path(tempfile.mkdtemp(prefix=f"ts-good-{source}-"))
    p = tmp / pattern.format("good")
    p.write_bytes(data)
    return ts.load(source, p)


@pytest.mark.parametrize("c", FILES, ids=_id)
def test_each_bad_file_ends_as_documented(c: dict[str, str]):
    _check(c, BAD / c["source"] / c["file"])


@pytest.mark.parametrize("c", LARGE, ids=_id)
def test_large_cases_are_refused_quickly_without_expanding(c: dict[str, str], tmp_path: Path):
    path = corpus.make_large(c["case"], tmp_path)
    _check(c, path)


def test_every_source_has_a_corpus_and_every_file_a_case():
    listed = {(c["source"], c["file"]) for c in FILES}
    on_disk = {(p.parent.name, p.name) for p in BAD.glob("*/*") if p.is_file()}
    assert on_disk == listed
    assert {c["source"] for c in CASES} == set(ts.sources())


def test_docs_table_matches_the_cases(root: Path):
    doc = (root / "docs" / "bad-inputs.md").read_text(encoding="utf-8")
    assert corpus.docs_table() in doc, "docs/bad-inputs.md is stale: run tests/data/bad/make_corpus.py"


@pytest.mark.parametrize(
    ("source", "file", "code"),
    [
        ("published", "semicolons.csv", 3),
        ("unodc_glotip", "truncated_xlsx.xlsx", 3),
        ("published", "negative_count.csv", 4),
    ],
)
def test_cli_load_exits_with_the_documented_code_and_no_traceback(source, file, code):
    res = subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", "load", source, str(BAD / source / file)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == code, res.stderr
    assert res.stderr.startswith("error: ") and "Traceback" not in res.stderr


def test_a_library_exception_escaping_a_loader_becomes_a_format_error(monkeypatch, tmp_path: Path):
    """The registry's last line of defence: a parsing library's error names the file; our bugs still show."""
    import zipfile

    from trafficking_stats.sources import _guarded

    def broken_by_library(path):
        raise zipfile.BadZipFile("File is not a zip file")

    def broken_by_us(path):
        raise KeyError("a bug of ours")

    with pytest.raises(SourceFormatError, match=r"x.xlsx: cannot read the file: BadZipFile") as err:
        _guarded(broken_by_library)(tmp_path / "x.xlsx")
    assert isinstance(err.value.__cause__, zipfile.BadZipFile)
    with pytest.raises(KeyError):
        _guarded(broken_by_us)(tmp_path / "x.xlsx")
