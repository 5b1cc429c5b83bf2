// The sensor task: a linear-regression head (kernel arch `linreg`, 7 inputs → 1 output) that
// forecasts a board's temperature 10 minutes ahead from its own readings (../store/windows.ts).
// Quality is the MAE of seed 001 (PoQ) Eq. 6; these helpers score a model blob exactly as
// the firmware's forward pass does, so residuals can flag anomalies (seed 000/001's IIoT use).
import { decodeModel } from '../../protocol/model-blob.js';
import type { ModelSpec, TrainOptions } from '../firmware/kernel.js';
import { SENSOR_WINDOW, featureCount, predictC, type WindowSet, type WindowSpec } from '../store/windows.js';

/** The task's name on the wire (`fl/<task>/…`). */
export const SENSOR_TASK = 'sensors-forecast';
/** Model of the task: linreg over the window's features. */
export const sensorModel = (seed: number, w: WindowSpec = SENSOR_WINDOW): ModelSpec => ({ arch: 'linreg', inputs: featureCount(w), outputs: 1, seed });
/** Local SGD per round (lr on the batch-mean gradient; see docs/sensors.md for the choice). */
export const SENSOR_TRAIN: Omit<TrainOptions, 'seed'> = { epochs: 1, batch: 32, lr: 0.25 };

/** Real outputs ŷ of a linreg blob on `d`, computed as the firmware does: the int32 accumulator
 *  Σ v·w8 + b over int8 weights w8 = (m + 128) >> 8, turned into Q16 by (acc·zmul) >> 32 with
 *  zmul = round(s_in·s_w·2^48) (firmware/kernel/train.ts realQ16). Throws on a non-linreg blob. */
export function predictions(blob: Uint8Array, d: Pick<WindowSet, 'n' | 'dim' | 'x'>): Float64Array {
  const { header: h, params } = decodeModel(blob);
  if (h.arch !== 'linreg' || h.outputs !== 1 || h.inputs !== d.dim) throw new RangeError(`need a ${d.dim}→1 linreg model, got ${h.arch} ${h.inputs}→${h.outputs}`);
  const f32 = (v: number) => Math.fround(v);
  const zmul = BigInt(Math.floor(f32(h.inputScale) * f32(h.layers[0].weightScales[0]) * 281474976710656.0 + 0.5));
  const w8 = Array.from(params.subarray(0, d.dim), (m) => (m + 128) >> 8), b = params[d.dim];
  const out = new Float64Array(d.n);
  for (let s = 0; s < d.n; s++) {
    let acc = b;
    for (let i = 0; i < d.dim; i++) acc += d.x[s * d.dim + i] * w8[i];
    out[s] = Number((BigInt(acc) * zmul) >> 32n) / 65536;
  }
  return out;
}

/** Forecast errors in °C, T_ahead − prediction, for the real outputs `yHat`. */
export function residualsC(d: WindowSet, yHat: ArrayLike<number>, w: WindowSpec = SENSOR_WINDOW): Float64Array {
  return Float64Array.from({ length: d.n }, (_, s) => d.tAhead[s] - predictC(w, d.tNow[s], yHat[s]));
}

/** Mean absolute value. */
export const meanAbs = (r: ArrayLike<number>) => { let s = 0; for (let i = 0; i < r.length; i++) s += Math.abs(r[i]); return r.length ? s / r.length : 0; };

/** MAE (°C) of the "last value" forecast T_ahead = T_now, the trivial baseline. */
export const lastValueMaeC = (d: WindowSet) => meanAbs(Float64Array.from({ length: d.n }, (_, s) => d.tAhead[s] - d.tNow[s]));

/** Precision and recall of |residual| > threshold as a detector of labelled events. */
export function detection(resid: ArrayLike<number>, labels: ArrayLike<number>, thresholdC: number): { tp: number; fp: number; fn: number; precision: number; recall: number } {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < resid.length; i++) {
    const flag = Math.abs(resid[i]) > thresholdC, ev = labels[i] !== 0;
    if (flag && ev) tp++; else if (flag) fp++; else if (ev) fn++;
  }
  return { tp, fp, fn, precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 };
}
