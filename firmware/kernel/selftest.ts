// Self-test: fixed training steps on built-in synthetic data, no host imports, no WASI.
// Returns a 32-bit FNV-1a digest of the exported blobs and integer metrics of all three
// architectures; two conforming engines must return the same value.
import { initModel, ARCH_LOGREG, ARCH_MLP, ARCH_LINREG } from "./model";
import { exportModel } from "./blob";
import { trainBegin, runChunk, trainEnd, metric } from "./train";
import { streamBase, streamReserve } from "./layout";
import { rngNext, rngSeed } from "./rng";

const DIM = 64, CLASSES = 4, N = 48;

function fnv(h: u32, p: usize, len: i32): u32 {
  for (let i = 0; i < len; i++) { h ^= u32(load<u8>(p + i)); h *= 16777619; }
  return h;
}

/** Class c lights pixels [16c, 16c+16) brightly; every pixel gets sparse noise. */
function writeData(regression: bool): void {
  streamReserve(usize(N * DIM + N * 4 + 16));
  const x = streamBase(), y = x + usize(N * DIM);
  rngSeed(12345);
  for (let s = 0; s < N; s++) {
    const c = s % CLASSES;
    for (let i = 0; i < DIM; i++) {
      const r = rngNext();
      let v: u32 = (r & 3) == 0 ? (r >> 8) & 63 : 0;
      if (i >> 4 == c) v += 150 + ((r >> 16) & 63);
      store<u8>(x + usize(s * DIM + i), u8(v));
    }
    if (regression) store<i32>(y + usize(s << 2), c << 16);
    else store<u8>(y + usize(s), u8(c));
  }
}

function run(a: i32, hidden: i32, outputs: i32, lrQ16: i32, h: u32): u32 {
  if (initModel(a, DIM, hidden, outputs, 7) < 0) return 0;
  for (let epoch = 0; epoch < 3; epoch++) {
    writeData(a == ARCH_LINREG);
    if (trainBegin(8, lrQ16, u32(epoch + 1)) < 0) return 0;
    if (runChunk(N, true) < 0) return 0;
    trainEnd();
  }
  h ^= u32(i32(metric(1) * 1000000.0));
  const len = exportModel();
  if (len < 0) return 0;
  return fnv(h * 16777619, streamBase(), len);
}

export function selfTest(): u32 {
  let h: u32 = 2166136261;
  h = run(ARCH_LOGREG, 0, CLASSES, 32768, h);
  h = run(ARCH_MLP, 16, CLASSES, 16384, h);
  h = run(ARCH_LINREG, 0, 1, 256, h);
  return h;
}
