"""What reading an upload costs the server: ``python benchmarks/uploads.py`` prints one JSON object.

For each picture (the largest PNG accepted, a 5000x5000 JPEG, a 5000x5000 PNG that is
refused, a phone-sized photo), a fresh Python process reads it with
``dlcore.data.images.read_grey`` (as the digits page does, longer side 1024) and reports
the growth of its peak resident memory (``ru_maxrss``) and the time taken. A room
uploading at once multiplies these numbers; the limits keep them bounded.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]

_READ = """
import json, sys, time
from pathlib import Path
from dlcore.data import images
def mb(field):
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field))
    return int(line.split()[1]) / 1024
data = open(sys.argv[1], "rb").read()
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from now
before = mb("VmRSS")
start = time.perf_counter()
try:
    shape, outcome = images.read_grey(data).shape, "read"
except images.BadImage as err:
    shape, outcome = None, str(err)
ms = (time.perf_counter() - start) * 1000
grown = mb("VmHWM") - before
print(json.dumps({"peak_memory_growth_mb": round(grown, 1), "ms": round(ms, 1),
                  "shape": list(shape) if shape else None, "outcome": outcome}))
"""

CASES = {
    "png_4000x3000_rgba (largest PNG accepted)": (("RGBA", (4000, 3000), "white"), "PNG"),
    "jpeg_5000x5000_rgb": (("RGB", (5000, 5000), "white"), "JPEG"),
    "png_5000x5000_rgb (refused)": (("RGB", (5000, 5000), "white"), "PNG"),
    "jpeg_4032x3024_photo": (("RGB", (4032, 3024), (200, 180, 150)), "JPEG"),
}


def main() -> None:
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, ((mode, size, colour), fmt) in CASES.items():
            buf = io.BytesIO()
            Image.new(mode, size, colour).save(buf, format=fmt)
            path = Path(tmp) / "upload"
            path.write_bytes(buf.getvalue())
            out = subprocess.run([sys.executable, "-c", _READ, str(path)], cwd=REPO,
                                 capture_output=True, text=True, check=True)
            result[name] = {"file_kb": round(len(buf.getvalue()) / 1024, 1),
                            **json.loads(out.stdout)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
