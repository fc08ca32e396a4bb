"""The seaborn small multiples (charts/explore.py) draw what the table holds, and draw hedges as hedges.

Expected values are computed here with plain pandas from the table (and, for the NRM heatmap, from the
publisher's CSV), then read back from the drawn artists: seaborn's lines, the bands, the hatched
rectangles and the heatmap's QuadMesh.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from trafficking_stats import paths, read_counts, schema
from trafficking_stats.charts.explore import (
    WITHHELD_LABEL,
    describe,
    fbi_offenses_and_agencies,
    glotip_small_multiples,
    hedged_frame,
    nrm_heatmap,
    show,
)
from trafficking_stats.charts.privacy import SmallCellError
from trafficking_stats.charts.style import SERIES_COLORS

BLUE, VERMILLION, GREEN = (to_hex(c) for c in SERIES_COLORS[:3])


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return read_counts()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _row(**kw: object) -> dict[str, object]:
    """A normalized-table row of an FBI-like state series (test data, not a published figure)."""
    year = int(kw.pop("year"))  # type: ignore[call-overload]
    base: dict[str, object] = {
        "dataset": "fbi_cde",
        "figure_id": f"t-{year}-{kw.get('metric', 'offenses_actual')}-{kw.get('geo_code', 'US-TX')}",
        "reporter": "Test program",
        "reporter_type": "police",
        "geo_level": "state",
        "geo_code": "US-TX",
        "geo_name": "Texas",
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "period_kind": "calendar_year",
        "year": year,
        "metric": "offenses_actual",
        "breakdown": "total",
        "qualifier": "exact",
        "unit": "offenses",
        "vintage": "t",
        "citation": "t",
        "quote": None,
        "conflict_group": None,
        "raw_file": None,
        "raw_row": None,
        "note": None,
    }
    base.update(kw)
    v = base.get("value")
    base.setdefault("value_low", v)
    base.setdefault("value_high", v)
    return base


def _table(rows: list[dict[str, object]]) -> pd.DataFrame:
    return schema.coerce(pd.DataFrame(rows))


def _points(ax, color: str, *, filled: bool = True) -> set[tuple[float, float]]:
    """(x, y) of every marker of ``color`` on ``ax``; ``filled`` picks filled or open (white) markers."""
    out = set()
    for ln in ax.get_lines():
        if to_hex(ln.get_color() if filled else ln.get_markeredgecolor()) != color:
            continue
        if (to_hex(ln.get_markerfacecolor()) == "#ffffff") == filled or ln.get_marker() in ("None", ""):
            continue
        out |= {(float(x), float(y)) for x, y in zip(ln.get_xdata(), ln.get_ydata(), strict=True)}
    return out


def _bands(ax, color: str) -> list[np.ndarray]:
    return [
        c.get_paths()[0].vertices
        for c in ax.collections
        if c.get_gid() == "interval" and to_hex(c.get_facecolor()[0][:3]) == color
    ]


def _band_at(bands: list[np.ndarray], year: int) -> tuple[float, float] | None:
    for v in bands:
        near = v[np.abs(v[:, 0] - year) <= 0.25]
        if len(near):
            return float(near[:, 1].min()), float(near[:, 1].max())
    return None


def _withheld(ax, color: str) -> list[Rectangle]:
    return [p for p in ax.patches if p.get_gid() == "withheld" and to_hex(p.get_edgecolor()) == color]


# ------------------------------------------------------------------------ how seaborn would draw them


def _hedged_series() -> pd.DataFrame:
    rows = [_row(year=y, value=v) for y, v in ((2014, 100), (2015, 120), (2017, 150), (2018, 160))]
    rows.append(_row(year=2016, value=300, qualifier="over", value_low=300, value_high=None))
    rows += [
        _row(year=y, metric="agencies_reporting", unit="agencies", value=10 + y - 2014)
        for y in range(2014, 2019)
    ]
    return _table(rows)


def test_seaborn_defaults_would_draw_a_bound_as_an_exact_point():
    """Why explore.py classifies rows first: given ``value``, seaborn joins "over 300" into the line."""
    t = _hedged_series()
    off = t[t["metric"] == "offenses_actual"].astype({"value": "float64"})
    ax = sns.lineplot(data=off, x="year", y="value", marker="o")
    (ln,) = ax.get_lines()
    assert (2016.0, 300.0) in set(zip(ln.get_xdata(), ln.get_ydata(), strict=True))


def test_a_bound_is_an_open_marker_and_breaks_the_line():
    g = fbi_offenses_and_agencies(_hedged_series(), ["US-TX"])
    ax = g.axes_dict[("Texas", "offenses")]
    exact = [ln for ln in ax.get_lines() if to_hex(ln.get_markerfacecolor()) == BLUE]
    assert sorted(sorted(float(x) for x in ln.get_xdata()) for ln in exact) == [[2014, 2015], [2017, 2018]]
    assert (2016.0, 300.0) not in _points(ax, BLUE), "never an exact point"
    assert _points(ax, BLUE, filled=False) == {(2016.0, 300.0)}
    (bound,) = [ln for ln in ax.get_lines() if ln.get_gid() == "lower-bound"]
    assert bound.get_marker() == "^" and bound.get_linestyle() == "None"
    assert "lower bound (open ▲)" in [t.get_text() for t in g.legend.get_texts()]
    agencies = g.axes_dict[("Texas", "agencies reporting")]
    assert _points(agencies, VERMILLION) == {(float(y), float(10 + y - 2014)) for y in range(2014, 2019)}


def test_a_suppressed_cell_is_a_hatched_band_never_0_or_5():
    t = _table(
        [
            _row(year=2014, value=50),
            _row(year=2015, value=None, qualifier="suppressed", value_low=0, value_high=4),
            _row(year=2016, value=60),
            *[
                _row(year=y, metric="agencies_reporting", unit="agencies", value=3)
                for y in (2014, 2015, 2016)
            ],
        ]
    )
    g = fbi_offenses_and_agencies(t, ["US-TX"])
    ax = g.axes_dict[("Texas", "offenses")]
    assert {x for x, _ in _points(ax, BLUE)} == {2014.0, 2016.0}
    assert all(len(ln.get_xdata()) == 1 for ln in ax.get_lines() if to_hex(ln.get_color()) == BLUE)
    (band,) = _withheld(ax, BLUE)
    assert band.get_hatch() == "////" and band.get_facecolor()[3] == 0, "hatched, not filled"
    assert band.get_y() == 0 and band.get_height() == 4
    assert 2014.5 < band.get_x() + band.get_width() / 2 < 2015.5
    assert WITHHELD_LABEL in [t.get_text() for t in g.legend.get_texts()]


def test_small_victim_cells_are_withheld_unless_allowed():
    rows = pd.DataFrame(
        {
            "metric": ["victims_identified"] * 3 + ["offenses_actual"],
            "breakdown": ["sex=female", "sex=male", "total", "sex=female"],
            "qualifier": ["exact"] * 4,
            "value": [3.0, 12.0, 2.0, 1.0],
            "value_low": [3.0, 12.0, 2.0, 1.0],
            "value_high": [3.0, 12.0, 2.0, 1.0],
        }
    )
    assert list(hedged_frame(rows)["drawn_as"]) == ["withheld", "exact", "exact", "exact"]
    assert list(hedged_frame(rows, allow_small_cells=True)["drawn_as"]) == ["exact"] * 4
    over = rows.iloc[:1].assign(qualifier="over", value_high=np.nan)
    with pytest.raises(SmallCellError):
        hedged_frame(over)


# -------------------------------------------------------------------------------- GLOTIP by region


@pytest.fixture(scope="module")
def glotip_sex(counts: pd.DataFrame):
    return glotip_small_multiples(counts, by="sex")


def test_glotip_facets_draw_the_regional_sums_computed_with_pandas(counts, glotip_sex):
    g = counts[
        (counts["dataset"] == "unodc_glotip")
        & (counts["metric"] == "victims_identified")
        & (counts["geo_level"] == "country")
        & counts["breakdown"].isin(["sex=female", "sex=male", "sex=other"])
        & counts["year"].notna()
    ]
    regions = pd.read_csv(paths.regions_csv(), dtype="str", keep_default_na=False)
    m = g.merge(regions[["geo_code", "region"]], on="geo_code", how="left")
    assert m["region"].notna().all()
    sums = m.groupby(["region", "year", "breakdown"]).agg(
        low=("value_low", "sum"), high=("value_high", "sum")
    )
    assert set(glotip_sex.axes_dict) == set(sums.index.get_level_values("region"))
    colors = {"sex=female": BLUE, "sex=male": VERMILLION, "sex=other": GREEN}
    checked = {"point": 0, "band": 0, "withheld": 0}
    for region, ax in glotip_sex.axes_dict.items():
        for breakdown, color in colors.items():
            points, bands = _points(ax, color), _bands(ax, color)
            withheld = {round(p.get_x() + p.get_width() / 2) for p in _withheld(ax, color)}
            want = (
                sums.loc[region].xs(breakdown, level="breakdown")
                if breakdown in set(sums.loc[region].index.get_level_values("breakdown"))
                else sums.iloc[:0]
            )
            drawn_years = {x for x, _ in points}
            for year, (low, high) in want.iterrows():
                year = int(year)
                if low < 5:  # a victim breakdown cell below 5: withheld (privacy)
                    assert year in withheld, (region, breakdown, year)
                    checked["withheld"] += 1
                elif low == high:
                    assert (float(year), float(low)) in points, (region, breakdown, year)
                    checked["point"] += 1
                else:  # a sum with withheld (<5) terms is a range: a band, never a point
                    assert _band_at(bands, year) == (float(low), float(high)), (region, breakdown, year)
                    assert year not in drawn_years, (region, breakdown, year)
                    checked["band"] += 1
            assert len(points) == sum((want["low"] == want["high"]) & (want["low"] >= 5))
            assert len(withheld) == int((want["low"] < 5).sum())
    assert all(checked.values()), checked  # every kind of mark met in the real table


def test_glotip_hue_colours_follow_the_categories_not_the_dtype(glotip_sex):
    """pandas 3 ``str`` hue columns can misdraw hue_order (seaborn #3893): the frame is cast to object."""
    assert glotip_sex.data["category"].dtype == object
    legend = {
        t.get_text(): h
        for t, h in zip(glotip_sex.legend.get_texts(), glotip_sex.legend.legend_handles, strict=True)
    }
    assert to_hex(legend["female"].get_color()) == BLUE
    assert to_hex(legend["male"].get_color()) == VERMILLION
    assert to_hex(legend["other"].get_color()) == GREEN
    # Europe 2019: more men than women were detected (a regional sum; the lines must not be swapped)
    europe = glotip_sex.data[(glotip_sex.data["place"] == "Europe") & (glotip_sex.data["year"] == 2019)]
    by_cat = europe.set_index("category")
    assert by_cat.loc["male", "low"] > by_cat.loc["female", "high"]
    ax = glotip_sex.axes_dict["Europe"]
    assert _band_at(_bands(ax, VERMILLION), 2019) == (by_cat.loc["male", "low"], by_cat.loc["male", "high"])


def test_glotip_country_facets_hatch_each_suppressed_cell(counts):
    g = glotip_small_multiples(counts, by="age", facet="country", region="Oceania")
    regions = pd.read_csv(paths.regions_csv(), dtype="str", keep_default_na=False)
    oceania = set(regions.loc[regions["region"] == "Oceania", "geo_code"])
    rows = counts[
        (counts["dataset"] == "unodc_glotip")
        & (counts["metric"] == "victims_identified")
        & counts["geo_code"].isin(oceania)
        & counts["breakdown"].isin(["age=adult", "age=minor"])
        & counts["year"].notna()
    ]
    for (name, breakdown), cells in rows.groupby(["geo_name", "breakdown"]):
        ax = g.axes_dict[name]
        color = BLUE if breakdown == "age=adult" else VERMILLION
        suppressed = cells[cells["qualifier"] == "suppressed"]
        bands = _withheld(ax, color)
        assert sorted(round(p.get_x() + p.get_width() / 2) for p in bands) == sorted(
            suppressed["year"].astype(int)
        )
        assert all(p.get_height() == 4 and p.get_hatch() for p in bands)
        assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] >= 4, "a facet of withheld cells shows them whole"
        exact = cells[cells["qualifier"] == "exact"]
        assert _points(ax, color) == {
            (float(y), float(v)) for y, v in zip(exact["year"], exact["value"], strict=True)
        }


