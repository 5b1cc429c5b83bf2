// BFLC committee evidence over the transport (002 §III): the gateway publishes the round's
// candidates on fl/<task>/validate; each member scores them on its own data in its own
// firmware and publishes one signed score sheet on fl/<task>/score/<member>. Each sheet is
// checked here at the edge (member of this round's committee, signature over the round and
// parent hash), so one bad sheet is dropped and logged rather than failing the round; the
// engine verifies the kept sheets again. First sheet per member wins; collection ends when
// every member answered or after `timeoutMs` (missing members count as score 0).
import { decodeBounded } from '../../protocol/cbor.js';
import { encodeValidate } from '../../protocol/validate.js';
import { validateTopic, scoreFilter, parseTopic } from '../../protocol/topics.js';
import { MAX_SHEET_BYTES } from '../../protocol/limits.js';
import type { Clock } from '../../protocol/clock.js';
import type { Transport } from '../../protocol/transport.js';
import { checkSheets, decodeSheets, type ScoreSheet } from '../consensus/committee.js';
import type { RoundInput } from '../consensus/engine.js';
import type { EvidenceSource } from '../round/ports.js';

export interface CommitteeEvidenceOptions {
  task: string;
  transport: Transport;
  clock: Clock;
  keyOf(id: string): Uint8Array | undefined;
  timeoutMs: number;
  /** Sheet bytes received (transmission cost). */
  onBytes?(n: number): void;
  onReject?(e: { member?: string; reason: string; detail: string }): void;
}

/** Score sheets gathered from the committee over the transport.
 *  @example new RoundDriver({ …, evidence: new CommitteeEvidence({ task, transport, clock, keyOf, timeoutMs: 30_000 }) }) */
export class CommitteeEvidence implements EvidenceSource {
  readonly topics: string[];
  private open?: { input: RoundInput; sheets: Map<string, ScoreSheet>; done(): void };

  constructor(private readonly o: CommitteeEvidenceOptions) { this.topics = [scoreFilter(o.task)]; }

  async collect(input: RoundInput, signal: AbortSignal): Promise<ScoreSheet[]> {
    const sheets = new Map<string, ScoreSheet>();
    if (input.committee.length && input.candidates.length) {
      await new Promise<void>((res) => {
        const cancel = this.o.clock.setTimer(this.o.timeoutMs, () => res());
        const done = () => { cancel(); res(); };
        this.open = { input, sheets, done };
        signal.addEventListener('abort', done, { once: true });
        void this.o.transport.publish(validateTopic(this.o.task), encodeValidate({ round: input.round, prev: input.prev, committee: [...input.committee], candidates: input.candidates.map((c) => ({ id: c.id, updateHash: c.updateHash })) }));
      });
      this.open = undefined;
    }
    // Sheets in member order: the engine's decision must not depend on arrival order.
    return [...sheets.values()].sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  }

  /** Handler for fl/<task>/score/<member>. */
  onMessage(topic: string, payload: Uint8Array): void {
    this.o.onBytes?.(payload.length);
    const r = this.open;
    const member = parseTopic(topic)?.id;
    if (!r) return;
    try {
      const sheets = decodeSheets(decodeBounded(payload, MAX_SHEET_BYTES));
      if (sheets.length !== 1) throw new RangeError('a member sends exactly one score sheet');
      if (sheets[0].member !== member) throw new RangeError(`sheet of ${sheets[0].member} on the topic of ${member}`);
      checkSheets({ ...r.input, candidates: [] }, sheets, this.o.keyOf);
      if (!r.sheets.has(sheets[0].member)) r.sheets.set(sheets[0].member, sheets[0]);
      if (r.input.committee.every((m) => r.sheets.has(m))) r.done();
    } catch (e) {
      this.o.onReject?.({ member, reason: (e as { reason?: string }).reason ?? 'bad_sheet', detail: String((e as Error)?.message ?? e) });
    }
  }
}
