// Seeded train/test split, stratified by label so the held-out set has every class.
import { Rng } from './rng.js';
import { subset, type Dataset } from './mnist.js';

/** The row indices of each class of `d`, in row order. */
function rowsByClass(d: Dataset): number[][] {
  const byClass: number[][] = Array.from({ length: d.classes }, () => []);
  for (let i = 0; i < d.n; i++) byClass[d.y[i]].push(i);
  return byClass;
}

/** Splits `d` into train/test with `testFraction` of each class held out. Deterministic in `seed`. */
export function trainTestSplit(d: Dataset, testFraction: number, seed: number): { train: Dataset; test: Dataset } {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError('testFraction must be in (0, 1)');
  const rng = new Rng(seed);
  const train: number[] = [], test: number[] = [];
  for (const rows of rowsByClass(d)) {
    rng.shuffle(rows);
    const k = Math.round(rows.length * testFraction);
    test.push(...rows.slice(0, k));
    train.push(...rows.slice(k));
  }
  rng.shuffle(train);
  rng.shuffle(test);
  return { train: subset(d, train), test: subset(d, test) };
}

/** `perClass` rows of each class of `d`, seeded (a small balanced set such as FLTrust's root
 *  dataset). Throws RangeError when a class has fewer rows. */
export function balancedSample(d: Dataset, perClass: number, seed: number): Dataset {
  if (!(Number.isInteger(perClass) && perClass >= 1)) throw new RangeError('perClass must be a positive integer');
  const rng = new Rng(seed);
  const rows: number[] = [];
  for (const [c, r] of rowsByClass(d).entries()) {
    if (r.length < perClass) throw new RangeError(`class ${c} has ${r.length} rows, fewer than ${perClass}`);
    rng.shuffle(r);
    rows.push(...r.slice(0, perClass));
  }
  rng.shuffle(rows);
  return subset(d, rows);
}
