// TF-IDF over a document collection (seed 001 (PoQ) §III-A: the weights of the context graphs'
// nodes). Sublinear term frequency, smoothed IDF:
//   w(t, d) = (1 + ln tf(t, d)) · idf(t),   idf(t) = ln((N + 1) / (df(t) + 1)) + 1.
// Pure.

/** Document frequencies of a collection: df(t) and the number of documents N. */
export interface DocFreq { n: number; df: Map<string, number> }

/** Counts in how many documents of `docs` each term occurs. */
export function docFreq(docs: readonly (readonly string[])[]): DocFreq {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  return { n: docs.length, df };
}

/** Smoothed inverse document frequency of `t` (a term never seen gets the largest value). */
export function idf(f: DocFreq, t: string): number {
  return Math.log((f.n + 1) / ((f.df.get(t) ?? 0) + 1)) + 1;
}

/** Term counts of one document. */
export function termCounts(doc: readonly string[]): Map<string, number> {
  const c = new Map<string, number>();
  for (const t of doc) c.set(t, (c.get(t) ?? 0) + 1);
  return c;
}

/** TF-IDF weights of one document's terms. */
export function tfidf(doc: readonly string[], f: DocFreq): Map<string, number> {
  const w = new Map<string, number>();
  for (const [t, c] of termCounts(doc)) w.set(t, (1 + Math.log(c)) * idf(f, t));
  return w;
}
