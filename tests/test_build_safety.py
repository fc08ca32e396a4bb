"""Build safety: raw files only read, all-or-nothing outputs even when killed, one build at a time, and
the manifest saying which input changed since the last build."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trafficking_stats import outputs
from trafficking_stats.build import OUTPUT_FILES, build, read_counts, stale_inputs
from trafficking_stats.cli import EXIT_LOCKED, EXIT_STALE, main

_WRITES: list[str] = []
_WATCH: list[Path] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCH and isinstance(args[0], str | bytes | os.PathLike):
        mode, flags = args[1], args[2]
        writing = (mode and any(c in str(mode) for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT)
        )
        if writing and str(os.fsdecode(args[0])).startswith(str(_WATCH[0])):
            _WRITES.append(f"{args[0]} ({mode or flags})")


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only while _WATCH is set


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _consistent(out: Path) -> bool:
    """Every output file matches the hash its own manifest recorded (one build's files, not a mix)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return all(
        hashlib.sha256((out / n).read_bytes()).hexdigest() == h for n, h in manifest["outputs"].items()
    )


def test_raw_files_are_opened_read_only_and_unchanged(raw_copy: Path, tmp_path: Path):
    before = _hashes(raw_copy)
    for p in raw_copy.rglob("*"):
        p.chmod(0o444 if p.is_file() else 0o555)
    _WATCH.append(raw_copy)
    try:
        build(raw_copy, tmp_path / "out")
    finally:
        _WATCH.clear()
        for p in [raw_copy, *raw_copy.rglob("*")]:
            p.chmod(0o644 if p.is_file() else 0o755)
    assert _WRITES == [], "the build opened raw files for writing"
    assert _hashes(raw_copy) == before


def test_killed_between_the_two_renames_the_previous_outputs_come_back(raw_copy: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(raw_copy, out)
    before = {n: (out / n).read_bytes() for n in OUTPUT_FILES}
    (raw_copy / "published_figures.csv").write_text(
        (raw_copy / "published_figures.csv").read_text(encoding="utf-8").replace(",106,", ",107,", 1),
        encoding="utf-8",
    )
    code = f"""
import os
from trafficking_stats import outputs
from trafficking_stats.build import build
real, n = os.rename, []
def rename(a, b):
    n.append(1)
    real(a, b)
    if len(n) == 1:
        os._exit(9)  # killed right after moving the old outputs aside
outputs.os.rename = rename
build({str(raw_copy)!r}, {str(out)!r})
"""
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 9
    assert not out.exists(), "the simulated kill did not happen between the renames"
    read_counts(out / "counts.parquet")  # a reader puts the previous outputs back
    assert {n: (out / n).read_bytes() for n in OUTPUT_FILES} == before


@pytest.mark.parametrize("delay", [0.8, 1.6, 2.4])
def test_a_build_killed_at_any_moment_leaves_one_consistent_set_of_outputs(raw_copy, tmp_path, delay):
    out = tmp_path / "out"
    build(raw_copy, out)
    before = {n: (out / n).read_bytes() for n in OUTPUT_FILES}
    p = raw_copy / "published_figures.csv"  # 106 girls -> 107, in the value and in its quote
    text = (
        p.read_text(encoding="utf-8")
        .replace(",106,", ",107,", 1)
        .replace("rescued 106 girls", "rescued 107 girls")
    )
    p.write_text(text, encoding="utf-8")
    code = f"from trafficking_stats.build import build; build({str(raw_copy)!r}, {str(out)!r})"
    proc = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    outputs.recover(out)
    assert _consistent(out)
    after = {n: (out / n).read_bytes() for n in OUTPUT_FILES}
    girls = [
        r for r in after["counts.csv"].splitlines() if r.startswith(b"published,fresno-pd-2021-girls-rescued")
    ]
    assert after == before or b",107," in girls[0]  # the old set or the complete new one
    assert not [q for q in tmp_path.iterdir() if ".new-" in q.name] or after == before


def test_a_second_build_at_the_same_time_is_refused_with_a_clear_message(raw_copy, tmp_path, capsys):
    out = tmp_path / "out"
    with outputs.build_lock(out):
        with pytest.raises(outputs.BuildLockedError, match=r"another build \(pid \d+\) is writing .*out"):
            build(raw_copy, out)
        assert main(["build", "--raw", str(raw_copy), "--out", str(out)]) == EXIT_LOCKED
        assert "wait for it to finish" in capsys.readouterr().err
    assert not out.exists()
    build(raw_copy, out)  # released: the next build runs
    assert _consistent(out)


def test_the_manifest_says_which_raw_file_changed(raw_copy: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    build(raw_copy, out)
    assert stale_inputs(raw_copy, out) == []
    assert main(["build", "--check", "--raw", str(raw_copy), "--out", str(out)]) == 0
    p = raw_copy / "published_figures.csv"
    p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (raw_copy / "README.md").rename(raw_copy / "README.md.bak")  # not a build input: ignored
    stale = stale_inputs(raw_copy, out)
    assert len(stale) == 1 and stale[0].startswith("changed: published_figures.csv")
    # the reference tables decide what is quarantined (populations: the plausibility ceiling)
    (raw_copy / "population_countries.csv").write_bytes(b"")
    assert "changed: population_countries.csv" in " ".join(stale_inputs(raw_copy, out))
    capsys.readouterr()
    assert main(["build", "--check", "--raw", str(raw_copy), "--out", str(out)]) == EXIT_STALE
    assert "changed: published_figures.csv" in capsys.readouterr().out
    (raw_copy / "citations.csv").unlink()
    assert any(s.startswith("missing: citations.csv") for s in stale_inputs(raw_copy, out))


def test_files_the_build_does_not_write_are_kept(raw_copy: Path, tmp_path: Path):
    out = tmp_path / "out"
    build(raw_copy, out)
    (out / "README.md").write_text("notes kept beside the outputs\n", encoding="utf-8")
    build(raw_copy, out)
    assert (out / "README.md").read_text(encoding="utf-8") == "notes kept beside the outputs\n"
