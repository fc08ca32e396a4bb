"""Write one synthetic CDE NIBRS state-year bundle (a folder in the real layout) for benchmarks.

    python benchmarks/nibrs_bundle.py OUTDIR --scale N [--seed S] [--year Y]

The folder holds the tables and column names of a CDE NIBRS download (NIBRS_incident, NIBRS_OFFENSE,
NIBRS_OFFENSE_TYPE, NIBRS_VICTIM, NIBRS_VICTIM_OFFENSE, NIBRS_OFFENDER, NIBRS_ARRESTEE, NIBRS_month,
agencies, NIBRS_VICTIM_TYPE, NIBRS_ARREST_TYPE, NIBRS_CLEARED_EXCEPT; strings quoted, numbers and
DD-MON-YY dates bare), about 20 MB of CSV at scale 1 (70,000 incidents of 200 agencies) and 2 GB at
scale 100, with about 0.01% of the offenses 64A/64B (at least one of each). Every value is random
(numpy, seeded): nothing here is a real figure. Written in chunks, so memory stays flat at any scale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

#: (OFFENSE_TYPE_ID, OFFENSE_CODE, OFFENSE_NAME, CRIME_AGAINST, OFFENSE_CATEGORY_NAME): a subset of the real
#: NIBRS_OFFENSE_TYPE table (ids and codes as published), enough for a realistic spread of offense types.
OFFENSE_TYPES = (
    (
        5,
        "290",
        "Destruction/Damage/Vandalism of Property",
        "Property",
        "Destruction/Damage/Vandalism of Property",
    ),
    (14, "23F", "Theft From Motor Vehicle", "Property", "Larceny/Theft Offenses"),
    (27, "13A", "Aggravated Assault", "Person", "Assault Offenses"),
    (45, "23H", "All Other Larceny", "Property", "Larceny/Theft Offenses"),
    (59, "64A", "Human Trafficking, Commercial Sex Acts", "Person", "Human Trafficking"),
    (60, "64B", "Human Trafficking, Involuntary Servitude", "Person", "Human Trafficking"),
)
OTHER_TYPES = np.array([5, 14, 27, 45])
TRAFFICKING_SHARE = 1e-4
INCIDENTS_PER_SCALE = 70_000
AGENCIES_PER_SCALE = 200
CHUNK = 50_000
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

HEADERS = {
    "NIBRS_incident": "DATA_YEAR AGENCY_ID INCIDENT_ID NIBRS_MONTH_ID CARGO_THEFT_FLAG SUBMISSION_DATE "
    "INCIDENT_DATE REPORT_DATE_FLAG INCIDENT_HOUR CLEARED_EXCEPT_ID CLEARED_EXCEPT_DATE INCIDENT_STATUS "
    "DATA_HOME ORIG_FORMAT DID",
    "NIBRS_OFFENSE": "DATA_YEAR OFFENSE_ID INCIDENT_ID OFFENSE_TYPE_ID ATTEMPT_COMPLETE_FLAG LOCATION_ID "
    "NUM_PREMISES_ENTERED METHOD_ENTRY_CODE",
    "NIBRS_VICTIM": "DATA_YEAR VICTIM_ID INCIDENT_ID VICTIM_SEQ_NUM VICTIM_TYPE_ID ASSIGNMENT_TYPE_ID "
    "ACTIVITY_TYPE_ID OUTSIDE_AGENCY_ID AGE_ID AGE_NUM SEX_CODE RACE_ID ETHNICITY_ID RESIDENT_STATUS_CODE "
    "AGE_RANGE_LOW_NUM AGE_RANGE_HIGH_NUM",
    "NIBRS_VICTIM_OFFENSE": "DATA_YEAR VICTIM_ID OFFENSE_ID",
    "NIBRS_OFFENDER": "DATA_YEAR OFFENDER_ID INCIDENT_ID OFFENDER_SEQ_NUM AGE_ID AGE_NUM SEX_CODE RACE_ID "
    "ETHNICITY_ID AGE_RANGE_LOW_NUM AGE_RANGE_HIGH_NUM",
    "NIBRS_ARRESTEE": "DATA_YEAR ARRESTEE_ID INCIDENT_ID ARRESTEE_SEQ_NUM ARREST_DATE ARREST_TYPE_ID "
    "MULTIPLE_INDICATOR OFFENSE_TYPE_ID AGE_ID AGE_NUM SEX_CODE RACE_ID ETHNICITY_ID RESIDENT_CODE "
    "UNDER_18_DISPOSITION_CODE CLEARANCE_IND AGE_RANGE_LOW_NUM AGE_RANGE_HIGH_NUM",
    "NIBRS_month": "DATA_YEAR NIBRS_MONTH_ID AGENCY_ID MONTH_NUM INC_DATA_YEAR REPORTED_STATUS REPORT_DATE "
    "UPDATE_FLAG ORIG_FORMAT DATA_HOME DDOCNAME DID MONTH_PUB_STATUS",
    "agencies": "YEARLY_AGENCY_ID AGENCY_ID DATA_YEAR ORI LEGACY_ORI PUB_AGENCY_NAME PUB_AGENCY_UNIT "
    "STATE_NAME STATE_ABBR AGENCY_TYPE_NAME POPULATION",
    "NIBRS_OFFENSE_TYPE": "OFFENSE_TYPE_ID OFFENSE_CODE OFFENSE_NAME CRIME_AGAINST CT_FLAG HC_FLAG HC_CODE "
    "OFFENSE_CATEGORY_NAME OFFENSE_GROUP",
    "NIBRS_VICTIM_TYPE": "VICTIM_TYPE_ID VICTIM_TYPE_CODE VICTIM_TYPE_NAME",
    "NIBRS_ARREST_TYPE": "ARREST_TYPE_ID ARREST_TYPE_CODE ARREST_TYPE_NAME",
    "NIBRS_CLEARED_EXCEPT": "CLEARED_EXCEPT_ID CLEARED_EXCEPT_CODE CLEARED_EXCEPT_NAME CLEARED_EXCEPT_DESC",
}


def q(values: np.ndarray) -> np.ndarray:
    """Quote strings as the CDE files do."""
    return np.char.add(np.char.add('"', values.astype(str)), '"')


def s(values: np.ndarray) -> np.ndarray:
    return values.astype(str)


def write_rows(fh, columns: list[np.ndarray]) -> None:
    """Write one chunk of rows: each column an array of already formatted cells."""
    n = len(columns[0])
    if n == 0:
        return
    out = columns[0].astype(object)
    for c in columns[1:]:
        out = out + "," + c.astype(object)
    fh.write("\n".join(out.tolist()) + "\n")


def header(fh, table: str) -> None:
    fh.write(",".join(f'"{c}"' for c in HEADERS[table].split()) + "\n")


def dates(rng: np.random.Generator, year: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random (month 1-12, DD-MON-YY incident date, DD-MON-YY submission date at month end) of ``year``."""
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    mon = np.array(MONTHS)[month - 1]
    yy = f"{year % 100:02d}"
    inc = np.char.add(np.char.add(np.char.add(np.char.zfill(day.astype(str), 2), "-"), mon), f"-{yy}")
    sub = np.char.add(np.char.add("28-", mon), f"-{yy}")
    return month, inc, sub


