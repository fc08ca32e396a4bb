"""The PNG writer: pixels, resolution and texts survive a round trip through an independent reader."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from trafficking_stats.charts.png import encode_png


def _image(h: int = 7, w: int = 5) -> np.ndarray:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, size=(h, w, 4), dtype=np.uint8)
    a[..., 3] = 255
    return a


@pytest.mark.parametrize("level", [1, 6, 9])
def test_pixels_round_trip_through_pillow(level: int):
    a = _image()
    im = Image.open(io.BytesIO(encode_png(a, dpi=300, level=level)))
    assert im.mode == "RGB" and im.size == (5, 7)
    assert np.array_equal(np.asarray(im), a[..., :3])


def test_resolution_and_texts_are_readable():
    data = encode_png(_image(), dpi=300, texts={"Title": "T", "Description": "Über 230 ✓"})
    im = Image.open(io.BytesIO(data))
    im.load()
    assert im.info["Title"] == "T" and im.info["Description"] == "Über 230 ✓"
    assert all(abs(d - 300) < 0.01 for d in im.info["dpi"])  # stored as whole pixels per metre
    assert b"Software" not in data


def test_matches_matplotlib_savefig_pixels():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    fig.add_subplot().plot([1, 2, 3], [1, 3, 2])
    fig.text(0.1, 0.9, "230+")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    fig.canvas.draw()
    ours = Image.open(io.BytesIO(encode_png(np.asarray(fig.canvas.buffer_rgba()), dpi=100)))
    theirs = Image.open(buf).convert("RGB")
    assert ours.size == theirs.size == (200, 150)
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))


@pytest.mark.parametrize(
    "bad", [np.zeros((3, 3, 3), np.uint8), np.zeros((3, 3, 4), np.float64), np.zeros((0, 3, 4), np.uint8)]
)
def test_refuses_what_is_not_an_rgba_image(bad: np.ndarray):
    with pytest.raises(ValueError, match="uint8 image"):
        encode_png(bad, dpi=72)


def test_refuses_a_keyword_png_does_not_allow():
    with pytest.raises(ValueError, match="keyword"):
        encode_png(_image(), dpi=72, texts={"x" * 80: "too long"})


def _idat_stream(data: bytes) -> bytes:
    """The IDAT payload of a PNG written as one IDAT chunk (as encode_png does)."""
    i = data.index(b"IDAT")
    (n,) = __import__("struct").unpack(">I", data[i - 4 : i])
    return data[i + 4 : i + 4 + n]


def test_a_large_image_compressed_in_bands_round_trips_exactly():
    """Above the banding size the rows are compressed in parallel bands: every pixel must survive, at the
    band edges too, and the zlib stream must be one valid stream (zlib checks its Adler-32 itself)."""
    import zlib

    rng = np.random.default_rng(1)
    a = np.full((1001, 700, 4), 255, dtype=np.uint8)  # 700,700 pixels, an odd row count: uneven bands
    a[::7, :, :3] = rng.integers(0, 256, size=(143, 700, 3), dtype=np.uint8)
    a[240:260, 100:600, 0] = 0  # a block across the first band edge (row 250)
    data = encode_png(a, dpi=300, level=1)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), a[..., :3])
    raw = zlib.decompress(_idat_stream(data))  # raises on a wrong checksum or a broken stream
    assert len(raw) == 1001 * (1 + 3 * 700)


def test_bytes_do_not_depend_on_the_number_of_cores(monkeypatch: pytest.MonkeyPatch):
    a = np.full((900, 900, 4), 255, dtype=np.uint8)
    a[100:800:3, 50:850, 1] = 17
    many = encode_png(a, dpi=300, level=1)
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert encode_png(a, dpi=300, level=1) == many


@pytest.mark.parametrize("preset", ["web", "print-a4"])
def test_chart_canvas_draws_the_pixels_of_matplotlibs_own_renderer(preset: str):
    """The charts' canvas draws text with a faster loop (charts/agg.py); every standard chart must come
    out pixel for pixel as matplotlib's own Agg canvas draws it, at a screen and a print size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from trafficking_stats import read_counts
    from trafficking_stats.charts import PRESETS, STANDARD_CHARTS
    from trafficking_stats.charts.agg import ChartCanvas
    from trafficking_stats.charts.style import house_style

    counts = read_counts()
    for name, spec in STANDARD_CHARTS.items():
        fig = spec.build(counts, preset)
        assert isinstance(fig.canvas, ChartCanvas), name
        with house_style(PRESETS[preset]):
            fig.canvas.draw()
            ours = np.asarray(fig.canvas.buffer_rgba()).copy()
            FigureCanvasAgg(fig).draw()
            theirs = np.asarray(fig.canvas.buffer_rgba())
        assert ours.shape == theirs.shape, name
        assert np.array_equal(ours, theirs), (
            f"{name} at {preset}: {np.count_nonzero(ours != theirs)} bytes differ"
        )
