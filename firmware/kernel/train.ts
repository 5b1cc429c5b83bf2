// Integer SGD (docs/model-format.md, "Training"). Per sample: TFLite-exact forward, an
// integer softmax-cross-entropy (or squared-error) gradient in Q23, back-propagation through
// the frozen int8 weights, and stochastically rounded updates of the int16 master copy
// (weights carry 8 fractional bits below the int8 grid). The int8 tensors are refreshed from
// the master at the end of every mini-batch, so a batch sees one set of weights (mini-batch SGD).
// Per-channel update multipliers fold lr, batch and the frozen scales together (they are
// exactly the quantization-aware gradient scaling: Δq_w = Δw / s_w), computed once per
// trainBegin; the hot loop uses only i32/i64 integer operations.
import { E_BAD_DIMS, E_BAD_LENGTH, E_BAD_PARAM, E_NOT_READY, OK } from "../errors";
import { forward, lastNonZero } from "./forward";
import { dI, dP, dF, F_IN, F_OUT, F_WSCALE, F_ZMUL, F_KQ, F_KBQ, F_ACC, F_ACT, F_GRAD, F_SWQ, F_W8,
  F_IN_SCALE, F_ACT_MAX, F_OUT_ZP, ready, arch, nLayers, nInputs, nOutputs, refreshWeights, markW8Stale, wIdx, ARCH_LINREG } from "./model";
import { rngSeed } from "./rng";
import { update } from "./update";
import { exp2NegQ10, log2Q16 } from "./tables";
import { streamBase, streamCapacity, modelChanged } from "./layout";

// Metric accumulators (integers; converted to f64 only when the host asks).
let mCount: i64 = 0, mCorrect: i64 = 0, mLossQ16: i64 = 0, mAbsQ16: i64 = 0;
let batchSize: i32 = 0, inBatch: i32 = 0, training = false;

export function metricsReset(): void { mCount = 0; mCorrect = 0; mLossQ16 = 0; mAbsQ16 = 0; }

/** 0 count, 1 accuracy, 2 mean loss (nats or ½·squared error), 3 MAE. */
export function metric(k: i32): f64 {
  if (k == 0) return f64(mCount);
  if (mCount == 0) return 0;
  const n = f64(mCount);
  if (k == 1) return f64(mCorrect) / n;
  if (k == 2) return f64(mLossQ16) / 65536.0 / n;
  if (k == 3) return f64(mAbsQ16) / 65536.0 / n / (arch == ARCH_LINREG ? f64(nOutputs) : 1.0);
  return 0;
}

/** Layer output accumulators → real values in Q16 (per-channel s_in·s_w). */
// @ts-ignore: decorator
@inline function realQ16(l: i32, j: i32): i32 {
  return i32((i64(load<i32>(dP(l, F_ACC) + (j << 2))) * load<i64>(dP(l, F_ZMUL) + (j << 3))) >> 32);
}

/** Softmax-cross-entropy on the last layer: writes −∂L/∂z (Q23) into GRAD, updates metrics. */
function softmaxStep(label: i32): void {
  const l = nLayers - 1, out = nOutputs, g = dP(l, F_GRAD), acc = dP(l, F_ACC);
  // logits in Q10 nats; reuse GRAD as scratch for them
  let zmax = i32.MIN_VALUE, best = 0;
  for (let j = 0; j < out; j++) {
    const z = realQ16(l, j) >> 6;
    store<i32>(g + (j << 2), z);
    if (z > zmax) { zmax = z; best = j; }
  }
  // e_j = 2^(−(zmax − z_j)·log2 e) in Q30; log2 e = 1477/1024
  let sum: i64 = 0;
  for (let j = 0; j < out; j++) {
    const d = i64(zmax - load<i32>(g + (j << 2)));
    const t = d * 1477 >> 10;
    const e = t >= (31 << 10) ? 0 : exp2NegQ10(i32(t));
    store<i32>(acc + (j << 2), e); // ACC reused: forward is done
    sum += i64(e);
  }
  const dy = zmax - load<i32>(g + (label << 2));
  // loss = (zmax − z_y) + ln(Σ e / 2^30)   [nats]; ln 2 = 45426/65536
  const lnSumQ16 = ((log2Q16(u64(sum)) - (i64(30) << 16)) * 45426) >> 16;
  mLossQ16 += (i64(dy) << 6) + lnSumQ16;
  let py: i32 = 0;
  for (let j = 0; j < out; j++) {
    const p = i32((i64(load<i32>(acc + (j << 2))) << 15) / sum); // Q15 probability
    if (j == label) py = p;
    store<i32>(g + (j << 2), ((j == label ? 32768 : 0) - p) << 8); // −(p − onehot) in Q23
  }
  mCount++;
  if (best == label) mCorrect++;
  mAbsQ16 += i64(32768 - py) << 1;
}

/** Squared error on the last layer (targets Q16 at `t`): writes −∂L/∂y (Q23, clipped to ±32). */
function regressionStep(t: usize): void {
  const l = nLayers - 1, g = dP(l, F_GRAD);
  let hit = true;
  for (let j = 0; j < nOutputs; j++) {
    const e = realQ16(l, j) - load<i32>(t + (j << 2));
    const ae = e < 0 ? -e : e;
    mAbsQ16 += i64(ae);
    mLossQ16 += (i64(e) * i64(e)) >> 17;
    if (ae >= 32768) hit = false;
    const c = e > (1 << 21) ? (1 << 21) : e < -(1 << 21) ? -(1 << 21) : e;
    store<i32>(g + (j << 2), -(c << 7));
  }
  mCount++;
  if (hit) mCorrect++;
}

