#!/usr/bin/env node
// `ledger verify <dir>` · `ledger show <dir> [height]` · `ledger export <dir>` · `ledger balances <dir>`
// · `ledger reputation <dir>` (JSON on stdout; balances: the supply invariant's totals, then
// byAccount, byTask pools, stakes; reputation: per task and participant the 003 standing b, d, t,
// W, T, Z and whether it is barred, the miners' 004 reputations n/m and s/t, and every round's
// recorded Shapley values).
// verify checks the chain (ledger.verify) and re-runs every evidence-decided round (replay.ts).
// Exit code 0 on success, 1 when verification fails, 2 on usage errors.
import { Ledger } from '../ledger/index.js';
import { toHex } from '../../protocol/bytes.js';
import { supplyReport, pointsT, reputationZ, type Block, type BidRecord, type TaskRecord, type StandingRecord } from '../ledger/index.js';
import { reputationByBlocks, reputationByStake } from '../consensus/fork.js';
import type { StateValue } from '../ledger/state.js';
import { replayDecisions } from './replay.js';

/** JSON-friendly copy: bytes become hex strings. */
export function toJson(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJson(x)]));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

/** A block as JSON (header, hash, seals, transactions with their hashes). */
export function blockJson(b: Block): unknown {
  return toJson({
    height: b.header.height, hash: b.hash, header: b.header, sig: b.sig, approvals: b.approvals,
    txs: b.txs.map((t) => ({ hash: t.hash, type: t.type, author: t.author, body: t.body })),
  });
}

/** The economy's view of a state: the supply invariant, balances, escrowed stakes and pools. */
export function balancesJson(entries: Iterable<[string, StateValue]>): unknown {
  const all = [...entries];
  const balances: Record<string, number> = {}, pools: Record<string, number> = {}, stakes: Record<string, unknown> = {};
  for (const [k, v] of all) {
    if (k.startsWith('bal/')) balances[k.slice(4)] = v as number;
    else if (k.startsWith('task/')) pools[k.slice(5)] = (v as unknown as TaskRecord).pool;
    else if (k.startsWith('bid/')) { const b = v as unknown as BidRecord; stakes[k.slice(4)] = { stake: b.stake, status: b.status }; }
  }
  return { ...supplyReport(all), byAccount: balances, byTask: pools, stakes };
}

/** The reputations a chain records: 003 standings per task (b, d, t, W, T, Z, barred) with the
 *  contribution records (φ per round), and 004 miner reputation by blocks produced over rounds
 *  (n/m) and by balance over the stake put up (s/t, here balance over the total supply). */
export function reputationJson(entries: Iterable<[string, StateValue]>, proposers: readonly string[]): unknown {
  const all = new Map(entries);
  const tasks: Record<string, { participants: Record<string, unknown>; rounds: Record<string, unknown> }> = {};
  const taskOf = (id: string) => (tasks[id] ??= { participants: {}, rounds: {} });
  for (const [k, v] of all) {
    if (k.startsWith('standing/')) {
      const [, task, id] = k.split('/') as [string, string, string];
      const t = all.get(`task/${task}`) as unknown as TaskRecord | undefined;
      const s = v as unknown as StandingRecord;
      taskOf(task).participants[id] = { ...s, T: t?.incentive ? pointsT(t.incentive.rep, s) : undefined, Z: t?.incentive ? reputationZ(t.incentive.rep, s) : undefined };
    } else if (k.startsWith('contrib/')) {
      const [, task, round] = k.split('/') as [string, string, string];
      taskOf(task).rounds[round] = toJson(v);
    }
  }
  const supply = (all.get('supply') as number | undefined) ?? 0;
  const produced = new Map<string, number>();
  for (const p of proposers) produced.set(p, (produced.get(p) ?? 0) + 1);
  const miners = Object.fromEntries([...produced].sort().map(([id, n]) => [id, {
    blocks: n, byBlocksPpm: reputationByBlocks(n, proposers.length), byStakePpm: reputationByStake((all.get(`bal/${id}`) as number | undefined) ?? 0, supply),
  }]));
  return { tasks, miners };
}

async function main(argv: string[]): Promise<number> {
  const [cmd, dir, arg] = argv;
  if (!cmd || !dir || !['verify', 'show', 'export', 'balances', 'reputation'].includes(cmd)) {
    process.stderr.write('usage: ledger verify <dir> | ledger show <dir> [height] | ledger export <dir> | ledger balances <dir> | ledger reputation <dir>\n');
    return 2;
  }
  const l = await Ledger.open(dir);
  try {
    if (cmd === 'verify') {
      const r = await l.verify();
      // and the rounds decided by device evidence, re-run from the recorded evidence
      const decisions = await replayDecisions(l);
      process.stdout.write(JSON.stringify({ ...r, ok: r.ok && decisions.ok, decisions }) + '\n');
      return r.ok && decisions.ok ? 0 : 1;
    }
    if (cmd === 'balances') {
      process.stdout.write(JSON.stringify(balancesJson(l.stateEntries()), null, 2) + '\n');
      return 0;
    }
    if (cmd === 'reputation') {
      const proposers: string[] = [];
      for (let h = 1; h <= l.height; h++) {
        const hdr = (await l.block(h).catch(() => undefined))?.header;
        if (hdr && (hdr.cons.round ?? 0) > 0) proposers.push(hdr.proposer);
      }
      process.stdout.write(JSON.stringify(reputationJson(l.stateEntries(), proposers), null, 2) + '\n');
      return 0;
    }
    if (cmd === 'show') {
      const h = arg === undefined ? l.height : Number(arg);
      process.stdout.write(JSON.stringify(blockJson(await l.block(h)), null, 2) + '\n');
      return 0;
    }
    const state: Record<string, unknown> = {};
    for (const [k, v] of l.stateEntries()) state[k] = toJson(v);
    process.stdout.write('{"height":' + l.height + ',"stateRoot":"' + toHex(l.stateRoot()) + '","state":' + JSON.stringify(state) + ',"blocks":[\n');
    for (let h = 0; h <= l.height; h++) {
      let out: unknown;
      try { out = blockJson(await l.block(h)); } catch (e) { out = { height: h, pruned: true, error: (e as Error).message }; }
      process.stdout.write((h ? ',\n' : '') + JSON.stringify(out));
    }
    process.stdout.write('\n]}\n');
    return 0;
  } finally {
    await l.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { process.stderr.write(`${e?.message ?? e}\n`); process.exitCode = 1; });
}
