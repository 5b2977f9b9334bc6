// DigitNet: the two digit readers of dlcore.digits.model (the CNN and the MLP), forward
// pass only, and the preparation of dlcore.digits.preprocess (crop to the ink, longer
// side 20 px with torch's anti-aliased bilinear resize, centre of mass on (14, 14)),
// in plain JavaScript with no imports, so a drawing is read while the pen moves.
// Weights: static/digits_nets.bin, written by `python -m dlcore.digits export` from the
// shipped .pt files. Tests compare every result with torch (tests/test_browser_digits_net.py).
const DigitNet = (() => {
  const BOX = 20, SIZE = 28, CENTRE = 14.0;
  const INK_LEVEL = Math.fround(0.2), MIN_EXTENT = 0.12, MAX_COVER = 0.6, MAX_ASPECT = 20;
  const NOT_SURE_BELOW = 0.7;

  function parse(buffer) {
    const bytes = new Uint8Array(buffer);
    if (String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]) !== "DGT1") {
      throw new Error("not a dlcore.digits export");
    }
    const n = new DataView(buffer).getUint32(4, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const floats = new Float32Array(buffer, 8 + n, header.floats);
    const t = {};
    for (const e of header.tensors) {
      const size = e.shape.reduce((a, b) => a * b, 1);
      t[e.name] = floats.subarray(e.offset, e.offset + size);
    }
    return { header, t };
  }

  // ------------------------------------------------------------------ the networks
  function conv(x, C, H, W, w, O, k) {  // same padding, no bias: [O, H, W]
    const p = k >> 1, HW = H * W, out = new Float64Array(O * HW);
    for (let o = 0; o < O; o++) {
      const ob = o * HW;
      for (let c = 0; c < C; c++) {
        const ib = c * HW, wb = (o * C + c) * k * k;
        for (let ky = 0; ky < k; ky++) {
          const y0 = Math.max(0, p - ky), y1 = Math.min(H, H + p - ky);
          for (let kx = 0; kx < k; kx++) {
            const wv = w[wb + ky * k + kx];
            const x0 = Math.max(0, p - kx), x1 = Math.min(W, W + p - kx), dx = kx - p;
            for (let y = y0; y < y1; y++) {
              const orow = ob + y * W, irow = ib + (y + ky - p) * W + dx;
              for (let xx = x0; xx < x1; xx++) out[orow + xx] += wv * x[irow + xx];
            }
          }
        }
      }
    }
    return out;
  }

  function maxpool2(x, C, H, W) {
    const h = H >> 1, w = W >> 1, out = new Float64Array(C * h * w);
    for (let c = 0; c < C; c++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
      const i = c * H * W + 2 * y * W + 2 * xx;
      out[(c * h + y) * w + xx] = Math.max(x[i], x[i + 1], x[i + W], x[i + W + 1]);
    }
    return out;
  }

  function normReLU(x, C, HW, scale, shift) {  // eval-mode batch norm, then ReLU, in place
    for (let c = 0; c < C; c++) for (let i = c * HW; i < (c + 1) * HW; i++) {
      x[i] = Math.max(0, x[i] * scale[c] + shift[c]);
    }
    return x;
  }

  function linear(x, w, b, relu) {
    const O = b.length, I = x.length, out = new Float64Array(O);
    for (let o = 0; o < O; o++) {
      let s = b[o];
      for (let i = 0, wb = o * I; i < I; i++) s += w[wb + i] * x[i];
      out[o] = relu ? Math.max(0, s) : s;
    }
    return out;
  }

  function softmax(z) {
    const m = Math.max(...z), e = Array.from(z, v => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map(v => v / s);
  }

  function input(nets, digit) {  // uint8 28x28 (ink light on dark) -> normalised floats
    const { mean, std } = nets.header.normalise, x = new Float64Array(SIZE * SIZE);
    for (let i = 0; i < x.length; i++) x[i] = (digit[i] / 255 - mean) / std;
    return x;
  }

  function cnnLogits(nets, x) {
    const { t, header } = nets, cfg = header.cnn;
    let C = 1, H = SIZE, W = SIZE;
    cfg.channels.forEach((O, i) => {
      const k = i === 0 ? cfg.first_kernel : 3;
      x = conv(x, C, H, W, t[`cnn.conv${i}.weight`], O, k);
      if (cfg.pool_after.includes(i)) { x = maxpool2(x, O, H, W); H >>= 1; W >>= 1; }
      x = normReLU(x, O, H * W, t[`cnn.conv${i}.scale`], t[`cnn.conv${i}.shift`]);
      C = O;
    });
    const avg = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = c * H * W; i < (c + 1) * H * W; i++) s += x[i];
      avg[c] = s / (H * W);
    }
    return linear(avg, t["cnn.fc.weight"], t["cnn.fc.bias"], false);
  }

  function mlpLogits(nets, x) {
    const n = nets.header.mlp.hidden.length;
    for (let i = 0; i <= n; i++) {
      x = linear(x, nets.t[`mlp.fc${i}.weight`], nets.t[`mlp.fc${i}.bias`], i < n);
    }
    return x;
  }

  // The ten probabilities of one network ("cnn" or "mlp") for a uint8 28x28 digit.
  function probabilities(nets, kind, digit) {
    const x = input(nets, digit);
    return softmax(kind === "cnn" ? cnnLogits(nets, x) : mlpLogits(nets, x));
  }

  function verdict(probs) {
    let top = 0;
    for (let i = 1; i < probs.length; i++) if (probs[i] > probs[top]) top = i;
    return { top, p: probs[top], sure: probs[top] >= NOT_SURE_BELOW };
  }

  // ------------------------------------------------------------------ the preparation
  function roundHalfEven(v) {  // Python's round() and numpy's
    const r = Math.round(v);
    return (Math.abs(v % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
  }

  // torch.nn.functional.interpolate(mode="bilinear", antialias=True, align_corners=False)
  // along one axis: for each output pixel, its first input pixel and normalised weights.
  function aaWeights(inSize, outSize) {
    const scale = inSize / outSize, support = scale >= 1 ? scale : 1;
    const invscale = scale >= 1 ? 1 / scale : 1, rows = [];
    for (let i = 0; i < outSize; i++) {
      const center = scale * (i + 0.5);
      const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
      const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
      const w = [];
      let total = 0;
      for (let j = 0; j < xsize; j++) {
        const v = Math.max(0, 1 - Math.abs((j + xmin - center + 0.5) * invscale));
        w.push(v); total += v;
      }
      rows.push({ xmin, w: total ? w.map(v => v / total) : w });
    }
    return rows;
  }

  function resize(img, h, w, oh, ow) {
    const cols = aaWeights(w, ow), rowsW = aaWeights(h, oh);
    const tmp = new Float64Array(h * ow), out = new Float64Array(oh * ow);
    for (let y = 0; y < h; y++) for (let x = 0; x < ow; x++) {
      const { xmin, w: ws } = cols[x];
      let s = 0;
      for (let j = 0; j < ws.length; j++) s += ws[j] * img[y * w + xmin + j];
      tmp[y * ow + x] = s;
    }
    for (let y = 0; y < oh; y++) {
      const { xmin, w: ws } = rowsW[y];
      for (let x = 0; x < ow; x++) {
        let s = 0;
        for (let j = 0; j < ws.length; j++) s += ws[j] * tmp[(xmin + j) * ow + x];
        out[y * ow + x] = Math.min(1, Math.max(0, s));
      }
    }
    return out;
  }

  // A canvas's alpha channel (the ink; 0-255, row-major, w x h) -> the 28x28 uint8 digit,
  // or the reason there is nothing to read (the same words as dlcore.digits.preprocess).
  function prepare(alpha, w, h) {
    if (Math.max(h, w) > MAX_ASPECT * Math.min(h, w)) {
      return { digit: null, reason: `nothing to classify: a ${w}×${h} picture is a line, not a digit ` +
        `(a digit's picture is at most ${MAX_ASPECT} times longer than wide)` };
    }
    const ink = new Float64Array(w * h);
    let top = h, left = w, bottom = -1, right = -1, inked = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = Math.fround(alpha[y * w + x] / 255);
      ink[y * w + x] = v;
      if (v > INK_LEVEL) {
        inked++;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
    if (!inked) return { digit: null, reason: "nothing to classify: the picture is empty" };
    bottom += 1; right += 1;
    if (Math.max(bottom - top, right - left) < MIN_EXTENT * Math.max(h, w)) {
      return { digit: null, reason: "nothing to classify: the ink is a dot, not a digit" };
    }
    if (inked / (w * h) > MAX_COVER) {
      return { digit: null, reason: "nothing to classify: the picture is mostly ink" };
    }
    const ch = bottom - top, cw = right - left, crop = new Float64Array(ch * cw);
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) {
      crop[y * cw + x] = ink[(y + top) * w + x + left];
    }
    const factor = BOX / Math.max(ch, cw);
    const sh = Math.max(1, roundHalfEven(ch * factor)), sw = Math.max(1, roundHalfEven(cw * factor));
    const scaled = resize(crop, ch, cw, sh, sw);
    let mass = 0, mr = 0, mc = 0;
    for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) {
      const v = scaled[y * sw + x];
      mass += v; mr += v * y; mc += v * x;
    }
    const comR = mass > 0 ? mr / mass : (sh - 1) / 2, comC = mass > 0 ? mc / mass : (sw - 1) / 2;
    const dy = roundHalfEven(CENTRE - comR), dx = roundHalfEven(CENTRE - comC);
    const field = new Float64Array(SIZE * SIZE), digit = new Uint8Array(SIZE * SIZE);
    for (let y = Math.max(dy, 0); y < Math.min(dy + sh, SIZE); y++) {
      for (let x = Math.max(dx, 0); x < Math.min(dx + sw, SIZE); x++) {
        field[y * SIZE + x] = scaled[(y - dy) * sw + x - dx];
      }
    }
    for (let i = 0; i < field.length; i++) digit[i] = roundHalfEven(field[i] * 255);
    return { digit, field, box: [top, left, bottom, right], scaled, scaledShape: [sh, sw], reason: null };
  }

  return { parse, probabilities, verdict, prepare, roundHalfEven, NOT_SURE_BELOW };
})();
