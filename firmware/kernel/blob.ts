// The model blob (docs/model-format.md) read and written in pieces, so a model never has to sit
// in the stream whole: a board with one 64 KiB page loads the 15,792-byte MNIST LR blob in
// chunks and exports any byte range of it (the signer serialises the update from the model in
// memory through the same range writer, firmware/crypto/update.ts).
// Blob sections, in order: header (24 bytes); per layer the quantization (f32 out scale, i32 out
// zero point, f32 weight scale per channel); per layer int8 weights [out][in], int8 master
// fraction [out][in], zero pad to 4, int32 bias [out].
import { OK, E_BAD_HEADER, E_BAD_LENGTH, E_BAD_MODEL, E_NOT_READY, E_TOO_LARGE } from "../errors";
import { ROUND_DOUBLE, ROUND_SINGLE } from "./fixedpoint";
import { ensureMemory, layoutTop, streamBase, streamCapacity, streamReserve, hostMemoryCheck } from "./layout";
import {
  MAGIC, VERSION, ARCH_MLP, HEADER_BYTES, W_MASTER_MAX, BIAS_MAX, F_IN, F_OUT, F_W8, F_MASTER, F_BIAS, F_WSCALE,
  F_OUT_SCALE, F_OUT_ZP, F_IN_SCALE, dI, dP, dF, blobToW, blobBytes, checkDims, validScale, setupForLoad, setOutQuant,
  finishLoad, dropModel, ready, arch, rounding, nLayers, nInputs, nHidden, nOutputs, inputZp, w8Stale,
} from "./model";

const S_HEADER = 0, S_QUANT = 1, S_W8 = 2, S_FRAC = 3, S_PAD = 4, S_BIAS = 5;

// The section holding blob offset `off`, found by locate(): kind, layer, [start, end).
let secKind = 0, secLayer = 0, secStart = 0, secEnd = 0;

/** Sets sec* to the section of the current model's blob that holds byte `off` (< blob length). */
function locate(off: i32): void {
  secStart = 0; secEnd = HEADER_BYTES; secKind = S_HEADER; secLayer = 0;
  if (off < secEnd) return;
  for (let l = 0; l < nLayers; l++) {
    secStart = secEnd; secEnd += 8 + 4 * dI(l, F_OUT); secKind = S_QUANT; secLayer = l;
    if (off < secEnd) return;
  }
  for (let l = 0; l < nLayers; l++) {
    const n = dI(l, F_IN) * dI(l, F_OUT);
    secLayer = l;
    secStart = secEnd; secEnd += n; secKind = S_W8;
    if (off < secEnd) return;
    secStart = secEnd; secEnd += n; secKind = S_FRAC;
    if (off < secEnd) return;
    secStart = secEnd; secEnd = secStart + (((2 * n + 3) & ~3) - 2 * n); secKind = S_PAD;
    if (off < secEnd) return;
    secStart = secEnd; secEnd += 4 * dI(l, F_OUT); secKind = S_BIAS;
    if (off < secEnd) return;
  }
}

// ---- reading -----------------------------------------------------------------------------

const QB: usize = memory.data(16, 8); // out scale ‖ zero point of each layer, as they arrive
let ldActive = false;
let ldOff: i32 = 0, ldLen: i32 = 0;

/** Starts loading a blob of `len` bytes whose 24-byte header the host wrote at the stream start:
 *  checks the header, lays out the model (the stream moves past it) and expects the rest through
 *  loadChunk. The kernel holds no model until loadEnd. */
export function loadBegin(len: i32): i32 {
  const h = hostMemoryCheck();
  if (h != OK) return h;
  ldActive = false;
  dropModel();
  const p = streamBase();
  if (p == 0) return E_BAD_LENGTH; // no stream yet: nothing was written
  if (len < HEADER_BYTES || !ensureMemory(p + usize(HEADER_BYTES))) return E_BAD_LENGTH;
  if (load<u32>(p) != MAGIC || load<u8>(p + 4) != VERSION) return E_BAD_HEADER;
  const a = i32(load<u8>(p + 5)), mode = i32(load<u8>(p + 6));
  const inputs = i32(load<u16>(p + 8)), hidden = i32(load<u16>(p + 10)), outputs = i32(load<u16>(p + 12));
  if ((mode != ROUND_DOUBLE && mode != ROUND_SINGLE) || load<u8>(p + 7) != 0 || load<u16>(p + 14) != 0) return E_BAD_HEADER;
  const e = checkDims(a, inputs, hidden, outputs);
  if (e != OK) return e;
  if (len != blobBytes(a == ARCH_MLP ? 2 : 1, inputs, hidden, outputs)) return E_BAD_LENGTH;
  const inScale = load<f32>(p + 16), inZp = load<i32>(p + 20);
  if (!validScale(inScale) || inZp != -128) return E_BAD_HEADER;
  if (!setupForLoad(a, inputs, hidden, outputs, inScale, inZp, mode)) return E_TOO_LARGE;
  ldOff = HEADER_BYTES; ldLen = len; ldActive = true;
  return OK;
}

