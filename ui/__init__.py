"""The app's shared page layer (pages import ``ui.kit``); see CONTRIBUTING.md.

A regular package, not a namespace one (whose modules are looked up through ``sys.path``
on every import, which Streamlit changes at the end of each run).

On a fresh server whose first visitors open a page's link, Streamlit runs that page's
file in its old multipage mode (``ui/compat.py``); the first thing such a run imports
from the app is this package, which ends that mode and asks for a rerun through
``app.py``. It is done here, in a module with nothing else in it, and not in a module
other sessions import at the same moment: when ``ui.kit`` raised the rerun while it was
being imported, 46 of 50 visitors opening at once on a fresh server got "cannot import
name 'kit' from 'ui'" (python benchmarks/room.py --workers 2; none now). A visitor whose
first run started in that same instant, in the old mode, still runs a page's file that
draws nothing: a blank page until they reload (asking the other sessions to rerun takes
more of Streamlit's internals, and their page is not yet known at that moment).
"""

import sys

if "streamlit" in sys.modules:  # a pure import (ui.codec in a test) loads no Streamlit
    from ui import compat

    compat.leave_legacy_multipage_mode()
