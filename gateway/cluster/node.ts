// One super node of a gateway cluster (issue 6 §4): its own key and ledger, talking to its
// peers over one MQTT broker. Each round every node admits the devices' signed updates
// (all subscribe to the same topics), the round's leader (or, under PoW, the first miner)
// proposes a block whose content the task's consensus engine decides, every node recomputes
// the decision from its own copies of the updates and approves only a block that matches, and
// a block is final with approvals of ≥ 2f+1 of the 3f+1 gateways (bft.ts). A leader that
// fails is replaced after a view timeout; a node that fell behind catches up from its peers.
// I/O (MQTT, ledger, clock, evidence from device committees) is injected or at this edge.
import type { KeyObject } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { sha256, bytesEqual, toHex } from '../../protocol/bytes.js';
import { Ledger, updateRecordTx, globalModelTx, decodeBlock, encodeBlock, type Block, type Signer, type Tx } from '../ledger/index.js';
import { proposerSigningBytes, approvalSigningBytes } from '../ledger/block.js';
import { verifySig } from '../ledger/signer.js';
import { encodeCanonical, type CborValue } from '../../protocol/cbor.js';
import { checkUpdate, type AcceptedUpdate, type RoundContext } from '../check-update.js';
import { publicKeyObject } from '../../protocol/cose.js';
import { encodeGlobal } from '../../protocol/announcement.js';
import { globalTopic, updateFilter, deviceOfUpdateTopic } from '../../protocol/topics.js';
import { decodeModel, encodeModel, MAX_MODEL_BYTES, type ModelHeader } from '../../protocol/model-blob.js';
import type { AggregationRule, RuleOptions } from '../aggregate/index.js';
import { canonicalOrder, ConsensusError, type ConsensusEngine, type Decision, type RoundInput, type Candidate, type EngineContext } from '../consensus/engine.js';
import { mine, workPrefix, type PowEvidence } from '../consensus/pow.js';
import { chooseBranch, producedCounts, reputationByBlocks, type ForkRule } from '../consensus/fork.js';
import { VoteBook, finalityQuorum, type Equivocation } from './bft.js';
import * as M from './messages.js';

/** Gathers an engine's evidence for a round (committee score sheets, PoQ reports and approvals)
 *  from the devices that produce it. The simulator answers in-process; boards answer over MQTT. */
export interface EvidenceSource { collect(input: RoundInput): Promise<unknown> }

export interface ClusterNodeOptions {
  id: string;
  task: string;
  ledger: Ledger;
  signer: Signer;
  signingKey: KeyObject;          // the same key, for the COSE global-model announcement
  gateways: ReadonlyMap<string, Uint8Array>;   // every super node's raw Ed25519 key
  engine: ConsensusEngine<any>;
  rule: AggregationRule;
  ruleOpts?: RuleOptions;
  initialModel: Uint8Array;
  committee?: string[];           // the first device committee (BFLC, PoQ parties)
  rounds: number;
  expected: string[];
  roundTimeoutMs: number;
  viewTimeoutMs?: number;         // leader replacement (default roundTimeoutMs)
  evidence?: EvidenceSource;
  pow?: { difficulty: number; chunk?: number; forkRule?: ForkRule; forkWindowMs?: number };
  evaluate?: (model: Uint8Array) => { accuracy: number; loss: number };
  log?: (e: { level: 'info' | 'warn'; event: string; [k: string]: unknown }) => void;
  now?: () => number;
}

export interface ClusterRoundSummary { round: number; height: number; accepted: number; leader: string; view: number; accuracy?: number; loss?: number; modelHash: string; ms: number; consensusMs: number }

/** Drops undefined fields so decoded and freshly built bodies encode alike. */
function defined(v: unknown): CborValue {
  if (Array.isArray(v)) return v.map(defined);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array) && !(v instanceof Map)) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, defined(x)]));
  }
  return v as CborValue;
}

interface Pending { p: M.Proposal; block: Block; decision?: Decision; received: number }

/** A gateway in a BFT cluster.
 *  @example const n = new ClusterNode(opts); await n.connect(url); await n.run() */
