// The round state machine (STYLE §11, sans-I/O): one pure function `step(cfg, state, event)`
// → { state, effects } drives a training round for every deployment — one gateway, each node
// of a BFT cluster, the simulator's gateway. It admits updates (check-update.ts and the copy /
// free-rider detectors), closes the round at completion or deadline, decides it with the
// task's consensus engine, maps the decision to block content (content.ts) and, once the
// Finality port says the block is final, moves the global model and committee and emits the
// round summary. It never touches a socket, a clock or a disk: time comes in on events,
// timers and messages go out as effects, and the driver (driver.ts) performs them.
import type { KeyObject } from 'node:crypto';
import { sha256, toHex, bytesEqual } from '../../protocol/bytes.js';
import { decodeModel, type ModelHeader } from '../../protocol/model-blob.js';
import { MAX_UPDATE_BYTES } from '../../protocol/limits.js';
import { escapeText } from '../../protocol/log-text.js';
import type { Block, ConsensusData } from '../ledger/index.js';
import { encodeEvidenceRecord } from './evidence-record.js';
import { canonicalOrder, ConsensusError, type ConsensusEngine, type Decision, type EngineContext, type RoundInput } from '../consensus/engine.js';
import { checkUpdate, type AcceptedUpdate, type RoundContext } from './check-update.js';
import { contentOf, contentBodies, blockBodies, type Evaluate, type RoundContent } from './content.js';
import type { RoundReward } from './reward.js';
import type { Rejection, RoundSummary } from './summary.js';
import type { Approval } from '../../protocol/announcement.js';
import { AppendMap, AppendSet } from './append-map.js';

/** Registered identities, read from the chain's state (updated only when a block is final). */
export interface Registry {
  /** A device's Ed25519 key and last accepted message counter. */
  device(id: string): { key: KeyObject; counter: number } | undefined;
}

/** The chain head a round builds on, with its finality certificate (gateway approvals). */
export interface Head { height: number; hash: Uint8Array; time: number; cert: readonly Approval[] }

/** Who trains and who sits on the committee in a round. */
export interface RoundPlan { trainers: string[]; committee: string[] }

/** Everything fixed for a task's rounds. Functions must be deterministic. */
export interface RoundConfig {
  task: string;
  /** The chain's genesis hash (announcements name it). */
  chain: Uint8Array;
  /** This gateway's id (the summary's proposer when it builds the block). */
  gateway: string;
  engine: ConsensusEngine<any>;
  /** Keys for evidence checks and the task's aggregation rule. */
  ctx: EngineContext;
  registry: Registry;
  /** Last round to run; after it the machine announces done. */
  rounds: number;
  /** Collection deadline per round, ms after it opens. */
  deadlineMs: number;
  /** The registered devices of the task, in the order plans draw from. */
  devices: readonly string[];
  /** Selection per round; default: every device trains, members of a separate committee excepted. */
  plan?(round: number, committee: readonly string[]): RoundPlan;
  /** When collection completes before the deadline: every trainer has an accepted update
   *  ('accepted', deployments), or every trainer was heard from, accepted, rejected or
   *  reported absent ('accounted', the simulator). */
  complete?: 'accepted' | 'accounted';
  /** Detectors run after admission (004 §IV-A lazy copies, free riders). Default: both on. */
  detect?: { copies: boolean; noProgress: boolean };
  /** Held-out evaluation recorded in the model record (accuracy ppm); must be the same on every gateway. */
  evaluate?: Evaluate;
  /** The task's economy (reward.ts): each round's block pays from the task's pool. */
  reward?: RoundReward;
  /** Updates kept for a round this gateway has not opened yet (default 4 × devices). */
  maxEarly?: number;
  /** Rejections kept per round as a sample (default MAX_REJECTION_SAMPLE); counts by reason
   *  are always exact. The simulator keeps one per device for its per-attacker metrics. */
  maxRejections?: number;
}

export type Phase = 'idle' | 'collecting' | 'deciding' | 'done';

