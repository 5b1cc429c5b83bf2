// BFT finality among super nodes (the part of the old cluster node that stays; docs/consensus.md
// §Cluster protocol). Each round, the round's leader — or under PoW every miner — seals the
// machine's decision into a block and proposes it with the candidate pool and the engine's
// evidence; every gateway re-checks it against its own admitted updates (machine.checkProposal)
// and approves a block that matches; a block is final with approvals of ≥ 2f+1 of the 3f+1
// gateways (votes.ts), checked again by the ledger on import. A leader that fails is replaced
// after a view timeout; a gateway that fell behind catches up from its peers. Transport and
// clock come from the driver (FinalityHost), so all of it runs on fake time in tests.
import { sha256, bytesEqual, toHex } from '../../protocol/bytes.js';
import { proposeTopic, voteTopic, syncTopic, syncReplyTopic, parseTopic } from '../../protocol/topics.js';
import { decodeBlock, encodeBlock, type Block, type Ledger, type Signer } from '../ledger/index.js';
import { proposerSigningBytes, approvalSigningBytes } from '../ledger/block.js';
import { verifySig } from '../ledger/signer.js';
import type { Decision, RoundInput } from '../consensus/engine.js';
import { chooseBranch, producedCounts, reputationByBlocks, reputationByStake, type ForkRule } from '../consensus/fork.js';
import { contentTxs, type RoundContent } from '../round/content.js';
import type { RoundEffect } from '../round/machine.js';
import type { Finality, FinalityHost } from '../round/ports.js';
import type { CancelTimer } from '../../protocol/clock.js';
import { VoteBook, finalityQuorum, type Equivocation } from './votes.js';
import * as M from './messages.js';

export interface BftOptions {
  id: string;
  ledger: Ledger;
  signer: Signer;
  /** Every super node's raw Ed25519 key (the genesis managers). */
  gateways: ReadonlyMap<string, Uint8Array>;
  /** Leader replacement after this long without finality. */
  viewTimeoutMs: number;
  /** PoW fork choice (004 §IV) and how long the height's leader waits for rival blocks. */
  forkRule?: ForkRule;
  forkWindowMs?: number;
  /** Liveness: after this long without a finalized block, `onStall` is called once (the gateway
   *  CLI exits with an error); until then every view change logs `waiting_for_quorum`. */
  stallTimeoutMs?: number;
  onStall?(s: QuorumStatus): void;
}

/** What a gateway that cannot finalize waits for: approvals at `height`, and who is silent. */
export interface QuorumStatus {
  height: number; view: number; need: number; gateways: number;
  /** Best block at the height: the gateways that approved it. */
  approvals: string[];
  /** Gateways heard from (a verified vote or proposal) since the last finalized block, and the rest. */
  heard: string[]; silent: string[];
  waitedMs: number;
}

/** Equivocation records kept (the oldest are dropped first). */
export const MAX_EVIDENCE = 1024;

interface Pending { p: M.Proposal; block: Block; decision?: Decision; content?: RoundContent }

/** BFT finality for one gateway of a cluster.
 *  @example new RoundDriver({ …, finality: new BftFinality({ id, ledger, signer, gateways, viewTimeoutMs }) }) */
export class BftFinality implements Finality {
  readonly topics: string[];
  readonly votes: VoteBook;
  /** Equivocation evidence this gateway has seen (both signatures verify). */
  readonly evidence: Equivocation[] = [];
  /** Messages and bytes this gateway published on cluster topics (bench: transmission cost). */
  readonly sent = { messages: 0, bytes: 0 };
  protected host!: FinalityHost;
  private readonly gwIds: string[];
  private readonly pending = new Map<number, Map<string, Pending>>();
  private readonly voted = new Map<number, string>();
  private readonly proposed = new Map<number, M.Proposal>();
  /** The block we built per height and the decision it carries (our own needs no re-check). */
  private readonly built = new Map<number, { hash: Uint8Array; decision: Decision; content: RoundContent }>();
  private readonly seenProposals = new Map<string, { hash: Uint8Array; sig: Uint8Array }>();
  private readonly proposers: string[] = [];
  private inbox: Promise<unknown> = Promise.resolve();
  private view = 0;
  private viewTimer?: CancelTimer;
  private forkTimer?: CancelTimer;
  private graceTimer?: CancelTimer;
  private stallTimer?: CancelTimer;
  private syncAsked = -Infinity;
  private lastFinal = 0;
  private stalled = false;
  /** Gateways that sent a verified vote or proposal since the last finalized block. */
  private readonly heard = new Set<string>();
  private finalizing = false;
  private stopped = false;

