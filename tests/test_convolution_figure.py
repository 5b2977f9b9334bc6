"""The convolution page's real-image figure, built as plotly JSON (no ``go`` objects, which
validated every cell on each run): plotly accepts it, and it holds the picture and the
feature map with the values ``conv.apply`` computed."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dlcore import conv
from dlcore.data import mnist
from pages.convolution import image_figure


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
    # scales spelled out: plotly.js does not know plotly.py's names ("gray_r", its "RdBu")
    assert left["colorscale"][0] == [0.0, "rgb(254, 254, 253)"]  # 0 white, ink dark
    assert all(isinstance(t["colorscale"], list) for t in (left, right))
    if fmap.min() < 0:  # a signed map: zero in the middle of a symmetric scale
        assert right["zmid"] == 0 and right["zmin"] == -right["zmax"]
        assert right["colorscale"][0][1] == "rgb(103,0,31)"  # negative red
    else:
        assert right["zmin"] == 0
    layout = spec["layout"]
    assert layout["yaxis"]["autorange"] == layout["yaxis2"]["autorange"] == "reversed"
    assert [a["text"] for a in layout["annotations"]] == ["image", "feature map"]
