// The one round driver (STYLE §11): owns the machine's state and performs its effects over the
// injected ports — Transport (MQTT or in-memory), Clock (real or fake), Finality (local append
// or BFT), EvidenceSource and the blob store. The single gateway, every cluster node and the
// simulator's gateway are configurations of this class (gateway/deployments.ts).
import type { KeyObject } from 'node:crypto';
import { encodeAnnouncement } from '../../protocol/announcement.js';
import { encodeCanonical } from '../../protocol/cbor.js';
import { parseTopic, updateFilter, globalTopic, ackTopic, roundTopic, presenceFilter, presenceTopic, type ParsedTopic, type TopicKind } from '../../protocol/topics.js';
import { encodePresence, decodePresence } from '../../protocol/presence.js';
import type { CancelTimer } from '../../protocol/clock.js';
import { step, checkProposal, roundInput, type RoundConfig, type RoundEffect, type RoundEvent, type RoundState } from './machine.js';
import type { RoundSummary, Rejection } from './summary.js';
import { noEvidence, type Clock, type EvidenceSource, type Finality, type FinalityHost, type Transport } from './ports.js';

/** Rejections logged (and passed to onReject) per round; the summary counts all of them. */
export const MAX_REJECT_LOGS = 100;
/** Rejection acks per device and round: a flooding client gets a few answers, not one per message. */
export const MAX_REJECT_ACKS = 4;

export type DriverLog = (e: { level: 'info' | 'warn'; event: string; [k: string]: unknown }) => void;

export interface DriverOptions {
  cfg: RoundConfig;
  state: RoundState;
  transport: Transport;
  clock: Clock;
  finality: Finality;
  evidence?: EvidenceSource;
  /** The gateway's key for signing global-model announcements (kid = cfg.gateway). */
  signingKey: KeyObject;
  /** Where payloads go after finality (the ledger's blob store). */
  store: { putBlob(b: Uint8Array): Promise<unknown> };
  /** Extra handlers by topic kind, mapping a message to machine events (simulator: fleet markers). */
  handlers?: Partial<Record<TopicKind, (t: ParsedTopic, payload: Uint8Array, now: number) => RoundEvent[]>>;
  /** Extra topic filters for `handlers`. */
  topics?: string[];
  /** Runs before each announcement is published (the simulator publishes its round plan). */
  onAnnounce?(a: Extract<RoundEffect, { type: 'announce' }>, bytes: Uint8Array): Promise<void> | void;
  onRound?(s: RoundSummary): void;
  onReject?(r: Rejection & { round: number }): void;
  log?: DriverLog;
  /** Publish each summary on fl/<task>/round (default true). */
  publishSummaries?: boolean;
}

/** Runs a task's rounds.
 *  @example const d = new RoundDriver(opts); await d.start(); const summaries = await d.run(); await d.close(); */
export class RoundDriver implements FinalityHost {
  private s: RoundState;
  private readonly timers = new Map<string, CancelTimer>();
  private readonly summaries: RoundSummary[] = [];
  private finished!: () => void;
  private readonly done: Promise<void>;
  private stopping = false;
  private stopped = false;
  private gathering?: AbortController;
  private readonly background = new Set<Promise<unknown>>();
  private lastAnnouncement?: Uint8Array;
  /** Bounded output under a flood: rejections logged and rejection acks sent in the current round. */
  private rejectOut = { round: -1, logged: 0, acks: new Map<string, number>() };

  constructor(private readonly o: DriverOptions) {
    this.s = o.state;
    this.done = new Promise((res) => { this.finished = res; });
  }

  get cfg(): RoundConfig { return this.o.cfg; }
  get transport(): Transport { return this.o.transport; }
  get clock(): Clock { return this.o.clock; }
  state(): RoundState { return this.s; }

  /** Subscribes to updates and the ports' topics, then opens the first round. */
  async start(): Promise<void> {
    await this.listen();
    this.begin();
  }

  /** Subscribes (several gateways all listen before any opens round 1, so none misses updates). */
  async listen(): Promise<void> {
    const t = this.o.transport;
    t.onMessage((topic, payload) => this.onMessage(topic, payload));
    t.onStatus?.((e) => {
      this.log(e.up ? 'info' : 'warn', e.up ? 'transport_up' : 'transport_down', e.detail ? { detail: e.detail } : {});
      // After a broker restart nothing is retained: announce the current round again.
      if (e.up && !this.stopped) {
        this.send(this.announcePresence());
        if (this.lastAnnouncement) this.send(t.publish(globalTopic(this.o.cfg.task), this.lastAnnouncement, { qos: 1, retain: true }));
      }
    });
    this.o.finality.start(this);
    const filters = [updateFilter(this.o.cfg.task), presenceFilter(this.o.cfg.task), ...this.o.finality.topics, ...(this.o.evidence?.topics ?? []), ...(this.o.topics ?? [])];
    await t.subscribe([...new Set(filters)]);
    await this.announcePresence();
  }

