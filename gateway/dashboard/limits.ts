// Request limits of the dashboard server: a token bucket per client address (rate), and the
// size limits every request is checked against before any handler runs.

/** Default limits: the page needs ~10 requests to load and one per opened block. */
export const DASHBOARD_LIMITS = {
  /** Sustained requests per second per client address, and the burst above it. */
  ratePerSec: 50,
  burst: 200,
  /** Longest request target (path + query) in bytes. */
  maxUrl: 512,
  /** Largest request header block (Node's maxHeaderSize). */
  maxHeaderBytes: 8 * 1024,
  /** Concurrent event streams and open connections. */
  maxStreams: 16,
  maxConnections: 128,
  /** A request's headers must arrive within this time. */
  headersTimeoutMs: 5_000,
};
export type DashboardLimits = typeof DASHBOARD_LIMITS;

/** Token bucket per key (RFC 6585 §4 answers a refusal with 429). `now` is injected. */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private perSec: number, private burst: number, private now: () => number = Date.now) {}

  /** Takes one token for `key`; false when the key is over its rate. */
  take(key: string): boolean {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= 4096) this.buckets.clear(); // bounded memory under address churn
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSec);
    b.at = t;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
