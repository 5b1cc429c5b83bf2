// Turns the store's readings into training samples for the sensor task: forecast the
// temperature `horizon` readings ahead from the last `minutes` minutes of readings and the
// humidity trend (linear regression, docs/sensors.md). All encodings are integer and exact on
// the store's 0.01 °C grid, so every board derives the same bytes from the same readings.
//
// Features (uint8, the kernel's input format; real input = v/255):
//   f_j, j < minutes : 128 + (mean of minute j back − T_now) in 0.01 °C, saturated to [0, 255]
//   f_minutes        : 128 + (H_now − H_window_start) in 0.1 %RH, saturated
// Target (Q16, the linreg head's target format): (T_{now+horizon} − T_now) / targetScale °C,
//   the difference saturated to ±targetClip (0.01 °C) so a breath on the sensor cannot dominate
//   the squared loss. Prediction = T_now + targetScale · ŷ.
import type { Dataset } from '../firmware/kernel.js';
import type { ReadingStore } from './readings.js';

/** The sensor task's window and encoding (defaults: 6 one-minute means at 5 s, 10 min ahead). */
export interface WindowSpec {
  minutes: number;        // minute means in the window
  perMinute: number;      // readings per minute
  horizon: number;        // readings ahead to forecast
  periodS: number;        // nominal reading period, s; larger gaps break a window
  targetScale: number;    // °C per target unit (keeps the linreg weights inside ±0.5)
  targetClip: number;     // |T_ahead − T_now| saturation, 0.01 °C
}

export const SENSOR_WINDOW: WindowSpec = { minutes: 6, perMinute: 12, horizon: 120, periodS: 5, targetScale: 16, targetClip: 255 };

/** Inputs of the model for a window spec. */
export const featureCount = (w: WindowSpec) => w.minutes + 1;
/** Readings a window spans (its history). */
export const windowLength = (w: WindowSpec) => w.minutes * w.perMinute;

const sat8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Training/evaluation samples of one board: features, Q16 targets, and per sample the store
 *  index of its "now" reading and the real T_now / T_ahead (for residuals and baselines). */
export interface WindowSet extends Dataset { t: Int32Array; now: Int32Array; tNow: Float64Array; tAhead: Float64Array }

/** Windows ending at store indices [from, to) (and whose target exists), in time order.
 *  Windows with a missing channel or a time gap are skipped. Throws RangeError on a bad spec. */
export function windows(store: ReadingStore, w: WindowSpec = SENSOR_WINDOW, from = 0, to = store.length): WindowSet {
  if (![w.minutes, w.perMinute, w.horizon].every((v) => Number.isInteger(v) && v >= 1) || w.minutes > 64) throw new RangeError('bad window spec');
  const L = windowLength(w), dim = featureCount(w);
  const n0 = store.length;
  // one pass: fixed-point series, and the length of the gap-free run ending at each index
  const T = new Int32Array(n0), H = new Int32Array(n0), run = new Int32Array(n0);
  let prevS = -Infinity;
  for (let k = 0; k < n0; k++) {
    const r = store.raw(k);
    const ok = r.tC !== null && r.hC !== null;
    T[k] = r.tC ?? 0; H[k] = r.hC ?? 0;
    const cont = k > 0 && r.s - prevS > 0 && r.s - prevS <= 1.5 * w.periodS;
    run[k] = ok ? (cont && run[k - 1] > 0 ? run[k - 1] + 1 : 1) : 0;
    prevS = r.s;
  }
  const idx: number[] = [];
  for (let k = Math.max(from, L - 1); k < Math.min(to, n0 - w.horizon); k++) {
    // history and target must be one gap-free run: run at k+horizon covers [k−L+1, k+horizon]
    if (run[k + w.horizon] >= L + w.horizon) idx.push(k);
  }
  const n = idx.length;
  const x = new Uint8Array(n * dim), t = new Int32Array(n), now = new Int32Array(n);
  const tNow = new Float64Array(n), tAhead = new Float64Array(n);
  const clip = w.targetClip;
  idx.forEach((k, s) => {
    for (let j = 0; j < w.minutes; j++) {
      let sum = 0;
      for (let q = 0; q < w.perMinute; q++) sum += T[k - j * w.perMinute - q];
      // mean − T_now in 0.01 °C, rounded half away from zero on the exact integer sum
      const d = sum - w.perMinute * T[k];
      x[s * dim + j] = sat8(128 + Math.sign(d) * Math.floor((Math.abs(d) * 2 + w.perMinute) / (2 * w.perMinute)));
    }
    const dh = H[k] - H[k - L + 1];
    x[s * dim + w.minutes] = sat8(128 + Math.sign(dh) * Math.floor((Math.abs(dh) + 5) / 10));
    const dt = Math.max(-clip, Math.min(clip, T[k + w.horizon] - T[k]));
    // Q16 of dt/100/targetScale, exactly rounded (integers up to 2^31 are exact in f64)
    t[s] = Math.round((dt * 65536) / (100 * w.targetScale));
    now[s] = k; tNow[s] = T[k] / 100; tAhead[s] = T[k + w.horizon] / 100;
  });
  return { n, dim, x, y: new Uint8Array(n), classes: 1, t, now, tNow, tAhead };
}

/** The first `fraction` of a board's windows (by time) for training, the rest held out. */
export function timeSplit(store: ReadingStore, fraction = 0.8, w: WindowSpec = SENSOR_WINDOW): { train: WindowSet; test: WindowSet } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError('fraction must be in (0, 1)');
  const all = windows(store, w);
  const cut = Math.floor(all.n * fraction);
  // the held-out windows' targets lie after every training target: split at a store index
  const k = all.n ? all.now[cut] : 0;
  return { train: windows(store, w, 0, k - w.horizon), test: windows(store, w, k) };
}

/** Consecutive slices of at most `size` samples: what a host streams into the firmware per call. */
export function* batches(d: WindowSet, size = 64): Generator<WindowSet> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('batch size must be a positive integer');
  for (let s = 0; s < d.n; s += size) {
    const e = Math.min(d.n, s + size);
    yield { n: e - s, dim: d.dim, classes: 1, x: d.x.subarray(s * d.dim, e * d.dim), y: d.y.subarray(s, e), t: d.t.subarray(s, e),
      now: d.now.subarray(s, e), tNow: d.tNow.subarray(s, e), tAhead: d.tAhead.subarray(s, e) };
  }
}

/** Real-valued prediction of T_ahead (°C) from the model's real output ŷ. */
export const predictC = (w: WindowSpec, tNow: number, yHat: number) => tNow + w.targetScale * yHat;