export class ClusterNode {
  protected client?: MqttClient;
  private model: Uint8Array;
  private baseHeader: ModelHeader;
  private committee: string[];
  private round = 1;
  private updates = new Map<string, AcceptedUpdate>();      // updateHash hex → update (current round)
  private byDevice = new Set<string>();
  private readonly pending = new Map<number, Map<string, Pending>>();
  private readonly voted = new Map<number, string>();
  private readonly seenProposals = new Map<string, { hash: Uint8Array; sig: Uint8Array }>();
  readonly votes: VoteBook;
  /** Equivocation evidence this node has seen (both signatures verify). */
  readonly evidence: Equivocation[] = [];
  private wake?: () => void;
  private inbox: Promise<unknown> = Promise.resolve();
  /** Updates that arrived for the next round before we finalized this one (replayed after). */
  private early: [string, Uint8Array][] = [];
  private stopped = false;
  private readonly gwIds: string[];
  /** Messages and bytes this node published on cluster topics (bench: transmission cost). */
  readonly sent = { messages: 0, bytes: 0 };
  private roundStartConsensus = 0;

  constructor(readonly o: ClusterNodeOptions) {
    this.model = o.initialModel;
    this.baseHeader = decodeModel(o.initialModel).header;
    this.committee = [...(o.committee ?? [])];
    this.votes = new VoteBook(o.gateways);
    this.gwIds = [...o.gateways.keys()].sort();
  }

  get id(): string { return this.o.id; }
  get globalModel(): Uint8Array { return this.model; }
  get currentCommittee(): readonly string[] { return this.committee; }
  private get height(): number { return this.o.ledger.height; }
  private log(level: 'info' | 'warn', event: string, x: Record<string, unknown> = {}) { this.o.log?.({ level, event, gw: this.o.id, ...x }); }

  /** Leader of a height in a view (round-robin over the sorted gateway ids). */
  leaderOf(height: number, view: number): string { return this.gwIds[(height + view) % this.gwIds.length]; }

  async connect(url: string): Promise<void> {
    this.client = await mqtt.connectAsync(url, { clientId: `cl-${this.o.id}-${process.pid}`, reconnectPeriod: 0, clean: true });
    this.client.on('message', (topic, payload) => this.dispatch(topic, new Uint8Array(payload)));
    const t = this.o.task;
    await this.client.subscribeAsync([updateFilter(t), M.proposeTopic(t), M.voteTopic(t), M.syncTopic(t), M.syncReplyTopic(t, this.o.id)], { qos: 1 });
  }

  /** The single dispatch point: one handler per message type. */
  private dispatch(topic: string, payload: Uint8Array): void {
    if (this.stopped) return;
    const t = this.o.task;
    const run = async () => {
      const dev = deviceOfUpdateTopic(topic);
      if (dev !== undefined) return this.onUpdate(dev, payload);
      if (topic === M.proposeTopic(t)) return this.onProposal(M.decodeProposal(payload));
      if (topic === M.voteTopic(t)) return this.onVote(M.decodeVote(payload));
      if (topic === M.syncTopic(t)) return this.onSyncRequest(M.decodeSyncRequest(payload));
      if (topic === M.syncReplyTopic(t, this.o.id)) return this.onSyncReply(M.decodeSyncReply(payload));
    };
    // Cluster messages are handled one at a time, in arrival order, so imports never race.
    const next = this.inbox.then(run).catch((e) => this.log('warn', 'reject', { topic, detail: String((e as Error)?.message ?? e) }));
    this.inbox = next;
  }

  protected publish(topic: string, bytes: Uint8Array): void {
    this.sent.messages++; this.sent.bytes += bytes.length;
    this.client?.publish(topic, Buffer.from(bytes), { qos: 1 });
  }

  // ---- device updates (same admission as the single gateway, gateway/check-update.ts) ----
  private replayEarly(): void {
    const e = this.early; this.early = [];
    for (const [d, p] of e) this.onUpdate(d, p, true);
  }

