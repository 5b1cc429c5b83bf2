// The one interface every attacker implements (STYLE §2): a malicious board is an honest
// board plus an Attack that may change its labels, skip training, or rewrite the parameters
// it signs. Attacks are pure over values; the board (sim/fleet/board.ts) does the I/O.
import type { ModelHeader } from '../../protocol/model-blob.js';
import type { Rng } from '../../boards/data/rng.js';

/** What an attack sees when it crafts the parameters a board will sign. */
export interface CraftContext {
  round: number;
  header: ModelHeader;
  /** The round's global parameters (what the board was told to train from). */
  global: Int32Array;
  /** The board's honestly trained parameters, or null if the attack skips training. */
  trained: Int32Array | null;
  /** Per board and round, seeded. */
  rng: Rng;
  params: Record<string, number>;
  /** Trainers selected this round and how many of them run this attack (for LIE's z). */
  trainers: number;
  colluders: number;
}

export interface Attack {
  /** Whether the board trains before crafting (free riders and lazy copiers do not). */
  trains: boolean;
  /** Replaces the board's labels once, at set-up (label flip). */
  labels?(y: Uint8Array, classes: number, params: Record<string, number>): Uint8Array;
  /** The parameters to sign; absent means "sign what was trained". */
  craft?(ctx: CraftContext): Int32Array;
  /** Collective attacks: crafts one vector from all colluders' honest parameters (LIE). */
  collective?(honest: Int32Array[], ctx: Omit<CraftContext, 'trained' | 'rng'>): Int32Array;
  /** Collective attacks: turns the shared crafted vector into this board's own (per-attacker
   *  jitter, so colluders do not send byte-identical updates). Absent: send it as is. */
  personalize?(crafted: Int32Array, ctx: Pick<CraftContext, 'header' | 'rng' | 'params' | 'round'>): Int32Array;
  /** The board sends nothing (the oracle "attack" that bounds filtering defences, silent.ts). */
  silent?: boolean;
  /** Lazy copy: the board republishes another board's update under its own key. */
  copies?: boolean;
}

/** Index ranges of weights and biases in a params vector (model-format.md layout). */
export function paramLayout(h: ModelHeader): { start: number; n: number; bias: boolean }[] {
  const dims: [number, number][] = h.arch === 'mlp' ? [[h.inputs, h.hidden], [h.hidden, h.outputs]] : [[h.inputs, h.outputs]];
  const out: { start: number; n: number; bias: boolean }[] = [];
  let p = 0;
  for (const [i, o] of dims) { out.push({ start: p, n: i * o, bias: false }); p += i * o; out.push({ start: p, n: o, bias: true }); p += o; }
  return out;
}

/** Noise of `sigma` int8 weight steps, applied so biases get the same real-valued size
 *  (real w = m/256·s_w, real b = b·s_in·s_w, so one weight step is 1/s_in bias units). */
export function addGaussian(base: Int32Array, h: ModelHeader, sigma: number, rng: Rng): Int32Array {
  const out = Int32Array.from(base);
  for (const seg of paramLayout(h)) {
    const unit = seg.bias ? sigma / h.inputScale : sigma * 256;
    for (let i = seg.start; i < seg.start + seg.n; i++) out[i] = Math.round(out[i] + rng.normal() * unit);
  }
  return out;
}
