// Per-ledger signature verdicts (gateway/ledger/ledger.ts `verdicts`, preverify.ts): a ledger's
// import skips only signatures that ledger itself made or verified; another ledger in the same
// process shares none of them; a proposal's preverification on the pool records only the
// signatures that verify; and `ledger verify` ignores verdicts altogether.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { Ledger, LedgerError, registrationTx, updateRecordTx, decodeAnyTx, type Tx, type Block } from '../gateway/ledger/index.js';
import { executeTxs, txRoot } from '../gateway/ledger/validate.js';
import { proposerSigningBytes } from '../gateway/ledger/block.js';
import { HEADER_VERSION, headerHash, type Header } from '../gateway/ledger/header.js';
import { txSigningBytes } from '../gateway/ledger/tx/envelope.js';
import { kindOf } from '../gateway/ledger/tx/registry.js';
import { encodeCanonical, decodeBounded } from '../protocol/cbor.js';
import { tempDir, signer, genesis, profile } from './ledger-helpers.js';

const gw = signer('gw', 1);
const devices = Array.from({ length: 40 }, (_, i) => signer(`v${i}`, 300 + i));
const isBadSig = (e: unknown) => e instanceof LedgerError && e.reason === 'bad_signature';

/** Two ledgers of one chain in one process (as the benchmarks and simulator run gateways). */
async function pair(dir: string): Promise<[Ledger, Ledger]> {
  const a = await Ledger.open(join(dir, 'a'), { genesis: genesis([gw]), envelopes: 'off' });
  const b = await Ledger.open(join(dir, 'b'), { genesis: genesis([gw]), envelopes: 'off' });
  const reg = await a.append(gw, devices.map((d) => registrationTx(gw, { id: d.id, publicKey: d.publicKey, profile })), {}, 1_500);
  await b.importBlock(reg);
  return [a, b];
}

/** Block 2 of `n` update records, signed by the proposer, with tx `forge`'s signature broken
 *  (rules evaluated as a malicious proposer would, skipping signatures). */
function block(l: Ledger, n: number, forge = -1): { block: Block; forged?: Tx } {
  let forged: Tx | undefined;
  const txs: Tx[] = devices.slice(0, n).map((d, i) => {
    const h = sha256(Uint8Array.of(i, 7));
    const tx = updateRecordTx(gw, { task: 't', round: 1, deviceId: d.id, envelopeHash: sha256(h), updateHash: h, n: 1, score: 1, ctr: 1 });
    if (i !== forge) return tx;
    const [v, type, author, body, sig] = decodeBounded(tx.bytes, 1 << 20) as [number, string, string, unknown, Uint8Array];
    const bad = new Uint8Array(sig); bad[9] ^= 1;
    return (forged = decodeAnyTx(encodeCanonical([v, type, author, body as never, bad])));
  });
  const ex = executeTxs(l.stateView as never, txs, { height: 2, time: 2_000, chainId: 'test-chain', knownSig: () => true });
  const header: Header = { v: HEADER_VERSION, chainId: 'test-chain', height: 2, prev: l.headHash(), time: 2_000, txRoot: txRoot(txs), stateRoot: ex.stateRoot, proposer: gw.id, cons: { round: 1 } };
  const hash = headerHash(header);
  return { block: { header, hash, sig: gw.sign(proposerSigningBytes(hash)), approvals: [], txs }, forged };
}

const signedBytes = (tx: Tx) => txSigningBytes(tx.type, tx.author, kindOf(tx.type)!.encode(tx.body));

test('a verdict is the ledger\'s own: a forged signature one ledger vouches for is still refused by another in the same process, and by ledger verify', async () => {
  const t = tempDir('verdicts-own');
  const [a, b] = await pair(t.dir);
  try {
    const { block: forgedBlock, forged } = block(a, 10, 4);
    // Nothing vouches for it yet: both refuse it, nothing is written.
    await assert.rejects(a.importBlock(forgedBlock), isBadSig);
    await assert.rejects(b.importBlock(forgedBlock), isBadSig);
    // A ledger whose verdicts hold the (wrong) signature skips it — the verdict is what import
    // consults — but the other ledger in this process verifies and refuses.
    a.verdicts.record(gw.publicKey, signedBytes(forged!), forged!.sig);
    await assert.rejects(b.importBlock(forgedBlock), isBadSig);
    assert.equal(b.height, 1);
    await a.importBlock(forgedBlock);
    assert.equal(a.height, 2);
    // `ledger verify` uses no verdicts: it finds the forged signature in the stored chain.
    const v = await a.verify();
    assert.equal(v.ok, false);
    assert.match(v.error ?? '', /bad_signature|signature of tx 4/);
  } finally { await a.close(); await b.close(); t.cleanup(); }
});

test('preverify records only signatures that verify, on the pool; the import still refuses the forged one', async () => {
  const t = tempDir('verdicts-pre');
  const [a, b] = await pair(t.dir);
  try {
    const { block: bad } = block(b, 40, 29);
    const before = b.verdicts.size;
    const good = await b.preverify(bad);
    assert.equal(good, 29, 'the checks before the forged one verified');
    assert.equal(b.verdicts.size, before + 29);
    // the 29 verdicts are skipped at import; the pool's failure still names tx 29 itself
    await assert.rejects(b.importBlock(bad), (e: unknown) => isBadSig(e) && /tx 29 /.test((e as LedgerError).detail));
    assert.equal(b.height, 1, 'nothing written');
    const { block: ok } = block(b, 40);
    assert.equal(await b.preverify(ok), 40);
    assert.equal(await b.preverify({ ...ok, header: { ...ok.header, height: 5 } }), 0, 'only a block for the next height');
    await b.importBlock(ok);
    assert.equal(b.height, 2);
    // small blocks are checked inline at import instead (a worker round trip costs more)
    assert.equal(await a.preverify(block(a, 10).block), 0);
  } finally { await a.close(); await b.close(); t.cleanup(); }
});

test('a proposing ledger remembers its block\'s signatures for the import at finality', async () => {
  const t = tempDir('verdicts-propose');
  const [a, b] = await pair(t.dir);
  try {
    const txs = devices.slice(0, 5).map((d, i) => { const h = sha256(Uint8Array.of(i, 9)); return updateRecordTx(gw, { task: 't', round: 1, deviceId: d.id, envelopeHash: sha256(h), updateHash: h, n: 1, score: 1, ctr: 1 }); });
    const before = a.verdicts.size;
    const blk = await a.propose(gw, txs, { round: 1 }, 2_000);
    assert.equal(a.verdicts.size, before + txs.length + 1, 'every tx signature and the proposer signature');
    assert.equal(b.verdicts.size, 0, 'the other ledger learnt nothing');
    await a.importBlock(blk);
    await b.importBlock(blk);
    assert.deepEqual(a.stateRoot(), b.stateRoot());
  } finally { await a.close(); await b.close(); t.cleanup(); }
});
