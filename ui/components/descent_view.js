// The gradient-descent page's live map: the surface, and every optimizer's path
// recomputed in this browser (DescentEngine, descent_engine.js) while a slider moves.
// The settings go back to Python (the page's link) when a slider is let go, a box is
// ticked or a start is clicked: one small message, no redraw from the server.
const VIEWS = new WeakMap();
const COLOURS = { gd: "#e11d48", sgd: "#f97316", momentum: "#2563eb", nesterov: "#7c3aed",
  adagrad: "#0d9488", rmsprop: "#ca8a04", adam: "#16a34a", adamw: "#db2777" };
const SIDE = 360, CELLS = 120, REST_MS = 600;

function ramp(t) {  // dark blue -> teal -> yellow, like the server's map
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(0.999, Math.max(0, t)) * (stops.length - 1), i = Math.floor(x), f = x - i;
  return stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
}

function drawSurface(view) {
  const { surf, data } = view, [[x0, x1], [y0, y1]] = surf.domain;
  const vals = new Float64Array(CELLS * CELLS);
  let lo = Infinity, hi = -Infinity;
  for (let r = 0; r < CELLS; r++) for (let c = 0; c < CELLS; c++) {
    const x = x0 + (c + 0.5) / CELLS * (x1 - x0), y = y1 - (r + 0.5) / CELLS * (y1 - y0);
    let v = surf.value(x, y);
    vals[r * CELLS + c] = v;
    lo = Math.min(lo, v); hi = Math.max(hi, v);
  }
  const ctx = view.map.getContext("2d"), img = ctx.createImageData(CELLS, CELLS);
  const f = data.log_color ? v => Math.log1p(v - lo) : v => v - lo, top = f(hi) || 1;
  vals.forEach((v, i) => { img.data.set([...ramp(f(v) / top), 255], 4 * i); });
  ctx.putImageData(img, 0, 0);
}

function toScreen(view, [x, y]) {
  const [[x0, x1], [y0, y1]] = view.surf.domain;
  return [(x - x0) / (x1 - x0) * SIDE, (y1 - y) / (y1 - y0) * SIDE];
}

function pathSvg(view, r, upto) {  // a run's path up to point ``upto`` (all: Infinity)
  const pts = r.points.slice(0, upto + 1);
  if (!pts.length) return "";
  const xy = pts.map(p => toScreen(view, p));
  const [ex, ey] = xy[xy.length - 1];
  return `<polyline points="${xy.map(q => q.map(n => n.toFixed(1)).join(",")).join(" ")}" ` +
    `fill="none" stroke="${COLOURS[r.name]}" stroke-width="2"/>` +
    `<circle cx="${ex.toFixed(1)}" cy="${ey.toFixed(1)}" r="4" fill="${COLOURS[r.name]}"/>`;
}

// The loss against the step, one line per optimizer: a log axis when every loss is
// positive and they span more than two decades (the rule of the server's panel).
function lossSvg(view, upto) {
  const W = 360, H = 130, L = 8, R = 8, T = 20, B = 16, runs = view.runs;
  const finite = runs.flatMap(r => r.losses.filter(Number.isFinite));
  if (!finite.length) return "";
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const log = lo > 0 && hi > 100 * lo, f = log ? Math.log10 : v => v;
  const y0 = f(lo), y1 = f(hi) === y0 ? y0 + 1 : f(hi);
  const n = Math.max(1, view.v.steps);
  const X = i => L + i / n * (W - L - R), Y = v => T + (1 - (f(v) - y0) / (y1 - y0)) * (H - T - B);
  const lines = runs.map(r => {
    const pts = r.losses.slice(0, upto + 1).map((v, i) => Number.isFinite(v)
      ? `${X(i).toFixed(1)},${Y(v).toFixed(1)}` : "").filter(Boolean).join(" ");
    return `<polyline points="${pts}" fill="none" stroke="${COLOURS[r.name]}" stroke-width="1.5"/>`;
  });
  const rule = Number.isFinite(upto) ? `<line x1="${X(upto)}" x2="${X(upto)}" y1="${T}" y2="${H - B}" stroke="#555" stroke-dasharray="2 2"/>` : "";
  const fmt = v => Number(v).toPrecision(3);
  return `<text x="${L}" y="12" class="gd-axis">Loss against step${log ? " (log scale)" : ""}</text>` +
    `<text x="${W - R}" y="12" class="gd-axis" text-anchor="end">${fmt(hi)}</text>` +
    `<text x="${W - R}" y="${H - 3}" class="gd-axis" text-anchor="end">${fmt(lo)} · step ${n}</text>` +
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#bbb"/>` + lines.join("") + rule;
}

