// Expands a scenario's variants × sweep into concrete runs; each run is re-validated so a
// sweep value out of range fails with the same ScenarioError as a hand-written one.
import { validateScenario, ScenarioError, type Scenario } from './schema.js';

/** One concrete run of a scenario. `point` holds the sweep values, `label` the variant. */
export interface RunSpec { scenario: Scenario; label: string; point: Record<string, unknown>; key: string }

/** Sets `value` at a dotted path ("attackers.0.fraction"); creates objects on the way. */
export function setPath(o: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: any = o;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    if (cur[p] === undefined || cur[p] === null) cur[p] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    if (typeof cur[p] !== 'object') throw new ScenarioError(path, `cannot set below the non-object ${parts.slice(0, i + 1).join('.')}`);
    cur = cur[p];
  }
  cur[parts[parts.length - 1]] = value;
}

/** Reads a dotted path, or undefined. */
export function getPath(o: unknown, path: string): unknown {
  let cur: any = o;
  for (const p of path.split('.')) { if (cur === undefined || cur === null) return undefined; cur = cur[p]; }
  return cur;
}

/** Every (variant, sweep point) combination, in a stable order. */
export function expandScenario(s: Scenario): RunSpec[] {
  const keys = Object.keys(s.sweep);
  let points: Record<string, unknown>[] = [{}];
  for (const k of keys) points = points.flatMap((p) => s.sweep[k].map((v) => ({ ...p, [k]: v })));
  const variants = s.variants.length ? s.variants : [{ label: s.name, set: {} }];
  const base = { ...s, variants: [], sweep: {} } as Record<string, unknown>;
  const out: RunSpec[] = [];
  for (const v of variants) {
    for (const p of points) {
      const raw = structuredClone(base);
      for (const [k, x] of Object.entries(v.set)) setPath(raw, k, x);
      for (const [k, x] of Object.entries(p)) setPath(raw, k, x);
      const key = [v.label, ...keys.map((k) => `${k}=${JSON.stringify(p[k])}`)].join(' ');
      out.push({ scenario: validateScenario(raw), label: v.label, point: p, key });
    }
  }
  return out;
}
