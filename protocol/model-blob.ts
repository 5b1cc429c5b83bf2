// Pure-TypeScript codec of the model blob written by the firmware kernel
// (docs/model-format.md). The gateway uses it to average `params` and re-encode; no wasm here.
// Tensors follow the TFLite int8 quantization spec (per-channel symmetric int8 weights,
// int32 biases at s_in·s_w[c], int8 activations with scale and zero point).

import { FirmwareError, E_BAD_DIMS, E_BAD_HEADER, E_BAD_LENGTH, E_BAD_MODEL } from './firmware-error.js';
export type Arch = 'logreg' | 'mlp' | 'linreg';
export const ARCHES: readonly Arch[] = ['logreg', 'mlp', 'linreg'];

/** Requantization rounding (header byte 6). 'double': TFLite's reference
 *  MultiplyByQuantizedMultiplier (SaturatingRoundingDoublingHighMul then RoundingDivideByPOT),
 *  as in the reference kernels, TFLite Micro and CMSIS-NN. 'single': one rounding of x·M
 *  (TFLITE_SINGLE_ROUNDING, ruy), as TFLite's builtin optimized kernels run it.
 *  docs/model-format.md, "Rounding". */
export type Rounding = 'double' | 'single';
export const ROUNDINGS: readonly Rounding[] = ['double', 'single'];

/** Quantization of one fully-connected layer. */
export interface LayerQuant {
  outputScale: number;      // f32
  outputZeroPoint: number;  // int8
  weightScales: number[];   // f32, one per output channel
}

/** Versioned header of a model blob. Scales are f32 values and frozen for the model's life. */
export interface ModelHeader {
  version: number;
  arch: Arch;
  /** Requantization rounding; absent = 'double' (blobs before the field existed). */
  rounding?: Rounding;
  inputs: number;
  hidden: number;           // 0 unless arch = 'mlp'
  outputs: number;
  inputScale: number;       // f32
  inputZeroPoint: number;   // −128: inputs are uint8 shifted to int8
  layers: LayerQuant[];     // 1, or 2 for 'mlp'
}

export const MODEL_MAGIC = 0x4d4c4645; // "EFLM"
export const MODEL_VERSION = 1;
export const HEADER_BYTES = 24;
export const MAX_INPUTS = 1024, MAX_HIDDEN = 64, MAX_OUTPUTS = 16;
/** Master weights: int8 weight · 256 + int8 fraction, kept in [−127·256, 127·256]. */
export const W_MASTER_MAX = 127 * 256;
/** Biases (int32 at s_in·s_w) are kept in [−2^28, 2^28] so accumulators cannot overflow. */
export const BIAS_MAX = 1 << 28;

export { E_BAD_DIMS, E_BAD_HEADER, E_BAD_LENGTH, E_BAD_MODEL } from './firmware-error.js';

/** A malformed blob: the host's mirror of the firmware's checks, with the firmware's code.
 *  `truncated` is true when more bytes could make it valid. */
export class ModelFormatError extends FirmwareError {
  constructor(code: number, message: string, readonly truncated = false) {
    super(code, 'model blob', message);
    this.name = 'ModelFormatError';
  }
}

function layerDims(h: Pick<ModelHeader, 'arch' | 'inputs' | 'hidden' | 'outputs'>): [number, number][] {
  return h.arch === 'mlp' ? [[h.inputs, h.hidden], [h.hidden, h.outputs]] : [[h.inputs, h.outputs]];
}

/** Bytes before the first weight: the header and every layer's quantization. Scales are frozen
 *  for a model's life, so the blobs of one model share these bytes. */
export function quantBytes(h: Pick<ModelHeader, 'arch' | 'inputs' | 'hidden' | 'outputs'>): number {
  let n = HEADER_BYTES;
  for (const [, out] of layerDims(h)) n += 8 + 4 * out;
  return n;
}

/** Blob length for a header's dimensions. */
export function blobBytes(h: Pick<ModelHeader, 'arch' | 'inputs' | 'hidden' | 'outputs'>): number {
  let n = quantBytes(h);
  for (const [inp, out] of layerDims(h)) n += ((2 * inp * out + 3) & ~3) + 4 * out;
  return n;
}

/** Number of entries of `params` for a header: Σ (in·out weights + out biases). */
export function paramCount(h: Pick<ModelHeader, 'arch' | 'inputs' | 'hidden' | 'outputs'>): number {
  return layerDims(h).reduce((s, [i, o]) => s + i * o + o, 0);
}