  private onUpdate(topicDevice: string, payload: Uint8Array, replay = false): void {
    const ctx: RoundContext = {
      task: this.o.task, round: this.round, baseHash: sha256(this.model), baseHeader: this.baseHeader,
      maxBytes: MAX_MODEL_BYTES + 4096, device: (id) => this.deviceKey(id), hasUpdate: (id) => this.byDevice.has(id),
    };
    const v = checkUpdate(payload, topicDevice, ctx);
    if (!v.ok) {
      // A peer may finalize and announce the next round before we do: keep such updates (bounded).
      if (!replay && (v.reason === 'wrong_round' || v.reason === 'stale_base') && this.early.length < 100_000) { this.early.push([topicDevice, payload]); return; }
      this.log('warn', 'reject', { device: v.deviceId, reason: v.reason }); return;
    }
    this.updates.set(toHex(v.update.updateHash), v.update);
    this.byDevice.add(v.update.deviceId);
    this.retryPending();
    this.wake?.();
  }

  private deviceKey(id: string) {
    const d = this.o.ledger.device(id);
    if (!d) return undefined;
    return { key: publicKeyObject(d.publicKey), counter: d.counter };
  }

  private candidates(pool?: Uint8Array[]): Candidate[] | undefined {
    const ups = pool ? pool.map((h) => this.updates.get(toHex(h))) : [...this.updates.values()];
    if (ups.some((u) => !u)) return undefined;
    return canonicalOrder(ups.map((u) => ({ id: u!.deviceId, n: u!.fields.n, params: u!.params, updateHash: u!.updateHash })));
  }

  private engineCtx(): EngineContext {
    return {
      keyOf: (id) => this.o.gateways.get(id) ?? this.o.ledger.deviceRecord(id)?.publicKey,
      rule: this.o.rule, ruleOpts: this.o.ruleOpts,
    };
  }

  private inputFor(cands: Candidate[], committee: string[]): RoundInput {
    return { round: this.round, prev: this.o.ledger.headHash(), candidates: cands, committee };
  }

  /** The block content a decision implies: one update record per accepted update (score =
   *  the engine's score) and the new global model record. Pure given the decision. */
  private contentOf(d: Decision, cands: Candidate[]): { txs: (s: Signer) => Tx[]; model?: Uint8Array; bodies: Uint8Array } {
    const byId = new Map(cands.map((c) => [c.id, c]));
    const ups = d.accepted.map((id) => this.updates.get(toHex(byId.get(id)!.updateHash))!);
    const recs = ups.map((u) => ({ task: this.o.task, round: this.round, deviceId: u.deviceId, envelopeHash: u.envelopeHash, updateHash: u.updateHash, n: u.fields.n, score: d.scores.get(u.deviceId) ?? 0, ctr: u.fields.ctr }));
    const model = d.params ? encodeModel(this.baseHeader, d.params) : undefined;
    const gm = model ? { task: this.o.task, round: this.round, modelHash: sha256(model), updates: ups.map((u) => u.updateHash) } : undefined;
    const bodies = encodeCanonical(defined([recs, gm ?? null]));
    return { txs: (s) => [...recs.map((r) => updateRecordTx(s, r)), ...(gm ? [globalModelTx(s, gm)] : [])], model, bodies };
  }

  // ---- proposing ----
  private readonly proposed = new Map<number, M.Proposal>();
  private async propose(view: number): Promise<void> {
    const h = this.height + 1;
    // An honest node signs one block per height: a new view re-sends what we proposed or
    // approved before (so locked voters can still finalize it) instead of a rival block.
    const mineBefore = this.proposed.get(h);
    const lockedOn = this.voted.get(h);
    const locked = lockedOn ? this.pending.get(h)?.get(lockedOn)?.p : undefined;
    if (mineBefore || locked) { this.publish(M.proposeTopic(this.o.task), M.encodeProposal({ ...(locked ?? mineBefore)!, view })); return; }
    const cands = this.candidates()!;
    const input = this.inputFor(cands, this.committee);
    let evidence: unknown = null;
    let decision: Decision;
    const cons: { engine: string; round: number; committee: string[]; nonce?: number; difficulty?: number } = { engine: this.o.engine.name, round: this.round, committee: this.gwIds };
    if (this.o.engine.name === 'pow') {
      const ev = await this.mineRound(input);
      if (!ev) return;   // a rival's block arrived first
      evidence = ev; cons.nonce = ev.nonce; cons.difficulty = ev.difficulty;
    } else if (this.o.evidence) {
      evidence = await this.o.evidence.collect(input);
    }
    try { decision = this.o.engine.decide(input, evidence, this.engineCtx()); } catch (e) { this.log('warn', 'no_decision', { detail: String(e) }); return; }
    if (this.voted.has(h) || this.height + 1 !== h) return;   // voted already, or the height moved on
    const content = this.contentOf(decision, cands);
    const time = Math.max((this.o.now ?? Date.now)(), this.o.ledger.head().time);
    const block = await this.o.ledger.propose(this.o.signer, content.txs(this.o.signer), cons, time);
    const p: M.Proposal = { height: h, view, round: this.round, block: encodeBlock(block), pool: cands.map((c) => c.updateHash), committee: this.committee, evidence: this.o.engine.encodeEvidence(evidence) };
    this.proposed.set(h, p);
    this.sendProposal(p, block);
  }

