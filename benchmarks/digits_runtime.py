"""The digits networks in the browser: the hand-written forward pass against onnxruntime-web.

    npm pack onnxruntime-web@1.31.1 && tar xzf onnxruntime-web-1.31.1.tgz   # in a folder
    python benchmarks/digits_runtime.py --ort-dist FOLDER/package/dist [--repeat 300]

Issue 24 asks to choose between a small hand-written forward pass and a library by
measured size and speed. This command measures both in headless Chromium on the same 300
shipped test digits:

- ``bytes``: what a first open downloads for each (the JavaScript, the WebAssembly runtime
  and the weights), raw and gzip -9;
- ``forward_ms``: one forward pass of each network on one digit (median and p95 over the
  digits, after 20 warm-up passes); onnxruntime-web on its WebAssembly backend, one thread
  (threads need a cross-origin-isolated page);
- ``max_abs_diff``: the largest difference between the two's probabilities.

The ONNX files are exported here from the shipped ``.pt`` files with ``torch.onnx.export``,
which needs the ``onnx`` and ``onnxscript`` packages (not the app's: install them where you
run this). Nothing here is served by the app; the browser gets every file from this
process (Playwright's routing). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

HOST = "http://bench.local/"
PAGE = """<!doctype html><html><body><script src="ort.wasm.min.js"></script>
<script>%s
window.DigitNet = DigitNet;</script></body></html>"""

MEASURE = """async ([digits, repeat]) => {
  const nets = DigitNet.parse(await (await fetch("digits_nets.bin")).arrayBuffer());
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = location.origin + "/";
  const out = {};
  for (const kind of ["cnn", "mlp"]) {
    const session = await ort.InferenceSession.create(`${kind}.onnx`, {executionProviders: ["wasm"]});
    const { mean, std } = nets.header.normalise;
    const run = async d => {
      const x = new Float32Array(784);
      for (let i = 0; i < 784; i++) x[i] = (d[i] / 255 - mean) / std;
      const r = await session.run({ x: new ort.Tensor("float32", x, [1, 1, 28, 28]) });
      const z = Array.from(r[session.outputNames[0]].data), m = Math.max(...z);
      const e = z.map(v => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
      return e.map(v => v / s);
    };
    for (let i = 0; i < 20; i++) { DigitNet.probabilities(nets, kind, digits[i]); await run(digits[i]); }
    const hand = [], lib = [];
    let diff = 0;
    for (let k = 0; k < repeat; k++) {
      const d = digits[k % digits.length];
      let t = performance.now();
      const p = DigitNet.probabilities(nets, kind, d);
      hand.push(performance.now() - t);
      t = performance.now();
      const q = await run(d);
      lib.push(performance.now() - t);
      for (let j = 0; j < 10; j++) diff = Math.max(diff, Math.abs(p.probs ? p.probs[j] - q[j] : p[j] - q[j]));
    }
    out[kind] = { hand, lib, diff };
  }
  return out;
}"""


def export_onnx(folder: Path) -> dict[str, Path]:
    import torch

    from dlcore.digits.model import WEIGHTS, load

    files = {}
    for kind in ("cnn", "mlp"):
        model, _ = load(kind, WEIGHTS[kind])
        files[kind] = folder / f"{kind}.onnx"
        torch.onnx.export(model.float(), (torch.zeros(1, 1, 28, 28),), str(files[kind]),
                          input_names=["x"], output_names=["logits"], dynamo=False)
    return files


def stats(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"median": round(statistics.median(xs), 3), "p95": round(xs[int(0.95 * (len(xs) - 1))], 3)}


def size(paths: list[Path]) -> dict:
    raw = sum(p.stat().st_size for p in paths)
    packed = sum(len(gzip.compress(p.read_bytes(), 9)) for p in paths)
    return {"files": [p.name for p in paths], "bytes": raw, "gzip_bytes": packed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ort-dist", type=Path, required=True,
                    help="the dist/ folder of an unpacked onnxruntime-web package")
    ap.add_argument("--repeat", type=int, default=300)
    args = ap.parse_args()
    dist = args.ort_dist
    runtime = [dist / "ort.wasm.min.js", dist / "ort-wasm-simd-threaded.mjs",
               dist / "ort-wasm-simd-threaded.wasm"]
    missing = [p.name for p in runtime if not p.exists()]
    if missing:
        raise SystemExit(f"{dist} has no {missing}: unpack onnxruntime-web's package there")
    from playwright.sync_api import sync_playwright

    from dlcore.data import mnist

    net_js = REPO / "ui" / "components" / "digits_net.js"
    weights = REPO / "static" / "digits_nets.bin"
    images, _ = mnist.load_sample()
    digits = [img.reshape(-1).astype(int).tolist() for img in images]
    with tempfile.TemporaryDirectory() as tmp:
        onnx = export_onnx(Path(tmp))
        served = {"digits_nets.bin": weights, **{p.name: p for p in runtime},
                  **{p.name: p for p in onnx.values()}}
        types = {".js": "text/javascript", ".mjs": "text/javascript",
                 ".wasm": "application/wasm"}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()

            def route(r) -> None:
                name = r.request.url.removeprefix(HOST).split("?")[0]
                if name == "":
                    r.fulfill(body=PAGE % net_js.read_text(), content_type="text/html")
                elif name in served:
                    r.fulfill(body=served[name].read_bytes(),
                              content_type=types.get(served[name].suffix,
                                                     "application/octet-stream"))
                else:
                    r.fulfill(status=404)

            page.route("**/*", route)
            page.goto(HOST)
            got = page.evaluate(MEASURE, [digits, args.repeat])
            browser.close()
        result = {
            "repeat": args.repeat,
            "bytes": {"hand_written": size([net_js, weights]),
                      "onnxruntime_web": size([*runtime, *onnx.values()])},
            "forward_ms": {kind: {"hand_written": stats(v["hand"]),
                                  "onnxruntime_web": stats(v["lib"])}
                           for kind, v in got.items()},
            "max_abs_diff": {kind: v["diff"] for kind, v in got.items()},
        }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
