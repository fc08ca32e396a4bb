"""The command line: one clear error line per problem, distinct exit codes, no traceback."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

from trafficking_stats import paths


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trafficking_stats.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def _copy_with_bad_count(tmp_path, line: int, text: str):
    src = paths.published_figures_csv()
    dst = tmp_path / "figures.csv"
    with open(src, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[line - 1][rows[0].index("count")] = text
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return dst, len(rows) - 1


def test_load_with_one_malformed_count_prints_one_error_line(tmp_path):
    bad, n = _copy_with_bad_count(tmp_path, 5, "ovr 230")
    out = tmp_path / "out.csv"
    res = run("load", "published", str(bad), "-o", str(out))
    assert res.returncode == 4
    lines = res.stderr.strip().splitlines()
    assert lines == [f"error: {bad}:5: column 'count': cannot read a count from 'ovr 230'"]
    assert "Traceback" not in res.stderr
    with open(out, newline="", encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == n - 1  # every other row is still written


def test_load_writes_normalized_csv_to_stdout():
    res = run("load", "published", str(paths.published_figures_csv()))
    assert res.returncode == 0, res.stderr
    header = res.stdout.splitlines()[0].split(",")
    assert header[:3] == ["dataset", "figure_id", "reporter"]


def test_unknown_source_and_missing_file_are_usage_errors(tmp_path):
    res = run("load", "nope", str(paths.published_figures_csv()))
    assert res.returncode == 2 and res.stderr.startswith("error: unknown source 'nope'")
    res = run("load", "published", str(tmp_path / "missing.csv"))
    assert res.returncode == 2 and "no such file" in res.stderr


def test_format_error_names_file_line_and_column(tmp_path):
    bad = tmp_path / "figures.csv"
    bad.write_text("figure_id,reporter\nx,y\n", encoding="utf-8")
    res = run("load", "published", str(bad))
    assert res.returncode == 3
    assert f"error: {bad}:1: column 'count': required column is missing" in res.stderr
    assert "Traceback" not in res.stderr


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "figures.csv"
    bad.write_bytes(b"")
    res = run("--debug", "load", "published", str(bad))
    assert res.returncode != 0 and "Traceback" in res.stderr


def test_sources_lists_publisher_years_and_licence():
    res = run("sources")
    assert res.returncode == 0
    assert res.stdout.startswith("published\n")
    for word in ("publisher:", "reporter type:", "years:", "licence:"):
        assert word in res.stdout


def test_validate_passes_on_committed_counts_and_names_the_line_of_a_broken_copy(tmp_path):
    assert run("validate").returncode == 0
    src = paths.processed_dir() / "counts.csv"
    dst = tmp_path / "counts.csv"
    shutil.copy(src, dst)
    res = run("validate", str(dst))  # the stored form needs its key tables beside it
    assert res.returncode == 3 and "measures.csv, which must be beside it" in res.stderr
    for name in ("measures.csv", "periods.csv", "notes.csv", "series.csv", "places.csv"):
        shutil.copy(src.parent / name, tmp_path / name)
    with open(dst, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[3][rows[0].index("qualifier")] = "guessed"
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    res = run("validate", str(dst))
    assert res.returncode == 4
    assert res.stderr.splitlines()[0].startswith(
        f"error: {dst}:4: column 'qualifier': 'guessed' is not one of"
    )


def test_build_into_a_folder(tmp_path):
    res = run("build", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "counts.parquet").exists() and (tmp_path / "manifest.json").exists()


def _one_error_line(res, code: int, *needles: str) -> None:
    assert res.returncode == code, (res.returncode, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    assert "internal error" not in res.stderr and "Traceback" not in res.stderr


def test_user_mistakes_get_one_line_and_the_readme_exit_code(tmp_path, root):
    readme = root / "README.md"
    # a file of the wrong kind: format error (3)
    _one_error_line(run("validate", str(readme)), 3, str(readme), "not a")
    # a folder where a file is expected: usage error (2)
    _one_error_line(run("validate", str(tmp_path)), 2, str(tmp_path), "is a directory, not a file")
    _one_error_line(run("load", "published", str(tmp_path)), 2, str(tmp_path), "is a directory, not a file")
    # an existing file where a folder is expected
    f = tmp_path / "exports.txt"
    f.write_text("x", encoding="utf-8")
    _one_error_line(run("charts", "--out", str(f)), 2, str(f), "a folder")
    _one_error_line(run("build", "--out", str(f)), 2, str(f), "a folder")
    _one_error_line(run("build", "--bulk", str(f)), 2, str(f), "a folder")
    # missing paths
    missing = tmp_path / "nope"
    _one_error_line(run("validate", str(missing)), 2, str(missing), "no such file")
    _one_error_line(run("mse", str(missing)), 2, str(missing), "no such file")
    _one_error_line(run("build", "--raw", str(missing)), 2, str(missing), "no such folder")
    _one_error_line(
        run("load", "published", str(paths.published_figures_csv()), "-o", str(missing / "x.csv")),
        2,
        "does not exist",
    )


def test_load_prints_one_line_per_reason_and_writes_every_quarantined_row(tmp_path):
    src = paths.published_figures_csv()
    with open(src, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("count")
    for line in (3, 4, 5, 6, 7):  # five malformed counts: one kind of reason
        rows[line - 1][col] = f"ovr {line}"
    rows[8 - 1][rows[0].index("breakdown")] = "colour=red"  # outside the vocabulary
    bad = tmp_path / "figures.csv"
    with open(bad, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    qfile = tmp_path / "q.csv"
    res = run("load", "published", str(bad), "-o", str(tmp_path / "out.csv"), "--quarantine", str(qfile))
    assert res.returncode == 4
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"error: {bad}:3,4,5 (+2 more rows): column 'count': cannot read a count")
    assert lines[0].endswith("[5 rows]")
    assert lines[1].startswith(f"error: {bad}:8: column 'breakdown': breakdown key 'colour'")
    with open(qfile, newline="", encoding="utf-8") as fh:
        q = list(csv.DictReader(fh))
    assert [int(r["raw_row"]) for r in q] == [3, 4, 5, 6, 7, 8]
    assert list(q[0]) == ["dataset", "raw_file", "raw_row", "column", "text", "reason"]


def test_reasons_differing_only_in_values_and_row_lists_are_one_kind():
    from trafficking_stats.cli import reason_kind

    a = "the key is repeated on sheet rows 42519, 42520, 42521: sub-forms of 'Other'; none is stored"
    b = "the key is repeated on sheet rows 7, 8: sub-forms of 'Other forms'; none is stored"
    assert reason_kind(a) == reason_kind(b)
    c = "breakdown 'age=adult' is at least 12, more than the total of at most 6 (sheet row 68)"
    d = "breakdown 'sex=male' is at least 1,035, more than the total of at most 7 (sheet row 9)"
    assert reason_kind(c) == reason_kind(d) != reason_kind(a)