/** The machine's state. Treat as immutable: `step` returns a new one. The per-round
 *  collections (`accepted`, `hashes`, `settled`) are AppendMap / AppendSet values, so admitting
 *  an update adds to them in O(1) amortised without copying (append-map.ts); a state built by
 *  hand with plain Maps and Sets works too (they are converted once). */
export interface RoundState {
  round: number;
  phase: Phase;
  /** Chain head the round builds on: `prev` of RoundInput (PoW work, random election and score sheets bind to it). */
  head: Head;
  model: Uint8Array;
  modelHash: Uint8Array;
  header: ModelHeader;
  committee: readonly string[];
  /** Direction-trust reputation carried across rounds (engine input `trust`, root-trust.ts). */
  trust: ReadonlyMap<string, number>;
  trainers: readonly string[];
  accepted: ReadonlyMap<string, AcceptedUpdate>;
  /** Update hash → first device that sent it (copy detector). */
  hashes: ReadonlyMap<string, string>;
  /** The round's first rejections (bounded sample) and exact counts by reason. */
  rejected: readonly Rejection[];
  rejectedCounts: Readonly<Record<string, number>>;
  /** Trainers heard from (or reported absent) this round. */
  settled: ReadonlySet<string>;
  /** Updates for a later round, replayed when it opens. */
  early: readonly (readonly [string, Uint8Array])[];
  /** Devices whose presence says offline: not selected, and not waited for. */
  offline: ReadonlySet<string>;
  received: number;
  bytesIn: number;
  openedAt: number;
  closedAt: number;
}

export type RoundEvent =
  | { type: 'open'; now: number }
  | { type: 'update'; device: string; bytes: Uint8Array; now: number }
  | { type: 'absent'; devices: readonly string[]; now: number }
  /** A device's presence changed (fl/<task>/presence/<id>). */
  | { type: 'presence'; device: string; online: boolean; now: number }
  | { type: 'deadline'; round: number; now: number }
  /** `input`: the round input the evidence was gathered over (default: every admitted update). */
  | { type: 'evidence'; round: number; evidence: unknown; input?: RoundInput; now: number }
  /** `pool`: the candidates the decision was taken over (updates admitted later count as late). */
  | { type: 'final'; round: number; block: Block; decision: Decision; content?: RoundContent; pool?: readonly string[]; view: number; cert?: readonly Approval[]; now: number }
  | { type: 'synced'; head: RoundState['head']; round: number; model: Uint8Array; committee: readonly string[]; trust?: ReadonlyMap<string, number>; now: number };

export type RoundEffect =
  | { type: 'announce'; round: number; model: Uint8Array; done: boolean; plan: RoundPlan; head: Head }
  | { type: 'ack'; device: string; round: number; accepted: boolean; reason: string }
  | { type: 'reject'; round: number; device?: string; reason: string; detail: string }
  | { type: 'timer'; name: 'deadline'; round: number; at: number }
  /** Collection closed: the round needs a decision (the Finality port decides who gathers evidence). */
  | { type: 'closed'; round: number; input: RoundInput }
  /** A decision and its block content, for the Finality port to seal and finalize. */
  | { type: 'propose'; round: number; input: RoundInput; evidence: unknown; decision: Decision; content: RoundContent }
  /** Payloads to keep beside the chain (after finality). */
  | { type: 'persist'; blobs: Uint8Array[] }
  | { type: 'summary'; summary: RoundSummary }
  | { type: 'finished' };

export interface StepResult { state: RoundState; effects: RoundEffect[] }

/** The state before round 1 (or after a restart at `round`, from the chain's head and model). */
export function initialState(o: { round?: number; head: Head; model: Uint8Array; committee?: readonly string[]; trust?: ReadonlyMap<string, number> }): RoundState {
  return {
    round: o.round ?? 1, phase: 'idle', head: o.head, model: o.model, modelHash: sha256(o.model), header: decodeModel(o.model).header,
    committee: [...(o.committee ?? [])], trust: new Map(o.trust ?? []), trainers: [], accepted: AppendMap.empty(), hashes: AppendMap.empty(), rejected: [], rejectedCounts: {}, settled: AppendSet.empty(), early: [], offline: new Set(),
    received: 0, bytesIn: 0, openedAt: 0, closedAt: 0,
  };
}

