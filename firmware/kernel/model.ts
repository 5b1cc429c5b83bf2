// Model state and the versioned model blob (docs/model-format.md).
// Tensors follow the TFLite int8 quantization spec: weights int8 symmetric in [-127, 127]
// with per-output-channel scales, activations int8 with scale and zero point, biases int32
// at scale s_in·s_w[c]. A master copy of every weight with 8 extra fractional bits
// (`frac`, stored next to the int8 tensor) carries the stochastically rounded SGD updates.
import { E_BAD_DIMS, E_BAD_HEADER, E_TOO_LARGE, OK } from "../errors";
import { quantizeMultiplier, lastShift, ROUND_DOUBLE } from "./fixedpoint";
import { layoutReset, layoutAlloc, layoutCommit, hostMemoryCheck } from "./layout";
import { rngSeed, rngSym } from "./rng";
import { tablesInit } from "./tables";

export const MAGIC: u32 = 0x4d4c4645;   // "EFLM" little-endian
export const VERSION: u8 = 1;
export const ARCH_LOGREG: i32 = 0;
export const ARCH_MLP: i32 = 1;
export const ARCH_LINREG: i32 = 2;
export const MAX_INPUTS: i32 = 1024;
export const MAX_HIDDEN: i32 = 64;
export const MAX_OUTPUTS: i32 = 16;
export const HEADER_BYTES: i32 = 24;
export const W_MASTER_MAX: i32 = 127 * 256;   // master weight range = int8 range · 2^8
export const BIAS_MAX: i32 = 1 << 28;         // keeps acc = Σx·w + b far from int32 overflow

// Layer descriptor: fixed-size records in a static block (no allocation).
const DESC_STRIDE: i32 = 128;
const DESC: usize = memory.data(2 * DESC_STRIDE, 16);
export const F_IN = 0, F_OUT = 4, F_W8 = 8, F_MASTER = 12, F_BIAS = 16, F_WSCALE = 20, F_MULT = 24,
  F_SHIFT = 28, F_ZMUL = 32, F_KQ = 36, F_KBQ = 40, F_ACC = 44, F_ACT = 48, F_GRAD = 52, F_NZ = 56,
  F_SWQ = 60, F_OUT_ZP = 64, F_ACT_MIN = 68, F_ACT_MAX = 72, F_NNZ = 76;
export const F_IN_SCALE = 80, F_OUT_SCALE = 84; // f32

// @ts-ignore: decorator
@inline export function dI(l: i32, f: i32): i32 { return load<i32>(DESC + l * DESC_STRIDE + f); }
// @ts-ignore: decorator
@inline export function dP(l: i32, f: i32): usize { return <usize>load<i32>(DESC + l * DESC_STRIDE + f); }
// @ts-ignore: decorator
@inline export function dF(l: i32, f: i32): f32 { return load<f32>(DESC + l * DESC_STRIDE + f); }
// @ts-ignore: decorator
@inline function setI(l: i32, f: i32, v: i32): void { store<i32>(DESC + l * DESC_STRIDE + f, v); }
// @ts-ignore: decorator
@inline function setF(l: i32, f: i32, v: f32): void { store<f32>(DESC + l * DESC_STRIDE + f, v); }

/** Position of weight (row j, input i) of layer l in its W8 and MASTER tensors. The scalar builds
 *  keep TFLite's filter order [out][in] (a row is contiguous for the sparse dot product); the
 *  simd build keeps [in][out], so the weights of one input for 16 rows are one vector for both
 *  the forward pass and the update. Blobs always use [out][in] (docs/model-format.md). */
// @ts-ignore: decorator
@inline export function wIdx(l: i32, j: i32, i: i32): i32 {
  return ASC_FEATURE_SIMD ? i * dI(l, F_OUT) + j : j * dI(l, F_IN) + i;
}

/** Position in W8/MASTER of the blob's e-th weight ([out][in] order). */
// @ts-ignore: decorator
@inline export function blobToW(l: i32, e: i32, inp: i32): i32 {
  return ASC_FEATURE_SIMD ? wIdx(l, e / inp, e % inp) : e;
}

/** Rows padded to whole vectors (simd build: 16 lanes; scalar builds: unpadded). */
// @ts-ignore: decorator
@inline export function padRows(out: i32): i32 { return ASC_FEATURE_SIMD ? (out + 15) & ~15 : out; }

// Full-width simd loads/stores of the last input's 16 rows run past [in][out] by at most 15
// weights; the tensors get that much slack (never part of the model).
const W8_SLACK: i32 = ASC_FEATURE_SIMD ? 16 : 0;

export let ready = false;
export let arch: i32 = 0;
export let nLayers: i32 = 0;
export let nInputs: i32 = 0;
export let nHidden: i32 = 0;
export let nOutputs: i32 = 0;
export let inputZp: i32 = -128;
/** Requantization rounding of the loaded model (header byte 6): ROUND_DOUBLE or ROUND_SINGLE. */
export let rounding: i32 = ROUND_DOUBLE;

