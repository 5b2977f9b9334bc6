"""What "Hot dog or not" and "Fine-tuning" share: the ImageNet network, loaded once per
server for both, and the pictures a person gives (upload or camera), read safely and kept
small. What is read stays in the person's session (``st.session_state``), shrunk to
:data:`KEEP_SIDE` pixels, never written to disk.
"""

from __future__ import annotations

import streamlit as st
import torch
from PIL import Image

from dlcore.data import images
from dlcore.finetune import imagenet
from ui import kit

MAX_BYTES = 5 * 2**20  # the server's maxUploadSize (.streamlit/config.toml)
KEEP_SIDE = 320  # px: enough for the network's 256-then-224 crop
MAX_KEPT = 20  # pictures of one class a session may keep (320 px: 0.3 MB each)


@st.cache_resource
def network() -> torch.nn.Module:
    """EfficientNet-lite0, one copy per server for every session and both pages (eval
    mode, frozen; nothing changes it)."""
    return imagenet.load_model()


def picture_from(upload, container=st) -> Image.Image | None:
    """The picture in an uploader's or camera's file, or None with a message saying why."""
    if upload is None:
        return None
    try:  # upright (EXIF), RGB on white, decoded at a bounded size
        return images.read_rgb(upload.getvalue(), max_side=KEEP_SIDE, max_bytes=MAX_BYTES)
    except images.BadImage as err:
        container.error(f"{kit.plain(upload.name)} cannot be used: {kit.plain(err)}.",
                        icon="🚫")
        return None