# ----------------------------------------------------------------------------------------- FBI


def test_fbi_columns_are_the_top_states_with_the_tables_values(counts):
    fbi = counts[(counts["dataset"] == "fbi_cde") & (counts["breakdown"] == "total") & counts["year"].notna()]
    states = fbi[(fbi["metric"] == "offenses_actual") & (fbi["geo_level"] == "state")]
    top = states.groupby("geo_name")["value"].sum().sort_values(ascending=False).head(3)
    g = fbi_offenses_and_agencies(counts, top=3)
    assert [ax.get_ylabel() for ax in g.axes[:, 0]] == list(top.index)
    assert [ax.get_title() for ax in g.axes[0]] == ["offenses", "agencies reporting"]
    for name in top.index:
        for measure, metric, color in (
            ("offenses", "offenses_actual", BLUE),
            ("agencies reporting", "agencies_reporting", VERMILLION),
        ):
            want = fbi[(fbi["geo_name"] == name) & (fbi["metric"] == metric)]
            got = _points(g.axes_dict[(name, measure)], color)
            assert got == {(float(y), float(v)) for y, v in zip(want["year"], want["value"], strict=True)}


# ---------------------------------------------------------------------------------------- heatmap


@pytest.fixture(scope="module")
def nrm(counts: pd.DataFrame):
    return nrm_heatmap(counts, by="first_responder", source="NRM referrals by nationality")


