// A fleet worker thread: hosts many emulated boards (one firmware instance each, one compiled
// module per thread) behind ONE MQTT connection. Each board's update is still signed by its own
// firmware key and published on its own topic fl/<task>/update/<device>, so the gateway sees
// exactly what N separate boards would send. Handlers: plan, global, validate, update (for
// lazy copies and committee caches), and the main thread's collective step (LIE).
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { ed25519PublicKey, parseSign1 } from '../../protocol/cose.js';
import { decodeAnnouncement } from '../../protocol/announcement.js';
import { decodeUpdate } from '../../protocol/update.js';
import { encodeCanonical } from '../../protocol/cbor.js';
import { toHex } from '../../protocol/bytes.js';
import { signScoreSheet, encodeSheets, type ScoreSheet } from '../../protocol/score-sheet.js';
import { decodeValidate, type ValidateRequest } from '../../protocol/validate.js';
import { globalTopic, updateTopic, updateFilter, planTopic, validateTopic, scoreTopic, doneTopic, parseTopic } from '../../protocol/topics.js';
import { deviceIndex } from '../../protocol/ids.js';
import { MAX_UPDATE_BYTES, MAX_ANNOUNCEMENT_BYTES } from '../../protocol/limits.js';
import { decodeModel } from '../../protocol/model-blob.js';
import { sha256 } from '../../protocol/bytes.js';
import { MqttTransport } from '../../boards/transport/mqtt.js';
import { boardProfile } from '../../boards/profiles.js';
import { COLLUDING_BY_DEFAULT, COLLECTIVE_TYPES, colludingScore } from '../attacks/index.js';
import { decodePlan, encodeDone, type PlanMsg, type DoneMsg } from '../control.js';
import type { Scenario } from '../scenario/schema.js';
import { Board, boardPages, type RoundModel, type BoardOptions } from './board.js';
import { shardView, type SharedShards } from './shards.js';
import { available, lost, boardRoundSeconds, type Link } from './link.js';
import { rngFor } from './seeds.js';
import { fullGc } from './heap.js';

export interface WorkerInit {
  worker: number; boards: number[]; scenario: Scenario; roles: Int16Array; shards: SharedShards;
  brokerUrl: string; task: string; gatewayPublicRaw: Uint8Array; chain: Uint8Array;
}

/** Messages main → worker. */
export type ToWorker = { t: 'collective'; round: number; params: Int32Array | null } | { t: 'stats' } | { t: 'close' };
/** Messages worker → main. */
export type FromWorker =
  | { t: 'ready'; worker: number; boards: number; ms: number }
  | { t: 'collect'; round: number; honest: Int32Array[] }
  | { t: 'stats'; worker: number; wasmBytes: number; heapUsed: number; boards: number }
  | { t: 'error'; message: string }
  | { t: 'closed' };

const init = workerData as WorkerInit;
const s = init.scenario;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const profile = boardProfile(s.devices.board);
const link: Link = { ...profile.link, ...s.devices.link };
const colludes = (i: number) => { const r = init.roles[i]; return r >= 0 && (s.attackers[r].collude || COLLUDING_BY_DEFAULT.has(s.attackers[r].type)); };

const t0 = Date.now();
const boards = new Map<number, Board>();
const optionsOf = (i: number): BoardOptions => {
  const r = init.roles[i];
  return {
    index: i, task: init.task, seed: s.seed, variant: profile.firmware, data: shardView(init.shards, i),
    attacker: r >= 0 ? s.attackers[r] : undefined, train: { batch: s.train.batch, lr: s.train.lr }, dp: s.dp,
  };
};
// every board's memory is capped at what the task's model needs (measured once per worker)
let maxPages: number | undefined;
if (init.boards.length) {
  const o = optionsOf(init.boards[0]);
  maxPages = boardPages(o, { arch: s.model.arch, inputs: o.data.dim, hidden: s.model.hidden || undefined, outputs: o.data.classes, seed: s.seed, rounding: s.model.rounding });
}
for (const i of init.boards) boards.set(i, new Board({ ...optionsOf(i), maxPages }));
const trust = { chain: init.chain, gateways: new Map([['gw-0', ed25519PublicKey(init.gatewayPublicRaw)]]) };
const hasLazy = [...boards.values()].some((b) => b.attack?.copies);
const hasCollective = s.attackers.some((a) => COLLECTIVE_TYPES.has(a.type));
const committeeMode = s.consensus.engine === 'committee';

const client = await MqttTransport.connect(init.brokerUrl, `fleet-${init.task}-${init.worker}`);
const subs = [globalTopic(init.task), planTopic(init.task)];
if (committeeMode) subs.push(validateTopic(init.task));
if (committeeMode || hasLazy) subs.push(updateFilter(init.task));