  /** Publishes a proposal (a test subclass overrides this to equivocate). */
  protected sendProposal(p: M.Proposal, _block: Block): void {
    this.publish(M.proposeTopic(this.o.task), M.encodeProposal(p));
  }

  /** PoW (004 §III-C): mine in bounded chunks, yielding so a rival's block can stop us. */
  private async mineRound(input: RoundInput): Promise<PowEvidence | undefined> {
    const cfg = this.o.pow ?? { difficulty: 8 };
    const h = this.height + 1;
    const ups = input.candidates.map((c) => ({ params: c.params, n: c.n, score: 0 }));
    const agg = ups.length ? this.o.rule(ups, this.o.ruleOpts) : undefined;
    const prefix = workPrefix(input, this.o.id, agg, cfg.difficulty);
    const chunk = cfg.chunk ?? 256;
    for (let from = 0; from < Number.MAX_SAFE_INTEGER - chunk; from += chunk) {
      if (this.stopped || this.height >= h || this.pending.get(h)?.size) return undefined;
      const n = mine(prefix, cfg.difficulty, from, chunk);
      if (n !== undefined) return { miner: this.o.id, nonce: n, difficulty: cfg.difficulty };
      await yieldToLoop();
    }
    return undefined;
  }

  // ---- checking proposals and voting ----
  private async onProposal(p: M.Proposal): Promise<void> {
    const block = decodeBlock(p.block);
    const h = block.header.height;
    if (h <= this.height) return;
    if (h > this.height + 1) { this.requestSync(); return; }
    const proposer = block.header.proposer;
    const key = this.o.gateways.get(proposer);
    if (!key || !verifySig(key, proposerSigningBytes(block.hash), block.sig)) throw new ConsensusError('bad_signature', `proposal of ${proposer} does not verify`);
    // Two signed proposals by one gateway at one height: equivocation evidence (proposer signatures).
    const seenKey = `${h}/${proposer}`;
    const seen = this.seenProposals.get(seenKey);
    if (seen && !bytesEqual(seen.hash, block.hash)) {
      this.record({ id: proposer, height: h, kind: 'propose', a: seen, b: { hash: block.hash, sig: block.sig } });
    } else if (!seen) this.seenProposals.set(seenKey, { hash: block.hash, sig: block.sig });
    // Leader engines: the proposer must lead this height in the proposal's view or an earlier
    // one (a later leader may re-send a locked block).
    if (this.o.engine.name !== 'pow' && !Array.from({ length: Math.min(p.view, 64) + 1 }, (_, v) => this.leaderOf(h, v)).includes(proposer)) {
      throw new ConsensusError('not_leader', `${proposer} does not lead height ${h} up to view ${p.view}`);
    }
    let at = this.pending.get(h);
    if (!at) this.pending.set(h, (at = new Map()));
    const k = toHex(block.hash);
    if (!at.has(k)) at.set(k, { p, block, received: Date.now() });
    this.checkPending(h, k);
  }

  private retryPending(): void {
    const at = this.pending.get(this.height + 1);
    if (at) for (const k of at.keys()) this.checkPending(this.height + 1, k);
  }