  constructor(protected readonly o: BftOptions) {
    this.votes = new VoteBook(o.gateways);
    this.gwIds = [...o.gateways.keys()].sort();
    this.topics = [];
  }

  private get task(): string { return this.host.cfg.task; }
  private get height(): number { return this.o.ledger.height; }
  private get miner(): boolean { return this.host.cfg.engine.caps.proposer === 'miner'; }

  /** What this gateway is doing now (read-only; the dashboard's cluster view). */
  status(): { ids: readonly string[]; height: number; view: number; leader: string; voted?: string } {
    const h = this.height + 1;
    return { ids: this.gwIds, height: h, view: this.view, leader: this.leaderOf(h, this.view), voted: this.voted.get(h) };
  }

  /** Leader of a height in a view (round-robin over the sorted gateway ids). */
  leaderOf(height: number, view: number): string { return this.gwIds[(height + view) % this.gwIds.length]; }

  start(host: FinalityHost): void {
    this.host = host;
    this.lastFinal = host.clock.now();
    this.armStall();
    const t = host.cfg.task;
    this.topics.push(proposeTopic(t), voteTopic(t), syncTopic(t), syncReplyTopic(t, this.o.id));
  }

  /** Cluster messages are handled one at a time, in arrival order, so imports never race. */
  onMessage(topic: string, payload: Uint8Array): Promise<void> {
    const run = async () => {
      if (this.stopped) return;
      const t = parseTopic(topic);
      switch (t?.kind) {
        case 'propose': return this.onProposal(M.decodeProposal(payload));
        case 'vote': return this.onVote(M.decodeVote(payload));
        case 'sync': return this.onSyncRequest(M.decodeSyncRequest(payload));
        case 'syncReply': return this.onSyncReply(M.decodeSyncReply(payload));
      }
    };
    const next = this.inbox.then(run).catch((e) => this.host.log('warn', 'reject', { topic, reason: (e as { reason?: string }).reason ?? 'bad_message', detail: String((e as Error)?.message ?? e) }));
    this.inbox = next;
    return next;
  }

  protected publish(topic: string, bytes: Uint8Array): void {
    this.sent.messages++; this.sent.bytes += bytes.length;
    this.host.transport.publish(topic, bytes, { qos: 1 }).catch((e) => this.host.log('warn', 'publish_failed', { topic, detail: String(e?.message ?? e) }));
  }

  // ---- views ----
  onClosed(_input: RoundInput): void { this.beginView(0); this.retryPending(); }

  private beginView(view: number): void {
    if (this.stopped) return;
    const h = this.height + 1;
    this.view = view;
    this.viewTimer?.();
    if (this.miner) this.scheduleForkChoice(h);
    const lockedOn = this.voted.get(h);
    const locked = lockedOn ? this.pending.get(h)?.get(lockedOn)?.p : undefined;
    if (this.miner || this.leaderOf(h, view) === this.o.id) {
      // An honest node signs one block per height: a new view re-sends what we proposed or
      // approved before (so locked voters can still finalize it) instead of a rival block.
      const before = locked ?? this.proposed.get(h);
      if (before) this.publish(proposeTopic(this.task), M.encodeProposal({ ...before, view }));
      else if (view === 0 || this.miner) this.host.gather();
      else this.adoptOrGather(h, view);
    } else if (locked && view > 0) {
      // Liveness after lost messages (e.g. a broker restart): a locked gateway re-sends the block
      // it approved, as first proposed, so the new leader and the others can approve it too
      // rather than split their votes over a rival block no view change could resolve.
      this.publish(proposeTopic(this.task), M.encodeProposal(locked));
    }
    this.viewTimer = this.host.clock.setTimer(this.o.viewTimeoutMs, () => {
      if (this.stopped || this.height >= h) return;
      this.host.log('info', 'view_change', { height: h, view: view + 1 });
      this.reportQuorum(h, view + 1);
      this.requestSync();
      this.beginView(view + 1);
    });
  }

