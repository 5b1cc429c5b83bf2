// The clock port (STYLE §4, §13): time and timers are injected so round, deadline and view-change
// logic runs on fake time in tests. `realClock` is the process clock; FakeClock advances only
// when a test says so and fires due timers in time order.

/** Cancels a timer; calling it after the timer fired does nothing. */
export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms`. Timers never keep the process alive. */
  setTimer(ms: number, fn: () => void): CancelTimer;
}

/** The process clock (Date.now, unref'd setTimeout). */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return () => clearTimeout(t);
  },
};

/** A manual clock for tests.
 *  @example const c = new FakeClock(0); c.setTimer(100, f); await c.advance(100) // f ran */
export class FakeClock implements Clock {
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  constructor(private t = 0) {}

  now(): number { return this.t; }

  setTimer(ms: number, fn: () => void): CancelTimer {
    const entry = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(entry);
    return () => { this.timers = this.timers.filter((x) => x !== entry); };
  }

  /** Timers not yet fired. */
  get pending(): number { return this.timers.length; }

  /** Moves time forward by `ms`, firing due timers in order; lets queued microtasks and
   *  immediates run between timers so message deliveries settle as they would in real time. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

/** Lets pending promise callbacks and setImmediate work run (several turns). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
