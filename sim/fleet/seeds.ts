// Seed derivation for everything random in a run: one pure function of (seed, purpose, round,
// device), so workers and the coordinator draw the same values without talking.
import { Rng } from '../../boards/data/rng.js';

const SALT = { train: 1, attack: 2, link: 3, avail: 4, select: 5, lazy: 6, score: 7, dp: 8, roles: 9 } as const;
export type Purpose = keyof typeof SALT;

/** A 32-bit mix of the inputs (murmur3 finalizer over a running hash). */
export function mix(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The RNG for one purpose, round and device of a run. */
export function rngFor(seed: number, purpose: Purpose, round: number, device = 0): Rng {
  return new Rng(mix(seed, SALT[purpose], round, device) * 4096 + (device & 4095));
}

/** A uniform [0, 1) draw for one purpose, round and device (cheaper than an Rng). */
export function uniform(seed: number, purpose: Purpose, round: number, device: number): number {
  return mix(seed, SALT[purpose], round, device, 0x5bd1e995) / 4294967296;
}