  /** A leader of a later view with no block of its own first waits a short grace for the locked
   *  gateways' re-sent block; if one is pending (waiting for updates still on their way), it
   *  approves that once it checks (checkPending votes for it) instead of proposing a rival. Safety does
   *  not depend on this: every gateway still approves at most one block per height. */
  private adoptOrGather(h: number, view: number): void {
    this.graceTimer?.();
    this.graceTimer = this.host.clock.setTimer(Math.max(1, Math.min(300, Math.floor(this.o.viewTimeoutMs / 3))), () => {
      this.graceTimer = undefined;
      if (this.stopped || this.height + 1 !== h || this.view !== view || this.voted.has(h) || this.proposed.has(h)) return;
      // a pending block we cannot check yet (updates still on their way) holds views 1–2 only:
      // from view 3 a leader proposes its own, as before, so a block no one else can check never stalls the height
      if (this.pending.get(h)?.size && view < 3) { this.retryPending(); return; }
      this.host.gather();
    });
  }

  /** The machine decided (this gateway leads the view, or mines): seal and propose. */
  propose(fx: Extract<RoundEffect, { type: 'propose' }>): void {
    const h = this.height + 1;
    if (this.voted.has(h) || this.proposed.has(h) || this.stopped) return;
    if (this.miner && this.pending.get(h)?.size) return;   // a rival's block arrived first
    const cons = { ...fx.content.cons, committee: this.gwIds };
    const time = Math.max(this.host.clock.now(), this.o.ledger.head().time);
    void this.o.ledger.propose(this.o.signer, contentTxs(fx.content, this.o.signer), cons, time).then((block) => {
      if (this.voted.has(h) || this.height + 1 !== h || this.proposed.has(h)) return;
      const p: M.Proposal = {
        height: h, view: this.view, round: fx.round, block: encodeBlock(block), pool: fx.input.candidates.map((c) => c.updateHash),
        committee: [...fx.input.committee], evidence: this.host.cfg.engine.encodeEvidence(fx.evidence),
      };
      this.proposed.set(h, p);
      this.built.set(h, { hash: block.hash, decision: fx.decision, content: fx.content });
      this.sendProposal(p, block);
    }).catch((e) => this.host.log('warn', 'propose_failed', { detail: String(e?.message ?? e) }));
  }

  /** Publishes a proposal (a test subclass overrides this to equivocate or lie). */
  protected sendProposal(p: M.Proposal, block: Block): void {
    this.publish(proposeTopic(this.task), M.encodeProposal(p));
    // The block we built and sent needs no check against our own decision (the machine made it,
    // the ledger ran its rules in propose): it is pending with that decision at once, so the
    // echo of the proposal from the broker is neither decoded nor re-aggregated (onProposal).
    const own = this.built.get(p.height);
    if (!own || !bytesEqual(own.hash, block.hash)) return;
    let at = this.pending.get(p.height);
    if (!at) this.pending.set(p.height, (at = new Map()));
    const pe: Pending = { p, block };
    at.set(toHex(block.hash), pe);
    this.decided(p.height, pe, own.decision, own.content);
  }

