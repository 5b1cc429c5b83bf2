// Cost of hostile input at the gateway's boundary (docs/protocol.md §Strict decoding): process CPU
// time per message of each hostile shape at the update size limit, through the full admission
// check, against the anchor of one honest update's admission in the same run. Also the cost of
// the bignum that cbor-x alone decodes in quadratic time, on small sizes only (it is what the
// strict pre-check now keeps out), and of junk cluster messages at their (much larger) limit.
import { sha256 } from '@noble/hashes/sha2.js';
import { decode as cborxDecode } from 'cbor-x';
import { checkUpdate, type RoundContext } from '../gateway/round/check-update.js';
import { signSign1 } from '../protocol/cose.js';
import { encodeUpdate } from '../protocol/update.js';
import { ed25519FromSeed } from '../protocol/keys.js';
import { decodeModel, MAX_INPUTS, MAX_HIDDEN, MAX_OUTPUTS } from '../protocol/model-blob.js';
import { FirmwareInstance } from '../boards/firmware/instance.js';
import { Kernel } from '../boards/firmware/kernel.js';
import { MAX_UPDATE_BYTES, MAX_CLUSTER_MESSAGE } from '../protocol/limits.js';
import * as M from '../gateway/finality/messages.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, nodeSigner, registrationTx } from '../gateway/ledger/index.js';

type Log = (line: string) => void;

/** Process CPU µs per call of `fn` over `n` calls (user + system, so GC and crypto threads count). */
function cpuPer(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(20, n); i++) fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

/** The hostile shapes, each exactly `size` bytes. */
export function hostileShapes(size: number): Record<string, Uint8Array> {
  const bignum = new Uint8Array(size).fill(0xff); bignum.set([0xc2, 0x5a, ...u32(size - 6)]);
  const deep = new Uint8Array(size).fill(0x81); deep[size - 1] = 0;
  const flat = new Uint8Array(size); flat.set([0x9a, ...u32(size - 5)]);
  const indef = new Uint8Array(size).fill(0x9f); indef[size - 1] = 0xff;
  const tagged = new Uint8Array(size).fill(0xd9); for (let i = 1; i < size; i += 3) { tagged[i] = 0xd9; tagged[i + 1] = 0xf7; }
  const bstrs = new Uint8Array(size); bstrs.set([0xd2, 0x9a, ...u32((size - 6) >> 1)]); for (let i = 6; i < size; i += 2) bstrs[i] = 0x41;
  let x = 0x9e3779b9; const junk = new Uint8Array(size).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24));
  return { bignum, deep, flat, indef, tagged, bstrs, junk };
}

function u32(n: number): number[] { return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]; }