def _grid(fig) -> tuple[pd.DataFrame, np.ndarray, object]:
    ax = fig.axes[0]
    (mesh,) = ax.collections
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    arr = mesh.get_array().reshape(len(rows), len(cols))
    return (
        pd.DataFrame(np.ma.filled(arr.astype(float), np.nan), index=rows, columns=cols),
        np.ma.getmaskarray(arr),
        ax,
    )


def test_heatmap_masks_and_hatches_small_cells_and_shows_the_rest(counts, nrm):
    shown, mask, ax = _grid(nrm)
    nat = counts[(counts["dataset"] == "uk_nrm") & counts["raw_file"].str.contains("by nationality Dec 23")]
    pairs = nat["breakdown"].str.extract(r"first_responder=([^;]+);nationality=(.+)")
    nat = nat.assign(fr=pairs[0], nationality=pairs[1]).dropna(subset=["fr"])
    want = nat.pivot(index="nationality", columns="fr", values="value").astype(float)
    want.index = [s.replace("_", " ").lower() for s in want.index]
    want.columns = [s.replace("_", " ").lower() for s in want.columns]
    got = shown.rename(index=str.lower, columns=str.lower)
    assert set(got.index) == set(want.index) and set(got.columns) == set(want.columns)
    want = want.loc[got.index, got.columns]
    small = (want < 5).to_numpy()
    assert small.any() and (mask == small).all(), "masked exactly where the figure is below 5"
    np.testing.assert_array_equal(got.to_numpy()[~small], want.to_numpy()[~small])
    hatched = {
        (int(p.get_x()), int(p.get_y())) for p in ax.patches if p.get_gid() == "withheld" and p.get_hatch()
    }
    assert hatched == {(j, i) for i, j in zip(*np.nonzero(small), strict=True)}
    for t in ax.texts:  # seaborn's annotations: none in a withheld cell, each shown cell's own number
        i, j = int(t.get_position()[1]), int(t.get_position()[0])
        assert not small[i, j]
        assert t.get_text() == f"{want.iloc[i, j]:,.0f}"
    assert len(ax.texts) == (~small).sum()
    assert WITHHELD_LABEL in [t.get_text() for t in ax.get_legend().get_texts()]


