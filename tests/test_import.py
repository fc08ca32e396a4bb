"""Importing the package must stay cheap: no plotting libraries, no pandera."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_load_plotting_libraries():
    code = (
        "import sys, trafficking_stats as ts; "
        "heavy = {'matplotlib', 'seaborn', 'pandera'}; "
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import trafficking_stats loaded {out.stdout.strip()}"


def test_public_api():
    import trafficking_stats as ts

    for name in ("read_counts", "build", "load", "validate", "parse_count", "METRICS", "sources"):
        assert hasattr(ts, name), name
