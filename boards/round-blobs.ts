// The model blobs of the current round's updates, as a board sees them on fl/<task>/update/+:
// what a committee member scores (seed 002) and a PoQ member audits (seed 001). Integrity comes
// from the hash the gateway's request names, so the envelope's signature need not be checked.
import { sha256, toHex } from '../protocol/bytes.js';
import { parseSign1 } from '../protocol/cose.js';
import { decodeUpdate } from '../protocol/update.js';
import { MAX_UPDATE_BYTES } from '../protocol/limits.js';

/** Blobs by update hash, for the newest round seen (bounded). */
export class RoundBlobs {
  private blobs = new Map<string, Uint8Array>();
  private round = 0;
  constructor(private readonly task: string, private readonly max = 100_000) {}

  /** Handler for fl/<task>/update/<device>. Throws CoseError / UpdateError on a malformed update. */
  add(payload: Uint8Array): void {
    const f = decodeUpdate(parseSign1(payload, MAX_UPDATE_BYTES).payload, MAX_UPDATE_BYTES);
    if (f.task !== this.task || f.round < this.round) return;
    if (f.round > this.round) { this.round = f.round; this.blobs.clear(); }
    if (this.blobs.size < this.max) this.blobs.set(toHex(sha256(f.model)), f.model);
  }

  /** The blob whose SHA-256 is `hash`, if it reached this board. */
  get(hash: Uint8Array): Uint8Array | undefined { return this.blobs.get(toHex(hash)); }
}
