// Data profiles' key terms and provider IDs (seed 001 (PoQ) §III-B, Eq. 1–2). Shared by the
// provider that derives its profile and the super node that checks and ranks it, so it sits
// below both.
//
// A key term is an entry of a provider's weight matrix A (a node t_i, or an edge t_i–t_j),
// published only as a 32-bit hash with its weight (0–255): the terms themselves stay private.
// The ID is 64 bits: the provider's main category in the top CATEGORY_BITS, then a weighted
// SimHash (Charikar 2002) of its hashed key terms, so providers with similar key terms agree on
// each bit with probability 1 − θ/π (θ the angle between their vectors) and share long common
// prefixes. Relevance between IDs is XOR (Eq. 2). Pure.
import { sha256 } from './bytes.js';

/** One published key term: hash of the term (or edge) and its weight, 1–255. */
export interface KeyTerm { hash: number; weight: number }

export const ID_BITS = 64;
/** Bits that carry the main category (up to 16 categories). */
export const CATEGORY_BITS = 4;
export const MAX_CATEGORY = (1 << CATEGORY_BITS) - 1;
/** Most key terms a profile may publish. */
export const MAX_KEY_TERMS = 256;

const enc = new TextEncoder();
const u32 = (b: Uint8Array, o = 0) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Hash of a node term, or of the edge between two terms (order-free). */
export function termHash(a: string, b?: string): number {
  const s = b === undefined ? `n:${a}` : a < b ? `e:${a}|${b}` : `e:${b}|${a}`;
  return u32(sha256(enc.encode(s)));
}

const expandMemo = new Map<number, Uint32Array>();
/** The 64 pseudo-random bits SimHash assigns to a key-term hash, as [low word, high word]. */
function expand(h: number): Uint32Array {
  let v = expandMemo.get(h);
  if (v === undefined) {
    const d = sha256(Uint8Array.of(h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255));
    v = Uint32Array.of(u32(d, 4), u32(d));
    if (expandMemo.size < 1 << 16) expandMemo.set(h, v);
  }
  return v;
}

/** Checks a profile's key terms: 1–MAX_KEY_TERMS entries, strictly ascending hashes, weights 1–255.
 *  Returns an error message, or undefined when well formed. */
export function keyTermsProblem(terms: readonly KeyTerm[]): string | undefined {
  if (terms.length === 0) return 'a profile publishes at least one key term';
  if (terms.length > MAX_KEY_TERMS) return `${terms.length} key terms exceed ${MAX_KEY_TERMS}`;
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i];
    if (!Number.isInteger(t.hash) || t.hash < 0 || t.hash > 0xffffffff) return `key term ${i}: hash must be a uint32`;
    if (!Number.isInteger(t.weight) || t.weight < 1 || t.weight > 255) return `key term ${i}: weight must be in [1, 255]`;
    if (i > 0 && terms[i - 1].hash >= t.hash) return 'key terms must be sorted by hash without repeats';
  }
  return undefined;
}

/** The 64-bit ID of a profile: category in the top bits, SimHash of the weighted key terms
 *  below. Throws RangeError on a category outside [0, MAX_CATEGORY]. */
export function dataId(category: number, terms: readonly KeyTerm[]): bigint {
  if (!Number.isInteger(category) || category < 0 || category > MAX_CATEGORY) throw new RangeError(`category ${category} outside [0, ${MAX_CATEGORY}]`);
  const lowBits = ID_BITS - CATEGORY_BITS;
  const acc = new Float64Array(lowBits);
  for (const t of terms) {
    const e = expand(t.hash);
    for (let b = 0; b < lowBits; b++) acc[b] += (e[b >>> 5] >>> (b & 31)) & 1 ? t.weight : -t.weight;
  }
  // bit lowBits−1 is the most significant SimHash bit: the prefix reads from acc[lowBits−1] down
  let lo = 0, hi = 0;
  for (let b = 0; b < lowBits; b++) if (acc[b] > 0) { if (b < 32) lo |= 1 << b; else hi |= 1 << (b - 32); }
  return (BigInt(category) << BigInt(lowBits)) | (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Relevance distance of two IDs (Eq. 2): XOR. */
export const xorDistance = (a: bigint, b: bigint): bigint => a ^ b;

/** Length of the common prefix of two IDs, 0–64. */
export function commonPrefix(a: bigint, b: bigint): number {
  const x = a ^ b;
  return x === 0n ? ID_BITS : ID_BITS - x.toString(2).length;
}

/** ID as 16 hex digits (its on-chain form) and back. */
export const idHex = (id: bigint): string => id.toString(16).padStart(16, '0');
export function idFromHex(s: string): bigint {
  if (!/^[0-9a-f]{16}$/.test(s)) throw new RangeError('a data ID is 16 lower-case hex digits');
  return BigInt('0x' + s);
}

/** Physical-distance factor of Eq. 1: log d_p for positions in metres, at least 1 (so nearby
 *  parties are not pulled to distance 0); 1 when either position is unknown. */
export function physicalFactor(a?: readonly [number, number], b?: readonly [number, number]): number {
  if (!a || !b) return 1;
  return Math.max(1, Math.log(Math.hypot(a[0] - b[0], a[1] - b[1])));
}

/** Logic distance of Eq. 1 between two profiles' key terms (weights a_mn):
 *  Σ_{P_i ∪ P_j − P_i ∩ P_j} (a^i + a^j) / Σ_{P_i ∪ P_j} (a^i + a^j) · physical factor.
 *  0 for identical term sets, 1 · factor for disjoint ones. */
export function logicDistance(a: readonly KeyTerm[], b: readonly KeyTerm[], factor = 1): number {
  const wb = new Map(b.map((t) => [t.hash, t.weight]));
  let sym = 0, all = 0;
  for (const t of a) {
    const o = wb.get(t.hash);
    all += t.weight + (o ?? 0);
    if (o === undefined) sym += t.weight;
    else wb.delete(t.hash);
  }
  for (const w of wb.values()) { sym += w; all += w; }
  return all === 0 ? 0 : (sym / all) * factor;
}