  /** Recomputes the decision for a proposal; votes when it matches (once per height). */
  private checkPending(h: number, k: string): void {
    const pe = this.pending.get(h)?.get(k);
    if (!pe || pe.decision || h !== this.height + 1) return;
    const { p, block } = pe;
    if (!bytesEqual(block.header.prev, this.o.ledger.headHash()) || block.header.cons.round !== this.round) return;
    const cands = this.candidates(p.pool);
    if (!cands) return;   // some updates have not reached us yet: retried when they do
    const committee = this.committee.length || this.o.engine.name === 'fedavg' || this.o.engine.name === 'pow' ? this.committee : p.committee;
    if (committee.join() !== p.committee.join()) { this.log('warn', 'reject', { reason: 'committee_mismatch', height: h }); return; }
    let d: Decision;
    try { d = this.o.engine.decide(this.inputFor(cands, committee), this.o.engine.decodeEvidence(p.evidence), this.engineCtx()); } catch (e) {
      this.log('warn', 'reject', { reason: 'bad_evidence', height: h, detail: String(e) }); return;
    }
    const mine = this.contentOf(d, cands).bodies;
    const theirs = encodeCanonical(defined([block.txs.filter((t) => t.type === 'update').map((t) => t.body), block.txs.find((t) => t.type === 'model')?.body ?? null]));
    if (!bytesEqual(mine, theirs) || block.txs.some((t) => t.type !== 'update' && t.type !== 'model')) {
      this.log('warn', 'reject', { reason: 'content_mismatch', height: h, proposer: block.header.proposer }); return;
    }
    pe.decision = d;
    if (this.o.engine.name === 'pow') { this.followPowLeader(h); this.scheduleForkChoice(h); return; }
    this.vote(h, block);
  }

  private forkTimer?: NodeJS.Timeout;
  private view = 0;
  /** PoW forks (004 §IV): the height's leader waits a short window for rival mined blocks and
   *  picks one by the fork rule; the others approve the leader's pick once they have checked it
   *  (followPowLeader), so honest votes never split between rival blocks. */
  private scheduleForkChoice(h: number): void {
    if (this.forkTimer || this.voted.has(h) || this.leaderOf(h, this.view) !== this.o.id) return;
    this.forkTimer = setTimeout(() => {
      this.forkTimer = undefined;
      if (this.voted.has(h) || this.height + 1 !== h) return;
      const valid = [...(this.pending.get(h)?.values() ?? [])].filter((x) => x.decision);
      if (!valid.length) return;
      const rule = this.o.pow?.forkRule ?? 'longest';
      const produced = producedCounts(this.proposers);
      const local = this.candidates() ? this.o.rule(this.candidates()!.map((c) => ({ params: c.params, n: c.n })), this.o.ruleOpts) : undefined;
      const i = chooseBranch(valid.map((x) => [{ miner: x.block.header.proposer, hash: x.block.hash, params: x.decision!.params ?? new Int32Array(0) }]), rule === 'distance' && !local ? 'longest' : rule, {
        reputation: (m) => reputationByBlocks(produced.get(m) ?? 0, Math.max(1, this.proposers.length)), local,
      });
      if (valid.length > 1) this.log('info', 'fork', { height: h, candidates: valid.length, rule, chosen: valid[i].block.header.proposer });
      this.vote(h, valid[i].block);
    }, this.o.pow?.forkWindowMs ?? 20);
  }
  private proposers: string[] = [];

  /** PoW follower: approve the block that the leader of the latest view (up to ours) approved,
   *  once we have checked it ourselves. */
  private followPowLeader(h: number): void {
    if (this.voted.has(h) || h !== this.height + 1) return;
    for (let v = this.view; v >= 0; v--) {
      const leader = this.leaderOf(h, v);
      const pick = [...(this.pending.get(h)?.values() ?? [])].find((pe) => pe.decision && this.votes.votes(h, pe.block.hash).some((x) => x.id === leader));
      if (pick) { this.vote(h, pick.block); return; }
    }
  }