/** −∂L/∂h for the hidden layer from GRAD of layer 1, masked by the ReLU/saturation range. */
function backpropHidden(): void {
  const out = dI(1, F_OUT), hid = dI(1, F_IN);
  const g1 = dP(1, F_GRAD), w2 = dP(1, F_W8), swq = dP(1, F_SWQ), g0 = dP(0, F_GRAD), act = dP(0, F_ACT);
  // scale by s_w2[k] (Q24) so the int8 weights can be used directly: Q23·Q24 >> 24 = Q23.
  // Layer 1's ACC is free scratch here (the loss step has consumed it).
  const sc = dP(1, F_ACC);
  for (let k = 0; k < out; k++) {
    store<i32>(sc + (k << 2), i32((i64(load<i32>(g1 + (k << 2))) * load<i64>(swq + (k << 3))) >> 24));
  }
  const top = dI(0, F_ACT_MAX) - dI(0, F_OUT_ZP);
  for (let j = 0; j < hid; j++) {
    const a = i32(load<u8>(act + j));
    let s = 0;
    // straight-through only inside (0, 127]: ReLU-off and saturated units pass no gradient
    if (a != 0 && a != top) {
      for (let k = 0; k < out; k++) s += load<i32>(sc + (k << 2)) * i32(load<i8>(w2 + usize(wIdx(1, k, j))));
    }
    store<i32>(g0 + (j << 2), s);
  }
}

/** Starts a training run: mini-batch size, learning rate in Q16 (lr·65536), RNG seed. */
export function trainBegin(batch: i32, lrQ16: i32, seed: u32): i32 {
  if (!ready) return E_NOT_READY;
  if (batch < 1 || batch > 65535 || lrQ16 < 1 || lrQ16 > (16 << 16)) return E_BAD_PARAM;
  batchSize = batch; inBatch = 0; training = true;
  rngSeed(seed);
  metricsReset();
  const lrb = f64(lrQ16) / 65536.0 / f64(batch);
  for (let l = 0; l < nLayers; l++) {
    const out = dI(l, F_OUT), sx = f64(dF(l, F_IN_SCALE)), ws = dP(l, F_WSCALE);
    for (let c = 0; c < out; c++) {
      const sw = f64(load<f32>(ws + (c << 2)));
      // Δm = −lr/B·g·x/(s_w/256): per Q23 gradient unit and per unit input value v, in Q16 → ·2^24
      store<i64>(dP(l, F_KQ) + (c << 3), i64(Math.floor(lrb * sx * 256.0 / sw * 65536.0 + 0.5)));
      // Δb = −lr/B·g/(s_x·s_w) per Q23 gradient unit → ·2^24
      store<i64>(dP(l, F_KBQ) + (c << 3), i64(Math.floor(lrb / (sx * sw) * 2.0 + 0.5)));
    }
  }
  return OK;
}

/** Per-sample stream record: inputs, then (after 4-byte alignment) labels or Q16 targets. */
function chunkLayout(n: i32): i32 {
  if (!ready) return E_NOT_READY;
  if (n < 0) return E_BAD_DIMS;
  const xBytes = i64(n) * i64(nInputs);
  const yBytes = arch == ARCH_LINREG ? i64(n) * i64(nOutputs) * 4 : i64(n);
  if (((xBytes + 3) & ~3) + yBytes > i64(streamCapacity())) return E_BAD_LENGTH;
  return OK;
}

/** Runs n samples from the stream; `learn` false = evaluation only. Returns n or an error. */
export function runChunk(n: i32, learn: bool): i32 {
  const e = chunkLayout(n);
  if (e != OK) return e;
  if (learn && !training) return E_NOT_READY;
  if (learn) modelChanged();
  const x0 = streamBase();
  const y0 = x0 + ((usize(n * nInputs) + 3) & ~<usize>3);
  if (arch != ARCH_LINREG) {
    for (let s = 0; s < n; s++) if (i32(load<u8>(y0 + s)) >= nOutputs) return E_BAD_PARAM;
  }
  for (let s = 0; s < n; s++) {
    const x = x0 + usize(s * nInputs);
    forward(x, 0);
    if (arch == ARCH_LINREG) regressionStep(y0 + usize((s * nOutputs) << 2));
    else softmaxStep(i32(load<u8>(y0 + s)));
    if (!learn) continue;
    if (nLayers == 2) {
      backpropHidden();
      update(1, dP(0, F_ACT), lastNonZero(1));
    }
    update(0, x, lastNonZero(0));
    markW8Stale();
    if (++inBatch == batchSize) { refreshWeights(); inBatch = 0; }
  }
  return n;
}

/** Ends a training run: applies the last partial mini-batch to the int8 tensors. */
export function trainEnd(): i32 {
  if (!training) return E_NOT_READY;
  if (inBatch > 0) refreshWeights();
  inBatch = 0; training = false;
  return OK;
}

/** Input bytes per sample (for the host's chunking). */
export function sampleInputs(): i32 { return nInputs; }
