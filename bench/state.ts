// State-tree benchmark (issue 20 §2): the cost of one block's state commit — executing 1,000
// update records over the state, computing the new sparse-Merkle root and merging it — at
// 10³, 10⁵ and 10⁶ registered devices. With an incremental root this stays nearly flat (it grows
// with the tree's depth, log₂ n); the flat Merkle root it replaced grew linearly with n.
// Devices are loaded as the registration rule writes them (no signing of 10⁶ registrations);
// the update records are signed by the gateway in this process, as on the commit path.
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { BenchSuite } from './index.js';
import { nodeSigner, genesisBlock, updateRecordTx, type Tx } from '../gateway/ledger/index.js';
import { StateDb, encodeEntry, type StateValue } from '../gateway/ledger/state.js';
import { executeTxs, validateBlock } from '../gateway/ledger/validate.js';
import { ownSignatures } from '../gateway/ledger/verdicts.js';
import type { DeviceRecord } from '../gateway/ledger/records.js';
import { merkleRootOfLeaves, leafHash } from '../gateway/ledger/merkle.js';

const profile = { categories: ['mnist'], types: ['image/u8'], size: 600 };
const knownSig = (pk: Uint8Array, m: Uint8Array, s: Uint8Array) => ownSignatures.known(pk, m, s);

function stateWith(devices: number, gwKey: Uint8Array): StateDb {
  const g = genesisBlock({ chainId: 'bench', managers: [{ id: 'gw', publicKey: gwKey }], params: {}, timestamp: 0 });
  const s = new StateDb();
  s.apply(validateBlock(undefined, s, g, 'bench').changes);
  // bulk load, as reopening a persisted state does: one tree build
  for (let j = 0; j < devices; j++) {
    const rec = { publicKey: randomBytes(32), profile, counter: 0, status: 'active', admittedBy: 'gw', height: 1 } satisfies DeviceRecord as unknown as StateValue;
    s.load(`dev/d${j}`, rec, encodeEntry(`dev/d${j}`, rec));
  }
  s.root();
  return s;
}

const suite: BenchSuite = {
  name: 'state',
  async run(log) {
    const json: Record<string, number | string> = {};
    const rows: [string, string, string][] = [];
    const gw = nodeSigner('gw', new Uint8Array(32).fill(3));
    const sizes = (process.env.BENCH_STATE_SIZES ?? '1000,100000,1000000').split(',').map(Number);
    for (const n of sizes) {
      const t0 = performance.now();
      const s = stateWith(n, gw.publicKey);
      log(`state: ${n} devices loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const times: number[] = [];
      for (let b = 0; b < 6; b++) {
        // 1,000 updates from distinct random devices: each raises a counter and adds a pending record
        const txs: Tx[] = [];
        const seen = new Set<number>();
        while (txs.length < 1000 && seen.size < n) {
          const d = Math.floor(Math.random() * n);
          if (seen.has(d)) continue;
          seen.add(d);
          const h = sha256(Uint8Array.of(b, d & 0xff, (d >> 8) & 0xff, d >> 16));
          txs.push(updateRecordTx(gw, { task: 'mnist', round: 1, deviceId: `d${d}`, envelopeHash: sha256(h), updateHash: h, n: 600, score: 900_000, ctr: b + 1 }));
        }
        const t = performance.now();
        const ex = executeTxs(s, txs, { height: 2 + b, time: 10 + b, chainId: 'bench', knownSig });
        s.apply(ex.changes, ex.stateRoot);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const ms = times[Math.floor(times.length / 2)];
      json[`state_commit_ms_${n}_devices`] = Math.round(ms * 10) / 10;
      rows.push([`commit_${n}_devices`, `${ms.toFixed(1)} ms`, 'state part of a 1,000-update block commit (rules + SMT root), median of 6']);
      // Anchor in the same run: what the replaced flat Merkle root (RFC 9162 over every entry's
      // leaf) costs at this size, leaves already hashed — the part that grew with n.
      if (n <= 100_000) {
        const leaves = [...s.iter()].map(([k, v]) => leafHash(encodeEntry(k, v)));
        const t = performance.now();
        merkleRootOfLeaves(leaves);
        const flat = performance.now() - t;
        json[`state_flat_root_ms_${n}_devices`] = Math.round(flat * 10) / 10;
        rows.push([`flat_root_${n}_devices`, `${flat.toFixed(1)} ms`, 'anchor: the former flat Merkle root over all entries (interior hashes only)']);
      }
      log(`state: ${n} devices: ${ms.toFixed(1)} ms per block`);
    }
    return { rows, json };
  },
};
export default suite;
