// Weighted context graphs and their serialisation (seed 001 (PoQ) §III-A, Definition 1).
// A document's graph has its key terms as nodes, weighted by TF-IDF, and an edge between two
// terms that occur within `window` tokens of each other, weighted by their correlation degree
//   w_e(i, j) = (1 + ln c_ij) · √(idf_i · idf_j)      (c_ij = co-occurrences in the window).
// The weight matrix A has a_ii = w_n(i) and a_ij = w_e(i, j). The graphs are merged into the
// global graph G; its k representative vertices (the k heaviest nodes of G) fix one order, and
// every document serialises to Seq = {V_1..V_k} ∪ {E_1..E_k(k−1)/2}: the k node weights, then
// the upper triangle of A row by row. Seq is quantised to the firmware's input bytes
// (docs/model-format.md: uint8 features, real = q/255) after dividing by a per-part scale.
// Pure.
import { idf, termCounts, type DocFreq } from './tfidf.js';

/** The shared serialisation: the k representative vertices in order, the co-occurrence
 *  window, and the scales that map node and edge weights to [0, 1] before quantisation. */
export interface Vocabulary { terms: string[]; window: number; nodeScale: number; edgeScale: number; idf: number[] }

/** Length of a serialised graph with k vertices: k + k(k−1)/2. */
export const seqLength = (k: number): number => k + (k * (k - 1)) / 2;

/** Index of edge (i, j), i < j, in the edge part of Seq (row-major upper triangle). */
export function edgeIndex(k: number, i: number, j: number): number {
  return i * k - (i * (i + 1)) / 2 + (j - i - 1);
}

/** The k heaviest nodes of the global graph G = G_1 ∪ … ∪ G_n (summed TF-IDF weight; ties by
 *  term), among terms in at least `minDf` documents. */
export function representativeVertices(docs: readonly (readonly string[])[], f: DocFreq, k: number, minDf = 5): string[] {
  const sum = new Map<string, number>();
  for (const d of docs) for (const [t, c] of termCounts(d)) {
    if ((f.df.get(t) ?? 0) < minDf) continue;
    sum.set(t, (sum.get(t) ?? 0) + (1 + Math.log(c)) * idf(f, t));
  }
  return [...sum].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k).map(([t]) => t);
}

/** The unscaled Seq of one document over the representative vertices: node weights, then
 *  edge weights (Definition 1, serialised). */
export function graphVector(doc: readonly string[], v: Pick<Vocabulary, 'terms' | 'window' | 'idf'>): Float64Array {
  const k = v.terms.length;
  const at = new Map(v.terms.map((t, i) => [t, i]));
  const out = new Float64Array(seqLength(k));
  const tf = new Float64Array(k);
  const pos: number[] = [];   // vertex index per token, -1 for other terms
  for (const t of doc) { const i = at.get(t); pos.push(i ?? -1); if (i !== undefined) tf[i]++; }
  for (let i = 0; i < k; i++) if (tf[i] > 0) out[i] = (1 + Math.log(tf[i])) * v.idf[i];
  const co = new Float64Array((k * (k - 1)) / 2);
  for (let p = 0; p < pos.length; p++) {
    const a = pos[p];
    if (a < 0) continue;
    for (let q = p + 1; q < Math.min(pos.length, p + 1 + v.window); q++) {
      const b = pos[q];
      if (b < 0 || b === a) continue;
      co[a < b ? edgeIndex(k, a, b) : edgeIndex(k, b, a)]++;
    }
  }
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) {
    const e = edgeIndex(k, i, j);
    if (co[e] > 0) out[k + e] = (1 + Math.log(co[e])) * Math.sqrt(v.idf[i] * v.idf[j]);
  }
  return out;
}

/** Quantises a Seq to input bytes: q = round(255 · min(1, w / scale)), node and edge parts
 *  with their own scale. */
export function quantise(seq: Float64Array, k: number, v: Pick<Vocabulary, 'nodeScale' | 'edgeScale'>, out = new Uint8Array(seq.length)): Uint8Array {
  for (let i = 0; i < seq.length; i++) {
    const s = i < k ? v.nodeScale : v.edgeScale;
    out[i] = Math.round(255 * Math.min(1, seq[i] / s));
  }
  return out;
}

/** The `q`-quantile of the non-zero values of the node (or edge) part over `seqs` — the scale
 *  that maps all but the heaviest (1 − q) of weights inside [0, 1]. */
export function partScale(seqs: readonly Float64Array[], k: number, part: 'node' | 'edge', q = 0.99): number {
  const vals: number[] = [];
  for (const s of seqs) {
    const [lo, hi] = part === 'node' ? [0, k] : [k, s.length];
    for (let i = lo; i < hi; i++) if (s[i] > 0) vals.push(s[i]);
  }
  if (vals.length === 0) return 1;
  vals.sort((a, b) => a - b);
  return vals[Math.min(vals.length - 1, Math.floor(q * vals.length))];
}
