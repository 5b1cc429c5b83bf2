// Timers a third-party driver starts while it is being constructed, so that they can be
// cleared on teardown. johnny-five's Hygrometer and Multi (IMU) constructors call
// setInterval without keeping the handle and have no disable(), which keeps a process (and
// `node --test`) alive forever after the board is gone. Construction is synchronous, so
// every timer created inside `capture(fn)` belongs to the components fn builds.

type Handle = ReturnType<typeof setTimeout>;

/** Records the timers created synchronously inside `capture` and clears them all in `dispose`.
 *  @example const scope = new TimerScope(); const t = scope.capture(() => new five.Multi(o)); … scope.dispose(); */
export class TimerScope {
  private readonly intervals = new Set<Handle>();
  private readonly timeouts = new Set<Handle>();
  private disposed = false;

  /** Runs `fn`, recording the setInterval/setTimeout handles it creates; returns fn's result. */
  capture<T>(fn: () => T): T {
    if (this.disposed) throw new Error('TimerScope: capture after dispose');
    const g = globalThis as any;
    const si = g.setInterval, st = g.setTimeout;
    g.setInterval = (...a: unknown[]) => { const h = si(...a); this.intervals.add(h); return h; };
    g.setTimeout = (...a: unknown[]) => { const h = st(...a); this.timeouts.add(h); return h; };
    try { return fn(); } finally { g.setInterval = si; g.setTimeout = st; }
  }

  /** An interval owned by this scope (our own sampling loop). */
  every(ms: number, fn: () => void): void { this.capture(() => setInterval(fn, ms)); }

  /** Timers recorded so far (for tests and diagnostics). */
  get size(): number { return this.intervals.size + this.timeouts.size; }

  /** Clears every recorded timer; idempotent. */
  dispose(): void {
    for (const h of this.intervals) clearInterval(h);
    for (const h of this.timeouts) clearTimeout(h);
    this.intervals.clear(); this.timeouts.clear();
    this.disposed = true;
  }
}
