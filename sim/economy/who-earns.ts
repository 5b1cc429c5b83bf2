// Experiment: who earns what (seed 003 Eq. 3 and seed 004 step 7 on the real ledger rules).
// Ten boards per round — six honest ones with unequal data, a sign-flip and a Gaussian attacker,
// a lazy copier and a free rider — train for R rounds in the firmware kernel. With detection,
// the round drops the free rider (update = the global model) and the lazy copy (identical to
// another board's update) as the round machine's detectors do, and a committee stand-in (002:
// accept a candidate whose held-out accuracy on the committee's digits is at least 60 % of the
// candidates' median) rejects the rest of the poison; without detection every update is
// accepted (FedAvg). Every round's block carries the 003 contribution transaction (Shapley
// values of the accepted updates, stratified, 256 evaluations) on one in-memory ledger, and the
// 004 payout (data size × score) on another; the task is settled (refund / slash) at the end.
// Also: selection by bidding (capability / cost) against random selection.
//   node build/sim/economy/who-earns.js [--seeds 5] [--rounds 6] [--out DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadMnist, subset, type Dataset } from '../../boards/data/mnist.js';
import { trainTestSplit } from '../../boards/data/split.js';
import { Rng } from '../../boards/data/rng.js';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel } from '../../boards/firmware/kernel.js';
import { decodeModel, encodeModel } from '../../protocol/model-blob.js';
import { aggregator, type Contribution } from '../../gateway/aggregate/index.js';
import {
  Ledger, nodeSigner, registrationTx, taskPublishTx, bidTx, selectTx, contributionTx, payoutTx, selectWinners, getStanding, type Tx, type Signer,
} from '../../gateway/ledger/index.js';
import { lossGame } from '../../gateway/economy/value.js';
import { CountingGame } from '../../gateway/economy/shapley.js';
import { valueRound } from '../../gateway/economy/contribute.js';
import { settle, settlementTxs } from '../../gateway/economy/settle.js';
import { demoSeed } from '../../protocol/keys.js';
import { DEFAULT_ECONOMY } from './params.js';
import { demoBid } from './life-cycle.js';

export type Role = 'honest' | 'sign-flip' | 'gaussian' | 'lazy' | 'free-rider';
const ROLES: Role[] = ['honest', 'honest', 'honest', 'honest', 'honest', 'honest', 'sign-flip', 'gaussian', 'lazy', 'free-rider'];
const SIZES = [40, 80, 140, 220, 320, 450];
const TRAIN = { epochs: 1, batch: 10, lr: 0.05 };

