// Per-round results as CSV and JSON, per-device reputation as CSV, and a per-run summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOutput } from '../runner.js';
import { deviceId } from '../../protocol/ids.js';

/** The per-round columns, in CSV order. */
export const ROUND_COLUMNS = ['variant', 'point', 'round', 'epochs', 'accuracy', 'loss', 'trainers', 'committee', 'received', 'accepted', 'rejected',
  'reasons', 'unavailable', 'lost', 'bytes_up', 'bytes_down', 'units', 'cum_units', 'consensus_ms', 'wall_ms', 'simulated_ms'] as const;

const csvCell = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One CSV row object per round of a run. */
export function roundRows(o: RunOutput): Record<string, unknown>[] {
  let cum = 0;
  return o.rounds.map((r, i) => {
    cum += r.units;
    return {
      variant: o.spec.label, point: o.spec.point, round: r.round, epochs: o.epochs[i], accuracy: +r.accuracy.toFixed(6), loss: +r.loss.toFixed(6),
      trainers: r.trainers, committee: r.committee, received: r.received, accepted: r.accepted, rejected: r.rejected,
      reasons: Object.entries(r.reasons).map(([k, v]) => `${k}:${v}`).join(' '), unavailable: r.unavailable, lost: r.lost,
      bytes_up: r.bytesUp, bytes_down: r.bytesDown, units: r.units, cum_units: cum, consensus_ms: r.consensusMs, wall_ms: r.wallMs, simulated_ms: r.simulatedMs,
    };
  });
}

/** The headline numbers of a run. */
export function summarize(o: RunOutput) {
  const last = o.rounds[o.rounds.length - 1];
  const tail = o.rounds.slice(-3);
  const rej: Record<string, number> = {};
  for (const r of o.rounds) for (const [k, v] of Object.entries(r.reasons)) rej[k] = (rej[k] ?? 0) + v;
  // submissions and rejections by role (attacker / honest), for detection and false-positive rates
  const bad = new Set(o.attackers);
  const sub = { attacker: 0, honest: 0 };
  const byRole: Record<string, { attacker: number; honest: number }> = {};
  for (const r of o.rounds) {
    for (const i of r.acceptedIds) sub[bad.has(i) ? 'attacker' : 'honest']++;
    for (const x of r.rejectedList) {
      const role = bad.has(x.index) ? 'attacker' : 'honest';
      sub[role]++;
      (byRole[x.reason] ??= { attacker: 0, honest: 0 })[role]++;
    }
  }
  return {
    variant: o.spec.label, point: o.spec.point, key: o.spec.key, rounds: o.rounds.length,
    // Which implementation decided the rounds: the report marks results from before the
    // simulator's strategies became adapters over gateway/consensus (they lack this field).
    consensus: { engine: o.spec.scenario.consensus.engine, decidedBy: 'gateway/consensus' },
    submissions: sub, rejections_by_role: byRole,
    final_accuracy: last?.accuracy ?? 0, final_loss: last?.loss ?? 0,
    tail3_accuracy: tail.reduce((a, r) => a + r.accuracy, 0) / Math.max(1, tail.length),
    best_accuracy: Math.max(0, ...o.rounds.map((r) => r.accuracy)), min_loss: Math.min(...o.rounds.map((r) => r.loss)),
    total_units: o.rounds.reduce((a, r) => a + r.units, 0), total_bytes: o.rounds.reduce((a, r) => a + r.bytesUp + r.bytesDown, 0),
    rejections: rej, attackers: o.attackers.length, seconds: o.seconds,
    round_wall_ms: o.rounds.length ? Math.round(o.rounds.reduce((a, r) => a + r.wallMs, 0) / o.rounds.length) : 0,
    memory: o.memory,
  };
}

/** Writes rounds.csv, rounds.json, reputation.csv and summary.json for all runs into `dir`. */
export function writeResults(dir: string, runs: RunOutput[]): void {
  mkdirSync(dir, { recursive: true });
  const rows = runs.flatMap(roundRows);
  const csv = [ROUND_COLUMNS.join(','), ...rows.map((r) => ROUND_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
  writeFileSync(join(dir, 'rounds.csv'), csv);
  writeFileSync(join(dir, 'rounds.json'), JSON.stringify(rows, null, 1) + '\n');
  const rep = ['variant,point,round,device,attacker,median_score_ppm,reputation_ppm'];
  for (const o of runs) {
    const bad = new Set(o.attackers);
    for (const r of o.rounds) {
      if (!r.reputation) continue;
      for (const [i, score] of r.scores ?? []) rep.push([csvCell(o.spec.label), csvCell(o.spec.point), r.round, deviceId(i), bad.has(i) ? 1 : 0, score, r.reputation.get(i) ?? ''].join(','));
    }
  }
  if (rep.length > 1) writeFileSync(join(dir, 'reputation.csv'), rep.join('\n') + '\n');
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(runs.map(summarize), null, 1) + '\n');
}
