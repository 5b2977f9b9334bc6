"""Pictures the app makes itself for the talk's slides that have no live view.

Each is drawn offline from what the app ships (the ImageNet network, scikit-image's
bundled photos, published figures typed in with their source): nothing is fetched and
nothing is a stock image. ``PICTURES`` maps a slide number to the function that draws
its picture into the slide, inside ``kit.slide_part("picture")``.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui import kit

PICTURES: dict[int, Callable[[], None]] = {}


def has(index: int) -> bool:
    return index in PICTURES


def draw(index: int) -> None:
    """Slide ``index``'s picture; one that fails says so and the deck goes on."""
    with kit.slide_form(), kit.slide_part("picture"):
        try:
            PICTURES[index]()
        except Exception as err:  # noqa: BLE001 - a picture's failure never breaks the deck
            st.error(f"This picture failed ({kit.plain(type(err).__name__)}: "
                     f"{kit.plain(err)}).", icon="⚠️")
