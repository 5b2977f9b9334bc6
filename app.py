"""Deep Learning: Getting Started, live. Run with ``streamlit run app.py``.

The shell (``ui/shell.py``) builds the navigation from the talk's map
(``ui/catalog.py``): the home page first, then one page per concept.
"""

import os
import sys

# Streamlit puts this folder on sys.path for the length of each run and takes it off at the
# end of the run that put it there, while other sessions may still be importing from it:
# on a fresh server, 20 people opening at once got "cannot import name 'kit' from 'ui'"
# (benchmarks/load.py). A second entry of our own, at the end, stays for the server's life
# (list.remove takes the first one).
_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path.count(_HERE) < 2:
    sys.path.append(_HERE)

# plotly imports pandas on first use; several sessions doing that at once got "partially
# initialized module 'pandas'" (benchmarks/load.py), so the first run imports it here.
import pandas  # noqa: E402, F401

from ui import nodelay, shell  # noqa: E402

# without it, a run's messages after the first waited for the client's delayed ACK
# (Nagle's algorithm: up to 40 ms on Linux), ui/nodelay.py
nodelay.ensure()
shell.run()
