// Float64 reference of the sensor task: the same linear model, squared loss, mini-batch SGD,
// shuffles (boards/firmware/kernel.ts permutation and epoch seeds), initial weights and
// sample-weighted FedAvg as the int8 federated run, in plain floating point. It is what the
// int8 kernel's MAE is compared against ("within 10 %", docs/sensors.md).
import { permutation, type TrainOptions } from '../../boards/firmware/kernel.js';
import { decodeModel } from '../../protocol/model-blob.js';
import type { WindowSet } from '../../boards/store/windows.js';

/** Real weights w (inputs) and bias b of a linear model y = Σ w·(v/255) + b. */
export interface FloatLinear { w: Float64Array; b: number }

/** The real-valued model a linreg blob stands for (master weights, so no int8 rounding). */
export function floatFromBlob(blob: Uint8Array): FloatLinear {
  const { header: h, params } = decodeModel(blob);
  const sw = h.layers[0].weightScales[0];
  return { w: Float64Array.from(params.subarray(0, h.inputs), (m) => (m / 256) * sw), b: params[h.inputs] * h.inputScale * sw };
}

export function floatPredict(m: FloatLinear, d: Pick<WindowSet, 'n' | 'dim' | 'x'>): Float64Array {
  const out = new Float64Array(d.n);
  for (let s = 0; s < d.n; s++) { let p = m.b; for (let i = 0; i < d.dim; i++) p += m.w[i] * d.x[s * d.dim + i] / 255; out[s] = p; }
  return out;
}

/** Local SGD as the kernel does it (batch-mean gradient of ½(ŷ − t)², same sample order). */
export function floatTrain(m0: FloatLinear, d: WindowSet, o: TrainOptions): FloatLinear {
  const w = Float64Array.from(m0.w); let b = m0.b;
  const gw = new Float64Array(d.dim);
  for (let e = 0; e < o.epochs; e++) {
    const order = permutation(d.n, (Math.imul(o.seed >>> 0, 0x9e3779b1) + e) >>> 0);
    for (let s0 = 0; s0 < d.n; s0 += o.batch) {
      const n = Math.min(o.batch, d.n - s0);
      gw.fill(0); let gb = 0;
      for (let s = s0; s < s0 + n; s++) {
        const r = order[s], off = r * d.dim;
        let p = b; for (let i = 0; i < d.dim; i++) p += w[i] * d.x[off + i] / 255;
        const g = p - d.t[r] / 65536;
        gb += g; for (let i = 0; i < d.dim; i++) gw[i] += g * d.x[off + i] / 255;
      }
      const k = o.lr / n;
      for (let i = 0; i < d.dim; i++) w[i] -= k * gw[i];
      b -= k * gb;
    }
  }
  return { w, b };
}

/** One FedAvg round over the boards' data, weighted by sample count (seeds as the agents use). */
export function floatRound(m: FloatLinear, boards: readonly WindowSet[], o: Omit<TrainOptions, 'seed'>, seedOf: (board: number) => number): FloatLinear {
  const total = boards.reduce((s, d) => s + d.n, 0);
  const w = new Float64Array(m.w.length); let b = 0;
  boards.forEach((d, i) => {
    const l = floatTrain(m, d, { ...o, seed: seedOf(i) });
    for (let j = 0; j < w.length; j++) w[j] += (l.w[j] * d.n) / total;
    b += (l.b * d.n) / total;
  });
  return { w, b };
}
