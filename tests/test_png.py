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
