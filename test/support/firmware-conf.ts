// Drivers of the firmware's conformance exports (docs/firmware-abi.md, "Conformance exports"),
// shared by the bit-exactness tests of both rounding modes.
import assert from 'node:assert/strict';
import type { FirmwareInstance } from '../../boards/firmware/instance.js';

/** MultiplyByQuantizedMultiplier in firmware over (x, multiplier, shift) triples; `mode` 0 is
 *  double rounding, 1 single. Returns the n results. */
export function runMbqm(fw: FirmwareInstance, cases: Int32Array, mode = 0): Int32Array {
  const n = cases.length / 3;
  const p = fw.exports.kernel_stream_reserve(cases.byteLength);
  assert.ok(p > 0);
  new Int32Array(fw.memory.buffer, p, cases.length).set(cases);
  assert.equal(fw.exports.kernel_conf_mbqm(n, mode), n);
  const mem = new Int32Array(fw.memory.buffer, p, cases.length);
  return Int32Array.from({ length: n }, (_, i) => mem[3 * i]);
}