/** Largest blob any decoder accepts (MLP 1024→64→16). */
export const MAX_MODEL_BYTES = blobBytes({ arch: 'mlp', inputs: MAX_INPUTS, hidden: MAX_HIDDEN, outputs: MAX_OUTPUTS });

function checkDims(h: Pick<ModelHeader, 'arch' | 'inputs' | 'hidden' | 'outputs'>): void {
  const ok = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!ok(h.inputs, 1, MAX_INPUTS) || !ok(h.outputs, h.arch === 'linreg' ? 1 : 2, MAX_OUTPUTS)) {
    throw new ModelFormatError(E_BAD_DIMS, `bad dimensions ${h.inputs}→${h.outputs}`);
  }
  if (h.arch === 'mlp' ? !ok(h.hidden, 1, MAX_HIDDEN) : h.hidden !== 0) {
    throw new ModelFormatError(E_BAD_DIMS, `bad hidden width ${h.hidden} for ${h.arch}`);
  }
}

const validScale = (s: number) => Number.isFinite(s) && s >= 1e-12 && s <= 1e6;

/** Decodes and validates a blob. Throws ModelFormatError (truncated = the blob is too short).
 *  @example const { header, params } = decodeModel(blob); */
export function decodeModel(blob: Uint8Array): { header: ModelHeader; params: Int32Array } {
  if (!(blob instanceof Uint8Array)) throw new TypeError('blob must be a Uint8Array');
  if (blob.length > MAX_MODEL_BYTES) throw new ModelFormatError(E_BAD_LENGTH, `blob of ${blob.length} bytes exceeds ${MAX_MODEL_BYTES}`);
  if (blob.length < HEADER_BYTES) throw new ModelFormatError(E_BAD_LENGTH, `blob of ${blob.length} bytes is shorter than the header`, true);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (dv.getUint32(0, true) !== MODEL_MAGIC) throw new ModelFormatError(E_BAD_HEADER, 'bad magic (expected "EFLM")');
  const version = blob[4];
  if (version !== MODEL_VERSION) throw new ModelFormatError(E_BAD_HEADER, `unsupported model version ${version}`);
  const arch = ARCHES[blob[5]];
  if (!arch) throw new ModelFormatError(E_BAD_HEADER, `unknown architecture ${blob[5]}`);
  const rounding = ROUNDINGS[blob[6]];
  if (!rounding) throw new ModelFormatError(E_BAD_HEADER, `unknown rounding mode ${blob[6]}`);
  if (blob[7] !== 0 || dv.getUint16(14, true) !== 0) throw new ModelFormatError(E_BAD_HEADER, 'reserved header bytes must be zero');
  const dims = { arch, inputs: dv.getUint16(8, true), hidden: dv.getUint16(10, true), outputs: dv.getUint16(12, true) };
  checkDims(dims);
  const need = blobBytes(dims);
  if (blob.length !== need) {
    throw new ModelFormatError(E_BAD_LENGTH, `blob is ${blob.length} bytes, header says ${need}`, blob.length < need);
  }
  const inputScale = dv.getFloat32(16, true), inputZeroPoint = dv.getInt32(20, true);
  if (!validScale(inputScale) || inputZeroPoint !== -128) throw new ModelFormatError(E_BAD_HEADER, 'bad input quantization');
  const ld = layerDims(dims);
  let off = HEADER_BYTES;
  const layers: LayerQuant[] = ld.map(([, out], l) => {
    const outputScale = dv.getFloat32(off, true), outputZeroPoint = dv.getInt32(off + 4, true);
    const weightScales = Array.from({ length: out }, (_, c) => dv.getFloat32(off + 8 + 4 * c, true));
    const hidden = l < ld.length - 1;
    if (!validScale(outputScale) || !weightScales.every(validScale) ||
        (hidden ? outputZeroPoint !== -128 : !(outputZeroPoint >= -128 && outputZeroPoint <= 127))) {
      throw new ModelFormatError(E_BAD_HEADER, `bad quantization of layer ${l}`);
    }
    off += 8 + 4 * out;
    return { outputScale, outputZeroPoint, weightScales };
  });
  const params = new Int32Array(paramCount(dims));
  let p = 0;
  for (const [inp, out] of ld) {
    const n = inp * out;
    // an Int8Array view: per-byte DataView reads were most of the gateway's decode time
    const q = new Int8Array(blob.buffer, blob.byteOffset + off, 2 * n);
    for (let i = 0; i < n; i++) {
      const w = q[i], m = w * 256 + q[n + i];
      if (w === -128 || m > W_MASTER_MAX || m < -W_MASTER_MAX) throw new ModelFormatError(E_BAD_MODEL, `weight ${i} out of range`);
      params[p++] = m;
    }
    off += (2 * n + 3) & ~3;
    for (let c = 0; c < out; c++) {
      const b = dv.getInt32(off + 4 * c, true);
      if (b > BIAS_MAX || b < -BIAS_MAX) throw new ModelFormatError(E_BAD_MODEL, `bias ${c} out of range`);
      params[p++] = b;
    }
    off += 4 * out;
  }
  return { header: { version, arch, rounding, inputs: dims.inputs, hidden: dims.hidden, outputs: dims.outputs, inputScale, inputZeroPoint, layers }, params };
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** Encodes a header and params, saturating weights to ±127·256 and biases to ±2^28.
 *  Throws ModelFormatError on a bad header or a params vector of the wrong length.
 *  @example const blob = encodeModel(header, averagedParams); */
export function encodeModel(header: ModelHeader, params: Int32Array): Uint8Array {
  if (header.version !== MODEL_VERSION) throw new ModelFormatError(E_BAD_HEADER, `unsupported model version ${header.version}`);
  const archCode = ARCHES.indexOf(header.arch);
  if (archCode < 0) throw new ModelFormatError(E_BAD_HEADER, `unknown architecture ${header.arch}`);
  const roundCode = ROUNDINGS.indexOf(header.rounding ?? 'double');
  if (roundCode < 0) throw new ModelFormatError(E_BAD_HEADER, `unknown rounding mode ${header.rounding}`);
  checkDims(header);
  const ld = layerDims(header);
  if (header.layers.length !== ld.length) throw new ModelFormatError(E_BAD_HEADER, 'layer count does not match the architecture');
  if (params.length !== paramCount(header)) throw new ModelFormatError(E_BAD_LENGTH, `params has ${params.length} entries, expected ${paramCount(header)}`);
  const blob = new Uint8Array(blobBytes(header));
  const dv = new DataView(blob.buffer);
  dv.setUint32(0, MODEL_MAGIC, true);
  blob[4] = MODEL_VERSION;
  blob[5] = archCode;
  blob[6] = roundCode;
  dv.setUint16(8, header.inputs, true);
  dv.setUint16(10, header.hidden, true);
  dv.setUint16(12, header.outputs, true);
  dv.setFloat32(16, header.inputScale, true);
  dv.setInt32(20, header.inputZeroPoint, true);
  let off = HEADER_BYTES;
  ld.forEach(([, out], l) => {
    const q = header.layers[l];
    if (q.weightScales.length !== out) throw new ModelFormatError(E_BAD_HEADER, `layer ${l} needs ${out} weight scales`);
    dv.setFloat32(off, q.outputScale, true);
    dv.setInt32(off + 4, q.outputZeroPoint, true);
    q.weightScales.forEach((s, c) => dv.setFloat32(off + 8 + 4 * c, s, true));
    off += 8 + 4 * out;
  });
  let p = 0;
  for (const [inp, out] of ld) {
    const n = inp * out;
    for (let i = 0; i < n; i++) {
      const m = clamp(params[p++], -W_MASTER_MAX, W_MASTER_MAX);
      const w = (m + 128) >> 8; // round to nearest, ties up; fraction in [−128, 127]
      dv.setInt8(off + i, w);
      dv.setInt8(off + n + i, m - w * 256);
    }
    off += (2 * n + 3) & ~3;
    for (let c = 0; c < out; c++) dv.setInt32(off + 4 * c, clamp(params[p++], -BIAS_MAX, BIAS_MAX), true);
    off += 4 * out;
  }
  // a header that encodes but would not decode (bad scales, zero points) is rejected here
  decodeModel(blob);
  return blob;
}

/** True when two headers have the same version, architecture, rounding, dimensions, scales and
 *  zero points, i.e. their `params` vectors can be averaged entry by entry. */
export function sameShape(a: ModelHeader, b: ModelHeader): boolean {
  const f = Math.fround;
  if (a.version !== b.version || a.arch !== b.arch || (a.rounding ?? 'double') !== (b.rounding ?? 'double') || a.inputs !== b.inputs || a.hidden !== b.hidden ||
      a.outputs !== b.outputs || f(a.inputScale) !== f(b.inputScale) || a.inputZeroPoint !== b.inputZeroPoint ||
      a.layers.length !== b.layers.length) return false;
  return a.layers.every((la, l) => {
    const lb = b.layers[l];
    return f(la.outputScale) === f(lb.outputScale) && la.outputZeroPoint === lb.outputZeroPoint &&
      la.weightScales.length === lb.weightScales.length && la.weightScales.every((s, c) => f(s) === f(lb.weightScales[c]));
  });
}