// Checks a completed quantization section of layer l (bytes in QB and the weight-scale region).
function quantDone(l: i32): i32 {
  const s = load<f32>(QB + (<usize>l << 3)), zp = load<i32>(QB + (<usize>l << 3) + 4);
  if (!validScale(s)) return E_BAD_HEADER;
  if (l < nLayers - 1 ? zp != -128 : (zp < -128 || zp > 127)) return E_BAD_HEADER;
  const ws = dP(l, F_WSCALE);
  for (let c = 0; c < dI(l, F_OUT); c++) if (!validScale(load<f32>(ws + (<usize>c << 2)))) return E_BAD_HEADER;
  setOutQuant(l, s, zp);
  return OK;
}

/** Consumes the next `n` bytes of the blob at `p` (outside the model regions). The int8 weight of
 *  each entry parks in the int8 tensor until its master fraction arrives; loadEnd refreshes the
 *  int8 tensor from the master copy (the same values). */
function feed(p: usize, n: i32): i32 {
  while (n > 0) {
    locate(ldOff);
    const l = secLayer, rel = ldOff - secStart, take = min(n, secEnd - ldOff);
    if (take <= 0) return E_BAD_LENGTH; // past the blob (loadChunk bounds n, so never)
    if (secKind == S_QUANT) {
      const head = rel < 8 ? min(take, 8 - rel) : 0;
      if (head > 0) memory.copy(QB + (<usize>l << 3) + <usize>rel, p, <usize>head);
      if (take > head) memory.copy(dP(l, F_WSCALE) + <usize>(rel + head - 8), p + <usize>head, <usize>(take - head));
      if (rel + take == secEnd - secStart) { const q = quantDone(l); if (q != OK) return q; }
    } else if (secKind == S_W8 || secKind == S_FRAC) {
      const inp = dI(l, F_IN), w8 = dP(l, F_W8), m = dP(l, F_MASTER);
      for (let i = 0; i < take; i++) {
        const k = blobToW(l, rel + i, inp);
        const b = i32(load<i8>(p + <usize>i));
        if (secKind == S_W8) {
          if (b == -128) return E_BAD_MODEL;
          store<i8>(w8 + <usize>k, i8(b));
        } else {
          const v = (i32(load<i8>(w8 + <usize>k)) << 8) + b;
          if (v > W_MASTER_MAX || v < -W_MASTER_MAX) return E_BAD_MODEL;
          store<i16>(m + (<usize>k << 1), i16(v));
        }
      }
    } else if (secKind == S_PAD) {
      // zero pad (docs/model-format.md): rejecting anything else makes load → export the identity
      for (let i = 0; i < take; i++) if (load<u8>(p + <usize>i) != 0) return E_BAD_MODEL;
    } else if (secKind == S_BIAS) {
      const b = dP(l, F_BIAS);
      memory.copy(b + <usize>rel, p, <usize>take);
      if (rel + take == secEnd - secStart) {
        for (let c = 0; c < dI(l, F_OUT); c++) {
          const v = load<i32>(b + (<usize>c << 2));
          if (v > BIAS_MAX || v < -BIAS_MAX) return E_BAD_MODEL;
        }
      }
    }
    p += <usize>take; n -= take; ldOff += take;
  }
  return OK;
}

/** The next `n` bytes of the blob being loaded, at the stream start. */
export function loadChunk(n: i32): i32 {
  if (!ldActive) return E_NOT_READY;
  if (n < 0 || n > ldLen - ldOff || usize(n) > streamCapacity()) { ldActive = false; return E_BAD_LENGTH; }
  const r = feed(streamBase(), n);
  if (r != OK) ldActive = false;
  return r;
}

/** Completes the load once every byte arrived. */
export function loadEnd(): i32 {
  if (!ldActive) return E_NOT_READY;
  ldActive = false;
  if (ldOff != ldLen) return E_BAD_LENGTH;
  finishLoad();
  return OK;
}

