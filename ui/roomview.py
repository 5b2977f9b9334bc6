"""A live view's state as a room carries it, and back. Pure Python (the URL codec only).

The presenter's live slide is a page's state table (``ui/states/<page>.py``); the room
(``dlcore.rooms``) carries flat text, ``{name: text}``. Each field is written as a link
writes it (:func:`ui.codec.to_url`), a field at its default is left out, a tuple is a
JSON list of its texts, and ``"_page"`` names the page, so that a follower reads it back
exactly as it would read a link (:func:`ui.codec.from_url`: bounds, choices, lengths),
and a room view made for one page is never applied to another. ``{}`` means "the slide's
preset". The room's own limits (``rooms.MAX_VIEW_ITEMS``, ``rooms.MAX_VIEW_TEXT``) bound
it; a field too long to carry (a drawn grid) is left out and named in ``dropped``.
"""

from __future__ import annotations

import json
from typing import Any

from dlcore import rooms
from ui import codec

PAGE = "_page"


def to_room(cls: type, values: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """``values`` (field -> value) of ``cls``'s table as a room view, and the names of the
    fields too long to carry."""
    out, dropped = {PAGE: cls.PAGE}, []
    for name, spec in codec.specs(cls).items():
        if name not in values:
            continue
        texts = codec.to_url(spec, values[name])
        if texts is None:
            continue
        text = json.dumps(texts) if spec.many else texts[0]
        if len(name) + len(text) > rooms.MAX_VIEW_TEXT or len(out) >= rooms.MAX_VIEW_ITEMS:
            dropped.append(name)
            continue
        out[name] = text
    return out, dropped


def from_room(cls: type, view: dict[str, str]) -> dict[str, Any]:
    """Every field of ``cls`` from a room view (a field not in it is at its default);
    raises ``codec.BadValue`` (or ValueError) on anything a link would refuse, a view of
    another page, or a name the table does not have."""
    if view.get(PAGE) != cls.PAGE:
        raise ValueError(f"a room view of {view.get(PAGE)!r}, not of {cls.PAGE!r}")
    table = codec.specs(cls)
    unknown = set(view) - set(table) - {PAGE}
    if unknown:
        raise ValueError(f"not settings of {cls.PAGE}: {sorted(unknown)[:3]}")
    values = {}
    for name, spec in table.items():
        if name not in view:
            values[name] = spec.default
            continue
        text = view[name]
        if spec.many:
            try:
                texts = json.loads(text)
            except json.JSONDecodeError:
                raise codec.BadValue(text, "not a list") from None
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                raise codec.BadValue(text, "not a list of texts")
        else:
            texts = [text]
        values[name] = codec.from_url(spec, texts)
    return values