  // ---- checking proposals and voting ----
  private async onProposal(p: M.Proposal): Promise<void> {
    // the echo of our own proposal (any view): already pending with our decision (propose)
    const mine = this.proposed.get(p.height), own = this.built.get(p.height);
    if (mine && own && bytesEqual(mine.block, p.block) && this.pending.get(p.height)?.get(toHex(own.hash))?.decision) return;
    const block = decodeBlock(p.block);
    const h = block.header.height;
    if (h <= this.height) return;
    if (h > this.height + 1) { this.requestSync(); return; }
    const proposer = block.header.proposer;
    const key = this.o.gateways.get(proposer);
    const signed = proposerSigningBytes(block.hash);
    if (!key || !verifySig(key, signed, block.sig)) throw Object.assign(new Error(`proposal of ${proposer} does not verify`), { reason: 'bad_signature' });
    // checked here once: the import of this block at finality does not verify it again
    this.o.ledger.verdicts.record(key, signed, block.sig);
    this.heard.add(proposer);
    // Two signed proposals by one gateway at one height: equivocation evidence (proposer signatures).
    const seenKey = `${h}/${proposer}`;
    const seen = this.seenProposals.get(seenKey);
    if (seen && !bytesEqual(seen.hash, block.hash)) this.record({ id: proposer, height: h, kind: 'propose', a: seen, b: { hash: block.hash, sig: block.sig } });
    else if (!seen) this.seenProposals.set(seenKey, { hash: block.hash, sig: block.sig });
    // Leader engines: the proposer must lead this height in the proposal's view or an earlier
    // one (a later leader may re-send a locked block).
    if (!this.miner && !Array.from({ length: Math.min(p.view, 64) + 1 }, (_, v) => this.leaderOf(h, v)).includes(proposer)) {
      throw Object.assign(new Error(`${proposer} does not lead height ${h} up to view ${p.view}`), { reason: 'not_leader' });
    }
    let at = this.pending.get(h);
    if (!at) this.pending.set(h, (at = new Map()));
    const k = toHex(block.hash);
    // Bounded: an equivocating gateway may sign any number of rival blocks; two per gateway and
    // height are enough to keep the honest one and the evidence.
    if (!at.has(k) && at.size >= 2 * this.gwIds.length) throw Object.assign(new Error(`more than ${at.size} proposals at height ${h}`), { reason: 'too_many_proposals' });
    if (!at.has(k)) {
      at.set(k, { p, block });
      // its transaction signatures are checked on the worker pool while the votes come in, so
      // the import at finality need not check them on the event loop (ledger/preverify.ts);
      // not under PoW, where every miner proposes and all but one block are discarded
      if (!this.miner && block.header.proposer !== this.o.id) void this.o.ledger.preverify(block);
    }
    this.checkPending(h, k);
  }

  onAdmitted(): void { this.retryPending(); }

  private retryPending(): void {
    const at = this.pending.get(this.height + 1);
    if (at) for (const k of at.keys()) this.checkPending(this.height + 1, k);
  }

  /** Recomputes the decision for a proposal; approves it when it matches (once per height). */
  private checkPending(h: number, k: string): void {
    const pe = this.pending.get(h)?.get(k);
    if (!pe || pe.decision || h !== this.height + 1) return;
    let evidence: unknown;
    try { evidence = this.host.cfg.engine.decodeEvidence(pe.p.evidence); } catch (e) {
      this.host.log('warn', 'reject', { reason: 'bad_evidence', height: h, detail: String(e) }); this.pending.get(h)!.delete(k); return;
    }
    const r = this.host.check({ pool: pe.p.pool, committee: pe.p.committee, evidence, block: pe.block });
    if (!r.ok) {
      if (r.retry) return;   // e.g. some updates have not reached us yet: retried when they do
      this.host.log('warn', 'reject', { reason: r.reason, height: h, proposer: pe.block.header.proposer, detail: r.detail });
      this.pending.get(h)!.delete(k);
      return;
    }
    this.decided(h, pe, r.decision, r.content);
  }

  /** A pending block whose content matches the decision: approve it (leader engines), or
   *  follow the PoW leader's pick among the checked blocks. */
  private decided(h: number, pe: Pending, decision: Decision, content: RoundContent): void {
    pe.decision = decision; pe.content = content;
    if (this.miner) { this.host.abortGather(); this.followPowLeader(h); this.scheduleForkChoice(h); return; }
    this.vote(h, pe.block);
  }

