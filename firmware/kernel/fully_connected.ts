// General TFLite reference FULLY_CONNECTED, per-channel int8 variant
// (tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h,
// FullyConnectedPerChannel): acc = Σ (x + input_offset)·w + bias;
// acc = MultiplyByQuantizedMultiplier(acc, mult[c], shift[c]) + output_offset; clamp.
// The model path (forward.ts) is a sparse specialisation of this for zp_in = −128; this
// dense form serves the conformance exports used by the bit-exactness tests.
import { mbqm } from "./fixedpoint";

/** Runs `batches` rows. Pointers are into linear memory; outputs int8 at `out`. `mode` is the
 *  requantization's rounding (fixedpoint.ts ROUND_DOUBLE / ROUND_SINGLE). */
export function fullyConnectedPerChannel(batches: i32, nIn: i32, nOut: i32, inZp: i32, outZp: i32,
  actMin: i32, actMax: i32, input: usize, filter: usize, bias: usize, mult: usize, shift: usize, out: usize, mode: i32): void {
  const inputOffset = -inZp;
  for (let b = 0; b < batches; b++) {
    const x = input + usize(b * nIn);
    for (let c = 0; c < nOut; c++) {
      const w = filter + usize(c * nIn);
      let acc: i32 = 0;
      for (let d = 0; d < nIn; d++) acc += (i32(load<i8>(x + d)) + inputOffset) * i32(load<i8>(w + d));
      acc += load<i32>(bias + (c << 2));
      acc = mbqm(mode, acc, load<i32>(mult + (c << 2)), load<i32>(shift + (c << 2)));
      acc += outZp;
      acc = acc < actMin ? actMin : acc > actMax ? actMax : acc;
      store<i8>(out + usize(b * nOut + c), i8(acc));
    }
  }
}
