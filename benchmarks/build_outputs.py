"""Build time as a ratio of a plain ``to_parquet`` + ``to_csv`` of the same frame, measured in the same run.

Three timings, each the median of ``--runs`` runs:

* ``plain``: ``counts.to_parquet(buf)`` + ``counts.to_csv(buf)`` of the normalized table (the frame
  ``read_counts()`` returns), the floor for writing it with the libraries;
* ``outputs``: what the build does to write its outputs from the same frames: the stored form
  (``metadata.split``), every CSV (``build.csv_bytes``, written by pandas), the parquet file and
  ``datapackage.json``;
* ``build``: the whole ``build()`` (load every source, validate, write into a temporary folder); with
  ``--bulk DIR`` the publisher files are loaded too (default: the real-data folder when present).

It also times the former per-cell writer (``csv.writer`` over ``_cell`` of every cell) on the counts frame,
to show the gain of writing through pandas. Prints ratios, no absolute targets.

    python benchmarks/build_outputs.py [--runs 3] [--bulk DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

from trafficking_stats import datapackage, metadata, paths
from trafficking_stats.build import CONFLICT_COLUMNS, _cell, build, csv_bytes, parquet_bytes
from trafficking_stats.sources import registry


def per_cell_csv(df) -> bytes:  # the writer this project used before (issue 15), for comparison
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(df.columns))
    for row in zip(*(df[c].astype("object").tolist() for c in df.columns), strict=True):
        w.writerow([_cell(x) for x in row])
    return buf.getvalue().encode("utf-8")


def median_time(f, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bulk", type=Path, default=None)
    args = ap.parse_args()
    bulk = args.bulk or (paths.real_data_dir() if paths.real_data_dir().is_dir() else None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "processed"
        res = build(out_dir=out, bulk_dir=bulk, write=False)
        counts = res.counts

        def plain() -> None:
            counts.to_parquet(io.BytesIO(), index=False)
            counts.to_csv(io.StringIO(), index=False)

        def outputs() -> None:
            stored = metadata.split(counts)
            parquet_bytes(stored.counts)
            for df in (
                stored.counts,
                stored.measures,
                stored.periods,
                stored.notes,
                stored.series,
                stored.places,
            ):
                csv_bytes(df)
            for df in (res.citations, res.conflicts, res.quarantine):
                csv_bytes(df)
            pkg = datapackage.descriptor([s.info for s in registry().values()], "0", CONFLICT_COLUMNS)
            json.dumps(pkg, indent=2)

        def whole() -> None:
            build(out_dir=out, bulk_dir=bulk)

        t_plain = median_time(plain, args.runs)
        t_out = median_time(outputs, args.runs)
        t_build = median_time(whole, args.runs)
        t_cell = median_time(lambda: per_cell_csv(counts), args.runs)
        t_csv = median_time(lambda: csv_bytes(counts), args.runs)
    print(f"rows: {len(counts)} (bulk files: {bulk or 'none'})")
    print(f"outputs written by the build / plain to_parquet+to_csv: {t_out / t_plain:.2f}x")
    print(f"whole build (load, validate, write) / plain to_parquet+to_csv: {t_build / t_plain:.2f}x")
    print(f"former per-cell CSV writer / csv_bytes (pandas), counts frame: {t_cell / t_csv:.2f}x")


if __name__ == "__main__":
    main()