  /** PoW forks (004 §IV): the height's leader waits a short window for rival mined blocks and
   *  picks one by the fork rule; the others approve the leader's pick once they have checked it
   *  (followPowLeader), so honest votes never split between rival blocks. */
  private scheduleForkChoice(h: number): void {
    if (this.forkTimer || this.voted.has(h) || this.leaderOf(h, this.view) !== this.o.id) return;
    this.forkTimer = this.host.clock.setTimer(this.o.forkWindowMs ?? 20, () => {
      this.forkTimer = undefined;
      if (this.voted.has(h) || this.height + 1 !== h) return;
      const valid = [...(this.pending.get(h)?.values() ?? [])].filter((x) => x.decision);
      if (!valid.length) return;
      const rule = this.o.forkRule ?? 'longest';
      const produced = producedCounts(this.proposers);
      const s = this.host.state();
      const cands = [...s.accepted.values()].map((u) => ({ params: u.params, n: u.fields.n }));
      const local = cands.length ? this.host.cfg.ctx.rule(cands, this.host.cfg.ctx.ruleOpts) : undefined;
      const i = chooseBranch(valid.map((x) => [{ miner: x.block.header.proposer, hash: x.block.hash, params: x.decision!.params ?? new Int32Array(0) }]), rule === 'distance' && !local ? 'longest' : rule, {
        reputation: (m) => reputationByBlocks(produced.get(m) ?? 0, Math.max(1, this.proposers.length)), local,
        stake: (m) => reputationByStake(this.o.ledger.balance(m), this.o.ledger.supply().supply),   // 004 s/t: balance over the total supply
      });
      if (valid.length > 1) this.host.log('info', 'fork', { height: h, candidates: valid.length, rule, chosen: valid[i].block.header.proposer });
      this.vote(h, valid[i].block);
    });
  }

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
    this.publish(voteTopic(this.task), M.encodeVote(v));
  }

  private record(e: Equivocation): void {
    if (this.evidence.some((x) => x.id === e.id && x.height === e.height && x.kind === e.kind)) return;
    if (this.evidence.length >= MAX_EVIDENCE) this.evidence.shift();   // bounded: the oldest goes
    this.evidence.push(e);
    this.host.log('warn', 'equivocation', { offender: e.id, height: e.height, kind: e.kind });
  }

  private async onVote(v: ReturnType<typeof M.decodeVote>): Promise<void> {
    if (v.height <= this.height) return;
    const r = this.votes.add(v);
    if (r.kind === 'new' || r.kind === 'equivocation') this.heard.add(v.id);
    // the book verified this approval: the ledger's quorum check at import need not again
    if (r.kind === 'new') this.o.ledger.verdicts.record(this.o.gateways.get(v.id)!, approvalSigningBytes(v.hash), v.sig);
    if (r.kind === 'equivocation') this.record(r.evidence);
    if (r.kind !== 'new') return;
    if (v.height > this.height + 1) { this.requestSync(); return; }
    if (this.miner) this.followPowLeader(v.height);
    await this.tryFinalize(v.height, v.hash);
  }

  /** Commits a block once ≥ 2f+1 distinct gateways approved it and we checked its content. */
  private async tryFinalize(h: number, hash: Uint8Array): Promise<void> {
    const votes = this.votes.votes(h, hash);
    if (votes.length < finalityQuorum(this.gwIds.length) || this.finalizing || h !== this.height + 1) return;
    const pe = this.pending.get(h)?.get(toHex(hash));
    if (!pe?.decision) return;
    this.finalizing = true;
    try {
      const block: Block = { ...pe.block, approvals: [...votes].sort((a, b) => (a.id < b.id ? -1 : 1)).map((v) => ({ id: v.id, sig: v.sig })) };
      await this.o.ledger.importBlock(block);
      this.afterCommit(block);
      const pool = pe.p.pool.map(toHex);
      const ids = [...this.host.state().accepted.values()].filter((u) => pool.includes(toHex(u.updateHash))).map((u) => u.deviceId);
      this.host.final({ block, decision: pe.decision, content: pe.content, pool: ids, view: pe.p.view });
    } finally { this.finalizing = false; }
  }

  private afterCommit(block: Block): void {
    const h = block.header.height;
    this.lastFinal = this.host.clock.now();
    this.armStall();
    this.heard.clear();
    this.proposers.push(block.header.proposer);
    this.pending.delete(h);
    // per-height bookkeeping of finalized heights is no longer needed (bounded memory)
    for (const m of [this.voted, this.proposed, this.built] as Map<number, unknown>[]) for (const k of m.keys()) if (k <= h) m.delete(k);
    for (const k of this.seenProposals.keys()) if (Number(k.slice(0, k.indexOf('/'))) <= h) this.seenProposals.delete(k);
    this.votes.prune(block.header.height + 1);
    this.viewTimer?.(); this.forkTimer?.(); this.forkTimer = undefined;
    this.view = 0;
  }

  /** Liveness (docs/consensus.md §Cluster protocol): says what this gateway waits for, and
   *  gives up through `onStall` after `stallTimeoutMs` without a finalized block. */
  quorumStatus(h = this.height + 1): QuorumStatus {
    let approvals: string[] = [];
    for (const pe of this.pending.get(h)?.values() ?? []) {
      const ids = this.votes.votes(h, pe.block.hash).map((v) => v.id);
      if (ids.length > approvals.length) approvals = ids;
    }
    this.heard.add(this.o.id);
    return {
      height: h, view: this.view, need: finalityQuorum(this.gwIds.length), gateways: this.gwIds.length, approvals: approvals.sort(),
      heard: this.gwIds.filter((g) => this.heard.has(g)), silent: this.gwIds.filter((g) => !this.heard.has(g)), waitedMs: this.host.clock.now() - this.lastFinal,
    };
  }

  /** The stall check runs `stallTimeoutMs` after the last finalized block whatever this gateway
   *  is waiting for — not only at view changes, which need a view in progress (a gateway still
   *  collecting, or waiting for a proposal that never came, has none running). */
  private armStall(delay = this.o.stallTimeoutMs): void {
    if (this.o.stallTimeoutMs === undefined || delay === undefined) return;
    this.stallTimer?.();
    this.stallTimer = this.host.clock.setTimer(delay, () => {
      this.stallTimer = undefined;
      if (this.stopped || this.stalled) return;
      const left = this.o.stallTimeoutMs! - (this.host.clock.now() - this.lastFinal);
      if (left > 0) this.armStall(left);   // a timer that fired a millisecond early
      else this.reportQuorum(this.height + 1, this.view);
    });
  }

  private reportQuorum(h: number, view: number): void {
    const s = { ...this.quorumStatus(h), view };
    this.host.log('warn', 'waiting_for_quorum', { ...s });
    if (this.o.stallTimeoutMs !== undefined && s.waitedMs >= this.o.stallTimeoutMs && !this.stalled) { this.stalled = true; this.o.onStall?.(s); }
  }

  // ---- catch-up ----
  /** Asks peers for finalized blocks after our head (rate-limited). */
  requestSync(): void {
    const now = this.host.clock.now();
    if (now - this.syncAsked < 200) return;
    this.syncAsked = now;
    this.publish(syncTopic(this.task), M.encodeSyncRequest({ id: this.o.id, from: this.height + 1 }));
  }

  private async onSyncRequest(r: M.SyncRequest): Promise<void> {
    if (r.id === this.o.id || r.from > this.height || !this.o.gateways.has(r.id)) return;
    // Fill the reply up to the cluster message limit (the model and framing take the rest); the
    // requester asks again from its new head.
    const s = this.host.state();
    const blocks: Uint8Array[] = [];
    let bytes = s.model.length + 64 * 1024;
    for (let h = r.from; h <= this.height && blocks.length < 1000; h++) {
      const b = encodeBlock(await this.o.ledger.block(h));
      if (blocks.length && bytes + b.length > M.MAX_CLUSTER_MESSAGE) break;
      blocks.push(b); bytes += b.length;
    }
    this.publish(syncReplyTopic(this.task, r.id), M.encodeSyncReply({ blocks, model: s.model, committee: [...s.committee] }));
  }

  /** Imports peers' blocks; the ledger re-checks every rule and the ≥ 2f+1 approvals. The model
   *  is taken only if its hash is the chain's, the committee only from the chain's model record. */
  private async onSyncReply(r: M.SyncReply): Promise<void> {
    let last: Block | undefined;
    for (const bytes of r.blocks) {
      const b = decodeBlock(bytes);
      if (b.header.height !== this.height + 1) continue;
      await this.o.ledger.importBlock(b);
      this.afterCommit(b);
      last = b;
    }
    if (!last) return;
    const rec = this.o.ledger.model(this.task);
    const s = this.host.state();
    let model = s.model;
    if (rec && bytesEqual(sha256(r.model), rec.modelHash)) { model = r.model; await this.o.ledger.putBlob(r.model); }
    else if (rec) model = (await this.o.ledger.getBlob(rec.modelHash)) ?? model;
    if (rec && !bytesEqual(sha256(model), rec.modelHash)) this.host.log('warn', 'sync_model_missing', { height: this.height });
    const committee = rec?.committee ?? s.committee;
    this.host.log('info', 'caught_up', { height: this.height });
    this.host.synced({ head: { height: last.header.height, hash: last.hash, time: last.header.time, cert: last.approvals }, round: (last.header.cons.round ?? s.round) + 1, model, committee, trust: rec?.trust ? new Map(rec.trust) : undefined });
  }

  stop(): void { this.stopped = true; this.viewTimer?.(); this.forkTimer?.(); this.graceTimer?.(); this.stallTimer?.(); }
  async drain(): Promise<void> { await this.inbox; }
}
