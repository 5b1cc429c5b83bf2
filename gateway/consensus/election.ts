// BFLC committee election (002 §III "Committee election"): the next committee is drawn from
// the providers of the round's accepted updates, by score (default), at random, or by a
// multi-factor rule (score plus a declared capability such as bandwidth). Pure and integer,
// so every gateway elects the same members. Ties break by device id.
import { sha256 } from '../../protocol/bytes.js';

export type ElectionMethod = 'score' | 'random' | 'multi';

/** One eligible provider: its median committee score (ppm) and declared capability. */
export interface Eligible { id: string; score: number; capability?: number }

export interface ElectionOptions {
  method: ElectionMethod;
  size: number;               // M
  /** Parent block hash and round: the random election's seed (same on every gateway). */
  seed: { prev: Uint8Array; round: number };
  /** Multi-factor weight of capability in ppm (default 300000 = 0.3); score gets the rest. */
  capabilityWeight?: number;
  /** Members to keep when fewer than `size` providers qualify (the previous committee). */
  fallback?: readonly string[];
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Deterministic integer in [0, bound) from the seed and a counter (SHA-256, modulo bias < 2^-24 for small bounds). */
function draw(seed: ElectionOptions['seed'], i: number, bound: number): number {
  const msg = new Uint8Array(seed.prev.length + 8);
  msg.set(seed.prev);
  const dv = new DataView(msg.buffer);
  dv.setUint32(seed.prev.length, seed.round >>> 0);
  dv.setUint32(seed.prev.length + 4, i >>> 0);
  const h = sha256(msg);
  return new DataView(h.buffer, h.byteOffset).getUint32(0) % bound;
}

/** Ranks providers for election; the first `size` form the committee. */
function rank(cands: readonly Eligible[], o: ElectionOptions): string[] {
  const c = [...cands].sort((a, b) => byId(a.id, b.id));
  if (o.method === 'random') {
    // Fisher–Yates over the id-sorted list with a seeded draw: "randomly selected from validated nodes".
    const ids = c.map((x) => x.id);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = draw(o.seed, i, i + 1);
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    return ids;
  }
  if (o.method === 'multi') {
    // Score and capability each normalised to ppm of the best, then mixed with integer weights.
    const w = o.capabilityWeight ?? 300_000;
    const maxCap = Math.max(1, ...c.map((x) => x.capability ?? 0));
    const maxScore = Math.max(1, ...c.map((x) => x.score));
    const value = (x: Eligible) =>
      (1_000_000 - w) * Math.floor((x.score * 1_000_000) / maxScore) + w * Math.floor(((x.capability ?? 0) * 1_000_000) / maxCap);
    return c.map((x) => ({ id: x.id, v: value(x) })).sort((a, b) => b.v - a.v || byId(a.id, b.id)).map((x) => x.id);
  }
  return c.sort((a, b) => b.score - a.score || byId(a.id, b.id)).map((x) => x.id);
}

/** The next committee (sorted by id). Fills from `fallback` when too few providers qualify.
 *  @example electCommittee([{ id: 'd1', score: 900000 }], { method: 'score', size: 3, seed }) */
export function electCommittee(cands: readonly Eligible[], o: ElectionOptions): string[] {
  if (!Number.isInteger(o.size) || o.size < 1) throw new RangeError('committee size must be a positive integer');
  const out = rank(cands, o).slice(0, o.size);
  for (const id of o.fallback ?? []) {
    if (out.length >= o.size) break;
    if (!out.includes(id)) out.push(id);
  }
  return out.sort(byId);
}
