// The one signature every aggregation rule implements. Rules are pure and integer-exact,
// so every gateway and committee member recomputes byte-identical model parameters.
// Rules that break ties by position (Krum, top-k) expect updates in canonical order
// (the gateway sorts by device id).

/** An accepted update as an aggregation rule sees it. */
export interface Contribution {
  params: Int32Array;    // integer master parameters (boards/firmware/model-blob.ts)
  n: number;             // local sample count
  score?: number;        // non-negative integer score (e.g. committee median, ppm)
}

/** Options understood by the rules; each rule reads only its own. */
export interface RuleOptions {
  /** trimmedMean: fraction trimmed from each end, in [0, 0.5). */
  trim?: number;
  /** krum / multiKrum: assumed number of Byzantine updates f. */
  f?: number;
  /** multiKrum: how many selected updates to average (m). topkScore: k. */
  m?: number;
  k?: number;
  /** centeredClip: clipping iterations L and a fixed radius τ (default: median distance). */
  iters?: number;
  tau?: number;
  /** fltrust: the round's global parameters and the reference update norm (set by the engine). */
  base?: Int32Array;
  refNorm?: number;
}

export type AggregationRule = (updates: Contribution[], opts?: RuleOptions) => Int32Array;

/** Checks a non-empty set of equally long vectors; returns the length. */
export function checkUpdates(updates: Contribution[], rule: string): number {
  if (updates.length === 0) throw new RangeError(`${rule}: needs at least one update`);
  const len = updates[0].params.length;
  for (const u of updates) if (u.params.length !== len) throw new RangeError(`${rule}: parameter vectors differ in length`);
  return len;
}
