"""Time the UNODC GLOTIP loader as a ratio of a plain ``pd.read_excel(path)``, measured in the same run.

The baseline is pandas' default xlsx engine (openpyxl in pandas 3.1), reading the whole workbook with no
options, exactly as an analyst would; the loader reads the sheet with python-calamine and normalizes it
(header search, counts, places, breakdowns, plausibility checks). Runs alternate (baseline, loader,
baseline, ...) and the medians are compared. Target: loader / baseline <= 0.5.

openpyxl is not a dependency of the project. When it is missing, pass ``--site DIR`` with a folder that
holds it (``pip install --target DIR openpyxl``, outside the project's venv); without one the baseline
falls back to ``pd.read_excel(path, engine="calamine")`` and the output says so. The calamine read is
always reported as a second reference.

    python benchmarks/glotip_load.py [FILE] [--runs 5] [--site DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "real-data" / "unodc" / "glotip-2024-03" / "data_glotip.xlsx"


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--site", type=Path, default=None, help="folder holding openpyxl (pip install --target)")
    args = ap.parse_args()
    if args.site is not None:
        sys.path.insert(0, str(args.site.resolve()))

    import pandas as pd

    from trafficking_stats.sources import unodc_glotip

    path = args.file
    try:
        import openpyxl  # noqa: F401

        default_engine = True
    except ImportError:
        default_engine = False
        print(
            "note: openpyxl, pandas' default xlsx engine, is not installed: the baseline below is "
            "pd.read_excel(path, engine='calamine'); use --site DIR to measure against the default engine",
        )

    def baseline() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas 3.1 warns that the default engine will change
            if default_engine:
                pd.read_excel(path)
            else:
                pd.read_excel(path, engine="calamine")

    def calamine() -> None:
        pd.read_excel(path, engine="calamine")

    def loader() -> None:
        unodc_glotip.load(path)

    loader()  # warm imports (pandas, calamine, pycountry) outside the timings
    times: dict[str, list[float]] = {"baseline": [], "calamine": [], "loader": []}
    for _ in range(args.runs):
        times["baseline"].append(_time(baseline))
        times["loader"].append(_time(loader))
        if default_engine:
            times["calamine"].append(_time(calamine))
    med = {k: statistics.median(v) for k, v in times.items() if v}
    label = "pd.read_excel(path) [openpyxl]" if default_engine else "pd.read_excel(path, engine='calamine')"
    print(f"file: {path} ({path.stat().st_size:,} bytes), runs: {args.runs}")
    print(f"{label:45s} median {med['baseline']:.3f} s")
    if "calamine" in med:
        print(f"{'pd.read_excel(path, engine=calamine)':45s} median {med['calamine']:.3f} s")
    print(f"{'unodc_glotip.load(path)':45s} median {med['loader']:.3f} s")
    ratio = med["loader"] / med["baseline"]
    print(f"ratio loader / {label}: {ratio:.2f}x (target <= 0.5x)")
    if "calamine" in med:
        print(f"ratio loader / pd.read_excel(engine='calamine'): {med['loader'] / med['calamine']:.2f}x")


if __name__ == "__main__":
    main()
