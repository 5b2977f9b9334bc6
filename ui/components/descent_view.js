// The gradient-descent page's live map: the surface, and every optimizer's path
// recomputed in this browser (DescentEngine, descent_engine.js) while a slider moves.
// The settings go back to Python (the page's link) when a slider is let go, a box is
// ticked or a start is clicked: one small message, no redraw from the server.
const VIEWS = new WeakMap();
const COLOURS = { gd: "#e11d48", sgd: "#f97316", momentum: "#2563eb", nesterov: "#7c3aed",
  adagrad: "#0d9488", rmsprop: "#ca8a04", adam: "#16a34a", adamw: "#db2777" };
const SIDE = 360, CELLS = 120;

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

function recompute(view, stamp) {
  const v = view.v, t0 = performance.now();
  const start = v.own_start ? [v.x0, v.y0] : view.surf.start;
  const configs = v.opts.map(name => ({ name, lr: 10 ** v.lr_exp, momentum: v.momentum,
    betas: [v.beta1, v.beta2] }));
  const runs = DescentEngine.run(view.surf, start, configs, v.steps);
  const paths = runs.map(r => {
    const pts = r.points.map(p => toScreen(view, p).map(n => n.toFixed(1)).join(",")).join(" ");
    return `<polyline points="${pts}" fill="none" stroke="${COLOURS[r.name]}" stroke-width="2"/>` +
      (r.points.length ? `<circle cx="${toScreen(view, r.points[r.points.length - 1])[0]}" ` +
        `cy="${toScreen(view, r.points[r.points.length - 1])[1]}" r="4" fill="${COLOURS[r.name]}"/>` : "");
  });
  const [sx, sy] = toScreen(view, start);
  const minima = view.surf.minima.map(m => toScreen(view, m))
    .map(([x, y]) => `<text x="${x}" y="${y}" class="gd-min" text-anchor="middle" dominant-baseline="central">★</text>`);
  view.svg.innerHTML = minima.join("") + paths.join("") +
    `<circle cx="${sx}" cy="${sy}" r="5" fill="#fff" stroke="#000"/>`;
  view.legend.innerHTML = "";
  runs.forEach(r => {
    const li = document.createElement("li"), last = r.losses[r.losses.length - 1];
    li.style.setProperty("--c", COLOURS[r.name]);
    li.textContent = r.diverged_at !== null
      ? `${view.labels[r.name]}: diverged at step ${r.diverged_at} (${r.reason})`
      : `${view.labels[r.name]}: loss ${Number(last).toPrecision(3)} after ${r.points.length - 1} steps`;
    view.legend.appendChild(li);
  });
  view.runs = runs;
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

const SLIDERS = {  // field: [min, max, step]
  lr_exp: [-5, 1, 0.1], steps: [5, 1000, 1], momentum: [0, 0.99, 0.01],
  beta1: [0, 0.999, 0.001], beta2: [0, 0.9999, 0.0001],
};

function setUp(root, data) {
  const q = s => root.querySelector(s);
  const view = { root: q(".gd-live"), map: q("canvas.gd-map"), svg: q("svg.gd-paths"),
    legend: q(".gd-legend"), lrText: q(".gd-lr"), v: null, key: null };
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
  for (const field of Object.keys(SLIDERS)) {
    view.root.querySelector(`input[name="${field}"]`).value = view.v[field];
    view.root.querySelector(`output[name="${field}"]`).textContent = view.v[field];
  }
  view.root.querySelectorAll(".gd-opts input").forEach(box => { box.checked = view.v.opts.includes(box.value); });
  const key = `${data.surface}/${data.kappa}`;
  view.surf = DescentEngine.surface(data.surface, data.kappa);
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
  // one message when the changes pause (arrow keys on a slider fire a change per press)
  view.send = () => {
    clearTimeout(view.timer);
    view.timer = setTimeout(() => setStateValue("view", { ...view.v }), 300);
  };
  const incoming = JSON.stringify(data.state);
  if (incoming !== view.shown) { view.shown = incoming; show(view, data); }
}