// ---- round state -------------------------------------------------------------------------
const plans = new Map<number, PlanMsg>();
const globals = new Map<number, RoundModel>();
let current = 0;
/** Update model blobs seen on the wire, by round then board (committee scoring, lazy copies).
 *  Keyed by round: another worker's update can arrive before this worker's plan. */
const seen = new Map<number, Map<number, Uint8Array>>();
const seenWaiters = new Map<string, (b: Uint8Array) => void>();
const seenIn = (r: number) => { let m = seen.get(r); if (!m) seen.set(r, (m = new Map())); return m; };
let collectiveReply: ((p: Int32Array | null) => void) | undefined;
let chain: Promise<void> = Promise.resolve();
const serial = (f: () => Promise<void> | void) => { chain = chain.then(f).catch((e) => post({ t: 'error', message: String((e as Error)?.stack ?? e) })); };

const publish = (topic: string, payload: Uint8Array) => client.publish(topic, payload, { qos: 1 });

/** Boards trained between two turns of the event loop. Training is synchronous: without a turn
 *  the MQTT client writes nothing until the worker's whole round is done, and the gateway, idle
 *  until then, admits every update after the fleet has finished (the fleet's and the gateway's
 *  work ran one after the other, each side idle half the round). */
const BOARDS_PER_TURN = 8;
let sinceTurn = 0;
const turn = (): Promise<void> | undefined => (++sinceTurn >= BOARDS_PER_TURN ? (sinceTurn = 0, new Promise((res) => setImmediate(res))) : undefined);

/** Trains, attacks and publishes this worker's part of round r. */
async function runRound(plan: PlanMsg, g: RoundModel): Promise<void> {
  const mine = plan.trainers.filter((i) => boards.has(i));
  const colluders = plan.trainers.filter((i) => init.roles[i] >= 0 && COLLECTIVE_TYPES.has(s.attackers[init.roles[i]].type)).length;
  let sent = 0, slowest = 0;
  const unavailable: number[] = [], dropped: number[] = [];
  const pending: Promise<unknown>[] = [];
  const emit = (b: Board, bytes: Uint8Array) => {
    if (lost(s.seed, plan.round, b.o.index, link)) { dropped.push(b.o.index); return; }
    sent++;
    // simulated time of this board's round on its profile: download, train at its compute speed, upload
    slowest = Math.max(slowest, boardRoundSeconds(profile, link, b.samples, plan.epochs, g.blob.length, bytes.length));
    pending.push(publish(updateTopic(init.task, b.id), bytes));
  };
  const lie: { b: Board; honest: Int32Array; loss: number }[] = [];
  const lazy: Board[] = [];
  for (const i of mine) {
    const b = boards.get(i)!;
    if (!available(s.seed, plan.round, i, s.devices.availability)) { unavailable.push(i); continue; }
    // A committee member's reference update (direction trust): a non-colluding attacker does not
    // exploit its seat (as with its scores), so it sends its honest training; colluders attack.
    if (b.attack && plan.committee.includes(i) && !colludes(i)) { const t = b.trainHonest(g, plan.epochs); emit(b, b.sign(g, t.params, t.loss)); continue; }
    if (b.attack?.silent) { unavailable.push(i); continue; }
    if (b.attack?.copies) { lazy.push(b); continue; }
    if (b.attack?.collective) { const t = b.trainHonest(g, plan.epochs); lie.push({ b, honest: t.params, loss: t.loss }); continue; }
    emit(b, b.update(g, plan.epochs, plan.trainers.length, colluders));
    await turn();
  }
  if (hasCollective) {
    const reply = new Promise<Int32Array | null>((res) => { collectiveReply = res; });
    post({ t: 'collect', round: plan.round, honest: lie.map((l) => l.honest) });
    const crafted = await reply;
    for (const l of lie) emit(l.b, l.b.sign(g, crafted ? l.b.personalize(g, crafted) : l.honest, l.loss));
  }
  if (lazy.length) {
    // sources: trainers that really publish this round and are not copiers themselves
    const sources = plan.trainers.filter((i) => {
      const r = init.roles[i];
      return !(r >= 0 && s.attackers[r].type === 'lazy-copy') && available(s.seed, plan.round, i, s.devices.availability) && !lost(s.seed, plan.round, i, link);
    });
    for (const b of lazy) {
      if (sources.length === 0) { unavailable.push(b.o.index); continue; }
      const src = sources[rngFor(s.seed, 'lazy', plan.round, b.o.index).int(sources.length)];
      const blob = await waitSeen(plan.round, src);
      let params = decodeModel(blob).params;
      const sd = b.o.attacker!.params.noise ?? 0;
      if (sd > 0) { const rng = rngFor(s.seed, 'attack', plan.round, b.o.index); params = params.map((v) => Math.round(v + rng.normal() * sd)); }
      emit(b, b.sign(g, params, 0));
    }
  }
  await Promise.all(pending);
  const done: DoneMsg = { round: plan.round, worker: init.worker, sent, unavailable, lost: dropped, slowestMs: Math.round(slowest * 1000) };
  await publish(doneTopic(init.task, init.worker), encodeDone(done));
}

