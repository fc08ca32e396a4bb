"""`build --bulk` never loses, doubles or silently replaces figures (issue 16).

Damaged and unusual downloads of the real CDE file (joined, repeated, cut short at several points, a
browser's second copy, one year's file alone, a smaller file at the same path) against a build of the
real file. Every test compares the national figures after the build with the figures before it,
computed here independently: summed from the publisher's CSV with the csv module.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from trafficking_stats import cli, guards, paths
from trafficking_stats.build import OUTPUT_FILES, build, read_counts
from trafficking_stats.errors import SourceFormatError

CDE = "fbi/cde/HT_2013-2020.csv"


# -- independent figures ---------------------------------------------------------------------------------


def national_actual(path: Path) -> dict[int, int]:
    """Actual offenses per year summed over every record of a CDE file (the publisher's own rows)."""
    out: dict[int, int] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            out[int(r["DATA_YEAR"])] = out.get(int(r["DATA_YEAR"]), 0) + int(r["ACTUAL_COUNT"])
    return out


def built_actual(out: Path) -> dict[tuple[str, int], int]:
    """(vintage, year) -> the built national actual-offense total of fbi_cde."""
    c = read_counts(out / "counts.parquet")
    c = c[
        (c["dataset"] == "fbi_cde")
        & (c["geo_code"] == "USA")
        & (c["metric"] == "offenses_actual")
        & (c["breakdown"] == "total")
    ]
    return {(str(v), int(y)): int(x) for v, y, x in zip(c["vintage"], c["year"], c["value"], strict=True)}


def _bytes(folder: Path) -> dict[str, bytes]:
    return {n: (folder / n).read_bytes() for n in OUTPUT_FILES}


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A build of data/raw plus the real CDE file (the previous build of every test)."""
    real_data = paths.real_data_dir()
    if not (real_data / CDE).is_file():
        pytest.skip(f"real publisher files not found at {real_data} (set TRAFFICKING_STATS_REAL_DATA)")
    root = tmp_path_factory.mktemp("base")
    (root / "bulk/fbi/cde").mkdir(parents=True)
    shutil.copy(real_data / CDE, root / "bulk" / CDE)
    build(out_dir=root / "out", bulk_dir=root / "bulk")
    return root


@pytest.fixture
def prev(base: Path, tmp_path: Path) -> Path:
    """A writable copy of the base build's outputs."""
    out = tmp_path / "out"
    shutil.copytree(base / "out", out)
    return out


@pytest.fixture
def real_totals(real_data: Path) -> dict[int, int]:
    t = national_actual(real_data / CDE)
    assert t[2016] == 1280  # the figure the issue quotes
    return t


def bulk_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    bulk = tmp_path / "bulk"
    for rel, data in files.items():
        p = bulk / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
    return bulk


def run_build(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(["build", *args])
    return code, capsys.readouterr().err


def test_the_base_build_has_the_publishers_figures(base, real_totals):
    assert built_actual(base / "out") == {("CDE download HT_2013-2020", y): n for y, n in real_totals.items()}


# -- 1. whole-file checks --------------------------------------------------------------------------------


def test_two_joined_exports_are_refused_whole(real_data, prev, tmp_path, capsys, real_totals):
    lines = _lines(real_data / CDE)
    bulk = bulk_with(tmp_path, {CDE: "".join(lines + lines)})
    before = _bytes(prev)
    code, err = run_build(capsys, "--bulk", str(bulk), "--out", str(prev))
    assert code == 3
    assert f"error: {CDE}:{len(lines) + 1}: the header of line 1 appears again here" in err
    assert _bytes(prev) == before
    assert built_actual(prev) == {("CDE download HT_2013-2020", y): n for y, n in real_totals.items()}


def test_a_header_repeated_in_other_case_is_still_a_joined_file(real_data, tmp_path):
    lines = _lines(real_data / CDE)
    p = tmp_path / "HT_2013-2021.csv"
    p.write_text("".join([*lines[:100], lines[0].lower(), *lines[100:200]]))
    with pytest.raises(SourceFormatError, match=r"HT_2013-2021.csv:101: the header of line 1 appears again"):
        guards.check_text_file("fbi_cde", p)


@pytest.mark.parametrize("times", [2, 3, 400])
def test_a_file_that_is_one_block_repeated_is_refused(real_data, prev, tmp_path, capsys, times, real_totals):
    lines = _lines(real_data / CDE)
    body = lines[1:] if times != 400 else lines[1:12]  # 400 copies of 11 records keeps the test small
    bulk = bulk_with(tmp_path, {CDE: "".join([lines[0], *(body * times)])})
    before = _bytes(prev)
    code, err = run_build(capsys, "--bulk", str(bulk), "--out", str(prev))
    assert code == 3
    n = len(body)
    assert (
        f"error: {CDE}:{n + 2}: lines 2-{n * times + 1} are one block of {n:,} lines repeated {times}" in err
    )
    assert _bytes(prev) == before
    assert built_actual(prev)[("CDE download HT_2013-2020", 2016)] == real_totals[2016]


@pytest.mark.parametrize("cut", ["mid_field", "after_comma", "in_quotes", "one_field"])
def test_a_download_cut_mid_line_is_refused(real_data, prev, tmp_path, capsys, cut, real_totals):
    data = (real_data / CDE).read_bytes()
    lines = data.splitlines(keepends=True)
    keep = len(lines) // 3  # a third of the file, then part of the next line
    nxt = lines[keep]
    part = {
        "mid_field": nxt[: nxt.index(b",Human Trafficking") - 2],
        "after_comma": nxt[: nxt.rindex(b",") + 1],
        "in_quotes": nxt[: nxt.index(b'"') + 4] if b'"' in nxt else nxt[:30] + b'"10',
        "one_field": nxt[:3],
    }[cut]
    bulk = bulk_with(tmp_path, {CDE: b"".join(lines[:keep]) + part})
    before = _bytes(prev)
    code, err = run_build(capsys, "--strict", "--bulk", str(bulk), "--out", str(prev))
    assert code == 3
    assert f"error: {CDE}:{keep + 1}: the last line has no line end" in err
    assert "cut short" in err
    assert _bytes(prev) == before
    assert built_actual(prev)[("CDE download HT_2013-2020", 2016)] == real_totals[2016] == 1280


def test_a_download_cut_at_a_line_end_is_refused_by_its_record_count(
    real_data, prev, tmp_path, capsys, real_totals
):
    lines = _lines(real_data / CDE)
    bulk = bulk_with(tmp_path, {CDE: "".join(lines[: len(lines) // 2])})
    before = _bytes(prev)
    code, err = run_build(capsys, "--bulk", str(bulk), "--out", str(prev))
    assert code == 3
    n = len(lines) // 2 - 1
    assert f"error: {CDE}: {n:,} records, 50% fewer than the 4,417 of the file it replaces" in err
    assert _bytes(prev) == before
    assert built_actual(prev) == {("CDE download HT_2013-2020", y): v for y, v in real_totals.items()}


def test_the_documented_duplicates_load_but_far_more_are_refused(real_data, tmp_path, real_totals):
    lines = _lines(real_data / CDE)
    guards.check_text_file("fbi_cde", real_data / CDE)  # 927 of 4,417 documented copies: accepted
    p = tmp_path / "HT_2013-2020.csv"
    p.write_text("".join([*lines, *lines[1:3001]]))  # 3,000 records twice: not one block repeated
    with pytest.raises(SourceFormatError, match=r"3,927 of 7,417 records \(52.9%\) are exact copies"):
        guards.check_text_file("fbi_cde", p)


def test_a_fixed_width_master_file_cut_inside_a_month_block_is_refused(real_data, tmp_path):
    src = real_data / "fbi/ucr-ht-master-file/traffickingCrimes_2015.txt"
    data = src.read_bytes()
    guards.check_text_file("fbi_ucr_master", src)
    long_line = next(i for i, ln in enumerate(data.splitlines()) if len(ln) == 987)
    lines = data.splitlines(keepends=True)
    p = tmp_path / "traffickingCrimes_2015.txt"
    p.write_bytes(b"".join(lines[:long_line]) + lines[long_line][:500])
    with pytest.raises(SourceFormatError, match=rf":{long_line + 1}: the last line has no line end and 500"):
        guards.check_text_file("fbi_ucr_master", p, p.name)


# -- 2. vintages kept, not replaced ----------------------------------------------------------------------


def test_a_browsers_second_copy_is_one_input(real_data, prev, tmp_path, capsys, real_totals):
    data = (real_data / CDE).read_bytes()
    copy = "fbi/cde/HT_2013-2020 (1).csv"
    bulk = bulk_with(tmp_path, {CDE: data, copy: data})
    code, err = run_build(capsys, "--bulk", str(bulk), "--out", str(prev))
    assert code == 0
    assert (
        "ignored 'fbi/cde/HT_2013-2020 (1).csv' (same content as 'fbi/cde/HT_2013-2020.csv'): one input"
        in err
    )
    assert built_actual(prev) == {("CDE download HT_2013-2020", y): n for y, n in real_totals.items()}
    import json

    m = json.loads((prev / "manifest.json").read_text())
    assert m["same_content_inputs"] == [{"source": "fbi_cde", "path": copy, "same_as": CDE}]
    assert [i["path"] for i in m["inputs"] if i["source"] == "fbi_cde"] == [CDE]


def test_the_copy_alone_is_the_same_input_as_before(real_data, prev, tmp_path, capsys, real_totals):
    """Only the browser's copy in the folder (the original moved away): nothing doubles or changes."""
    before = _bytes(prev)
    bulk = bulk_with(tmp_path, {"fbi/cde/HT_2013-2020 (1).csv": (real_data / CDE).read_bytes()})
    code, _err = run_build(capsys, "--bulk", str(bulk), "--out", str(prev))
    assert code == 0
    assert built_actual(prev) == {("CDE download HT_2013-2020", y): n for y, n in real_totals.items()}
    assert (prev / "counts.parquet").read_bytes() == before["counts.parquet"]


def _split_by_year(real_data: Path) -> dict[int, str]:
    lines = _lines(real_data / CDE)
    by_year: dict[int, list[str]] = {}
    for ln in lines[1:]:
        by_year.setdefault(int(ln[:4]), []).append(ln)
    return {y: lines[0] + "".join(rows) for y, rows in by_year.items()}


def test_a_folder_with_a_single_year_keeps_the_other_years(real_data, tmp_path, capsys, real_totals):
    years = _split_by_year(real_data)
    out = tmp_path / "out"
    first = bulk_with(tmp_path / "a", {f"fbi/cde/HT_{y}.csv": years[y] for y in (2016, 2017)})
    assert run_build(capsys, "--bulk", str(first), "--out", str(out))[0] == 0
    want = {(f"CDE download HT_{y}", y): real_totals[y] for y in (2016, 2017)}
    assert built_actual(out) == want
    conflicts_before = (out / "conflicts.csv").read_bytes()
    second = bulk_with(tmp_path / "b", {"fbi/cde/HT_2017.csv": years[2017]})
    code, err = run_build(capsys, "--bulk", str(second), "--out", str(out))
    assert code == 0
    assert built_actual(out) == want  # 2016 is still there, with its figure
    assert (out / "conflicts.csv").read_bytes() == conflicts_before
    assert "fbi_cde: unchanged fbi/cde/HT_2017.csv" in err
    assert "kept from the previous build fbi/cde/HT_2016.csv (vintage 'CDE download HT_2016', 2016" in err
    # `build --check`: the year not in the folder is kept, not stale; a new year's file is
    assert cli.main(["build", "--check", "--bulk", str(second), "--out", str(out)]) == 0
    (second / "fbi/cde/HT_2018.csv").write_text(years[2018])
    assert cli.main(["build", "--check", "--bulk", str(second), "--out", str(out)]) == 7
    assert "new: fbi/cde/HT_2018.csv" in capsys.readouterr().out


def test_a_new_vintage_is_added_beside_the_old(real_data, prev, tmp_path, capsys, real_totals):
    lines = _lines(real_data / CDE)
    older = lines[0] + "".join(ln for ln in lines[1:] if not ln.startswith("2020"))
    bulk = bulk_with(tmp_path, {"fbi/cde/HT_2013-2019.csv": older})
    code, err = run_build(capsys, "--bulk", str(bulk), "--out", str(prev))
    assert code == 0
    got = built_actual(prev)
    assert {k: v for k, v in got.items() if k[0] == "CDE download HT_2013-2020"} == {
        ("CDE download HT_2013-2020", y): n for y, n in real_totals.items()
    }
    assert {k: v for k, v in got.items() if k[0] == "CDE download HT_2013-2019"} == {
        ("CDE download HT_2013-2019", y): n for y, n in real_totals.items() if y != 2020
    }
    assert "fbi_cde: added fbi/cde/HT_2013-2019.csv" in err
    assert "kept from the previous build fbi/cde/HT_2013-2020.csv" in err
    c = read_counts(prev / "counts.parquet")
    assert not c.duplicated(["dataset", "figure_id"]).any()
    old_ids = c[c["vintage"] == "CDE download HT_2013-2020"]["figure_id"]
    assert "2016-usa-offenses-actual-total" in set(old_ids)  # the previous build's ids are kept


# -- 3. guard against silent drops -----------------------------------------------------------------------


def test_a_year_missing_from_a_replacing_file_stops_the_build(real_data, prev, tmp_path, capsys, real_totals):
    lines = _lines(real_data / CDE)
    no2013 = lines[0] + "".join(ln for ln in lines[1:] if not ln.startswith("2013"))
    bulk = bulk_with(tmp_path, {CDE: no2013})
    before = _bytes(prev)
    code, err = run_build(capsys, "--bulk", str(bulk), "--out", str(prev))
    assert code == 4
    assert (
        f"error: fbi_cde: USA offenses_actual (offenses) 2013: the year is gone (was {real_totals[2013]:,})"
        in err
    )
    assert "--accept-changes" in err
    assert _bytes(prev) == before
    code, err = run_build(capsys, "--accept-changes", "--bulk", str(bulk), "--out", str(prev))
    assert code == 0
    assert "accepted change (recorded in manifest.json): fbi_cde: USA offenses_actual" in err
    import json

    m = json.loads((prev / "manifest.json").read_text())
    assert {
        "dataset": "fbi_cde", "geo_code": "USA", "metric": "offenses_actual", "unit": "offenses",
        "year": 2013, "old": real_totals[2013], "new": None,
    } in m["accepted_changes"]  # fmt: skip
    assert built_actual(prev) == {
        ("CDE download HT_2013-2020", y): n for y, n in real_totals.items() if y != 2013
    }


def test_a_national_total_falling_more_than_ten_percent_stops_the_build(real_data, prev, tmp_path, capsys):
    lines = _lines(real_data / CDE)
    rows16 = [ln for ln in lines[1:] if ln.startswith("2016")]
    dropped = rows16[: len(rows16) // 2]
    fewer = lines[0] + "".join(ln for ln in lines[1:] if ln not in set(dropped))
    bulk = bulk_with(tmp_path, {CDE: fewer})
    new = national_actual(bulk / CDE)[2016]
    assert new < 0.9 * 1280
    code, err = run_build(capsys, "--bulk", str(bulk), "--out", str(prev))
    assert code == 4
    pct = round((new - 1280) / 1280 * 100)
    assert f"error: fbi_cde: USA offenses_actual (offenses) 2016: 1,280 -> {new:,} ({pct:+d}%)" in err


# -- 4. --strict means strict ----------------------------------------------------------------------------


def test_strict_fails_on_publisher_rows_and_writes_nothing(root, tmp_path, capsys):
    """The committed build keeps UNODC's quarantined rows: --strict refuses them, --strict-raw does not."""
    out = tmp_path / "out"
    shutil.copytree(root / "data/processed", out)
    before = _bytes(out)
    with open(out / "quarantine.csv", newline="", encoding="utf-8") as fh:
        n_unodc = sum(1 for r in csv.DictReader(fh) if r["dataset"] == "unodc_glotip")
    assert n_unodc > 0
    code, err = run_build(capsys, "--strict", "--out", str(out))
    assert code == 4
    assert "error: unodc/glotip-2024-03/data_glotip.xlsx" in err and f"{n_unodc:,} unodc_glotip row(s)" in err
    assert _bytes(out) == before
    code, err = run_build(capsys, "--strict-raw", "--out", str(out))
    assert code == 0
    assert _bytes(out) == before  # the committed outputs, byte for byte


def test_strict_fails_on_a_publisher_file_with_quarantined_rows(real_data, tmp_path, capsys):
    lines = _lines(real_data / CDE)
    bad = lines[0] + lines[1].replace(",MO,", ",ZZ,", 1) + "".join(lines[2:])
    bulk = bulk_with(tmp_path, {CDE: bad})
    out = tmp_path / "out"
    code, err = run_build(capsys, "--strict", "--bulk", str(bulk), "--out", str(out))
    assert code == 4
    assert f"error: {CDE}:2: 1 fbi_cde row(s) quarantined" in err
    assert not out.exists()
    assert run_build(capsys, "--strict-raw", "--bulk", str(bulk), "--out", str(out))[0] == 0


# -- 5. small ones ---------------------------------------------------------------------------------------


def test_a_directory_or_a_symlink_loop_as_file_is_named_for_what_it_is(tmp_path, capsys):
    assert cli.main(["load", "fbi_cde", str(tmp_path)]) == 2
    assert f"error: {tmp_path}: is a directory, not a file" in capsys.readouterr().err
    loop = tmp_path / "loop.csv"
    os.symlink(loop, loop)
    assert cli.main(["load", "fbi_cde", str(loop)]) == 2
    assert f"error: {loop}: is a symlink loop" in capsys.readouterr().err
    assert cli.main(["validate", str(loop)]) == 2
    assert "is a symlink loop" in capsys.readouterr().err
    assert cli.main(["build", "--bulk", str(loop), "--out", str(tmp_path / "o")]) == 2
    assert "is a symlink loop" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_stale_folders_of_dead_builds_are_removed_and_permissions_are_ordinary(raw_copy, tmp_path):
    out = tmp_path / "processed"
    dead = tmp_path / ".processed.new-abc123"
    (dead / "sub").mkdir(parents=True)
    (dead / "counts.csv").write_text("half written")
    aside = tmp_path / ".processed.old-4242"  # a build killed after its second rename
    out.mkdir()
    aside.mkdir()
    old = os.umask(0o022)
    try:
        build(raw_copy, out)
    finally:
        os.umask(old)
    assert not dead.exists() and not aside.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".processed.")] == [".processed.lock"]
    assert out.stat().st_mode & 0o777 == 0o755
    assert {(out / n).stat().st_mode & 0o777 for n in OUTPUT_FILES} == {0o644}


def test_every_bulk_loader_reports_used_records(real_data):
    """`used` is set (never None) and read = used + quarantined + skipped, for every bulk source."""
    from trafficking_stats.sources import registry

    files = {
        "fbi_cde": CDE,
        "fbi_tables": "fbi/ucr-ht-2016-tables/table-2.csv",
        "fbi_ucr_master": "fbi/ucr-ht-master-file/traffickingCrimes_2015.txt",
        "uk_nrm": "uk-nrm/NRM referrals over time Dec 23.csv",
        "unodc_glotip": "unodc/glotip-2024-03/data_glotip.xlsx",
        "ctdc": "ctdc/human_trafficking__EXCERPT.csv",
    }
    results = {}
    for sid, rel in files.items():
        lr = results[sid] = registry()[sid].load(real_data / rel)
        assert lr.used is not None, sid
        assert lr.read == lr.used + len(lr.quarantine) + sum(lr.skipped.values()), sid
    unodc = results["unodc_glotip"]
    assert (unodc.read, unodc.used, len(unodc.quarantine)) == (46556, 44100, 1473)
    published = registry()["published"].load(Path(__file__).parents[1] / "data/raw/published_figures.csv")
    assert published.used == len(published.rows) == published.read


def test_strict_fails_on_an_nrm_file_with_every_row_quarantined(real_data, tmp_path, capsys):
    name = "uk-nrm/NRM referrals over time Dec 23.csv"
    lines = _lines(real_data / name)
    bad = lines[0] + "".join(ln[:6] + "Q9" + ln[8:] for ln in lines[1:])  # "2009 Q2" -> "2009 Q9"
    assert all(ln[4:6] == " Q" for ln in lines[1:])
    bulk = bulk_with(tmp_path, {name: bad})
    out = tmp_path / "out"
    code, err = run_build(capsys, "--strict", "--bulk", str(bulk), "--out", str(out))
    assert code == 4
    assert f"error: {name}:2: {len(lines) - 1} uk_nrm row(s) quarantined" in err
    assert len(lines) - 1 == 118
    assert not out.exists()


def test_one_years_master_file_alone_keeps_the_committed_year_and_its_conflicts(
    root, real_data, tmp_path, capsys
):
    """The issue's case: a folder with one UCR master file of another year removed the committed 2015 rows
    and 45 conflict lines with the CDE extract. The other year's file is the real 2015 file with its
    two-digit year (columns 14-15) relabelled 14: a test fixture in the real layout, never shipped."""
    out = tmp_path / "out"
    shutil.copytree(root / "data/processed", out)
    before = read_counts(out / "counts.parquet")
    conflicts_before = pd.read_csv(out / "conflicts.csv", dtype="str", keep_default_na=False)
    src = (
        (real_data / "fbi/ucr-ht-master-file/traffickingCrimes_2015.txt")
        .read_bytes()
        .splitlines(keepends=True)
    )
    assert {ln[13:15] for ln in src} == {b"15"}
    relabelled = b"".join(ln[:13] + b"14" + ln[15:] for ln in src)
    bulk = bulk_with(tmp_path, {"fbi/ucr-ht-master-file/traffickingCrimes_2014.txt": relabelled})
    code, err = run_build(capsys, "--strict-raw", "--bulk", str(bulk), "--out", str(out))
    assert code == 0
    assert "fbi_ucr_master: added fbi/ucr-ht-master-file/traffickingCrimes_2014.txt" in err
    assert "kept from the previous build fbi/ucr-ht-master-file/traffickingCrimes_2015.txt" in err
    after = read_counts(out / "counts.parquet")
    key = ["dataset", "figure_id", "value"]
    old_ucr = before[before["dataset"] == "fbi_ucr_master"][key]
    assert len(old_ucr) == 480
    kept = old_ucr.merge(after[key], on=key, how="inner")
    assert len(kept) == len(old_ucr)  # every 2015 figure is still there, with its value
    assert set(after[after["dataset"] == "fbi_ucr_master"]["year"].dropna().astype(int)) == {2014, 2015}
    conflicts_after = pd.read_csv(out / "conflicts.csv", dtype="str", keep_default_na=False)
    pairs = ["conflict_id", "dataset", "figure_id", "value"]
    lost = conflicts_before[pairs].merge(conflicts_after[pairs], how="left", indicator=True)
    assert len(conflicts_before) == 298 and (lost["_merge"] == "both").all()


BAD = Path(__file__).parent / "data/bad"
TRUNCATED = sorted(p.relative_to(BAD).as_posix() for p in BAD.glob("*/*truncated*") if p.suffix != ".xlsx")


@pytest.mark.parametrize("case", TRUNCATED)
def test_every_truncated_text_file_of_the_bad_input_corpus_is_refused_whole(case):
    """`load` quarantines their last record (docs/bad-inputs.md); a bulk build refuses the file."""
    p = BAD / case
    assert len(TRUNCATED) == 6
    with pytest.raises(SourceFormatError, match=r"the last line has no line end .*cut short"):
        guards.check_text_file(case.split("/")[0], p)


def test_every_real_publisher_text_file_passes_the_whole_file_checks(real_data):
    from trafficking_stats.sources import registry

    n = 0
    for sid, src in registry().items():
        for pat in src.info.bulk_patterns:
            for p in real_data.glob(pat):
                guards.check_text_file(sid, p)
                n += p.suffix in guards.TEXT_SUFFIXES
    guards.check_text_file("ctdc", real_data / "ctdc/human_trafficking__EXCERPT.csv")
    assert n == 14  # CDE 1, UCR master 1, FBI tables 2-4 and participation 4, NRM extracts 8
