// Finality for one gateway (and the simulator's gateway): the block is final once appended to
// this gateway's own ledger. Block time is the gateway clock's Unix ms when the block is built,
// never before its parent's (docs/consensus.md §Block time).
import type { Ledger, Signer } from '../ledger/index.js';
import { approvalSigningBytes } from '../../protocol/block-signing.js';
import type { RoundInput } from '../consensus/engine.js';
import { contentTxs } from '../round/content.js';
import type { RoundEffect } from '../round/machine.js';
import type { Finality, FinalityHost } from '../round/ports.js';

/** Appends each decided round to `ledger`, signed by `signer`.
 *  @example new RoundDriver({ …, finality: new LocalFinality(ledger, signer) }) */
export class LocalFinality implements Finality {
  readonly topics: string[] = [];
  private host!: FinalityHost;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private quorum?: boolean;

  constructor(private readonly ledger: Ledger, private readonly signer: Signer) {}

  start(host: FinalityHost): void { this.host = host; }

  /** The only gateway decides as soon as collection closes. */
  onClosed(_input: RoundInput): void { this.host.gather(); }

  propose(p: Extract<RoundEffect, { type: 'propose' }>): void {
    const run = this.queue.then(async () => {
      if (this.stopped) return;
      const time = Math.max(this.host.clock.now(), this.ledger.head().time);
      // A cluster chain (quorum seal) run by its only gateway: the committee is that gateway.
      this.quorum ??= this.ledger.params().consensus === 'quorum';
      const cons = this.quorum ? { ...p.content.cons, committee: [this.signer.id], approvers: [this.signer] } : p.content.cons;
      const block = await this.ledger.append(this.signer, contentTxs(p.content, this.signer), cons, time);
      // One gateway's certificate is its own approval of the block (the quorum of one).
      const cert = [{ id: this.signer.id, sig: this.signer.sign(approvalSigningBytes(block.hash)) }];
      this.host.final({ block, decision: p.decision, content: p.content, pool: p.input.candidates.map((c) => c.id), view: 0, cert });
    }).catch((e) => this.host.log('warn', 'append_failed', { round: p.round, detail: String((e as Error)?.message ?? e) }));
    this.queue = run;
  }

  stop(): void { this.stopped = true; }
  async drain(): Promise<void> { await this.queue; }
}
