"""Execution time of each notebook, and of the whole nbval run, against a bare kernel in the same run.

Each notebook is executed in a fresh kernel with nbclient (as nbval does, in the notebook's folder), and
timed from kernel start to the last cell. Baseline: a one-cell notebook (``1 + 1``) executed the same way,
so the ratio says how much the notebook's own work adds to a kernel start. Then the whole
``pytest --nbval`` run of ``make test`` is timed. Targets (issue 5): at most 30 s per notebook, at most
120 s for the nbval run, on this machine.

    python benchmarks/notebooks.py [--runs 1] [--skip-nbval]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def _execute(nb: object, folder: Path) -> float:
    from nbclient import NotebookClient

    t = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return time.perf_counter() - t


def main() -> None:
    import nbformat

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--skip-nbval", action="store_true")
    args = ap.parse_args()
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    base = statistics.median(_execute(bare, ROOT / "notebooks") for _ in range(args.runs))
    print(f"{'notebook':42} {'seconds':>8} {'x bare kernel':>14}  target 30 s")
    print(f"{'(bare kernel, one cell)':42} {base:8.1f} {1.0:14.1f}")
    for path in NOTEBOOKS:
        times = [_execute(nbformat.read(path, as_version=4), path.parent) for _ in range(args.runs)]
        t = statistics.median(times)
        print(f"{path.name:42} {t:8.1f} {t / base:14.1f}  {'ok' if t <= 30 else 'OVER'}")
    if not args.skip_nbval:
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
        ]
        cmd += ["--nbval-sanitize-with", "notebooks/sanitize.cfg", "notebooks"]
        t = time.perf_counter()
        rc = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False).returncode
        total = time.perf_counter() - t
        print(
            f"{'whole nbval run (exit ' + str(rc) + ')':42} {total:8.1f} {total / base:14.1f}  target 120 s"
        )


if __name__ == "__main__":
    main()