// The paths (and the loss panel) up to step ``upto``: Infinity draws whole runs.
function draw(view, upto) {
  const start = view.start, [sx, sy] = toScreen(view, start);
  const minima = view.surf.minima.map(m => toScreen(view, m))
    .map(([x, y]) => `<text x="${x}" y="${y}" class="gd-min" text-anchor="middle" dominant-baseline="central">★</text>`);
  view.svg.innerHTML = minima.join("") + view.runs.map(r => pathSvg(view, r, upto)).join("") +
    `<circle cx="${sx}" cy="${sy}" r="5" fill="#fff" stroke="#000"/>`;
  view.loss.innerHTML = lossSvg(view, upto);
  view.root.dataset.shownStep = Number.isFinite(upto) ? String(upto) : "end";
}

function recompute(view, stamp) {
  const v = view.v, t0 = performance.now();
  stopPlay(view);
  view.start = v.own_start ? [v.x0, v.y0] : view.surf.start;
  const configs = v.opts.map(name => ({ name, lr: 10 ** v.lr_exp, momentum: v.momentum,
    betas: [v.beta1, v.beta2] }));
  view.runs = DescentEngine.run(view.surf, view.start, configs, v.steps);
  draw(view, Infinity);
  view.legend.innerHTML = "";
  view.runs.forEach(r => {
    const li = document.createElement("li"), last = r.losses[r.losses.length - 1];
    li.style.setProperty("--c", COLOURS[r.name]);  // the bullet's colour: the text stays dark
    const reached = view.surf.minima.length ? DescentEngine.stepsToReach(view.surf, r.points) : undefined;
    li.textContent = r.diverged_at !== null
      ? `${view.labels[r.name]}: diverged at step ${r.diverged_at} (${r.reason})`
      : `${view.labels[r.name]}: loss ${DescentEngine.g3(last)}` + (reached === undefined ? ""
        : reached === null ? ", minimum not reached" : `, minimum in ${reached} steps`);
    view.legend.appendChild(li);
  });
  if (!view.runs.length) view.legend.innerHTML = "<li>Tick at least one optimizer.</li>";
  view.own.hidden = !v.own_start;
  view.lrText.textContent = `ε = 10^${v.lr_exp.toFixed(1)} = ${Number((10 ** v.lr_exp).toPrecision(3))}`;
  const done = performance.now();
  view.root.dataset.computeMs = (done - t0).toFixed(2);
  if (stamp !== undefined) {
    requestAnimationFrame(() => {  // drawn: the next frame has the new paths
      view.root.dataset.lastLatencyMs = (performance.now() - stamp).toFixed(2);
      view.root.dataset.redraws = String(Number(view.root.dataset.redraws || 0) + 1);
    });
  }
}

// Play: the paths drawn step by step from the start (about 25 ms a step, 0.8 to 4 s in
// all), in this browser; Pause stops where it is, the next change draws whole runs again.
function stopPlay(view) {
  if (view.frame) cancelAnimationFrame(view.frame);
  view.frame = null;
  view.play.textContent = "▶ Play";
  view.root.dataset.playing = "0";
}

function play(view) {
  if (view.frame) { stopPlay(view); return; }
  const last = Math.max(0, ...view.runs.map(r => r.points.length - 1));
  const ms = Math.min(4000, Math.max(800, 25 * last)), t0 = performance.now();
  view.play.textContent = "⏸ Pause";
  view.root.dataset.playing = "1";
  const tick = now => {
    const k = Math.min(last, Math.floor((now - t0) / ms * last));
    draw(view, k);
    view.stepText.textContent = `step ${k} of ${last}`;
    if (k < last) { view.frame = requestAnimationFrame(tick); return; }
    stopPlay(view);
    draw(view, Infinity);
    view.root.dataset.played = String(Number(view.root.dataset.played || 0) + 1);
  };
  view.frame = requestAnimationFrame(tick);
}

const SLIDERS = {  // field: [min, max, step]
  lr_exp: [-5, 1, 0.1], steps: [5, 1000, 1], momentum: [0, 0.99, 0.01],
  beta1: [0, 0.999, 0.001], beta2: [0, 0.9999, 0.0001],
};