/** Bytes of a blob for these dimensions (header + quantization + tensors). */
export function blobBytes(layers: i32, inputs: i32, hidden: i32, outputs: i32): i32 {
  let n = HEADER_BYTES;
  let inp = inputs;
  for (let l = 0; l < layers; l++) {
    const out = l == layers - 1 ? outputs : hidden;
    n += 8 + 4 * out;                       // out scale, out zp, per-channel weight scales
    n += ((2 * inp * out + 3) & ~3) + 4 * out; // int8 weights, int8 master fraction, pad, int32 bias
    inp = out;
  }
  return n;
}

/** Checks architecture and dimensions; OK or an error code. */
export function checkDims(a: i32, inputs: i32, hidden: i32, outputs: i32): i32 {
  if (a < ARCH_LOGREG || a > ARCH_LINREG) return E_BAD_HEADER;
  if (inputs < 1 || inputs > MAX_INPUTS || outputs < 1 || outputs > MAX_OUTPUTS) return E_BAD_DIMS;
  if (a == ARCH_MLP) { if (hidden < 1 || hidden > MAX_HIDDEN) return E_BAD_DIMS; }
  else if (hidden != 0) return E_BAD_DIMS;
  if (a != ARCH_LINREG && outputs < 2) return E_BAD_DIMS;
  return OK;
}

/** Lays out memory for a model of these dimensions. Scales are filled in by the caller. */
function setup(a: i32, inputs: i32, hidden: i32, outputs: i32): bool {
  ready = false;
  arch = a; nInputs = inputs; nHidden = hidden; nOutputs = outputs;
  nLayers = a == ARCH_MLP ? 2 : 1;
  layoutReset(tablesInit(__heap_base));
  let inp = inputs;
  for (let l = 0; l < nLayers; l++) {
    const out = l == nLayers - 1 ? outputs : hidden;
    setI(l, F_IN, inp); setI(l, F_OUT, out);
    setI(l, F_W8, i32(layoutAlloc(usize(inp * out + W8_SLACK))));
    setI(l, F_MASTER, i32(layoutAlloc(usize(2 * (inp * out + W8_SLACK)))));
    setI(l, F_BIAS, i32(layoutAlloc(usize(4 * out))));
    setI(l, F_WSCALE, i32(layoutAlloc(usize(4 * out))));
    setI(l, F_MULT, i32(layoutAlloc(usize(4 * out))));
    setI(l, F_SHIFT, i32(layoutAlloc(usize(4 * out))));
    setI(l, F_ZMUL, i32(layoutAlloc(usize(8 * out))));
    setI(l, F_KQ, i32(layoutAlloc(usize(8 * out))));
    setI(l, F_KBQ, i32(layoutAlloc(usize(8 * out))));
    setI(l, F_ACC, i32(layoutAlloc(usize(4 * padRows(out)))));
    setI(l, F_ACT, i32(layoutAlloc(usize(out))));
    setI(l, F_GRAD, i32(layoutAlloc(usize(4 * out))));
    setI(l, F_SWQ, i32(layoutAlloc(usize(8 * out))));
    setI(l, F_NZ, i32(layoutAlloc(usize(2 * inp)))); // u16 indices of the non-zero inputs
    inp = out;
  }
  return layoutCommit();
}

/** Derived per-channel constants (TFLite multipliers, logit multipliers); no hot-loop floats. */
function derive(): void {
  for (let l = 0; l < nLayers; l++) {
    const out = dI(l, F_OUT);
    const sIn = f64(dF(l, F_IN_SCALE)), sOut = f64(dF(l, F_OUT_SCALE));
    const ws = dP(l, F_WSCALE);
    for (let c = 0; c < out; c++) {
      const sW = f64(load<f32>(ws + (c << 2)));
      // TFLite GetQuantizedConvolutionMultipler: (double)s_in·(double)s_w / (double)s_out
      store<i32>(dP(l, F_MULT) + (c << 2), quantizeMultiplier(sIn * sW / sOut));
      store<i32>(dP(l, F_SHIFT) + (c << 2), lastShift());
      // accumulator → real value in Q16, as (acc · zmul) >> 32
      store<i64>(dP(l, F_ZMUL) + (c << 3), i64(Math.floor(sIn * sW * 281474976710656.0 + 0.5)));
      // s_w in Q24, for back-propagating through this layer's int8 weights
      store<i64>(dP(l, F_SWQ) + (c << 3), i64(Math.floor(sW * 16777216.0 + 0.5)));
    }
    const zp = dI(l, F_OUT_ZP);
    const isHidden = l < nLayers - 1;
    // fused ReLU for hidden layers: TFLite CalculateActivationRangeQuantized clamps at zp
    setI(l, F_ACT_MIN, isHidden ? zp : -128);
    setI(l, F_ACT_MAX, 127);
  }
}

/** True while an SGD step changed the master copy since the int8 tensors were last refreshed. */
export let w8Stale = false;
/** Records that the master copy moved ahead of the int8 tensors (train.ts). */
export function markW8Stale(): void { w8Stale = true; }