function waitSeen(r: number, i: number): Promise<Uint8Array> {
  const b = seenIn(r).get(i);
  if (b) return Promise.resolve(b);
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`lazy copy: no update from ${i} within 60 s`)), 60_000);
    seenWaiters.set(`${r}/${i}`, (x) => { clearTimeout(timer); res(x); });
  });
}

/** Committee members of this worker score the admitted candidates on their own data and sign
 *  the score sheet with their firmware key (002 §III; the committee engine's evidence format,
 *  bound to the round's parent block hash `prev` from the request). */
async function runValidate(v: ValidateRequest): Promise<void> {
  if (v.round !== current) return;
  const blobs = seenIn(v.round);
  const byHash = new Map<string, Uint8Array>();
  for (const blob of blobs.values()) byHash.set(toHex(sha256(blob)), blob);
  for (const id of v.committee) {
    const m = deviceIndex(id);
    const b = boards.get(m);
    if (!b) continue;
    const rng = rngFor(s.seed, 'score', v.round, m);
    const scores: ScoreSheet['scores'] = [];
    for (const c of v.candidates) {
      const blob = byHash.get(toHex(c.updateHash));
      if (!blob) continue; // never reached this member: no score (the engine counts it as 0)
      const measured = b.score(blob);
      scores.push({ updateHash: c.updateHash, score: colludes(m) ? colludingScore(colludes(deviceIndex(c.id)), measured, rng, s.attackers[init.roles[m]].params) : measured });
    }
    const sheet = signScoreSheet({ id: b.id, sign: (msg) => b.signer.sign(msg) }, v.round, v.prev, scores);
    await publish(scoreTopic(init.task, b.id), encodeCanonical(encodeSheets([sheet])));
  }
}

function tryStart(r: number): void {
  const plan = plans.get(r), g = globals.get(r);
  if (!plan || !g || r <= current) return;
  current = r;
  for (const k of seen.keys()) if (k < r) seen.delete(k);
  for (const k of plans.keys()) if (k < r) plans.delete(k);
  for (const k of globals.keys()) if (k < r) globals.delete(k);
  serial(() => runRound(plan, g));
}

function onMessage(topic: string, bytes: Uint8Array): void {
  try {
    const kind = parseTopic(topic)?.kind;
    if (kind === 'plan') {
      const p = decodePlan(bytes);
      if (p.done) return;
      plans.set(p.round, p);
      tryStart(p.round);
    } else if (kind === 'global') {
      // one verification per worker stands in for each board's (identical bytes, same key)
      const g = decodeAnnouncement(bytes, trust, MAX_ANNOUNCEMENT_BYTES);
      if (g.done || g.round <= current) return;
      const d = decodeModel(g.model);
      globals.set(g.round, { round: g.round, blob: g.model, hash: g.hash, header: d.header, params: d.params });
      tryStart(g.round);
    } else if (kind === 'validate') {
      const v = decodeValidate(bytes);
      serial(() => runValidate(v));
    } else if (kind === 'update') {
      const i = deviceIndex(parseTopic(topic)!.id!);
      const f = decodeUpdate(parseSign1(bytes, MAX_UPDATE_BYTES).payload, MAX_UPDATE_BYTES);
      if (f.round < current) return;
      seenIn(f.round).set(i, f.model);
      const k = `${f.round}/${i}`;
      seenWaiters.get(k)?.(f.model);
      seenWaiters.delete(k);
    }
  } catch (e) {
    post({ t: 'error', message: `${topic}: ${(e as Error).message}` });
  }
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'collective') { collectiveReply?.(m.params); collectiveReply = undefined; }
  else if (m.t === 'stats') {
    fullGc();
    let wasm = 0;
    for (const b of boards.values()) wasm += b.wasmBytes;
    const h = getHeapStatistics();
    post({ t: 'stats', worker: init.worker, wasmBytes: wasm, heapUsed: h.used_heap_size + h.malloced_memory, boards: boards.size });
  } else if (m.t === 'close') {
    void client.close().then(() => { post({ t: 'closed' }); port.close(); });
  }
});

// Subscribe last: every handler's state above exists before the first (retained) message.
client.onMessage(onMessage);
await client.subscribe(subs);
post({ t: 'ready', worker: init.worker, boards: boards.size, ms: Date.now() - t0 });
