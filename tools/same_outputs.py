"""Record what every source loader makes of every input it can be given, or compare with a record.

For refactoring the loaders without changing what they do: run ``record`` before a change and
``compare`` after it. Inputs: every file under ``tests/data`` (good and bad, by the source folder it is
in), the real publisher files under a bulk folder (each loader's ``bulk_patterns``, plus every CSV of
``ctdc/``) and ``data/raw/published_figures.csv``. For each input it keeps the loader's rows, quarantine,
``read``, ``used`` and ``skipped``, or the type and text of the error it raised; ``compare`` checks the
rows and the quarantine with :func:`pandas.testing.assert_frame_equal` (dtypes included, except that the
quarantine's ``raw_row`` is compared as ``Int64``, the dtype ``base.result`` gives it for every source
since issue 15) and the rest exactly.

    python tools/same_outputs.py record  /tmp/before.pkl --bulk /work/shared/real-data
    python tools/same_outputs.py compare /tmp/before.pkl --bulk /work/shared/real-data
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _inputs(bulk: Path | None) -> list[tuple[str, Path]]:
    from trafficking_stats.sources import registry

    out: list[tuple[str, Path]] = []
    for sid, src in registry().items():
        for folder in (ROOT / "tests/data" / sid, ROOT / "tests/data/bad" / sid):
            out += [(sid, p) for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".md"]
        if bulk is not None:
            for pat in src.info.bulk_patterns:
                out += [(sid, p) for p in sorted(bulk.glob(pat))]
            if sid == "ctdc":
                out += [(sid, p) for p in sorted((bulk / "ctdc").glob("*.csv"))]
    out.append(("published", ROOT / "data/raw/published_figures.csv"))
    return list(dict.fromkeys(out))


def _run(sid: str, path: Path) -> dict[str, object]:
    from trafficking_stats.sources import get

    try:
        r = get(sid).load(path)
    except Exception as exc:  # the error is what is recorded
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {
        "rows": r.rows,
        "quarantine": r.quarantine,
        "read": r.read,
        "used": r.n_used,
        "skipped": r.skipped,
        "raw_file": r.raw_file,
    }


def main() -> int:
    import pandas as pd

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=("record", "compare"))
    ap.add_argument("file", type=Path)
    ap.add_argument("--bulk", type=Path)
    a = ap.parse_args()
    got = {f"{sid}:{p.relative_to(p.anchor)}": _run(sid, p) for sid, p in _inputs(a.bulk)}
    if a.action == "record":
        a.file.write_bytes(pickle.dumps(got))
        n_rows = sum(len(v["rows"]) for v in got.values() if "rows" in v)
        print(f"recorded {len(got)} inputs ({n_rows:,} rows) into {a.file}")
        return 0
    before = pickle.loads(a.file.read_bytes())
    diffs = []
    for key in sorted(set(before) | set(got)):
        b, g = before.get(key), got.get(key)
        if b is None or g is None:
            diffs.append(f"{key}: only {'after' if b is None else 'before'}")
            continue
        if b.keys() != g.keys() or ("error" in b and b["error"] != g["error"]):
            diffs.append(f"{key}: {b.get('error', 'loaded')!r} -> {g.get('error', 'loaded')!r}")
            continue
        for k in b:
            if k == "quarantine":
                b[k], g[k] = (q.astype({"raw_row": "Int64"}) for q in (b[k], g[k]))
            if k in ("rows", "quarantine"):
                try:
                    pd.testing.assert_frame_equal(b[k], g[k])
                except AssertionError as exc:
                    diffs.append(f"{key}: {k} differ: {str(exc)[:400]}")
            elif b[k] != g[k]:
                diffs.append(f"{key}: {k} {b[k]!r} -> {g[k]!r}")
    print("\n".join(diffs) or f"same outputs for all {len(got)} inputs")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
