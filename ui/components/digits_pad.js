// The digits page's drawing pad: a canvas of its own (pointer events: mouse, pen, finger),
// read by both networks in this browser on every pen move (DigitNet, digits_net.js), and
// the 28x28 digit sent to Python at most once per pen-up, and only while the page asks
// (data.send), for what only the server draws.
const PADS = new WeakMap();
const NETS = (globalThis.__dlcoreDigitNets = globalThis.__dlcoreDigitNets || {});

function loadNets(url) {
  if (!NETS[url]) {
    NETS[url] = fetch(url).then(r => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.arrayBuffer();
    }).then(DigitNet.parse);
    NETS[url].catch(() => { delete NETS[url]; });  // a later render tries again
  }
  return NETS[url];
}

function setUp(root, setStateValue) {
  const q = sel => root.querySelector(sel);
  const pad = {
    root: q(".dg-pad"), canvas: q("canvas.dg-canvas"), seen: q("canvas.dg-seen"),
    status: q(".dg-status"), strokes: [], current: null, pen: 20, nets: null, names: {},
    sent: "null", wanted: false, frame: 0, moveStamp: null, reads: 0, latencies: [],
  };
  pad.ctx = pad.canvas.getContext("2d", { willReadFrequently: true });
  const bars = {};
  for (const kind of ["cnn", "mlp"]) {
    const box = q(`.dg-bars[data-kind="${kind}"]`);
    bars[kind] = Array.from({ length: 10 }, (_, d) => {
      const col = document.createElement("div");
      col.className = "dg-col";
      col.innerHTML = `<div class="dg-bar"></div><span>${d}</span>`;
      box.appendChild(col);
      return col.firstChild;
    });
  }
  pad.bars = bars;

  const point = e => {
    const r = pad.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * 280 / r.width, (e.clientY - r.top) * 280 / r.height];
  };
  pad.canvas.addEventListener("pointerdown", e => {
    pad.canvas.setPointerCapture(e.pointerId);
    pad.current = { width: pad.pen, points: [point(e)] };
    pad.strokes.push(pad.current);
    paint(pad);
    schedule(pad, e.timeStamp);
  });
  pad.canvas.addEventListener("pointermove", e => {
    if (!pad.current) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of (events.length ? events : [e])) pad.current.points.push(point(ev));
    paint(pad);
    schedule(pad, e.timeStamp);
  });
  const lift = () => {
    if (!pad.current) return;
    pad.current = null;
    read(pad, null);
    send(pad);
  };
  pad.canvas.addEventListener("pointerup", lift);
  pad.canvas.addEventListener("pointercancel", lift);
  q(".dg-undo").addEventListener("click", () => { pad.strokes.pop(); redraw(pad); });
  q(".dg-clear").addEventListener("click", () => { pad.strokes = []; redraw(pad); });
  pad.send = value => setStateValue("digit", value);
  return pad;
}

function paint(pad) {  // the whole drawing, stroke by stroke (a few hundred segments)
  const { ctx } = pad;
  ctx.clearRect(0, 0, 280, 280);
  ctx.strokeStyle = ctx.fillStyle = "#000";
  ctx.lineCap = ctx.lineJoin = "round";
  for (const s of pad.strokes) {
    ctx.lineWidth = s.width;
    ctx.beginPath();
    ctx.moveTo(...s.points[0]);
    if (s.points.length === 1) ctx.lineTo(s.points[0][0] + 0.01, s.points[0][1]);
    for (const p of s.points.slice(1)) ctx.lineTo(...p);
    ctx.stroke();
  }
}

function redraw(pad) { paint(pad); read(pad, null); send(pad); }

function schedule(pad, stamp) {  // read once per frame, however many moves came
  if (pad.moveStamp === null) pad.moveStamp = stamp;
  if (!pad.frame) pad.frame = requestAnimationFrame(() => { pad.frame = 0; read(pad, pad.moveStamp); });
}

function read(pad, stamp) {
  pad.moveStamp = null;
  if (!pad.nets) return;
  const rgba = pad.ctx.getImageData(0, 0, 280, 280).data, alpha = new Uint8Array(280 * 280);
  for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[4 * i + 3];
  const r = DigitNet.prepare(alpha, 280, 280);
  pad.digit = r.digit;
  pad.root.classList.toggle("dg-has-answer", !!r.digit);
  if (!r.digit) {
    pad.status.textContent = pad.strokes.length
      ? r.reason[0].toUpperCase() + r.reason.slice(1) + "."
      : "The canvas is empty: draw a digit.";
  } else {
    pad.status.textContent = "";
    for (const kind of ["cnn", "mlp"]) {
      const probs = DigitNet.probabilities(pad.nets, kind, r.digit), v = DigitNet.verdict(probs);
      const name = pad.names[kind] || kind;
      pad.root.querySelector(`.dg-verdict[data-kind="${kind}"]`).textContent = v.sure
        ? `${name} says ${v.top} (p = ${v.p.toFixed(2)})`
        : `${name} is not sure: maybe ${v.top}? (p = ${v.p.toFixed(2)})`;
      pad.bars[kind].forEach((bar, d) => {
        bar.style.height = `${(100 * probs[d]).toFixed(1)}%`;
        bar.className = "dg-bar" + (d === v.top ? (v.sure ? " dg-top" : " dg-unsure") : "");
        bar.title = `${d}: p = ${probs[d].toFixed(3)}`;
      });
    }
    const sctx = pad.seen.getContext("2d"), img = sctx.createImageData(28, 28);
    r.digit.forEach((v, i) => { img.data.set([v, v, v, 255], 4 * i); });
    sctx.putImageData(img, 0, 0);
  }
  pad.reads += 1;
  if (stamp !== null) {  // pen move -> probabilities on the page (measured by benchmarks)
    const latency = performance.now() - stamp;
    pad.latencies.push(latency);
    pad.root.dataset.lastLatencyMs = latency.toFixed(2);
  }
  pad.root.dataset.reads = String(pad.reads);
}

function send(pad) {  // at most once per pen-up, only a change, and only when asked
  if (!pad.wanted) return;
  const value = pad.digit ? Array.from(pad.digit) : null;
  const text = JSON.stringify(value);
  if (text === pad.sent) return;
  pad.sent = text;
  pad.send(value);
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let pad = PADS.get(parentElement);
  if (!pad || !pad.canvas.isConnected) {
    pad = setUp(parentElement, setStateValue);
    PADS.set(parentElement, pad);
  }
  pad.send = value => setStateValue("digit", value);
  pad.pen = data.pen;
  pad.names = data.names;
  pad.root.classList.toggle("dg-stage", Boolean(data.stage));  // the deck's slide form
  const wanted = data.send !== false;
  if (wanted && !pad.wanted) {  // the page starts asking: it gets the drawing there is, once
    pad.wanted = true;
    pad.sent = undefined;
    if (pad.nets) send(pad);
  }
  pad.wanted = wanted;
  parentElement.querySelectorAll(".dg-about").forEach(el => { el.textContent = data.about[el.dataset.kind] || ""; });
  if (!pad.nets) {
    pad.status.textContent = "Loading the two networks into your browser (0.8 MB, once)…";
    loadNets(data.url).then(nets => {
      pad.nets = nets;
      pad.root.dataset.ready = "1";
      read(pad, null);
      send(pad);  // asked before the networks were here: what the pad holds now
    }, err => {
      pad.status.textContent = `The networks could not be loaded in your browser (${err.message}). Reload the page to try again.`;
    });
  }
}