export default {
  name: 'hostile',
  async run(log: Log) {
    const json: Record<string, number | string> = {};
    const rows: [string, string, string][] = [];
    const dev = ed25519FromSeed(new Uint8Array(32).fill(1));
    const rogue = ed25519FromSeed(new Uint8Array(32).fill(2));
    const kid = new TextEncoder().encode('dev-a');
    // the largest model the format allows, so an honest update sits at the size limit too
    const base = Kernel.initialModel(new FirmwareInstance(), { arch: 'mlp', inputs: MAX_INPUTS, hidden: MAX_HIDDEN, outputs: MAX_OUTPUTS, seed: 1 });
    const baseHash = sha256(base);
    const bh = decodeModel(base).header;
    const ctx: RoundContext = {
      task: 't', round: 2, baseHash, baseHeader: bh, maxBytes: MAX_UPDATE_BYTES,
      device: (id) => (id === 'dev-a' ? { key: dev.publicKey, counter: 5 } : undefined), hasUpdate: () => false,
    };
    const fields = { task: 't', round: 2, base: baseHash, n: 50, model: base, ctr: 6, metrics: {} };
    const honest = signSign1(kid, encodeUpdate(fields), dev.privateKey);
    const badSig = signSign1(kid, encodeUpdate(fields), rogue.privateKey);
    const anchor = cpuPer(200, () => { if (!checkUpdate(honest, 'dev-a', ctx).ok) throw new Error('honest update refused'); });
    rows.push(['honest update admitted (anchor)', `${anchor.toFixed(1)} µs`, `${honest.length} B`]);
    json['hostile_honest_update_cpu_us'] = anchor;
    json['hostile_size_limit_bytes'] = MAX_UPDATE_BYTES;
    const shapes: Record<string, Uint8Array> = { ...hostileShapes(MAX_UPDATE_BYTES), bad_signature: badSig };
    let worst = 0;
    for (const [name, bytes] of Object.entries(shapes)) {
      let reason = '';
      const us = cpuPer(500, () => { const v = checkUpdate(bytes, 'dev-a', ctx); if (v.ok) throw new Error(`${name} accepted`); reason = v.reason; });
      worst = Math.max(worst, us);
      rows.push([`hostile ${name} (${reason})`, `${us.toFixed(1)} µs`, `${(us / anchor).toFixed(2)}× anchor`]);
      json[`hostile_${name}_cpu_us`] = us;
      log(`  ${name}: ${us.toFixed(1)} µs (${reason})`);
    }
    json['hostile_worst_cpu_us'] = worst;
    rows.push(['worst hostile update', `${worst.toFixed(1)} µs`, worst <= 1000 ? '≤ 1 ms target' : 'OVER the 1 ms target']);
    // cluster messages: junk at the 72 MiB limit (one allocation each, so fewer iterations)
    for (const [name, bytes] of Object.entries(hostileShapes(MAX_CLUSTER_MESSAGE)).filter(([n]) => n === 'bignum' || n === 'deep' || n === 'flat')) {
      const us = cpuPer(5, () => { try { M.decodeProposal(bytes); throw new Error('accepted'); } catch (e) { if ((e as Error).message === 'accepted') throw e; } });
      rows.push([`proposal ${name} at ${MAX_CLUSTER_MESSAGE >> 20} MiB`, `${us.toFixed(1)} µs`, 'refused by the pre-check']);
      json[`hostile_proposal_${name}_cpu_us`] = us;
    }
    // what the pre-check keeps out: cbor-x's own bignum decoding, quadratic in the size
    for (const kb of [4, 8, 16]) {
      const b = hostileShapes(kb * 1024).bignum;
      const us = cpuPer(kb <= 8 ? 20 : 5, () => { cborxDecode(b); });
      rows.push([`cbor-x alone, ${kb} KiB bignum`, `${(us / 1000).toFixed(2)} ms`, `${(us / anchor).toFixed(0)}× anchor`]);
      json[`cborx_bignum_${kb}k_cpu_us`] = us;
    }
    // durability: a block is announced after its LevelDB batch; with sync it is fsynced first
    const blocks = 30;
    const perBlock: Record<string, number> = {};
    for (const sync of [false, true]) {
      const dir = mkdtempSync(join(tmpdir(), 'sync-bench-'));
      const gw = nodeSigner('gw', new Uint8Array(32).fill(9));
      const l = await Ledger.open(dir, { genesis: { chainId: 'bench', managers: [{ id: gw.id, publicKey: gw.publicKey }], params: {}, timestamp: 0 }, envelopes: 'off', sync });
      try {
        const dev = nodeSigner('b0', new Uint8Array(32).fill(8));
        await l.append(gw, [registrationTx(gw, { id: dev.id, publicKey: dev.publicKey, profile: { categories: ['x'], types: ['y'], size: 1 } })], {}, 1);
        const t0 = performance.now();
        for (let i = 0; i < blocks; i++) await l.append(gw, [], {}, 2 + i);
        perBlock[String(sync)] = (performance.now() - t0) / blocks;
      } finally { await l.close(); rmSync(dir, { recursive: true, force: true }); }
    }
    rows.push(['block commit, no fsync (anchor)', `${perBlock.false.toFixed(2)} ms`, `${blocks} blocks`]);
    rows.push(['block commit, fsync (--sync)', `${perBlock.true.toFixed(2)} ms`, `${(perBlock.true / perBlock.false).toFixed(1)}× anchor`]);
    json['ledger_commit_nosync_ms'] = perBlock.false;
    json['ledger_commit_sync_ms'] = perBlock.true;
    return { rows, json };
  },
};

