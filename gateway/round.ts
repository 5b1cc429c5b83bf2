// Pure bookkeeping of one training round: accepted updates and rejections.
import type { AcceptedUpdate } from './check-update.js';

export interface Rejection { device?: string; reason: string; detail: string }

/** The state of one round; `complete` when every expected device has an accepted update. */
export class RoundState {
  readonly accepted = new Map<string, AcceptedUpdate>();
  readonly rejected: Rejection[] = [];
  constructor(readonly round: number, readonly expected: ReadonlySet<string>) {}

  accept(u: AcceptedUpdate): void { this.accepted.set(u.deviceId, u); }
  reject(r: Rejection): void { this.rejected.push(r); }
  has(device: string): boolean { return this.accepted.has(device); }
  get complete(): boolean {
    for (const d of this.expected) if (!this.accepted.has(d)) return false;
    return true;
  }
  /** Accepted updates in device-id order, so aggregation is independent of arrival order. */
  ordered(): AcceptedUpdate[] {
    return [...this.accepted.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  }
}