def generate(out: Path, scale: float, seed: int = 0, year: int = 2022) -> dict[str, int]:
    """Write the bundle into ``out``; returns the number of rows of each table."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_inc = max(int(INCIDENTS_PER_SCALE * scale), 1000)
    n_ag = max(int(AGENCIES_PER_SCALE * scale), 10)
    counts = dict.fromkeys(HEADERS, 0)
    y = str(year)
    # reference tables
    with open(out / "NIBRS_OFFENSE_TYPE.csv", "w") as fh:
        header(fh, "NIBRS_OFFENSE_TYPE")
        for tid, code, name, against, cat in OFFENSE_TYPES:
            fh.write(f'{tid},"{code}","{name}","{against}","N","Y","","{cat}","A"\n')
    refs = {
        "NIBRS_VICTIM_TYPE": ['1,"B","Business"', '4,"I","Individual"', '5,"L","Law Enforcement Officer"'],
        "NIBRS_ARREST_TYPE": [
            '1,"O","On-View Arrest"',
            '2,"S","Summoned/Cited"',
            '3,"T","Taken Into Custody"',
        ],
        "NIBRS_CLEARED_EXCEPT": [
            '1,"A","Death of Offender",""',
            '4,"D","Victim Refused to Cooperate",""',
            '6,"N","Not Applicable",""',
        ],
    }
    for table, lines in refs.items():
        with open(out / f"{table}.csv", "w") as fh:
            header(fh, table)
            fh.write("\n".join(lines) + "\n")
    # agencies and months: every agency reports 10-12 months
    agency_ids = np.arange(1, n_ag + 1) + 3000
    with open(out / "agencies.csv", "w") as fh:
        header(fh, "agencies")
        ori = np.char.add("ZZ", np.char.zfill((agency_ids - 3000).astype(str), 7))
        name = np.char.add("Synthetic Agency ", (agency_ids - 3000).astype(str))
        e = np.full(n_ag, "")
        cols = [s(agency_ids + 10000), s(agency_ids), np.full(n_ag, y), q(ori), q(e), q(name), q(e)]
        cols += [
            q(np.full(n_ag, "Synthetic")),
            q(np.full(n_ag, "CA")),
            q(np.full(n_ag, "City")),
            s(rng.integers(1000, 500000, n_ag)),
        ]
        write_rows(fh, cols)
        counts["agencies"] = n_ag
    month_id = lambda a, m: a * 100 + m  # noqa: E731
    with open(out / "NIBRS_month.csv", "w") as fh:
        header(fh, "NIBRS_month")
        reported = rng.integers(10, 13, n_ag)
        a = np.repeat(agency_ids, 12)
        m = np.tile(np.arange(1, 13), n_ag)
        keep = m <= np.repeat(reported, 12)
        a, m = a[keep], m[keep]
        k = len(a)
        e = np.full(k, "")
        cols = [
            np.full(k, y),
            s(month_id(a, m)),
            s(a),
            s(m),
            np.full(k, y),
            q(e),
            e,
            q(np.full(k, "N")),
            q(np.full(k, "F")),
            q(np.full(k, "C")),
            q(e),
            e,
            e,
        ]
        write_rows(fh, cols)
        counts["NIBRS_month"] = k
    files = {
        t: open(out / f"{t}.csv", "w")  # noqa: SIM115 (closed in the finally below)
        for t in (
            "NIBRS_incident",
            "NIBRS_OFFENSE",
            "NIBRS_VICTIM",
            "NIBRS_VICTIM_OFFENSE",
            "NIBRS_OFFENDER",
            "NIBRS_ARRESTEE",
        )
    }
    for t, fh in files.items():
        header(fh, t)
    next_off = next_vic = next_fdr = next_arr = 0
    n_traffic = max(2, round(n_inc * 1.15 * TRAFFICKING_SHARE))
    traffic_inc = set(rng.choice(n_inc, n_traffic, replace=False).tolist())
    try:
        for start in range(0, n_inc, CHUNK):
            n = min(CHUNK, n_inc - start)
            inc = np.arange(start, start + n) + 10_000_000
            ag = rng.choice(agency_ids, n)
            month, inc_date, sub_date = dates(rng, year, n)
            month = np.minimum(month, 10)  # every agency reports months 1-10 at least
            cleared = np.where(rng.random(n) < 0.1, 4, 6)
            e = np.full(n, "")
            cols = [
                np.full(n, y),
                s(ag),
                s(inc),
                s(month_id(ag, month)),
                q(np.full(n, "N")),
                sub_date,
                inc_date,
                q(e),
                s(rng.integers(0, 24, n)),
                s(cleared),
                e,
                np.full(n, "0"),
                q(np.full(n, "C")),
                q(np.full(n, "F")),
                s(inc + 5),
            ]
            write_rows(files["NIBRS_incident"], cols)
            # offenses: 1 or 2 per incident
            per = np.where(rng.random(n) < 0.15, 2, 1)
            o_inc = np.repeat(inc, per)
            k = len(o_inc)
            o_id = np.arange(next_off, next_off + k) + 50_000_000
            next_off += k
            o_type = rng.choice(OTHER_TYPES, k)
            local = o_inc - 10_000_000
            first = np.r_[True, o_inc[1:] != o_inc[:-1]]
            hit = np.array([i in traffic_inc for i in local.tolist()]) & first
            o_type[hit] = np.where(rng.random(hit.sum()) < 0.8, 59, 60)
            e = np.full(k, "")
            write_rows(
                files["NIBRS_OFFENSE"],
                [
                    np.full(k, y),
                    s(o_id),
                    s(o_inc),
                    s(o_type),
                    q(np.full(k, "C")),
                    s(rng.integers(1, 50, k)),
                    e,
                    q(e),
                ],
            )
            # victims: one per offense, linked to it
            v_id = np.arange(next_vic, next_vic + k) + 70_000_000
            next_vic += k
            age = rng.integers(1, 90, k)
            sex = np.array(["F", "M", "U"])[rng.integers(0, 3, k)]
            cols = [
                np.full(k, y),
                s(v_id),
                s(o_inc),
                np.full(k, "1"),
                np.full(k, "4"),
                e,
                e,
                e,
                e,
                s(age),
                q(sex),
                np.full(k, "1"),
                np.full(k, "2"),
                q(np.full(k, "R")),
                e,
                e,
            ]
            write_rows(files["NIBRS_VICTIM"], cols)
            write_rows(files["NIBRS_VICTIM_OFFENSE"], [np.full(k, y), s(v_id), s(o_id)])
            # offenders: one per incident
            f_id = np.arange(next_fdr, next_fdr + n) + 80_000_000
            next_fdr += n
            e = np.full(n, "")
            cols = [
                np.full(n, y),
                s(f_id),
                s(inc),
                np.full(n, "1"),
                e,
                s(rng.integers(12, 70, n)),
                q(np.array(["F", "M"])[rng.integers(0, 2, n)]),
                np.full(n, "1"),
                np.full(n, "2"),
                e,
                e,
            ]
            write_rows(files["NIBRS_OFFENDER"], cols)
            # arrestees: a quarter of incidents
            a_inc = inc[rng.random(n) < 0.25]
            m = len(a_inc)
            a_id = np.arange(next_arr, next_arr + m) + 60_000_000
            next_arr += m
            e = np.full(m, "")
            cols = [
                np.full(m, y),
                s(a_id),
                s(a_inc),
                np.full(m, "1"),
                np.full(m, f"15-JUN-{year % 100:02d}"),
                s(rng.integers(1, 4, m)),
                q(np.full(m, "N")),
                np.full(m, "45"),
                e,
                s(rng.integers(12, 70, m)),
                q(np.full(m, "M")),
                np.full(m, "1"),
                np.full(m, "2"),
                q(np.full(m, "R")),
                q(e),
                q(e),
                e,
                e,
            ]
            write_rows(files["NIBRS_ARRESTEE"], cols)
            counts["NIBRS_incident"] += n
            counts["NIBRS_OFFENSE"] += k
            counts["NIBRS_VICTIM"] += k
            counts["NIBRS_VICTIM_OFFENSE"] += k
            counts["NIBRS_OFFENDER"] += n
            counts["NIBRS_ARRESTEE"] += m
    finally:
        for fh in files.values():
            fh.close()
    counts["trafficking_offenses"] = len(traffic_inc)
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--scale", type=float, default=1.0, help="1: about 20 MB of CSV; 100: about 2 GB")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--year", type=int, default=2022)
    args = ap.parse_args(argv)
    counts = generate(args.outdir, args.scale, args.seed, args.year)
    size = sum(f.stat().st_size for f in args.outdir.glob("*.csv"))
    print(f"wrote {args.outdir}: {size / 1e6:.1f} MB; " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
