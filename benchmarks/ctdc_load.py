"""Speed and peak memory of the CTDC loader against a plain ``pandas.read_csv`` of the same file.

Generates (seeded, in a temporary folder) a CSV in the k-anonymised 63-column layout of the CTDC Global
Dataset with ``--rows`` records (default 1,000,000, about 250 MB): each column's values are sampled
independently and uniformly from the values that column takes in the real 17-row excerpt plus the codes
the 2018 data dictionary lists for it (``Lookups``: Datasource, Gender, Age range 2, Age category,
Country), plus ``-99``; the 0/1 flags from ``0``, ``1``, ``-99``; years 2002..2019 (codebook v6.0 range
2002-2017 and the excerpt's 2018-2019 rows). Without the real files a built-in copy of those pools is used.

Then, ``--runs`` times, interleaved, each in a fresh child process (one per measurement):

* ``baseline``: ``pd.read_csv(path, dtype=str, keep_default_na=False)``;
* ``loader``: ``trafficking_stats.sources.ctdc.load(path)``.

Each child imports pandas and pyarrow first, then times only the call; its peak resident memory is its
own ``ru_maxrss`` (interpreter and imports included, the same in both). An ``imports`` child measures
the memory of the imports alone, so the ratio is also shown net of it. Medians are compared. The file
is generated in a separate child so that this process stays small: on Linux a child's ``ru_maxrss``
(and so ``RUSAGE_CHILDREN``) starts from the peak RSS of the process it was forked from.
Targets (issue): loader / baseline at most 0.5 for time and for peak memory.

    python benchmarks/ctdc_load.py [--rows 1000000] [--runs 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import pandas as pd, pyarrow, pyarrow.csv
mode, path = sys.argv[1], sys.argv[2]
if mode == "loader":
    from trafficking_stats.sources import ctdc
t0 = time.perf_counter()
if mode == "baseline":
    out = pd.read_csv(path, dtype=str, keep_default_na=False)
    n = len(out)
elif mode == "loader":
    out = ctdc.load(path)
    n = out.read
else:
    n = 0
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "maxrss_kb": rss, "n": n}))
"""

# Built-in pools (the dictionary's and the excerpt's values) for when the real files are absent.
_FALLBACK = {
    "Datasource": ["Case Management", "Hotline", "Case management"],
    "gender": ["Female", "Male", "Transgender/NonConforming", "Unknown"],
    "ageBroad": ["0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"],
    "majorityStatus": ["Adult", "Minor ", "Unknown"],
    "country": ["00", "NA", "PH", "US", "UG", "CO", "MD", "UA", "ID", "KH", "MM", "NG", "AN", "ZR", "TH"],
}
_LOOKUP_OF = {
    "Datasource": "Datasource",
    "gender": "Gender",
    "ageBroad": "Age range 2",
    "majorityEntry": "Age range 2",
    "majorityStatus": "Age category",
    "majorityStatusAtExploit": "Age category",
    "citizenship": "Country",
    "CountryOfExploitation": "Country",
}
_HEADER = (
    "yearOfRegistration,Datasource,gender,ageBroad,majorityStatus,majorityStatusAtExploit,majorityEntry,"
    "citizenship,meansOfControlDebtBondage,meansOfControlTakesEarnings,meansOfControlRestrictsFinancialAccess,"
    "meansOfControlThreats,meansOfControlPsychologicalAbuse,meansOfControlPhysicalAbuse,"
    "meansOfControlSexualAbuse,meansOfControlFalsePromises,meansOfControlPsychoactiveSubstances,"
    "meansOfControlRestrictsMovement,meansOfControlRestrictsMedicalCare,meansOfControlExcessiveWorkingHours,"
    "meansOfControlUsesChildren,meansOfControlThreatOfLawEnforcement,meansOfControlWithholdsNecessities,"
    "meansOfControlWithholdsDocuments,meansOfControlOther,meansOfControlNotSpecified,"
    "meansOfControlConcatenated,isForcedLabour,isSexualExploit,isOtherExploit,isSexAndLabour,"
    "isForcedMarriage,isForcedMilitary,isOrganRemoval,isSlaveryAndPractices,typeOfExploitConcatenated,"
    "typeOfLabourAgriculture,typeOfLabourAquafarming,typeOfLabourBegging,typeOfLabourConstruction,"
    "typeOfLabourDomesticWork,typeOfLabourHospitality,typeOfLabourIllicitActivities,"
    "typeOfLabourManufacturing,typeOfLabourMiningOrDrilling,typeOfLabourPeddling,"
    "typeOfLabourTransportation,typeOfLabourOther,typeOfLabourNotSpecified,typeOfLabourConcatenated,"
    "typeOfSexProstitution,typeOfSexPornography,typeOfSexRemoteInteractiveServices,"
    "typeOfSexPrivateSexualServices,typeOfSexConcatenated,isAbduction,RecruiterRelationship,"
    "CountryOfExploitation,recruiterRelationIntimatePartner,recruiterRelationFriend,recruiterRelationFamily,"
    "recruiterRelationOther,recruiterRelationUnknown"
)