/** Spearman rank correlation (no ties expected; average ranks otherwise). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const idx = v.map((_, i) => i).sort((a, b) => v[a]! - v[b]!);
    const r = new Array<number>(v.length);
    for (let i = 0; i < idx.length;) {
      let j = i; while (j + 1 < idx.length && v[idx[j + 1]!] === v[idx[i]!]) j++;
      for (let k = i; k <= j; k++) r[idx[k]!] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x), ry = rank(y), n = x.length, mx = (n - 1) / 2;
  let num = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) { num += (rx[i]! - mx) * (ry[i]! - mx); dx += (rx[i]! - mx) ** 2; dy += (ry[i]! - mx) ** 2; }
  return dx && dy ? num / Math.sqrt(dx * dy) : 0;
}

interface Chain { l: Ledger; gw: Signer; time: number }
async function chain(ids: string[], seed: number, pays: '003' | '004'): Promise<Chain> {
  const gw = nodeSigner('gw-0', demoSeed('gateway', seed)), cc = nodeSigner('cc', demoSeed('cc', seed)), req = nodeSigner('requester', demoSeed('requester', seed));
  const balances = { requester: 1_000_000, ...Object.fromEntries(ids.map((id) => [id, 10_000])) };
  const l = await Ledger.openMemory({ genesis: { chainId: 'who-earns', managers: [gw, cc].map((m) => ({ id: m.id, publicKey: m.publicKey })), params: {}, timestamp: 0, balances }, envelopes: 'off' });
  const c: Chain = { l, gw, time: 1 };
  const signers = ids.map((id) => nodeSigner(id, demoSeed(id, seed)));
  await add(c, [req, ...signers].map((s) => registrationTx(gw, { id: s.id, publicKey: s.publicKey, profile: { categories: [], types: [], size: 0 } })));
  const e = DEFAULT_ECONOMY;
  await add(c, [taskPublishTx(req, { task: 'T', pool: 60_000, deposit: e.deposit, slots: ids.length, minSize: 1, rounds: 6, split: e.split, ctr: 1, ...(pays === '003' ? { incentive: e.incentive } : {}) })]);
  await add(c, signers.map((s, i) => bidTx(s, { task: 'T', price: 10, capability: 10, size: i < SIZES.length ? SIZES[i]! : 200, stake: e.deposit, ctr: 1 })));
  await add(c, [selectTx(gw, { task: 'T', winners: [...ids].sort() })]);
  return c;
}
async function add(c: Chain, txs: Tx[]): Promise<void> {
  await c.l.append(c.gw, txs, {}, c.time++);
  if (!c.l.supply().ok) throw new Error(`supply invariant broken at ${c.l.height}`);
}

export interface RunStats { paid: Record<string, number>; size: Record<string, number>; role: Record<string, Role>; barredAt: Record<string, number>; slashed: string[]; accuracy: number }

/** One seed, with or without detection, paying by 003 or 004. */
export async function runOnce(seed: number, rounds: number, detect: boolean, pays: '003' | '004'): Promise<RunStats> {
  const { train, test } = trainTestSplit(loadMnist(), 0.2, seed);
  const rng = new Rng(seed * 7717);
  const ids = ROLES.map((_, i) => `b${i}`);
  const pick = (k: number) => { const s = new Set<number>(); while (s.size < k) s.add(rng.int(train.n)); return subset(train, [...s]); };
  const shards = ROLES.map((r, i) => pick(i < SIZES.length ? SIZES[i]! : 200));
  const validation = subset(test, Array.from({ length: 200 }, (_, j) => j));
  const committeeSet = subset(test, Array.from({ length: 300 }, (_, j) => 200 + j));
  const kernel = new Kernel(new FirmwareInstance());
  let global = Kernel.initialModel(new FirmwareInstance(), { arch: 'logreg', inputs: train.dim, outputs: train.classes, seed });
  const { header } = decodeModel(global);
  const c = await chain(ids, seed, pays);
  const rule = aggregator('fedavg');
  const barredAt: Record<string, number> = {};
  const summaries: { round: number; accepted: string[]; rejected: { device: string; reason: string; detail: string }[] }[] = [];
  const acc = (m: Uint8Array, d: Dataset) => { kernel.load(m); return kernel.evaluate(d).accuracy; };
  for (let r = 1; r <= rounds; r++) {
    const p0 = decodeModel(global).params;
    const active = ids.filter((id) => c.l.device(id));          // barred boards' keys are invalid
    const ups = new Map<string, Int32Array>();
    for (const id of active) {
      const i = Number(id.slice(1)), role = ROLES[i]!;
      if (role === 'free-rider') { ups.set(id, new Int32Array(p0)); continue; }
      if (role === 'lazy') continue;                             // filled below from b0
      kernel.load(global); kernel.train(shards[i]!, { ...TRAIN, seed: seed * 1000 + r * 10 + i });
      let p = decodeModel(kernel.export()).params;
      if (role === 'sign-flip') p = p.map((v, j) => p0[j]! - 4 * (v - p0[j]!));
      if (role === 'gaussian') p = p.map((v, j) => p0[j]! + Math.round(rng.normal() * 40_000));
      ups.set(id, p);
    }
    if (active.includes('b8') && ups.has('b0')) ups.set('b8', new Int32Array(ups.get('b0')!));
    const rejected: { device: string; reason: string; detail: string }[] = [];
    let cands = [...ups.keys()].sort();
    if (detect) {
      cands = cands.filter((id) => {
        const p = ups.get(id)!;
        if (p.every((v, j) => v === p0[j])) { rejected.push({ device: id, reason: 'no_progress', detail: '' }); return false; }
        const first = [...ups.keys()].sort().find((o) => o !== id && o < id && ups.get(o)!.every((v, j) => v === p[j]));
        if (first) { rejected.push({ device: id, reason: 'copied_update', detail: first }); return false; }
        return true;
      });
    }
    const score = new Map(cands.map((id) => [id, acc(encodeModel(header, ups.get(id)!), committeeSet)]));
    const sorted = [...score.values()].sort((a, b) => a - b), median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const engineRejected = detect ? cands.filter((id) => score.get(id)! < 0.6 * median) : [];
    for (const id of engineRejected) rejected.push({ device: id, reason: 'committee_score', detail: '' });
    const accepted = cands.filter((id) => !engineRejected.includes(id));
    summaries.push({ round: r, accepted, rejected });
    const contributions: Contribution[] = accepted.map((id) => ({ params: ups.get(id)!, n: shards[Number(id.slice(1))]!.n }));
    if (pays === '003') {
      const v = accepted.length ? valueRound(new CountingGame(lossGame({ base: global, updates: contributions, rule, kernel, validation })), 'stratified', 256, seed * 100 + r) : { method: 'exact', phi: [], evaluations: 0 };
      await add(c, [contributionTx(c.gw, { task: 'T', round: r, amount: Math.min(10_000, c.l.task('T')!.pool), aggregator: 'gw-0', center: 'cc', method: v.method, evaluations: v.evaluations, phi: accepted.map((to, i) => ({ to, phi: v.phi[i]! })), rejected: [...engineRejected].sort() })]);
      for (const id of ids) if (barredAt[id] === undefined && getStanding(c.l.stateView, 'T', id)?.barred) barredAt[id] = r;
    } else if (accepted.length) {
      await add(c, [payoutTx(c.gw, { task: 'T', round: r, amount: Math.min(10_000, c.l.task('T')!.pool), miner: 'gw-0', shares: accepted.map((to) => ({ to, score: Math.round(score.get(to)! * 1e6) })), reason: `round ${r}` })]);
    }
    if (accepted.length) global = encodeModel(header, rule(contributions));
  }
  const s = settle(ids, summaries);
  await add(c, settlementTxs(c.gw, 'T', s, (id) => c.l.bid('T', id), { revoke: true, active: (id) => c.l.device(id) !== undefined }));
  const fee = 0, paid: Record<string, number> = {}, size: Record<string, number> = {}, role: Record<string, Role> = {};
  ids.forEach((id, i) => {
    const forfeited = c.l.bid('T', id)?.status === 'forfeited' ? DEFAULT_ECONOMY.deposit : 0;
    paid[id] = c.l.balance(id) - 10_000 + fee + forfeited; size[id] = shards[i]!.n; role[id] = ROLES[i]!;
  });
  if (!(await c.l.verify()).ok) throw new Error('ledger verify failed');
  const accuracy = acc(global, test);
  await c.l.close();
  return { paid, size, role, barredAt, slashed: s.filter((x) => x.outcome === 'slash').map((x) => x.id), accuracy };
}