/** Loads the whole blob of `len` bytes at the start of the stream (kernel_load). */
export function loadModel(len: i32): i32 {
  const src0 = streamBase();
  if (src0 != 0 && len > 0 && !ensureMemory(src0 + usize(len))) return E_TOO_LARGE;
  const r = loadBegin(len);
  if (r != OK) return r;
  // the new model's regions may cover the old stream: move the blob past them first
  const src = layoutTop();
  if (!ensureMemory(src + usize(len))) { ldActive = false; return E_TOO_LARGE; }
  memory.copy(src, src0, usize(len));
  streamReserve(usize(len));
  const f = feed(src + HEADER_BYTES, len - HEADER_BYTES);
  if (f != OK) { ldActive = false; return f; }
  return loadEnd();
}

// ---- writing -----------------------------------------------------------------------------

const HB: usize = memory.data(24, 8); // header (or a layer's out scale ‖ zero point) being written

/** Length of the current model's blob (E_NOT_READY without a model). */
export function modelBlobBytes(): i32 {
  return ready ? blobBytes(nLayers, nInputs, nHidden, nOutputs) : E_NOT_READY;
}

/** Writes blob bytes [off, off + len) of the current model to `dst` (the caller checked the model
 *  is ready and the range lies inside the blob). */
export function blobWrite(dst: usize, off: i32, len: i32): void {
  while (len > 0) {
    locate(off);
    const l = secLayer, rel = off - secStart, take = min(len, secEnd - off);
    if (take <= 0) { memory.fill(dst, 0, <usize>len); return; } // past the blob (callers clip their ranges, so never)
    if (secKind == S_HEADER) {
      memory.fill(HB, 0, 24);
      store<u32>(HB, MAGIC); store<u8>(HB + 4, VERSION); store<u8>(HB + 5, u8(arch)); store<u8>(HB + 6, u8(rounding));
      store<u16>(HB + 8, u16(nInputs)); store<u16>(HB + 10, u16(nHidden)); store<u16>(HB + 12, u16(nOutputs));
      store<f32>(HB + 16, dF(0, F_IN_SCALE)); store<i32>(HB + 20, inputZp);
      memory.copy(dst, HB + <usize>rel, <usize>take);
    } else if (secKind == S_QUANT) {
      const head = rel < 8 ? min(take, 8 - rel) : 0;
      if (head > 0) {
        store<f32>(HB, dF(l, F_OUT_SCALE)); store<i32>(HB + 4, dI(l, F_OUT_ZP));
        memory.copy(dst, HB + <usize>rel, <usize>head);
      }
      if (take > head) memory.copy(dst + <usize>head, dP(l, F_WSCALE) + <usize>(rel + head - 8), <usize>(take - head));
    } else if (secKind == S_W8 && !ASC_FEATURE_SIMD && !w8Stale) {
      // the int8 tensor is round(m / 256) of the master copy, in blob order in the scalar builds
      memory.copy(dst, dP(l, F_W8) + <usize>rel, <usize>take);
    } else if (secKind == S_W8) {
      const inp = dI(l, F_IN), m = dP(l, F_MASTER);
      for (let i = 0; i < take; i++) store<i8>(dst + <usize>i, i8((i32(load<i16>(m + (<usize>blobToW(l, rel + i, inp) << 1))) + 128) >> 8));
    } else if (secKind == S_FRAC) {
      // v − 256·round(v / 256) = ((v + 128) mod 256) − 128
      const inp = dI(l, F_IN), m = dP(l, F_MASTER);
      for (let i = 0; i < take; i++) store<i8>(dst + <usize>i, i8(((i32(load<i16>(m + (<usize>blobToW(l, rel + i, inp) << 1))) + 128) & 255) - 128));
    } else if (secKind == S_PAD) {
      memory.fill(dst, 0, <usize>take);
    } else {
      memory.copy(dst, dP(l, F_BIAS) + <usize>rel, <usize>take);
    }
    dst += <usize>take; off += take; len -= take;
  }
}

/** Writes blob bytes [off, off + len) at the stream start (clipped to the blob's end); returns
 *  the number written. E_NOT_READY without a model, E_BAD_LENGTH for off outside the blob,
 *  E_TOO_LARGE if the stream cannot hold them. */
export function exportPart(off: i32, len: i32): i32 {
  const total = modelBlobBytes();
  if (total < 0) return total;
  if (off < 0 || off > total || len < 0) return E_BAD_LENGTH;
  const n = min(len, total - off);
  if (!streamReserve(usize(n))) return E_TOO_LARGE;
  blobWrite(streamBase(), off, n);
  return n;
}

/** Writes the current model as a blob at the start of the stream; returns its length. */
export function exportModel(): i32 {
  const len = modelBlobBytes();
  if (len < 0) return len;
  return exportPart(0, len);
}
