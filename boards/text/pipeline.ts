// The provider-side text pipeline of seed 001 (PoQ) §III-A, end to end over a collection:
// tokenise → TF-IDF → weighted context graph per document (Definition 1) → serialisation over
// the global graph's k representative vertices → quantisation to input bytes → Jaccard
// k-means into categories. The fitted parts (document frequencies, vertices, scales,
// centroids) come from the `fit` documents only; the others are serialised and assigned with
// them, as a provider would treat a new mail. Pure (the corpus comes in as strings).
import { tokenise } from './tokenise.js';
import { docFreq, idf } from './tfidf.js';
import { representativeVertices, graphVector, quantise, partScale, seqLength, type Vocabulary } from './graph.js';
import { jaccardKMeans, nearestCategory } from './kmeans.js';

/** Pipeline settings. k = 44 vertices gives 44 + 946 = 990 inputs (the kernel takes ≤ 1024). */
export interface PipelineOptions { vertices: number; window: number; categories: number; seed: number; minDf?: number }

/** 44 vertices, a 5-token window and 8 categories (docs/data-sharing.md "Choices"). */
export const PIPELINE_DEFAULTS: PipelineOptions = { vertices: 44, window: 5, categories: 8, seed: 1, minDf: 5 };

/** Every document as input bytes, with its category, and the fitted vocabulary and centroids. */
export interface Derived {
  vocabulary: Vocabulary;
  n: number; dim: number;
  /** n × dim quantised Seq vectors. */
  x: Uint8Array;
  /** Category of each document (Jaccard k-means). */
  category: Uint8Array;
  /** Category centroids (mean quantised vectors), dim each. */
  centroids: Float64Array[];
  /** The three heaviest vertices of each centroid: a readable name for the category. */
  labels: string[][];
}

/** Runs the pipeline on `texts`; `fit[i]` marks the documents the vocabulary, scales and
 *  clustering are fitted on. `progress` is called every 500 documents. Throws RangeError. */
export function derive(texts: readonly string[], fit: readonly boolean[], o: PipelineOptions = PIPELINE_DEFAULTS, progress?: (stage: string, done: number, total: number) => void): Derived {
  const n = texts.length;
  const tokens: string[][] = [];
  for (let i = 0; i < n; i++) { tokens.push(tokenise(texts[i])); if (i % 500 === 0) progress?.('tokenise', i, n); }
  const fitDocs = tokens.filter((_, i) => fit[i]);
  if (fitDocs.length < o.categories) throw new RangeError(`${fitDocs.length} fitting documents for ${o.categories} categories`);
  const f = docFreq(fitDocs);
  const terms = representativeVertices(fitDocs, f, o.vertices, o.minDf ?? 5);
  if (terms.length < 2) throw new RangeError('fewer than two representative vertices');
  const k = terms.length, dim = seqLength(k);
  const base = { terms, window: o.window, idf: terms.map((t) => idf(f, t)) };
  const seqs: Float64Array[] = [];
  for (let i = 0; i < n; i++) { seqs.push(graphVector(tokens[i], base)); if (i % 500 === 0) progress?.('graphs', i, n); }
  const fitSeqs = seqs.filter((_, i) => fit[i]);
  const vocabulary: Vocabulary = { ...base, nodeScale: partScale(fitSeqs, k, 'node'), edgeScale: partScale(fitSeqs, k, 'edge') };
  const x = new Uint8Array(n * dim);
  seqs.forEach((s, i) => quantise(s, k, vocabulary, x.subarray(i * dim, (i + 1) * dim)));
  const fitIdx = [...Array(n).keys()].filter((i) => fit[i]);
  const fx = new Uint8Array(fitIdx.length * dim);
  fitIdx.forEach((r, i) => fx.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
  progress?.('k-means', 0, 1);
  const cl = jaccardKMeans(fx, fitIdx.length, dim, o.categories, o.seed);
  const category = new Uint8Array(n);
  for (let i = 0; i < n; i++) category[i] = nearestCategory(x.subarray(i * dim, (i + 1) * dim), cl.centroids);
  const labels = cl.centroids.map((c) => [...Array(k).keys()].sort((a, b) => c[b] - c[a]).slice(0, 3).map((i) => terms[i]));
  return { vocabulary, n, dim, x, category, centroids: cl.centroids, labels };
}

/** Seq bytes of a free-text query (e.g. a request's key terms) over `v`. */
export function queryVector(text: string, v: Vocabulary): Uint8Array {
  return quantise(graphVector(tokenise('\n\n' + text), v), v.terms.length, v);
}