  private vote(h: number, block: Block): void {
    const prior = this.voted.get(h);
    if (prior && prior !== toHex(block.hash)) return;   // an honest node signs one block per height
    this.voted.set(h, toHex(block.hash));
    const v = { height: h, hash: block.hash, id: this.o.id, sig: this.o.signer.sign(approvalSigningBytes(block.hash)) };
    this.publish(M.voteTopic(this.o.task), M.encodeVote(v));
  }

  private record(e: Equivocation): void {
    if (this.evidence.some((x) => x.id === e.id && x.height === e.height && x.kind === e.kind)) return;
    this.evidence.push(e);
    this.log('warn', 'equivocation', { offender: e.id, height: e.height, kind: e.kind });
  }

  private async onVote(v: ReturnType<typeof M.decodeVote>): Promise<void> {
    if (v.height <= this.height) return;
    const r = this.votes.add(v);
    if (r.kind === 'equivocation') this.record(r.evidence);
    if (r.kind !== 'new') return;
    if (v.height > this.height + 1) { this.requestSync(); return; }
    if (this.o.engine.name === 'pow') this.followPowLeader(v.height);
    await this.tryFinalize(v.height, v.hash);
  }

  private finalizing = false;
  /** Commits a block once ≥ 2f+1 distinct gateways approved it and we checked its content. */
  private async tryFinalize(h: number, hash: Uint8Array): Promise<void> {
    const votes = this.votes.votes(h, hash);
    if (votes.length < finalityQuorum(this.gwIds.length) || this.finalizing || h !== this.height + 1) return;
    const pe = this.pending.get(h)?.get(toHex(hash));
    if (!pe?.decision) return;
    this.finalizing = true;
    try {
      const block: Block = { ...pe.block, approvals: [...votes].sort((a, b) => (a.id < b.id ? -1 : 1)).map((v) => ({ id: v.id, sig: v.sig })) };
      const d = pe.decision;
      const accepted = new Set(d.accepted);
      const envelopes = [...this.updates.values()].filter((u) => accepted.has(u.deviceId)).map((u) => u.envelope);
      await this.o.ledger.importBlock(block);
      if (d.params) this.model = encodeModel(this.baseHeader, d.params);
      this.afterCommit(block, d, pe.p.view);
      // Payloads (device envelopes, the model) go to the blob store after finality, in parallel:
      // the chain never depends on them (update records carry their hashes), peers fetch them.
      await Promise.all([...envelopes, ...(d.params ? [this.model] : [])].map((b) => this.o.ledger.putBlob(b)));
    } finally { this.finalizing = false; }
  }

  private last?: { block: Block; decision: Decision; view: number };
  private afterCommit(block: Block, d: Decision, view: number): void {
    this.proposers.push(block.header.proposer);
    if (d.nextCommittee.length || this.o.engine.name === 'committee') this.committee = d.nextCommittee;
    this.last = { block, decision: d, view };
    this.pending.delete(block.header.height);
    this.votes.prune(block.header.height + 1);
    this.round = (block.header.cons.round ?? this.round) + 1;
    this.view = 0;
    this.updates.clear(); this.byDevice.clear();
    this.replayEarly();
    this.wake?.();
  }

  // ---- catch-up ----
  private syncAsked = 0;
  /** Asks peers for finalized blocks after our head (rate-limited). */
  requestSync(): void {
    const now = Date.now();
    if (now - this.syncAsked < 200) return;
    this.syncAsked = now;
    this.publish(M.syncTopic(this.o.task), M.encodeSyncRequest({ id: this.o.id, from: this.height + 1 }));
  }

  private async onSyncRequest(r: M.SyncRequest): Promise<void> {
    if (r.id === this.o.id || r.from > this.height || !this.o.gateways.has(r.id)) return;
    const blocks: Uint8Array[] = [];
    for (let h = r.from; h <= this.height && blocks.length < 1000; h++) blocks.push(encodeBlock(await this.o.ledger.block(h)));
    this.publish(M.syncReplyTopic(this.o.task, r.id), M.encodeSyncReply({ blocks, model: this.model, committee: this.committee }));
  }

