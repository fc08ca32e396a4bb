"""environment.yml (for conda users) must list the same runtime dependencies as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml

from trafficking_stats import __version__


def _norm(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    name = m.group(1).lower().replace("_", "-")
    spec = ",".join(sorted(s.strip() for s in m.group(2).replace(" ", "").split(",") if s.strip()))
    return name, spec


def test_environment_yml_matches_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((root / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "conda-forge" in env["channels"]
    assert any(d.startswith("python=3.11") for d in conda)
    conda_deps = {
        _norm(d)
        for d in conda
        if _norm(d.replace("=", "==", 1) if "=" in d and ">" not in d else d)[0] not in ("python", "pip")
    }
    assert conda_deps == {_norm(d) for d in project["dependencies"]}
    assert any(p.startswith("-e .") for p in pip), "the package itself is installed with pip"


def test_version_matches_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert __version__ == project["version"]


def test_constraints_pin_every_runtime_dependency(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    pins = {
        _norm(line.split("==")[0])[0]
        for line in (root / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    for dep in project["dependencies"]:
        assert _norm(dep)[0] in pins, f"{dep} is not pinned in constraints.txt"