  /** Retained online status (connect the transport with `presenceWill` for the offline mark). */
  private announcePresence(): Promise<void> {
    return this.o.transport.publish(presenceTopic(this.o.cfg.task, this.o.cfg.gateway), encodePresence({ online: true }), { qos: 1, retain: true });
  }

  /** Opens the first round. */
  begin(): void {
    this.dispatch({ type: 'open', now: this.o.clock.now() });
  }

  /** Resolves with every round's summary once the last round is final or `stop()` took effect. */
  async run(): Promise<RoundSummary[]> {
    await this.done;
    return this.summaries;
  }

  /** Stops after the current round: collection closes now, its block is finalized, and no
   *  further round opens (Ctrl-C). `now` stops at once. */
  stop(now = false): void {
    if (now) { this.halt(); return; }
    this.stopping = true;
    if (this.s.phase === 'collecting') this.dispatch({ type: 'deadline', round: this.s.round, now: this.o.clock.now() });
    else if (this.s.phase !== 'deciding') this.halt();
  }

  private halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.timers.values()) c();
    this.timers.clear();
    this.gathering?.abort();
    this.o.finality.stop();
    this.finished();
  }

  /** Waits for pending ledger and blob work (before the ledger closes). */
  async close(): Promise<void> {
    this.halt();
    await this.o.finality.drain?.();
    await Promise.allSettled([...this.background]);
  }

  log(level: 'info' | 'warn', event: string, x: Record<string, unknown> = {}): void {
    this.o.log?.({ level, event, gw: this.o.cfg.gateway, ...x });
  }

  // ---- the single dispatch point: one handler per message type ----
  private onMessage(topic: string, payload: Uint8Array): void {
    if (this.stopped) return;
    try {
      const t = parseTopic(topic);
      if (!t || t.task !== this.o.cfg.task) { this.log('warn', 'reject', { reason: 'unknown_topic', topic }); return; }
      if (t.kind === 'update') { this.dispatch({ type: 'update', device: t.id!, bytes: payload, now: this.o.clock.now() }); this.o.finality.onAdmitted?.(); return; }
      if (t.kind === 'presence') { if (payload.length) this.dispatch({ type: 'presence', device: t.id!, online: decodePresence(payload).online, now: this.o.clock.now() }); return; }
      const h = this.o.handlers?.[t.kind];
      if (h) { for (const e of h(t, payload, this.o.clock.now())) this.dispatch(e); return; }
      if (this.o.finality.topics.length && this.o.finality.onMessage && ['propose', 'vote', 'sync', 'syncReply'].includes(t.kind)) { this.track(Promise.resolve(this.o.finality.onMessage(topic, payload))); return; }
      if (this.o.evidence?.onMessage) { this.o.evidence.onMessage(topic, payload); return; }
    } catch (e) {
      // a handler bug must not take the gateway down: the message is dropped and logged
      this.log('warn', 'reject', { reason: 'internal_error', topic, detail: String((e as Error)?.stack ?? e) });
    }
  }

  /** Applies one event to the machine and performs its effects. */
  dispatch(e: RoundEvent): void {
    if (this.stopped) return;
    const r = step(this.o.cfg, this.s, e);
    this.s = r.state;
    for (const fx of r.effects) {
      if (this.stopped) return;
      this.perform(fx);
    }
  }

  private perform(fx: RoundEffect): void {
    const { cfg, transport, clock } = this.o;
    switch (fx.type) {
      case 'announce': {
        if (this.stopping && !fx.done) { this.halt(); return; }
        const msg = encodeAnnouncement(cfg.gateway, {
          task: cfg.task, round: fx.round, model: fx.model, done: fx.done, chain: cfg.chain, height: fx.head.height, block: fx.head.hash, cert: [...fx.head.cert],
          committee: cfg.engine.caps.committee === 'separate' ? fx.plan.committee : undefined,
        }, this.o.signingKey);
        this.lastAnnouncement = msg;
        this.send((async () => { await this.o.onAnnounce?.(fx, msg); await transport.publish(globalTopic(cfg.task), msg, { qos: 1, retain: true }); })());
        return;
      }
      case 'ack':
        if (!fx.accepted && !this.rejectionOutput(fx.round, 'ack', fx.device)) return;
        try { this.send(transport.publish(ackTopic(cfg.task, fx.device), encodeCanonical({ round: fx.round, accepted: fx.accepted, reason: fx.reason }), { qos: 0 })); } catch { /* invalid topic segment: nothing to ack */ }
        return;
      case 'reject':
        if (!this.rejectionOutput(fx.round, 'log')) return;
        this.log('warn', 'reject', { round: fx.round, device: fx.device, reason: fx.reason, detail: fx.detail });
        this.o.onReject?.({ round: fx.round, device: fx.device, reason: fx.reason, detail: fx.detail });
        return;
      case 'timer': {
        const key = `${fx.name}/${fx.round}`;
        this.timers.get(key)?.();
        this.timers.set(key, clock.setTimer(fx.at - clock.now(), () => { this.timers.delete(key); this.dispatch({ type: 'deadline', round: fx.round, now: clock.now() }); }));
        return;
      }
      case 'closed':
        this.timers.get(`deadline/${fx.round}`)?.();
        this.o.finality.onClosed(fx.input);
        return;
      case 'propose':
        this.o.finality.propose(fx);
        return;
      case 'persist':
        // Payloads go beside the chain after finality; the chain only holds their hashes.
        this.track(Promise.all(fx.blobs.map((b) => this.o.store.putBlob(b))));
        return;
      case 'summary':
        this.summaries.push(fx.summary);
        this.o.onRound?.(fx.summary);
        if (this.o.publishSummaries !== false) this.send(transport.publish(roundTopic(cfg.task), new TextEncoder().encode(JSON.stringify(fx.summary)), { qos: 0 }));
        if (this.stopping) this.halt();
        return;
      case 'finished':
        // The last round is final: run() resolves, and the gateway keeps answering peers
        // (catch-up) until close().
        for (const c of this.timers.values()) c();
        this.timers.clear();
        this.finished();
        return;
    }
  }

  /** Whether to print one more rejection (the first MAX_REJECT_LOGS of a round, then one line
   *  saying the rest are only counted in the summary) or to ack one more rejected update of a
   *  device (MAX_REJECT_ACKS per device and round, for at most 2 × devices + 64 devices). */
  private rejectionOutput(round: number, what: 'log' | 'ack', device = ''): boolean {
    const r = this.rejectOut;
    if (r.round !== round) { r.round = round; r.logged = 0; r.acks.clear(); }
    if (what === 'log') {
      if (++r.logged === MAX_REJECT_LOGS + 1) this.log('warn', 'reject_suppressed', { round, detail: `more than ${MAX_REJECT_LOGS} rejections: the rest are counted in the round summary only` });
      return r.logged <= MAX_REJECT_LOGS;
    }
    const n = r.acks.get(device) ?? 0;
    if (n >= MAX_REJECT_ACKS || (n === 0 && r.acks.size >= 2 * this.o.cfg.devices.length + 64)) return false;
    r.acks.set(device, n + 1);
    return true;
  }

  /** Ledger and blob work that close() waits for before the ledger closes. */
  private track(p: Promise<unknown>): void {
    const q = p.catch((e) => this.log('warn', 'io_error', { detail: String((e as Error)?.message ?? e) })).finally(() => this.background.delete(q));
    this.background.add(q);
  }

  /** A publish: its failure is logged, but close() does not wait for it — a QoS 1 message in
   *  flight when the broker went away may never be acknowledged, and the transport's own close
   *  settles it. */
  private send(p: Promise<unknown>): void {
    p.catch((e) => this.log('warn', 'io_error', { detail: String((e as Error)?.message ?? e) }));
  }

  // ---- FinalityHost ----
  gather(): void {
    const s = this.s;
    if (s.phase !== 'deciding') return;
    this.gathering?.abort();
    const ac = new AbortController();
    this.gathering = ac;
    const round = s.round;
    const src = this.o.evidence ?? noEvidence;
    const input = roundInput(s);
    src.collect(input, ac.signal).then(
      (evidence) => { if (!ac.signal.aborted) this.dispatch({ type: 'evidence', round, evidence, input, now: this.o.clock.now() }); },
      (e) => { if (!ac.signal.aborted) this.log('warn', 'evidence_failed', { round, detail: String((e as Error)?.message ?? e) }); },
    );
  }

  abortGather(): void { this.gathering?.abort(); }

  check(p: Parameters<FinalityHost['check']>[0]) { return checkProposal(this.o.cfg, this.s, p); }

  final(f: Parameters<FinalityHost['final']>[0]): void {
    this.gathering?.abort();
    this.dispatch({ type: 'final', round: this.s.round, ...f, now: this.o.clock.now() });
  }

  synced(h: Parameters<FinalityHost['synced']>[0]): void {
    this.gathering?.abort();
    this.dispatch({ type: 'synced', ...h, now: this.o.clock.now() });
  }
}