function setUp(root, data) {
  const q = s => root.querySelector(s);
  const view = { root: q(".gd-live"), map: q("canvas.gd-map"), svg: q("svg.gd-paths"),
    legend: q(".gd-legend"), lrText: q(".gd-lr"), loss: q("svg.gd-loss"), play: q(".gd-playbtn"),
    stepText: q(".gd-step"), own: q(".gd-ownstart"), v: null, key: null, frame: null };
  view.play.addEventListener("click", () => play(view));
  view.own.addEventListener("click", e => {  // back to the surface's own start
    view.v.own_start = false;
    recompute(view, e.timeStamp);
    view.send();
  });
  for (const [field, [lo, hi, step]] of Object.entries(SLIDERS)) {
    const input = q(`input[name="${field}"]`);
    Object.assign(input, { min: lo, max: hi, step });
    input.addEventListener("input", e => {
      view.v[field] = Number(input.value);
      q(`output[name="${field}"]`).textContent = input.value;
      recompute(view, e.timeStamp);
    });
    input.addEventListener("change", () => view.send());
  }
  const boxes = q(".gd-opts");
  for (const name of DescentEngine.OPTIMIZERS) {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" value="${name}"> <span style="color:${COLOURS[name]}">●</span> `;
    label.appendChild(document.createTextNode(data.labels[name]));
    label.firstChild.addEventListener("change", e => {
      view.v.opts = DescentEngine.OPTIMIZERS.filter(n => boxes.querySelector(`input[value="${n}"]`).checked);
      recompute(view, e.timeStamp);
      view.send();
    });
    boxes.appendChild(label);
  }
  q(".gd-plot").addEventListener("click", e => {
    const r = view.map.getBoundingClientRect(), [[x0, x1], [y0, y1]] = view.surf.domain;
    const round = n => Math.round(n * 1000) / 1000;
    view.v.x0 = round(x0 + (e.clientX - r.left) / r.width * (x1 - x0));
    view.v.y0 = round(y1 - (e.clientY - r.top) / r.height * (y1 - y0));
    view.v.own_start = true;
    recompute(view, e.timeStamp);
    view.send();
  });
  return view;
}

function show(view, data) {  // the settings Python sent (the link's), on the controls
  view.v = { ...data.state };
  view.root.classList.toggle("gd-compact", Boolean(data.compact));
  if (data.compact) {  // the deck's slide: each optimizer's result beside the map, large
    view.root.querySelector(".gd-controls").appendChild(view.legend);
    view.legend.dataset.slidePart = "answer";
  } else if (view.root.clientWidth >= 640) {  // a laptop: the result beside the map, above
    view.root.querySelector(".gd-controls").prepend(view.legend);  // the sliders (first screen)
  }
  for (const field of Object.keys(SLIDERS)) {
    view.root.querySelector(`input[name="${field}"]`).value = view.v[field];
    view.root.querySelector(`output[name="${field}"]`).textContent = view.v[field];
  }
  view.root.querySelectorAll(".gd-opts input").forEach(box => { box.checked = view.v.opts.includes(box.value); });
  const key = `${data.surface}/${data.kappa}`;
  view.surf = DescentEngine.surface(data.surface, data.kappa);
  view.stepText.textContent = "";
  view.data = data;
  view.labels = data.labels;
  if (key !== view.key) { view.key = key; drawSurface(view); }
  recompute(view);
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let view = VIEWS.get(parentElement);
  if (!view || !view.map.isConnected) {
    view = setUp(parentElement, data);
    VIEWS.set(parentElement, view);
  }
  // one message when the changes rest for REST_MS (arrow keys fire a change per press,
  // and a person trying values pauses less than that between them): the link and the
  // room get the settings without a message per move (issue 24)
  view.send = () => {
    clearTimeout(view.timer);
    view.timer = setTimeout(() => {
      view.timer = null;
      view.sent = JSON.stringify(view.v);
      setStateValue("view", { ...view.v });
    }, REST_MS);
  };
  const incoming = JSON.stringify(data.state), place = `${data.surface}/${data.kappa}/${data.compact}`;
  if (incoming === view.shown && place === view.place) return;
  view.shown = incoming;
  // the settings this browser sent, come back with the rerun of its write-back, or a move
  // still to be sent: what the person did since stays on screen
  const mine = view.timer || view.sent === incoming;
  if (place === view.place && mine) return;
  view.place = place;
  view.sent = null;
  show(view, data);
}
