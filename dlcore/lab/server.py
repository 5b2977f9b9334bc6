"""What one server shares between the lab's sessions: its training slots and its finished runs.

Plain module-level objects (issue 23): they lived in ``st.cache_resource``, which any
client can empty with Streamlit's ``clear_cache`` message; after one such message a new
semaphore let a fourth run train beside three (limit 2). A module is imported once per
process, and nothing a client sends reaches it.
"""

from __future__ import annotations

import threading

from dlcore import shared

TRAINERS = 2  # runs training at once on this server (its cores); the others wait
KEPT_RUNS = 64  # finished runs kept for every session (seeded: same settings, same curves)

TRAINING = threading.BoundedSemaphore(TRAINERS)
# Finished runs by their settings: a preset link opened by fifty laptops trains once.
# Outcomes hold curves and scores, no weights (a few kB each).
FINISHED = shared.BoundedMemo(KEPT_RUNS)
