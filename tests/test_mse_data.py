"""The committed MSE tables in data/raw/mse: format, citations, published totals, and the transcription.

The cross-check against the long-form transcription (``mse/mse_datasets.csv`` in the real-data folder,
decoded from the R packages' ``.rda`` files; see its ORIGIN.md) skips when that folder is absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from trafficking_stats.mse import read_table

MSE_DIR = Path(__file__).resolve().parents[1] / "data" / "raw" / "mse"

# file -> dataset name in the transcription
FILES = {
    "uk2013_6lists.csv": "UKdat",
    "uk2013_5lists.csv": "UKdat_5",
    "uk2013_4lists.csv": "UKdat_4",
    "netherlands_6lists.csv": "Ned",
    "netherlands_5lists.csv": "Ned_5",
    "new_orleans_8lists_185.csv": "NewOrl",
    "new_orleans_8lists_186.csv": "NewOrl_v2",
    "new_orleans_5lists_185.csv": "NewOrl_5",
    "new_orleans_5lists_186.csv": "NewOrl_5_v2",
    "western_us_5lists.csv": "Western",
    "kosovo_4lists.csv": "Kosovo",
    "korea_3lists.csv": "Korea",
}


def test_every_file_is_listed_and_cited():
    on_disk = {p.name for p in MSE_DIR.glob("*.csv")} - {"citations.csv"}
    assert on_disk == set(FILES)
    with (MSE_DIR / "citations.csv").open(newline="") as f:
        cites = {r["file"]: r for r in csv.DictReader(f)}
    assert set(cites) == set(FILES)
    for name, row in cites.items():
        assert row["dataset"] == FILES[name]
        assert row["published_in"].strip(), name
        assert "@" in row["transcribed_from"], f"{name}: repository@commit expected"


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_reads_and_round_trips(name):
    table = read_table(MSE_DIR / name)
    assert table.n_lists >= 3
    assert (MSE_DIR / name).read_text() == table.to_csv()


def test_published_totals():
    # UK 2013: 2,744 known potential victims in the NCA strategic assessment (the figure the Home Office
    # estimate of 10,000-13,000 started from; e.g. Channel 4 News, 29 November 2014: "The previous
    # estimate was 2,744"). The five-list version merges two lists, so the total is unchanged.
    assert read_table(MSE_DIR / "uk2013_6lists.csv").observed == 2744
    assert read_table(MSE_DIR / "uk2013_5lists.csv").observed == 2744
    # Kosovo: "Data on 4400 observed killings" (MultipleSystemsEstimation, R/datasetdocumentation.R).
    assert read_table(MSE_DIR / "kosovo_4lists.csv").observed == 4400
    # Korea: nobserved 123 (MultipleSystemsEstimation user guide, docs/articles/user-guide.md).
    assert read_table(MSE_DIR / "korea_3lists.csv").observed == 123
    # New Orleans, second version: sum(NewOrl[, ncol(NewOrl)]) is 186 (reproduce-2021 vignette);
    # the first version differs by one case in the C&D cell.
    assert read_table(MSE_DIR / "new_orleans_8lists_186.csv").observed == 186
    assert read_table(MSE_DIR / "new_orleans_8lists_185.csv").observed == 185


def test_merged_versions_are_consistent():
    """Five-list tables are their six/eight-list tables with lists merged (a case is on the merged list
    when it is on any of its parts)."""

    def merged(name: str, groups: dict[str, list[str]]) -> dict[tuple[int, ...], int]:
        t = read_table(MSE_DIR / name)
        out: dict[tuple[int, ...], int] = {}
        for row in t.frame.itertuples(index=False):
            d = row._asdict()
            key = tuple(int(any(d[p] for p in parts)) for parts in groups.values())
            out[key] = out.get(key, 0) + d["count"]
        return {k: v for k, v in out.items() if v}

    def table(name: str) -> dict[tuple[int, ...], int]:
        t = read_table(MSE_DIR / name)
        return {tuple(p): int(c) for p, c in zip(t.patterns().tolist(), t.counts(), strict=True) if c}

    uk = {"LA": ["LA"], "NG": ["NG"], "PFNCA": ["PF", "NCA"], "GO": ["GO"], "GP": ["GP"]}
    assert merged("uk2013_6lists.csv", uk) == table("uk2013_5lists.csv")
    ned = {"IO": ["I", "O"], "K": ["K"], "P": ["P"], "R": ["R"], "Z": ["Z"]}
    assert merged("netherlands_6lists.csv", ned) == table("netherlands_5lists.csv")
    no = {"A": ["A"], "BEFG": ["B", "E", "F", "G"], "C": ["C"], "D": ["D"], "H": ["H"]}
    assert merged("new_orleans_8lists_185.csv", no) == table("new_orleans_5lists_185.csv")
    assert merged("new_orleans_8lists_186.csv", no) == table("new_orleans_5lists_186.csv")


def test_new_orleans_versions_differ_only_in_c_and_d():
    a = read_table(MSE_DIR / "new_orleans_8lists_185.csv").frame
    b = read_table(MSE_DIR / "new_orleans_8lists_186.csv").frame
    diff = a.compare(b)
    assert len(diff) == 1
    row = a.loc[diff.index[0]]
    assert row[["A", "B", "C", "D", "E", "F", "G", "H"]].tolist() == [0, 0, 1, 1, 0, 0, 0, 0]
    assert (int(a.loc[diff.index[0], "count"]), int(b.loc[diff.index[0], "count"])) == (1, 2)


def test_files_match_the_transcription(real_data):
    path = real_data / "mse" / "mse_datasets.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found (the MSE transcription)")
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for name, dataset in FILES.items():
        expected = [r for r in rows if r["dataset"] == dataset]
        assert expected, dataset
        table = read_table(MSE_DIR / name)
        assert list(table.lists) == expected[0]["list_names"].split("|"), name
        got = [
            ("".join(map(str, p)), int(c))
            for p, c in zip(table.patterns().tolist(), table.counts(), strict=True)
        ]
        assert got == [(r["pattern"], int(r["count"])) for r in expected], name
        with (MSE_DIR / "citations.csv").open(newline="") as f:
            cite = next(r for r in csv.DictReader(f) if r["file"] == name)
        assert cite["transcribed_from"] == expected[0]["source"], name
