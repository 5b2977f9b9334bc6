// DescentEngine: the built-in surfaces of dlcore/surfaces.py (values and gradients, by
// hand) and the update rules of dlcore/descent.py (the hand-written step and torch.optim's
// SGD, momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW, as torch computes them), so a
// path is recomputed in the browser while a slider moves. Plain JavaScript, no imports;
// tests/test_browser_descent_engine.py checks every path against dlcore.descent (torch).
const DescentEngine = (() => {
  const TAU = 2 * Math.PI, ST = -2.903534027771178;
  // key -> [value(x, y), gradient(x, y), domain, start, minima]
  const table = kappa => ({
    bowl: [(x, y) => 0.5 * (x * x + kappa * y * y), (x, y) => [x, kappa * y],
      [[-2, 2], [-2, 2]], [-1.8, 1.2], [[0, 0]]],
    rosenbrock: [(x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
      (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
      [[-2, 2], [-1, 3]], [-1.5, 2.5], [[1, 1]]],
    beale: [(x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2,
      (x, y) => {
        const a = 1.5 - x + x * y, b = 2.25 - x + x * y ** 2, c = 2.625 - x + x * y ** 3;
        return [2 * a * (y - 1) + 2 * b * (y ** 2 - 1) + 2 * c * (y ** 3 - 1),
          2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y ** 2];
      }, [[-4.5, 4.5], [-4.5, 4.5]], [1.0, 1.6], [[3, 0.5]]],
    himmelblau: [(x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
      (x, y) => {
        const u = x * x + y - 11, v = x + y * y - 7;
        return [4 * x * u + 2 * v, 2 * u + 4 * y * v];
      }, [[-5, 5], [-5, 5]], [-0.3, -0.9],
      [[3, 2], [-2.805118094, 3.131312511], [-3.779310263, -3.283186002], [3.584428333, -1.848126533]]],
    saddle: [(x, y) => x * x - y * y + y ** 4 / 4, (x, y) => [2 * x, -2 * y + y ** 3],
      [[-2.5, 2.5], [-2.5, 2.5]], [-2.0, 0.01], [[0, Math.SQRT2], [0, -Math.SQRT2]]],
    plateau: [(x, y) => 1 - Math.exp(-(x * x + y * y) / 2),
      (x, y) => { const e = Math.exp(-(x * x + y * y) / 2); return [x * e, y * e]; },
      [[-4, 4], [-4, 4]], [3.2, 2.6], [[0, 0]]],
    rastrigin: [(x, y) => 20 + x * x - 10 * Math.cos(TAU * x) + y * y - 10 * Math.cos(TAU * y),
      (x, y) => [2 * x + 10 * TAU * Math.sin(TAU * x), 2 * y + 10 * TAU * Math.sin(TAU * y)],
      [[-5.12, 5.12], [-5.12, 5.12]], [3.3, -2.2], [[0, 0]]],
    camel: [(x, y) => (4 - 2.1 * x ** 2 + x ** 4 / 3) * x ** 2 + x * y + (-4 + 4 * y ** 2) * y ** 2,
      (x, y) => [8 * x - 8.4 * x ** 3 + 2 * x ** 5 + y, x - 8 * y + 16 * y ** 3],
      [[-3, 3], [-2, 2]], [-1.8, -1.2],
      [[0.089842007, -0.712656408], [-0.089842007, 0.712656408]]],
    styblinski: [(x, y) => 0.5 * (x ** 4 - 16 * x ** 2 + 5 * x + y ** 4 - 16 * y ** 2 + 5 * y),
      (x, y) => [0.5 * (4 * x ** 3 - 32 * x + 5), 0.5 * (4 * y ** 3 - 32 * y + 5)],
      [[-5, 5], [-5, 5]], [4.5, 4.2], [[ST, ST]]],
  });
  const KEYS = Object.keys(table(10));
  const OPTIMIZERS = ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"];
  const DEFAULTS = { momentum: 0.9, betas: [0.9, 0.999], alpha: 0.99, eps: 1e-8,
    weight_decay: 0.01 };
  const ADAGRAD_EPS = 1e-10;

  function surface(key, kappa = 10) {
    const [value, grad, domain, start, minima] = table(kappa)[key];
    return { key, value, grad, domain, start, minima };
  }

  // One optimizer's update of one point, with the state torch.optim keeps.
  function updater(cfg) {
    const c = { ...DEFAULTS, ...cfg }, s = { t: 0, buf: null, a: null, b: null };
    const n = c.name;
    return (x, g) => {
      const d = x.length;
      if (n === "gd" || n === "sgd") return x.map((xi, i) => xi - c.lr * g[i]);
      if (n === "momentum" || n === "nesterov") {
        s.buf = s.buf === null ? g.slice() : s.buf.map((b, i) => b * c.momentum + g[i]);
        const step = n === "nesterov" ? g.map((gi, i) => gi + c.momentum * s.buf[i]) : s.buf;
        return x.map((xi, i) => xi - c.lr * step[i]);
      }
      if (s.a === null) { s.a = new Array(d).fill(0); s.b = new Array(d).fill(0); }
      s.t += 1;
      if (n === "adagrad") {
        return x.map((xi, i) => {
          s.a[i] += g[i] * g[i];
          return xi - c.lr * (g[i] / (Math.sqrt(s.a[i]) + ADAGRAD_EPS));
        });
      }
      if (n === "rmsprop") {
        return x.map((xi, i) => {
          s.a[i] = s.a[i] * c.alpha + (1 - c.alpha) * g[i] * g[i];
          return xi - c.lr * (g[i] / (Math.sqrt(s.a[i]) + c.eps));
        });
      }
      // adam, adamw (torch's single-tensor path: lerp, bias corrections, step size)
      const [b1, b2] = c.betas, w = 1 - b1;
      const bc1 = 1 - b1 ** s.t, bc2sqrt = Math.sqrt(1 - b2 ** s.t), stepSize = c.lr / bc1;
      return x.map((xi, i) => {
        if (n === "adamw") xi *= 1 - c.lr * c.weight_decay;
        s.a[i] = w < 0.5 ? s.a[i] + w * (g[i] - s.a[i]) : g[i] - (g[i] - s.a[i]) * (1 - w);
        s.b[i] = s.b[i] * b2 + (1 - b2) * g[i] * g[i];
        return xi - stepSize * (s.a[i] / (Math.sqrt(s.b[i]) / bc2sqrt + c.eps));
      });
    };
  }

  // dlcore.descent.run on a built-in surface: every optimizer from the same start, all
  // advancing together; a path ends at its first unusable point, with the reason.
  function run(surf, start, configs, steps, escape = 10) {
    const lo = surf.domain.map(([a, b]) => a - escape * (b - a));
    const hi = surf.domain.map(([a, b]) => b + escape * (b - a));
    const outside = p => p.some((v, i) => v < lo[i] || v > hi[i]);
    const bad = p => p.some(v => !Number.isFinite(v)) || outside(p);
    let current = configs.map(() => start.slice());
    const updates = configs.map(updater);
    const rec = configs.map(() => ({ points: [], losses: [], grads: [] }));
    for (let t = 0; t <= steps; t++) {
      const grads = current.map(p => surf.grad(...p));
      current.forEach((p, k) => {
        rec[k].points.push(p); rec[k].losses.push(surf.value(...p)); rec[k].grads.push(grads[k]);
      });
      if (t === steps || (t % 25 === 24 && current.every(bad))) break;
      current = current.map((p, k) => updates[k](p, grads[k]));
    }
    return configs.map((cfg, k) => finish(cfg, rec[k], outside));
  }

  function finish(cfg, r, outside) {
    const checks = [
      [i => r.points[i].some(v => !Number.isFinite(v)), "the point is not a finite number"],
      [i => outside(r.points[i]), "the point left the domain far behind"],
      [i => !Number.isFinite(r.losses[i]), "the loss is not a finite number"],
      [i => r.grads[i].some(v => !Number.isFinite(v)), "the gradient is not a finite number"],
    ];
    for (let i = 0; i < r.points.length; i++) {
      const hit = checks.find(([test]) => test(i));
      if (hit) {
        return { name: cfg.name, points: r.points.slice(0, i), losses: r.losses.slice(0, i),
          diverged_at: i, reason: hit[1] };
      }
    }
    return { name: cfg.name, points: r.points, losses: r.losses, diverged_at: null, reason: "" };
  }

  // dlcore.descent.steps_to_reach with ui/descent_charts.reach_tolerance: the first step
  // after which a path is within 1% of the surface's widest side of a known minimum
  // (null: never; the server legend's "minimum in N steps").
  function stepsToReach(surf, points) {
    const tol = 0.01 * Math.max(...surf.domain.map(([a, b]) => b - a));
    const i = points.findIndex(p => surf.minima.some(m => Math.hypot(p[0] - m[0], p[1] - m[1]) < tol));
    return i < 0 ? null : i;
  }

  // Python's f"{v:.3g}" (dlcore.numbers.short): 0.0123, 1.5, 1.23e-05, inf.
  function g3(v) {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    if (Math.abs(v) < 1e-12) return "0";  // (dlcore.numbers.ZERO)
    const e = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(3)))));
    if (e < -4 || e >= 3) {
      const [m, x] = v.toExponential(2).split("e");
      return `${m.replace(/\.?0+$/, "")}e${x[0] === "-" ? "-" : "+"}${x.replace(/^[-+]/, "").padStart(2, "0")}`;
    }
    return v.toFixed(Math.max(0, 2 - e)).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
  }

  return { KEYS, OPTIMIZERS, surface, run, stepsToReach, g3 };
})();