/** A separate committee whose members do not train (002 §III; not when members also send a reference update). */
const membersSitOut = (cfg: RoundConfig): boolean => cfg.engine.caps.committee === 'separate' && !cfg.engine.caps.membersTrain;

/** The default plan: every present device trains; a separate committee's members do not. */
export function defaultPlan(cfg: RoundConfig, committee: readonly string[], offline: ReadonlySet<string> = new Set()): RoundPlan {
  const seated = membersSitOut(cfg) ? new Set(committee) : new Set<string>();
  return { trainers: cfg.devices.filter((d) => !seated.has(d) && !offline.has(d)), committee: [...committee] };
}

/** Applies one event. Pure: the result depends only on its arguments. */
export function step(cfg: RoundConfig, s: RoundState, e: RoundEvent): StepResult {
  switch (e.type) {
    case 'open': return onOpen(cfg, s, e.now);
    case 'update': return onUpdate(cfg, s, e.device, e.bytes, e.now);
    case 'absent': return onAbsent(cfg, s, e.devices, e.now);
    case 'presence': return onPresence(cfg, s, e.device, e.online, e.now);
    case 'deadline': return e.round === s.round && s.phase === 'collecting' ? close(s, e.now) : same(s);
    case 'evidence': return onEvidence(cfg, s, e.round, e.evidence, e.input);
    case 'final': return onFinal(cfg, s, e);
    case 'synced': return onSynced(cfg, s, e);
  }
}

const same = (state: RoundState): StepResult => ({ state, effects: [] });

function onOpen(cfg: RoundConfig, s: RoundState, now: number): StepResult {
  if (s.phase !== 'idle') return same(s);
  if (s.round > cfg.rounds) {
    return { state: { ...s, phase: 'done' }, effects: [{ type: 'announce', round: s.round, model: s.model, done: true, plan: { trainers: [], committee: [] }, head: s.head }, { type: 'finished' }] };
  }
  const plan = cfg.plan ? cfg.plan(s.round, s.committee) : defaultPlan(cfg, s.committee, s.offline);
  let state: RoundState = {
    ...s, phase: 'collecting', trainers: plan.trainers, committee: plan.committee, accepted: AppendMap.empty(), hashes: AppendMap.empty(), rejected: [], rejectedCounts: {},
    settled: AppendSet.empty(), early: [], received: 0, bytesIn: 0, openedAt: now, closedAt: 0,
  };
  const effects: RoundEffect[] = [
    { type: 'announce', round: s.round, model: s.model, done: false, plan, head: s.head },
    { type: 'timer', name: 'deadline', round: s.round, at: now + cfg.deadlineMs },
  ];
  for (const [device, bytes] of s.early) {
    const r = onUpdate(cfg, state, device, bytes, now, true);
    state = r.state; effects.push(...r.effects);
  }
  return { state, effects };
}

/** The admission context of the current round (docs/protocol.md §Admission). */
export function admissionContext(cfg: RoundConfig, s: RoundState): RoundContext {
  return {
    task: cfg.task, round: s.round, baseHash: s.modelHash, baseHeader: s.header, maxBytes: MAX_UPDATE_BYTES,
    device: (id) => cfg.registry.device(id), hasUpdate: (id) => s.accepted.has(id),
  };
}

