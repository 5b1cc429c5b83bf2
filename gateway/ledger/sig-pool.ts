// Parallel Ed25519 verification over worker threads, for replaying a chain (`ledger verify`)
// and importing large blocks: the rules run on the main thread with each signature check
// deferred into a batch (SigBatch); the batch is verified on the pool while replay goes on, and
// the caller fails the block unless every check of its batch passed. Nothing is skipped: only
// where the check runs changes. With no spare core (or a small batch) it verifies inline.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { verifySig } from './signer.js';

/** Signature checks collected while a block's rules run. */
export class SigBatch {
  readonly pk: Uint8Array[] = [];
  readonly msg: Uint8Array[] = [];
  readonly sig: Uint8Array[] = [];
  /** Use as ApplyCtx.knownSig: records the check and lets the rule go on. */
  readonly defer = (pk: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean => { this.pk.push(pk); this.msg.push(msg); this.sig.push(sig); return true; };
  get size(): number { return this.pk.length; }
}

/** Below this many signatures a batch is verified inline (posting costs more than it saves). */
export const MIN_PARALLEL = 32;

/** A pool of verifier threads. `close()` ends them; they are unref'd so they never hold the process. */
export class SigPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, (bad: number) => void>();
  private next = 0;
  private rr = 0;
  private readonly busy: number[] = [];

  constructor(readonly size = Math.min(4, Math.max(1, availableParallelism() - 1))) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./sig-worker.js', import.meta.url));
      w.on('message', (m: { id: number; bad: number }) => {
        const f = this.waiting.get(m.id); this.waiting.delete(m.id);
        if (--this.busy[i] === 0) w.unref();   // an idle pool never holds the process open
        f?.(m.bad);
      });
      w.on('error', () => { for (const f of this.waiting.values()) f(-2); this.waiting.clear(); });
      w.unref();   // after the listeners: adding one refs the worker again
      this.workers.push(w);
      this.busy.push(0);
    }
  }

  /** Index of the first failing signature of the batch, or -1 when all verify. Splits a
   *  batch over the threads; verifies inline when the batch is smaller than `minParallel` or
   *  there are no threads. */
  async verify(b: SigBatch, minParallel = MIN_PARALLEL): Promise<number> {
    const n = b.size;
    if (this.workers.length === 0 || n < minParallel) {
      for (let i = 0; i < n; i++) if (!verifySig(b.pk[i], b.msg[i], b.sig[i])) return i;
      return -1;
    }
    const parts = Math.min(this.workers.length, Math.ceil(n / Math.max(minParallel, MIN_PARALLEL)));
    const step = Math.ceil(n / parts);
    const runs: Promise<number>[] = [];
    for (let s = 0; s < n; s += step) {
      const id = this.next++;
      const wi = this.rr++ % this.workers.length;
      const w = this.workers[wi];
      if (this.busy[wi]++ === 0) w.ref();
      const e = Math.min(n, s + step);
      runs.push(new Promise<number>((res) => {
        this.waiting.set(id, (bad) => res(bad === -2 ? -2 : bad < 0 ? -1 : s + bad));
        w.postMessage({ id, pk: b.pk.slice(s, e), msg: b.msg.slice(s, e), sig: b.sig.slice(s, e) });
      }));
    }
    const r = await Promise.all(runs);
    if (r.includes(-2)) throw new Error('signature worker failed');
    return r.find((x) => x >= 0) ?? -1;
  }

  async close(): Promise<void> { await Promise.all(this.workers.map((w) => w.terminate())); this.workers.length = 0; }
}

let shared: SigPool | undefined;
/** The process's pool, created on first use. */
export function sigPool(): SigPool { return (shared ??= new SigPool()); }
