// Local differential privacy of an update (seed 001 (PoQ) Eq. 3–5), one implementation for
// every board: the round's delta (trained − base, master units) is L1-clipped and noised with
// discrete Laplace inside the firmware (DeviceSigner.privatize → dp_privatize), then added
// back to the base with int32 saturation (encodeModel then clamps to the legal ranges).
import type { DeviceSigner } from './signer.js';

/** ε per round and the L1 clip of the round's delta (master units). */
export interface DpOptions { epsilon: number; clipL1: number }

/** The firmware's DP limits (docs/firmware-crypto.md): 0 < ε ≤ 1000, 1 ≤ clip ≤ 2^30. Throws RangeError. */
export function checkDpOptions(dp: DpOptions): void {
  if (!(dp.epsilon > 0 && dp.epsilon <= 1000)) throw new RangeError(`DP epsilon must be in (0, 1000], got ${dp.epsilon}`);
  if (!Number.isInteger(dp.clipL1) || dp.clipL1 < 1 || dp.clipL1 > 2 ** 30) throw new RangeError(`DP L1 clip must be an integer in [1, 2^30], got ${dp.clipL1}`);
}

const I32_MIN = -0x80000000, I32_MAX = 0x7fffffff;

/** The privatized parameters and the ε spent (×1000). Throws FirmwareError from the firmware. */
export function privatizeParams(signer: Pick<DeviceSigner, 'privatize'>, base: Int32Array, trained: Int32Array, dp: DpOptions): { params: Int32Array; epsM: number } {
  const delta = new Int32Array(base.length);
  for (let i = 0; i < base.length; i++) delta[i] = Math.max(I32_MIN, Math.min(I32_MAX, trained[i] - base[i]));
  const noisy = signer.privatize(delta, dp.clipL1, dp.epsilon);
  const params = new Int32Array(base.length);
  for (let i = 0; i < base.length; i++) params[i] = Math.max(I32_MIN, Math.min(I32_MAX, base[i] + noisy.values[i]));
  return { params, epsM: noisy.epsM };
}