def test_heatmap_matches_the_publishers_file(real_data, nrm):
    raw = pd.read_csv(real_data / "uk-nrm" / "NRM referrals by nationality Dec 23.csv").set_index(
        "Nationality"
    )
    raw.index = raw.index.str.lower()
    raw.columns = raw.columns.str.lower()
    shown, mask, _ = _grid(nrm)
    shown = shown.rename(index=str.lower, columns=str.lower)
    raw = raw.loc[shown.index, shown.columns].astype(float)
    assert (mask == (raw < 5).to_numpy()).all()
    np.testing.assert_array_equal(shown.to_numpy()[~mask], raw.to_numpy()[~mask])
    assert shown.loc["albanian", "government agency"] == 3274


def test_heatmap_shows_small_cells_only_when_allowed(counts):
    fig = nrm_heatmap(
        counts, by="first_responder", source="NRM referrals by nationality", allow_small_cells=True
    )
    shown, mask, ax = _grid(fig)
    assert not mask.any()
    assert not [p for p in ax.patches if p.get_gid() == "withheld"]
    assert shown.loc["Thai", "Local authority"] == 1


def test_heatmap_draws_a_bound_as_text_not_as_a_colour():
    base = {
        "dataset": "uk_nrm",
        "reporter": "Test",
        "reporter_type": "government",
        "geo_level": "country",
        "geo_code": "GBR",
        "geo_name": "United Kingdom",
        "period_kind": "calendar_year",
        "metric": "victims_referred",
        "unit": "referrals",
        "vintage": "t",
        "citation": "t",
        "raw_file": "t.csv",
        "quote": None,
        "conflict_group": None,
        "raw_row": None,
        "note": None,
    }
    rows = []
    for year in (2022, 2023):
        for nat, v, q in (("albanian", 40, "exact"), ("thai", 230, "over" if year == 2023 else "exact")):
            rows.append(
                base
                | {
                    "figure_id": f"{nat}-{year}",
                    "period_start": f"{year}-01-01",
                    "period_end": f"{year}-12-31",
                    "year": year,
                    "breakdown": f"nationality={nat}",
                    "value": v,
                    "qualifier": q,
                    "value_low": v,
                    "value_high": None if q == "over" else v,
                }
            )
    fig = nrm_heatmap(_table(rows))
    shown, mask, ax = _grid(fig)
    assert list(shown.columns) == ["2022", "2023"]
    assert mask[list(shown.index).index("Thai"), 1], "the bound is not coloured as 230"
    assert shown.loc["Thai", "2022"] == 230
    (bound,) = [t for t in ax.texts if t.get_gid() == "bound-cell"]
    assert bound.get_text() == "230+"


def test_no_global_rc_change(counts):
    before = dict(mpl.rcParams)
    nrm_heatmap(counts, by="first_responder", source="NRM referrals by nationality")
    assert dict(mpl.rcParams) == before


def test_two_nrm_tables_are_not_mixed(counts):
    with pytest.raises(ValueError, match="choose one with source="):
        nrm_heatmap(counts)


def test_describe_counts_what_was_drawn_and_show_closes_the_figure(counts, monkeypatch):
    fig = nrm_heatmap(counts, by="first_responder", source="NRM referrals by nationality")
    _, mask, _ = _grid(fig)
    text = describe(fig)
    assert f"{(~mask).sum()} cells shown as numbers, {mask.sum()} {WITHHELD_LABEL}" in text
    assert "40 nationality rows by 4 first responder columns" in text
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda bundle, **kw: shown.append(bundle))
    assert fig.number in plt.get_fignums()
    show(fig)
    (bundle,) = shown
    assert bundle["text/plain"] == text and bundle["image/png"]
    assert fig.number not in plt.get_fignums(), "closed: the inline backend must not show it again"