/** Refreshes the int8 tensors from the master copy: w8 = round(m / 256), ties up. */
export function refreshWeights(): void {
  w8Stale = false;
  for (let l = 0; l < nLayers; l++) {
    const n = dI(l, F_IN) * dI(l, F_OUT);
    const w8 = dP(l, F_W8), m = dP(l, F_MASTER);
    if (ASC_FEATURE_SIMD) {
      // |m| ≤ 32512, so m + 128 cannot wrap in i16 and (m + 128) >> 8 is already in [-127, 127]
      const half = i16x8.splat(128);
      for (let i = 0; i < n; i += 16) {
        const lo = i16x8.shr_s(i16x8.add(v128.load(m + (i << 1)), half), 8);
        const hi = i16x8.shr_s(i16x8.add(v128.load(m + (i << 1) + 16), half), 8);
        v128.store(w8 + i, i8x16.narrow_i16x8_s(lo, hi));
      }
      continue;
    }
    for (let i = 0; i < n; i++) store<i8>(w8 + i, i8((i32(load<i16>(m + (i << 1))) + 128) >> 8));
  }
}

// Default quantization chosen at init and frozen for the model's lifetime (docs/model-format.md).
const INPUT_SCALE: f32 = 1.0 / 255.0;
function defaultWeightMax(l: i32): f32 {
  if (arch == ARCH_MLP) return l == 0 ? 0.25 : 2.0;
  return arch == ARCH_LINREG ? 0.5 : 1.0;
}
function defaultOutScale(l: i32): f32 {
  if (l < nLayers - 1) return 8.0 / 255.0;   // hidden ReLU activations in [0, 8]
  return arch == ARCH_LINREG ? 0.125 : 0.25; // logits in ±32, regression outputs in ±16
}

/** Creates a model from a seed (Kaiming-uniform for ReLU MLP, small uniform otherwise). */
export function initModel(a: i32, inputs: i32, hidden: i32, outputs: i32, seed: u32): i32 {
  const h = hostMemoryCheck();
  if (h != OK) return h;
  const e = checkDims(a, inputs, hidden, outputs);
  if (e != OK) return e;
  if (!setup(a, inputs, hidden, outputs)) return E_TOO_LARGE;
  inputZp = -128;
  rounding = ROUND_DOUBLE;
  rngSeed(seed);
  for (let l = 0; l < nLayers; l++) {
    const inp = dI(l, F_IN), out = dI(l, F_OUT);
    const wmax = defaultWeightMax(l);
    const sW: f32 = wmax / 127.0;
    setF(l, F_IN_SCALE, l == 0 ? INPUT_SCALE : defaultOutScale(l - 1));
    setF(l, F_OUT_SCALE, defaultOutScale(l));
    setI(l, F_OUT_ZP, l < nLayers - 1 ? -128 : 0);
    const ws = dP(l, F_WSCALE);
    for (let c = 0; c < out; c++) store<f32>(ws + (c << 2), sW);
    // init bound in master units: MLP sqrt(6/fan_in) (He), linear models 0.01
    const bound: f64 = arch == ARCH_MLP ? Math.sqrt(6.0 / f64(inp)) : 0.01;
    const bm = i32(Math.floor(bound / f64(sW) * 256.0));
    const m = dP(l, F_MASTER);
    for (let j = 0; j < out; j++) {
      for (let i = 0; i < inp; i++) {
        let v = rngSym(bm);
        v = v > W_MASTER_MAX ? W_MASTER_MAX : v < -W_MASTER_MAX ? -W_MASTER_MAX : v;
        store<i16>(m + (wIdx(l, j, i) << 1), i16(v));
      }
    }
    memory.fill(dP(l, F_BIAS), 0, usize(4 * out));
  }
  derive();
  refreshWeights();
  ready = true;
  return OK;
}

/** A scale the blob may carry: finite, in [1e-12, 1e6]. */
export function validScale(s: f32): bool { return isFinite(s) && s >= 1e-12 && s <= 1e6; }

/** Lays out a model of these dimensions for a blob being loaded (firmware/kernel/blob.ts), with
 *  the header's input quantization and rounding mode; false if memory cannot grow. */
export function setupForLoad(a: i32, inputs: i32, hidden: i32, outputs: i32, inScale: f32, inZp: i32, mode: i32): bool {
  if (!setup(a, inputs, hidden, outputs)) return false;
  inputZp = inZp;
  rounding = mode;
  setF(0, F_IN_SCALE, inScale);
  return true;
}

/** Sets a layer's output quantization read from a blob (the next layer's input scale follows). */
export function setOutQuant(l: i32, outScale: f32, zp: i32): void {
  setF(l, F_OUT_SCALE, outScale);
  setI(l, F_OUT_ZP, zp);
  if (l + 1 < nLayers) setF(l + 1, F_IN_SCALE, outScale);
}

/** Completes a load: derived constants, int8 weights from the master copy, ready. */
export function finishLoad(): void {
  derive();
  refreshWeights();
  ready = true;
}

/** Marks the kernel as holding no model (a load started or failed). */
export function dropModel(): void { ready = false; }