function onUpdate(cfg: RoundConfig, s: RoundState, device: string, bytes: Uint8Array, now: number, replay = false): StepResult {
  if (s.phase === 'done') return same(s);
  // QoS 1 redelivers, and boards re-send after a reconnect: an envelope already admitted is a no-op.
  const prior = s.accepted.get(device);
  if (prior && prior.envelope.length === bytes.length && bytesEqual(prior.envelopeHash, sha256(bytes))) return same(s);
  const v = checkUpdate(bytes, device, admissionContext(cfg, s));
  if (!v.ok && !replay && (v.reason === 'wrong_round' || v.reason === 'stale_base') && s.early.length < maxEarly(cfg)) {
    // A peer may finalize and announce the next round before this gateway does: keep it (bounded).
    return same({ ...s, early: [...s.early, [device, bytes]] });
  }
  if (s.phase === 'idle') return v.ok ? (s.early.length < maxEarly(cfg) ? same({ ...s, early: [...s.early, [device, bytes]] }) : reject(cfg, s, v.update.deviceId, 'early_full', `queue of updates for later rounds is full (${maxEarly(cfg)})`, bytes.length, now)) : reject(cfg, s, v.deviceId ?? device, v.reason, v.detail, bytes.length, now);
  if (!v.ok) return reject(cfg, s, v.deviceId ?? device, v.reason, v.detail, bytes.length, now);
  const u = v.update;
  if (!memberSet(s.trainers).has(u.deviceId)) return reject(cfg, s, u.deviceId, 'not_selected', `${u.deviceId} is not a trainer in round ${s.round}`, bytes.length, now);
  const det = cfg.detect ?? { copies: true, noProgress: true };
  if (det.noProgress && bytesEqual(u.updateHash, s.modelHash)) return reject(cfg, s, u.deviceId, 'no_progress', 'update is the unchanged global model (free rider)', bytes.length, now);
  const h = toHex(u.updateHash);
  const first = s.hashes.get(h);
  if (det.copies && first !== undefined) return reject(cfg, s, u.deviceId, 'copied_update', `model identical to ${first}'s update (lazy copy, 004 §IV-A)`, bytes.length, now);
  // O(1) amortised: the collections share their storage with the previous state (append-map.ts)
  const accepted = AppendMap.of(s.accepted).with(u.deviceId, u);
  const hashes = first === undefined ? AppendMap.of(s.hashes).with(h, u.deviceId) : s.hashes;
  const state: RoundState = { ...s, accepted, hashes, settled: AppendSet.of(s.settled).with(u.deviceId), received: s.received + 1, bytesIn: s.bytesIn + bytes.length };
  const effects: RoundEffect[] = [{ type: 'ack', device: u.deviceId, round: s.round, accepted: true, reason: 'ok' }];
  if (complete(cfg, state)) { const c = close(state, now); return { state: c.state, effects: [...effects, ...c.effects] }; }
  return { state, effects };
}

/** Most rejections a round keeps as a sample by default (a flood of 98,224 once made a 10.9 MB summary). */
export const MAX_REJECTION_SAMPLE = 256;
const maxEarly = (cfg: RoundConfig) => cfg.maxEarly ?? 4 * cfg.devices.length;

const memberSets = new WeakMap<readonly string[], ReadonlySet<string>>();
/** The members of an id list as a set, built once per list (plans and device lists are never
 *  mutated), so membership tests on the admission path are O(1) instead of a scan. */
function memberSet(ids: readonly string[]): ReadonlySet<string> {
  let m = memberSets.get(ids);
  if (!m) memberSets.set(ids, (m = new Set(ids)));
  return m;
}

/** Counts one rejection into `into` (mutated) and keeps it in the bounded sample, its detail
 *  escaped (device-controlled text). */
function addRejection(cfg: RoundConfig, into: { rejected: Rejection[]; rejectedCounts: Record<string, number> }, r: Rejection): void {
  if (into.rejected.length < (cfg.maxRejections ?? MAX_REJECTION_SAMPLE)) into.rejected.push({ ...r, detail: escapeText(r.detail) });
  into.rejectedCounts[r.reason] = (into.rejectedCounts[r.reason] ?? 0) + 1;
}

/** The sample and counts with one more rejection (new values; `s` is not changed). */
function noteRejection(cfg: RoundConfig, s: Pick<RoundState, 'rejected' | 'rejectedCounts'>, r: Rejection): Pick<RoundState, 'rejected' | 'rejectedCounts'> {
  // a full sample is shared, not copied (addRejection adds nothing to it): a flood stays O(1) per message
  const full = s.rejected.length >= (cfg.maxRejections ?? MAX_REJECTION_SAMPLE);
  const out = { rejected: full ? (s.rejected as Rejection[]) : [...s.rejected], rejectedCounts: { ...s.rejectedCounts } };
  addRejection(cfg, out, r);
  return out;
}

