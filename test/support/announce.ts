// Announcements of a one-gateway chain for tests that build them by hand (the firmware's and
// the C host's announcement checks, the WAMR benchmark): the gateway's own approval of the head
// block is the finality certificate (protocol/announcement.ts), so the Node board's
// decodeAnnouncement accepts what the C board verifies.
import { sign as nodeSign, type KeyObject } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeAnnouncement, type Announcement, type ChainTrust } from '../../protocol/announcement.js';
import { approvalSigningBytes } from '../../protocol/block-signing.js';

export interface TestGateway { id: string; privateKey: KeyObject; publicKey: KeyObject }

/** The chain every announcement of these helpers names. */
export const TEST_CHAIN = sha256(new TextEncoder().encode('edgechain-fl test chain'));

/** The trust of a board of that chain whose only gateway is `gw`. */
export const oneGatewayTrust = (gw: TestGateway): ChainTrust => ({ chain: TEST_CHAIN, gateways: new Map([[gw.id, gw.publicKey]]) });

/** `gw`'s signed announcement, head block `round − 1` (its hash derived from the round) certified by `gw`. */
export function certified(gw: TestGateway, a: Pick<Announcement, 'task' | 'round' | 'model' | 'done'> & Partial<Announcement>, key = gw.privateKey): Uint8Array {
  const block = a.block ?? sha256(new TextEncoder().encode(`block ${a.round - 1}`));
  const cert = a.cert ?? [{ id: gw.id, sig: new Uint8Array(nodeSign(null, approvalSigningBytes(block), gw.privateKey)) }];
  return encodeAnnouncement(gw.id, { chain: TEST_CHAIN, height: Math.max(0, a.round - 1), ...a, block, cert }, key);
}
