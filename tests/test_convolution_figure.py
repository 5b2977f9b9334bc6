"""The convolution page's real-image figure, built as plotly JSON (no ``go`` objects, which
validated every cell on each run): plotly accepts it, and it holds the picture and the
feature map with the values ``conv.apply`` computed."""

from __future__ import annotations

import json

import numpy as np
import plotly.colors
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dlcore import conv
from dlcore.data import mnist
from pages.convolution import image_figure


def scale(colors: list[str]) -> list[list]:
    """plotly's named colour list as the [[position, colour], ...] a figure's JSON holds."""
    return [list(step) for step in plotly.colors.make_colorscale(colors)]


def rgb(color: str) -> tuple[int, ...]:
    return tuple(int(v) for v in color[color.index("(") + 1:-1].split(","))


def lightness(color: str) -> int:
    return sum(rgb(color))


@pytest.mark.parametrize("op, kernel", [("xcorr", "sobel_x"), ("max", None)])
def test_the_real_image_figure_is_valid_plotly_with_both_panels(op, kernel):
    images, _ = mnist.load_sample()
    picture = images[3]
    chosen = conv.PRESETS[kernel] if kernel else np.ones((2, 2))
    fmap = conv.apply(op, picture.astype(float), chosen, 1, 0, 1)
    spec = json.loads(pio.to_json(image_figure(picture, fmap, "feature map"), validate=False))
    go.Figure(spec)  # raises on anything plotly would not accept
    left, right = spec["data"]
    assert np.array_equal(np.array(left["z"]), picture)
    np.testing.assert_allclose(np.array(right["z"]), fmap, rtol=1e-3, atol=1e-9)
    assert (right["xaxis"], right["yaxis"]) == ("x2", "y2")
    # scales spelled out (plotly.js does not know plotly.py's names "gray_r" and its
    # "RdBu"): plotly's own scales are the oracle, and what they mean is checked too
    assert left["colorscale"] == scale(plotly.colors.sequential.gray_r)
    assert lightness(left["colorscale"][0][1]) > lightness(left["colorscale"][-1][1])  # ink dark
    if fmap.min() < 0:  # a signed map: zero in the middle of a symmetric scale
        assert right["zmid"] == 0 and right["zmin"] == -right["zmax"]
        assert right["colorscale"] == scale(plotly.colors.diverging.RdBu)
        (r0, _, b0), (r1, _, b1) = (rgb(right["colorscale"][i][1]) for i in (0, -1))
        assert r0 > b0 and b1 > r1  # negative red, positive blue
    else:
        assert right["zmin"] == 0
        assert right["colorscale"] == scale(plotly.colors.sequential.gray_r)
    layout = spec["layout"]
    assert layout["yaxis"]["autorange"] == layout["yaxis2"]["autorange"] == "reversed"
    assert [a["text"] for a in layout["annotations"]] == ["image", "feature map"]