function reject(cfg: RoundConfig, s: RoundState, device: string, reason: string, detail: string, bytes: number, now: number): StepResult {
  const settled = cfg.complete === 'accounted' && memberSet(s.trainers).has(device) ? AppendSet.of(s.settled).with(device) : s.settled;
  detail = escapeText(detail);
  const state: RoundState = { ...s, ...noteRejection(cfg, s, { device, reason, detail }), settled, received: s.received + 1, bytesIn: s.bytesIn + bytes };
  const effects: RoundEffect[] = [{ type: 'reject', round: s.round, device, reason, detail }, { type: 'ack', device, round: s.round, accepted: false, reason }];
  if (s.phase === 'collecting' && complete(cfg, state)) { const c = close(state, now); effects.push(...c.effects); return { state: c.state, effects }; }
  return { state, effects };
}

function onAbsent(cfg: RoundConfig, s: RoundState, devices: readonly string[], now: number): StepResult {
  if (s.phase !== 'collecting') return same(s);
  let settled = AppendSet.of(s.settled);
  for (const d of devices) settled = settled.with(d);
  const state = { ...s, settled };
  return complete(cfg, state) ? close(state, now) : same(state);
}

function complete(cfg: RoundConfig, s: RoundState): boolean {
  if (s.phase !== 'collecting') return false;
  const done = cfg.complete === 'accounted' ? s.settled : s.accepted;
  // Necessary condition first, O(1): every trainer done or offline needs |done| + |offline| ≥
  // |trainers|. The O(trainers) scan then runs only in a round's last steps, not on every update.
  if (done.size + s.offline.size < s.trainers.length) return false;
  return s.trainers.every((d) => done.has(d) || s.offline.has(d));
}

/** Presence: an offline device is not waited for (this round) nor selected (later ones). */
function onPresence(cfg: RoundConfig, s: RoundState, device: string, online: boolean, now: number): StepResult {
  if (!memberSet(cfg.devices).has(device) || s.offline.has(device) === !online) return same(s);
  const offline = new Set(s.offline);
  if (online) offline.delete(device); else offline.add(device);
  let state: RoundState = { ...s, offline };
  // A device that comes online while the round collects joins it (default selection only).
  // (defaultPlan's rule for one device: a registered, present device trains unless seated on a separate committee)
  if (online && s.phase === 'collecting' && !cfg.plan && !memberSet(s.trainers).has(device) && !(membersSitOut(cfg) && s.committee.includes(device))) {
    state = { ...state, trainers: [...s.trainers, device] };
  }
  return complete(cfg, state) ? close(state, now) : same(state);
}

const baseParams = (s: RoundState): Int32Array => decodeModel(s.model).params;

/** The engine's view of the round: candidates in canonical order, the committee, the parent hash
 *  and the round's global parameters. */
export function roundInput(s: RoundState, pool?: readonly AcceptedUpdate[]): RoundInput {
  const ups = pool ?? [...s.accepted.values()];
  return {
    round: s.round, prev: s.head.hash, committee: [...s.committee], base: baseParams(s), trust: s.trust,
    candidates: canonicalOrder(ups.map((u) => ({ id: u.deviceId, n: u.fields.n, params: u.params, updateHash: u.updateHash }))),
  };
}

function close(s: RoundState, now: number): StepResult {
  const state: RoundState = { ...s, phase: 'deciding', closedAt: now };
  return { state, effects: [{ type: 'closed', round: s.round, input: roundInput(state) }] };
}

/** The engine's decision, or the empty decision (nothing accepted, model and committee kept)
 *  when the evidence does not verify — the same rule on every gateway, so a proposal built on
 *  undecidable evidence is still checkable. */
export function decideOrEmpty(cfg: Pick<RoundConfig, 'engine' | 'ctx'>, input: RoundInput, evidence: unknown): { decision: Decision; error?: string } {
  try {
    return { decision: cfg.engine.decide(input, evidence, cfg.ctx) };
  } catch (e) {
    if (!(e instanceof ConsensusError)) throw e;
    return { decision: { accepted: [], scores: new Map(), params: undefined, nextCommittee: [...input.committee] }, error: e.message };
  }
}

