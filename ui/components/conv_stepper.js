// The convolution page's stepper: Prev / Next / Play through the output cells, the grids at
// the cell on show and its written sum, all in this browser. The server computes every
// cell once (dlcore.conv, checked against torch) and sends them; stepping sends nothing.
// The cell and the speed go back to Python once they rest (the page's link and the
// deck's room), and once when Play stops.
const STEPPERS = new WeakMap();
const REST_MS = 600;

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function table(caption, cells, classes) {  // the grid as a table; texts are set, not parsed
  const box = el("div"), t = el("table", "cv-grid");
  box.appendChild(el("div", "cv-cap", caption));
  cells.forEach((row, r) => {
    const tr = el("tr");
    row.forEach((text, c) => {
      const td = el("td", (classes && classes[r][c]) || "");
      td.appendChild(document.createTextNode(text));
      tr.appendChild(td);
    });
    t.appendChild(tr);
  });
  box.appendChild(t);
  return [box, t];
}

function draw(s) {
  const d = s.data, total = d.frames.length, cell = s.cell, f = d.frames[cell - 1];
  s.grids.replaceChildren();
  const [inBox, inTable] = table(d.input.caption, d.input.cells, d.input.classes);
  f.taps.forEach(([r, c], i) => {  // the window: its cells, with their weights
    const td = inTable.rows[r].cells[c];
    td.classList.add("tap");
    if (f.weights) td.appendChild(el("sub", "", f.weights[i]));
  });
  s.grids.appendChild(inBox);
  if (d.kernel) s.grids.appendChild(table(d.kernel.caption, d.kernel.cells)[0]);
  const width = d.out.cells[0].length;
  const outClasses = d.out.cells.map((row, r) => row.map((_, c) => {
    const i = r * width + c;
    return i === f.index ? "cur" : i < f.index ? "done" : "";
  }));
  const outCells = d.out.cells.map((row, r) => row.map((text, c) => (r * width + c <= f.index ? text : "")));
  s.grids.appendChild(table(d.out.caption, outCells, outClasses)[0]);
  s.sum.textContent = f.sum;
  s.count.textContent = `Cell ${cell} of ${total}` + (d.on_slide ? ` (${f.where})` : "");
  s.where.textContent = d.on_slide ? "" : `Cell ${cell} is ${f.where} of the output.`;
  s.prev.disabled = cell <= 1;
  s.next.disabled = cell >= total;
  s.slider.value = String(cell);
  s.root.dataset.cell = String(cell);
}

function send(s, now) {  // the cell and speed back to Python, once they rest
  clearTimeout(s.timer);
  const go = () => {
    s.timer = null;
    s.sent = JSON.stringify([s.cell, s.speed]);
    s.setStateValue("view", { cell: s.cell, speed: s.speed });
  };
  if (now) go(); else s.timer = setTimeout(go, REST_MS);
}

function stop(s) {
  if (s.playing) clearInterval(s.playing);
  s.playing = null;
  s.play.textContent = "▶️ Play";
  s.root.dataset.playing = "0";
}

function go(s, cell) {
  stop(s);
  s.cell = Math.min(Math.max(1, cell), s.data.frames.length);
  draw(s);
  send(s, false);
}

function play(s) {
  if (s.playing) { stop(s); send(s, true); return; }
  const total = s.data.frames.length;
  if (s.cell >= total) s.cell = 1;  // from the end, Play starts again from the first cell
  draw(s);
  s.play.textContent = "⏸️ Pause";
  s.root.dataset.playing = "1";
  s.playing = setInterval(() => {
    s.cell += 1;
    draw(s);
    if (s.cell >= total) { stop(s); send(s, true); }
  }, 1000 * s.data.speeds[s.speed]);
}

function setUp(parent) {
  const q = sel => parent.querySelector(sel);
  const s = { root: q(".cv-stepper"), grids: q(".cv-row"), sum: q(".cv-sum"),
    count: q(".cv-count"), where: q(".cv-where"), prev: q(".cv-prev"), next: q(".cv-next"),
    play: q(".cv-play"), slider: q(".cv-cell"), speedBox: q(".cv-speed"), playing: null };
  s.prev.addEventListener("click", () => go(s, s.cell - 1));
  s.next.addEventListener("click", () => go(s, s.cell + 1));
  s.play.addEventListener("click", () => play(s));
  s.slider.addEventListener("input", () => go(s, Number(s.slider.value)));
  s.speedBox.addEventListener("change", () => {
    s.speed = s.speedBox.value;
    if (s.playing) { stop(s); play(s); }
    send(s, false);
  });
  return s;
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let s = STEPPERS.get(parentElement);
  if (!s || !s.root.isConnected) {
    s = setUp(parentElement);
    STEPPERS.set(parentElement, s);
  }
  s.setStateValue = setStateValue;
  const incoming = JSON.stringify(data);
  if (incoming === s.shown) return;  // a rerun that changed nothing here
  s.shown = incoming;
  // The same cells, and the cell and speed this browser sent (the rerun of a write-back)
  // or a move still to be sent: what the person did since stays on screen.
  const cells = JSON.stringify({ ...data, cell: 0, speed: "" });
  const echo = s.sent === JSON.stringify([data.cell, data.speed]);
  if (cells === s.cells && (echo || s.timer || s.playing)) return;
  s.cells = cells;
  s.sent = null;
  stop(s);
  s.data = data;
  s.cell = Math.min(Math.max(1, data.cell), data.frames.length);
  s.speed = data.speed;
  const total = data.frames.length;
  Object.assign(s.slider, { min: 1, max: total, step: 1 });
  s.slider.closest("label").hidden = total <= 1 || data.on_slide;
  s.speedBox.closest("label").hidden = Boolean(data.on_slide);
  s.speedBox.replaceChildren(...Object.keys(data.speeds).map(name => el("option", "", name)));
  s.speedBox.value = s.speed;
  s.root.querySelector(".cv-cell-name").textContent = `Output cell (1–${total})`;
  s.root.classList.toggle("cv-on-slide", Boolean(data.on_slide));
  draw(s);
}