/** Mean capability/cost of the winners chosen by the selection rule vs. chosen at random. */
export function selectionStudy(seeds: number, bidders = 40, slots = 10): { bidding: { ratio: number; price: number; capability: number }; random: { ratio: number; price: number; capability: number } } {
  const agg = { bidding: { ratio: 0, price: 0, capability: 0 }, random: { ratio: 0, price: 0, capability: 0 } };
  for (let s = 1; s <= seeds; s++) {
    const bids = Array.from({ length: bidders }, (_, i) => ({ id: `b${String(i).padStart(2, '0')}`, ...demoBid(i, 100, s) }));
    const won = new Set(selectWinners(bids, slots));
    const rng = new Rng(s * 99);
    const rand = new Set<string>(); while (rand.size < slots) rand.add(bids[rng.int(bidders)]!.id);
    for (const [k, set] of [['bidding', won], ['random', rand]] as const) {
      const w = bids.filter((b) => set.has(b.id));
      agg[k].ratio += w.reduce((a, b) => a + b.capability / b.price, 0) / w.length / seeds;
      agg[k].price += w.reduce((a, b) => a + b.price, 0) / w.length / seeds;
      agg[k].capability += w.reduce((a, b) => a + b.capability, 0) / w.length / seeds;
    }
  }
  return agg;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seeds: { type: 'string' }, rounds: { type: 'string' }, out: { type: 'string' } } });
  const seeds = Number(values.seeds ?? 5), rounds = Number(values.rounds ?? 6), out = values.out ?? 'sim/results/economy-who-earns';
  mkdirSync(out, { recursive: true });
  const rows: string[] = ['mode,pays,seed,device,role,size,paid,barred_at,slashed'];
  const table: Record<string, { share: Record<Role, number>; rho: number; barred: Record<string, number[]>; slashed: Record<Role, number>; accuracy: number }> = {};
  for (const pays of ['003', '004'] as const) for (const detect of [true, false]) {
    const key = `${pays} ${detect ? 'with' : 'without'} detection`;
    const share: Record<Role, number> = { honest: 0, 'sign-flip': 0, gaussian: 0, lazy: 0, 'free-rider': 0 };
    const slashed: Record<Role, number> = { honest: 0, 'sign-flip': 0, gaussian: 0, lazy: 0, 'free-rider': 0 };
    const barred: Record<string, number[]> = {};
    let rho = 0, accuracy = 0;
    for (let s = 1; s <= seeds; s++) {
      const t0 = Date.now();
      const r = await runOnce(s, rounds, detect, pays);
      const total = Object.values(r.paid).reduce((a, b) => a + Math.max(0, b), 0);
      for (const [id, v] of Object.entries(r.paid)) share[r.role[id]!] += (total ? Math.max(0, v) / total : 0) / seeds;
      for (const id of r.slashed) slashed[r.role[id]!] += 1 / seeds;
      for (const [id, at] of Object.entries(r.barredAt)) (barred[r.role[id]!] ??= []).push(at);
      const honest = Object.keys(r.paid).filter((id) => r.role[id] === 'honest');
      rho += spearman(honest.map((id) => r.size[id]!), honest.map((id) => r.paid[id]!)) / seeds;
      accuracy += r.accuracy / seeds;
      for (const id of Object.keys(r.paid)) rows.push(`${detect ? 'detect' : 'none'},${pays},${s},${id},${r.role[id]},${r.size[id]},${r.paid[id]},${r.barredAt[id] ?? ''},${r.slashed.includes(id)}`);
      process.stderr.write(`${key} seed ${s}: ${Date.now() - t0} ms\n`);
    }
    table[key] = { share, rho, barred, slashed, accuracy };
  }
  const selection = selectionStudy(seeds);
  writeFileSync(join(out, 'payouts.csv'), rows.join('\n') + '\n');
  writeFileSync(join(out, 'summary.json'), JSON.stringify({ seeds, rounds, table, selection }, null, 2) + '\n');
  for (const [k, t] of Object.entries(table)) {
    process.stdout.write(`${k}: shares ${Object.entries(t.share).map(([r, v]) => `${r} ${(100 * v).toFixed(1)} %`).join(', ')}; honest ρ(size, payout) ${t.rho.toFixed(2)}; slashed ${Object.entries(t.slashed).filter(([, v]) => v).map(([r, v]) => `${r} ${v.toFixed(1)}`).join(', ') || 'none'}; barred ${Object.entries(t.barred).map(([r, v]) => `${r} ${v.length}× after ${v.join('/')} round(s)`).join(', ') || 'none'}; accuracy ${t.accuracy.toFixed(3)}\n`);
  }
  process.stdout.write(`selection: bidding capability/cost ${selection.bidding.ratio.toFixed(2)} (price ${selection.bidding.price.toFixed(1)}, capability ${selection.bidding.capability.toFixed(1)}) vs random ${selection.random.ratio.toFixed(2)} (price ${selection.random.price.toFixed(1)}, capability ${selection.random.capability.toFixed(1)})\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main().catch((e) => { console.error(e); process.exit(1); });