/** Block content of a decision in state `s` over `input` (the one mapping, content.ts). A round
 *  decided by device evidence also stores its evidence record and commits to it in the header. */
export function contentFor(cfg: RoundConfig, s: RoundState, d: Decision, evidence: unknown, input: RoundInput): RoundContent {
  const cons: ConsensusData = { engine: cfg.engine.name, round: s.round, ...(cfg.engine.headerFields?.(evidence) ?? {}) };
  let record: Uint8Array | undefined;
  if (cfg.engine.caps.evidence === 'devices') {
    record = encodeEvidenceRecord({
      engine: cfg.engine.name, round: s.round, prev: input.prev, committee: [...input.committee],
      pool: input.candidates.map((c) => s.accepted.get(c.id)!.envelopeHash), evidence: cfg.engine.encodeEvidence(evidence),
    });
    cons.evidence = sha256(record);
  }
  const c = contentOf(cfg.task, s.round, d, s.accepted, s.header, cons, cfg.evaluate, cfg.reward, { base: s.model, prev: s.head.hash, pool: input.candidates.map((c) => c.id) });
  if (record) {
    c.blobs.push(record);
    // the record's pool names every candidate: keep the envelopes the engine rejected too, or
    // `ledger verify` cannot re-run the decision from the recorded evidence (audit/replay.ts)
    const inModel = new Set(d.accepted);
    for (const cand of input.candidates) { const u = s.accepted.get(cand.id); if (u && !inModel.has(cand.id)) c.blobs.push(u.envelope); }
  }
  return c;
}

function onEvidence(cfg: RoundConfig, s: RoundState, round: number, evidence: unknown, given?: RoundInput): StepResult {
  if (round !== s.round || s.phase !== 'deciding') return same(s);
  const input = given ?? roundInput(s);
  const { decision, error } = decideOrEmpty(cfg, input, evidence);
  const effects: RoundEffect[] = [];
  if (error) effects.push({ type: 'reject', round, reason: 'bad_evidence', detail: error });
  effects.push({ type: 'propose', round, input, evidence, decision, content: contentFor(cfg, s, decision, evidence, input) });
  return { state: s, effects };
}

export type ProposalCheck = { ok: true; decision: Decision; content: RoundContent } | { ok: false; reason: string; detail: string; retry?: boolean };

/** A follower's check of a peer's block (gateway/finality/bft.ts): it must extend our head for
 *  our round, every pooled update must be one we admitted, and recomputing the engine's
 *  decision from the pool and the proposal's evidence must give byte-identical content. */
export function checkProposal(cfg: RoundConfig, s: RoundState, p: { pool: readonly Uint8Array[]; committee: readonly string[]; evidence: unknown; block: Block }): ProposalCheck {
  if (s.phase === 'done' || s.phase === 'idle') return { ok: false, reason: 'not_open', detail: `round ${s.round} is not open here`, retry: true };
  if (!bytesEqual(p.block.header.prev, s.head.hash)) return { ok: false, reason: 'bad_prev', detail: 'block does not extend our head', retry: true };
  if (p.block.header.cons.round !== s.round) return { ok: false, reason: 'wrong_round', detail: `block for round ${p.block.header.cons.round}, ours is ${s.round}` };
  if (p.block.header.cons.engine !== cfg.engine.name) return { ok: false, reason: 'wrong_engine', detail: `block names engine ${p.block.header.cons.engine}` };
  if (p.committee.join() !== s.committee.join()) return { ok: false, reason: 'committee_mismatch', detail: 'proposal names another committee' };
  const byHash = new Map([...s.accepted.values()].map((u) => [toHex(u.updateHash), u]));
  const pool: AcceptedUpdate[] = [];
  for (const h of p.pool) {
    const u = byHash.get(toHex(h));
    if (!u) return { ok: false, reason: 'missing_update', detail: `update ${toHex(h).slice(0, 16)}… not admitted here yet`, retry: true };
    pool.push(u);
  }
  const input = roundInput(s, pool);
  const { decision } = decideOrEmpty(cfg, input, p.evidence);
  const content = contentFor(cfg, s, decision, p.evidence, input);
  const theirs = blockBodies(p.block);
  const ev = p.block.header.cons.evidence, mine = content.cons.evidence;
  if (!theirs || !bytesEqual(theirs, contentBodies(content)) || (ev === undefined) !== (mine === undefined) || (ev && mine && !bytesEqual(ev, mine))) {
    return { ok: false, reason: 'content_mismatch', detail: `block of ${p.block.header.proposer} differs from the recomputed decision` };
  }
  return { ok: true, decision, content };
}