def _dictionary_lookups(xlsx: Path) -> dict[str, list[str]]:
    """Code lists of the 2018 dictionary's ``Lookups`` sheet (block-structured: name in column A)."""
    import pandas as pd

    sheets = pd.read_excel(xlsx, sheet_name=None, header=None, engine="calamine", keep_default_na=False)
    sheet = next(v for k, v in sheets.items() if k.strip() == "Lookups")
    out: dict[str, list[str]] = {}
    current = None
    for row in sheet.itertuples(index=False):
        a, b = str(row[0]).strip(), str(row[1]).strip()
        if a:
            current = a
            out.setdefault(current, [])
        elif b and current and b not in ("Code",):
            out[current].append(str(row[1]))  # verbatim, e.g. "Minor " with its trailing space
    return out


def pools(real: Path | None) -> tuple[list[str], dict[str, list[str]]]:
    """Header and value pool per column, from the real excerpt + dictionary when present."""
    excerpt = real / "ctdc" / "human_trafficking__EXCERPT.csv" if real else None
    xlsx = real / "ctdc" / "CTDC Global Dataset DATA DICTIONARY version 15082018.xlsx" if real else None
    if excerpt and excerpt.is_file():
        with open(excerpt, newline="") as fh:
            rows = list(csv.reader(fh))
        header, records = rows[0], rows[1:]
    else:
        header, records = _HEADER.split(","), []
    lookups = _dictionary_lookups(xlsx) if xlsx and xlsx.is_file() else {}
    out: dict[str, list[str]] = {}
    for i, col in enumerate(header):
        vals = {r[i] for r in records} | {"-99"}
        if col == "yearOfRegistration":
            vals = {str(y) for y in range(2002, 2020)} | {r[i] for r in records}
        elif col in _LOOKUP_OF:
            key = _LOOKUP_OF[col]
            if lookups:
                vals |= set(lookups.get(key, []))
            else:
                fb = {"Age range 2": "ageBroad", "Age category": "majorityStatus", "Country": "country"}
                vals |= set(_FALLBACK[fb.get(key, col)])
        elif col.startswith(("is", "meansOfControl", "typeOf", "recruiterRelation")) and not col.endswith(
            "Concatenated"
        ):
            vals |= {"0", "1"}
        out[col] = sorted(vals)
    return header, out


def generate(path: Path, n: int, seed: int, real: Path | None) -> None:
    """Write ``n`` sampled records in the 63-column layout to ``path`` (seeded, reproducible)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header, pool = pools(real)
    rng = np.random.default_rng(seed)
    with open(path, "wb") as fh:
        fh.write((",".join(header) + "\n").encode())
        step = 250_000
        for start in range(0, n, step):
            m = min(step, n - start)
            arrays = {
                c: pa.DictionaryArray.from_arrays(
                    pa.array(rng.integers(0, len(pool[c]), size=m, dtype=np.int32)), pa.array(pool[c])
                )
                for c in header
            }
            pacsv.write_csv(
                pa.table(arrays),
                fh,
                write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"),
            )


def measure(mode: str, path: Path) -> dict[str, float]:
    """Run one measurement in a fresh child process; return its seconds and peak RSS (KiB)."""
    res = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--generate", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from trafficking_stats import paths

    real = paths.real_data_dir()
    if args.generate:  # the generating child
        generate(args.generate, args.rows, args.seed, real if real.is_dir() else None)
        return
    with tempfile.TemporaryDirectory(prefix="ctdc-bench-") as tmp:
        path = Path(tmp) / "ctdc_k_anon_benchmark.csv"
        t0 = time.perf_counter()
        # Generate in a child: this process stays small. On Linux a child's ru_maxrss starts from the
        # peak RSS of the process it was forked from, so a big parent would inflate every measurement.
        cmd = [sys.executable, __file__, "--rows", str(args.rows), "--seed", str(args.seed)]
        subprocess.run([*cmd, "--generate", str(path)], check=True)
        size = path.stat().st_size
        print(f"generated {args.rows:,} rows, {size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")
        measure("baseline", path)  # warm the page cache
        samples: dict[str, list[dict[str, float]]] = {"baseline": [], "loader": [], "imports": []}
        for _ in range(args.runs):
            for mode in samples:
                samples[mode].append(measure(mode, path))
    med = {
        m: {k: statistics.median(s[k] for s in v) for k in ("seconds", "maxrss_kb")}
        for m, v in samples.items()
    }
    for m in ("baseline", "loader", "imports"):
        runs = ", ".join(f"{s['seconds']:.2f}" for s in samples[m])
        print(
            f"  {m:9s} median {med[m]['seconds']:7.3f} s   peak RSS {med[m]['maxrss_kb'] / 1024:8.1f} MiB"
            f"   (runs: {runs})"
        )
    t = med["loader"]["seconds"] / med["baseline"]["seconds"]
    mem = med["loader"]["maxrss_kb"] / med["baseline"]["maxrss_kb"]
    imp = med["imports"]["maxrss_kb"]
    mem_net = (med["loader"]["maxrss_kb"] - imp) / (med["baseline"]["maxrss_kb"] - imp)
    print(f"median of {args.runs} runs, each in a fresh child process")
    print(f"time   loader / read_csv = {t:.3f}  (target <= 0.5)")
    print(f"memory loader / read_csv = {mem:.3f}  (peak RSS incl. imports; target <= 0.5)")
    print(f"memory loader / read_csv = {mem_net:.3f}  (net of the {imp / 1024:.0f} MiB of the imports alone)")


if __name__ == "__main__":
    main()
