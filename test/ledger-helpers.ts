// Shared fixtures for ledger tests: temp dirs, deterministic signers, a genesis and device envelopes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import assert from 'node:assert/strict';
import { nodeSigner, LedgerError, type Ledger, type Signer, type GenesisConfig, type Tx } from '../gateway/ledger/index.js';
import { signSign1 } from '../protocol/cose.js';
import { encodeUpdate } from '../protocol/update.js';
import { sha256 } from '@noble/hashes/sha2.js';

export function tempDir(tag = 'ledger'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function seed(n: number): Uint8Array {
  const s = new Uint8Array(32);
  s[0] = n & 0xff; s[1] = (n >> 8) & 0xff; s[31] = 0x5a;
  return s;
}

export function signer(id: string, n: number): Signer { return nodeSigner(id, seed(n)); }

export function genesis(managers: Signer[], params: Record<string, number | string> = {}, balances?: Record<string, number>): GenesisConfig {
  return { chainId: 'test-chain', managers: managers.map((m) => ({ id: m.id, publicKey: m.publicKey })), params, timestamp: 1_000, balances };
}

const PKCS8 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

/** A device's signed COSE update envelope (same key as signer(id, n)). */
export function envelope(id: string, n: number, f: { task: string; round: number; ctr: number; n: number; model: Uint8Array }): { bytes: Uint8Array; envelopeHash: Uint8Array; updateHash: Uint8Array } {
  const der = new Uint8Array(48); der.set(PKCS8); der.set(seed(n), 16);
  const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  const payload = encodeUpdate({ task: f.task, round: f.round, base: new Uint8Array(32), n: f.n, model: f.model, ctr: f.ctr, metrics: {} });
  const bytes = signSign1(new TextEncoder().encode(id), payload, key);
  return { bytes, envelopeHash: sha256(bytes), updateHash: sha256(f.model) };
}

export const profile = { categories: ['mnist'], types: ['image/u8'], size: 600 };

/** assert.throws / rejects matcher: a LedgerError with this reason. */
export const reason = (r: string) => (e: unknown) => e instanceof LedgerError && e.reason === r;

/** Appends a block at `time`, then checks the supply invariant over the whole state and that the
 *  supply is still `supply` (the economy tests run it at every height). */
export async function appendChecked(l: Ledger, author: Signer, txs: Tx[], supply: number, time: number): Promise<void> {
  await l.append(author, txs, {}, time);
  const s = l.supply();
  assert.equal(s.ok, true, `height ${l.height}: ${JSON.stringify(s)}`);
  assert.equal(s.supply, supply);
}