function onFinal(cfg: RoundConfig, s: RoundState, e: Extract<RoundEvent, { type: 'final' }>): StepResult {
  if (e.round !== s.round || s.phase === 'done') return same(s);
  const d = e.decision;
  const content = e.content ?? contentOf(cfg.task, s.round, d, s.accepted, s.header, { engine: cfg.engine.name, round: s.round }, cfg.evaluate);
  const model = content.model ?? s.model;
  const evaluation = content.evaluation ?? (content.model ? undefined : cfg.evaluate?.(model));
  const accepted = new Set(d.accepted);
  // one copy of the sample and counts for the whole loop (noteRejection per update would copy them per update)
  const rej = { rejected: [...s.rejected], rejectedCounts: { ...s.rejectedCounts } };
  const pool = e.pool && new Set(e.pool);
  for (const u of [...s.accepted.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1))) {
    if (accepted.has(u.deviceId)) continue;
    const r = pool && !pool.has(u.deviceId)
      ? { device: u.deviceId, reason: 'late', detail: 'admitted after the round was decided' }
      : { device: u.deviceId, ...(cfg.engine.explain?.(u.deviceId, d) ?? { reason: `${cfg.engine.name}_rejected`, detail: `not accepted by the ${cfg.engine.name} engine` }) };
    addRejection(cfg, rej, r);
  }
  const rejectedTotal = Object.values(rej.rejectedCounts).reduce((a, b) => a + b, 0);
  const summary: RoundSummary = {
    round: s.round, height: e.block.header.height, engine: cfg.engine.name, proposer: e.block.header.proposer, view: e.view, leader: d.leader,
    trainers: [...s.trainers], committee: [...s.committee], received: s.received, bytesIn: s.bytesIn,
    admitted: s.accepted.size, admittedBytes: [...s.accepted.values()].reduce((a, u) => a + u.envelope.length, 0), accepted: [...d.accepted], rejected: [...rej.rejected], rejectedCounts: rej.rejectedCounts, rejectedTotal,
    scores: Object.fromEntries(d.scores), accuracy: evaluation?.accuracy, loss: evaluation?.loss, modelHash: toHex(sha256(model)),
    ms: e.now - s.openedAt, consensusMs: e.now - (s.closedAt || e.now),
  };
  const next: RoundState = {
    ...s, round: s.round + 1, phase: 'idle', model, modelHash: sha256(model), committee: [...d.nextCommittee], trust: d.trust ?? s.trust,
    head: { height: e.block.header.height, hash: e.block.hash, time: e.block.header.time, cert: e.cert ?? e.block.approvals },
  };
  const opened = onOpen(cfg, next, e.now);
  return { state: opened.state, effects: [{ type: 'persist', blobs: content.blobs }, { type: 'summary', summary }, ...opened.effects] };
}

/** Catch-up: blocks imported from peers moved the head past our round. */
function onSynced(cfg: RoundConfig, s: RoundState, e: Extract<RoundEvent, { type: 'synced' }>): StepResult {
  if (e.head.height <= s.head.height || s.phase === 'done') return same(s);
  const next: RoundState = { ...s, round: e.round, phase: 'idle', head: e.head, model: e.model, modelHash: sha256(e.model), committee: [...e.committee], trust: e.trust ?? s.trust, early: s.early };
  return onOpen(cfg, next, e.now);
}
