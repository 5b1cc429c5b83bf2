// A provider's data profile (seed 001 (PoQ) §III-B, "registering retrieval records"): its
// categories (main one first), data types and size, and its key terms — the heaviest entries
// of its aggregated weight matrix A (the mean of its documents' Seq vectors) — published only as
// hashes with their weights, from which its ID is derived (protocol/data-id.ts). Computed on
// the provider; the vectors themselves never leave it. Pure.
import { dataId, termHash, type KeyTerm } from '../../protocol/data-id.js';
import { seqLength, edgeIndex, type Vocabulary } from './graph.js';

/** How many key terms a provider publishes. */
export const PROFILE_TERMS = 64;

export interface DataProfile { categories: string[]; types: string[]; size: number; terms: KeyTerm[]; id: bigint }

/** Name of category c on the chain. */
export const categoryName = (c: number): string => `c${c}`;
/** Index of a category name, or undefined. */
export function categoryIndex(name: string): number | undefined {
  const m = /^c(\d{1,2})$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The hashes of every Seq entry of a vocabulary (nodes, then edges in Seq order). */
export function entryHashes(v: Pick<Vocabulary, 'terms'>): Uint32Array {
  const k = v.terms.length, out = new Uint32Array(seqLength(k));
  for (let i = 0; i < k; i++) out[i] = termHash(v.terms[i]);
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) out[k + edgeIndex(k, i, j)] = termHash(v.terms[i], v.terms[j]);
  return out;
}

/** Key terms of a weight vector: its `count` heaviest entries with mean ≥ 0.5, weights rounded
 *  to 1–255, sorted by hash (entries hashing alike are merged by keeping the heavier). */
export function keyTerms(mean: ArrayLike<number>, hashes: Uint32Array, count = PROFILE_TERMS): KeyTerm[] {
  const idx = Array.from({ length: mean.length }, (_, i) => i).filter((i) => mean[i] >= 0.5).sort((a, b) => mean[b] - mean[a] || a - b).slice(0, count);
  const by = new Map<number, number>();
  for (const i of idx) by.set(hashes[i], Math.max(by.get(hashes[i]) ?? 0, Math.min(255, Math.max(1, Math.round(mean[i])))));
  return [...by].sort((a, b) => a[0] - b[0]).map(([hash, weight]) => ({ hash, weight }));
}

/** The profile of a provider holding rows `rows` (dim bytes each in `x`) of categories `cats`. */
export function dataProfile(x: Uint8Array, dim: number, rows: readonly number[], cats: ArrayLike<number>, hashes: Uint32Array, types = ['text/mail']): DataProfile {
  const mean = new Float64Array(dim);
  const count = new Map<number, number>();
  for (const r of rows) {
    for (let j = 0; j < dim; j++) mean[j] += x[r * dim + j];
    count.set(cats[r], (count.get(cats[r]) ?? 0) + 1);
  }
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(1, rows.length);
  const order = [...count].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([c]) => c);
  const terms = keyTerms(mean, hashes);
  return { categories: order.map(categoryName), types, size: rows.length, terms, id: dataId(order[0] ?? 0, terms) };
}