  /** Imports peers' blocks; the ledger re-checks every rule and the ≥ 2f+1 approvals. */
  private async onSyncReply(r: M.SyncReply): Promise<void> {
    let imported = 0;
    for (const bytes of r.blocks) {
      const b = decodeBlock(bytes);
      if (b.header.height !== this.height + 1) continue;
      await this.o.ledger.importBlock(b);
      this.proposers.push(b.header.proposer);
      this.round = (b.header.cons.round ?? this.round) + 1;
      imported++;
    }
    if (!imported) return;
    const rec = this.o.ledger.model(this.o.task);
    if (rec && bytesEqual(sha256(r.model), rec.modelHash)) {
      this.model = r.model; await this.o.ledger.putBlob(r.model);
      this.committee = [...r.committee];
    } else {
      const blob = rec ? await this.o.ledger.getBlob(rec.modelHash) : undefined;
      if (blob) this.model = blob;
    }
    this.updates.clear(); this.byDevice.clear();
    this.replayEarly();
    this.log('info', 'caught_up', { height: this.height, imported });
    this.wake?.();
  }

  // ---- the round loop ----
  private publishGlobal(round: number, done: boolean): void {
    const msg = encodeGlobal(this.o.id, { task: this.o.task, round, model: this.model, done }, this.o.signingKey);
    this.client?.publish(globalTopic(this.o.task), Buffer.from(msg), { qos: 1, retain: true });
  }

  private until(cond: () => boolean, ms: number): Promise<boolean> {
    return new Promise((res) => {
      if (cond()) return res(true);
      const timer = setTimeout(() => { this.wake = undefined; res(cond()); }, ms);
      this.wake = () => { if (cond()) { clearTimeout(timer); this.wake = undefined; res(true); } };
    });
  }

  /** Runs rounds until `rounds` are final (or stop()). */
  async run(onRound?: (s: ClusterRoundSummary) => void): Promise<ClusterRoundSummary[]> {
    const out: ClusterRoundSummary[] = [];
    const viewMs = this.o.viewTimeoutMs ?? this.o.roundTimeoutMs;
    while (!this.stopped && this.round <= this.o.rounds) {
      const t0 = Date.now();
      const round = this.round, h = this.height + 1;
      this.publishGlobal(round, false);
      const trainers = this.o.expected.filter((d) => !this.committee.includes(d) || this.o.engine.name !== 'committee');
      await this.until(() => this.stopped || this.height >= h || trainers.every((d) => this.byDevice.has(d)), this.o.roundTimeoutMs);
      const tc = Date.now();
      for (let view = 0; !this.stopped && this.height < h; view++) {
        if (this.round !== round) break;
        this.view = view;
        if (this.o.engine.name === 'pow') this.scheduleForkChoice(h);
        if (this.o.engine.name === 'pow' || this.leaderOf(h, view) === this.o.id) void this.propose(view).catch((e) => this.log('warn', 'propose_failed', { detail: String(e) }));
        await this.until(() => this.stopped || this.height >= h, viewMs);
        if (this.height < h) this.requestSync();
      }
      if (this.stopped) break;
      if (!this.last || this.last.block.header.height !== h) continue;   // caught up from peers instead
      const s: ClusterRoundSummary = {
        round, height: this.height, accepted: this.last.decision.accepted.length, leader: this.last.block.header.proposer, view: this.last.view,
        modelHash: toHex(sha256(this.model)), ms: Date.now() - t0, consensusMs: Date.now() - tc,
      };
      const ev = this.o.evaluate?.(this.model);
      if (ev) { s.accuracy = ev.accuracy; s.loss = ev.loss; }
      out.push(s);
      onRound?.(s);
    }
    if (!this.stopped) this.publishGlobal(this.o.rounds + 1, true);
    return out;
  }

  /** Stops the loop (Ctrl-C, or a test's crash). */
  stop(): void { this.stopped = true; this.wake?.(); }

  /** Closes the MQTT connection; `crash` drops it without a clean disconnect. */
  async close(crash = false): Promise<void> {
    this.stop();
    if (crash) { this.client?.end(true); return; }
    await this.client?.endAsync();
    await this.inbox;   // pending handlers and blob writes finish before the ledger closes
  }
}
