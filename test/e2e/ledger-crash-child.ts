// Child process for ledger-crash.test.ts: appends blocks forever and prints "ACK <height> <hash>"
// after each append resolves. Does nothing unless LEDGER_CRASH_DIR is set (the test runner
// also loads this file).
import { Ledger, registrationTx, updateRecordTx, globalModelTx } from '../../gateway/ledger/index.js';
import { signer, genesis, profile } from '../ledger-helpers.js';
import { sha256 } from '@noble/hashes/sha2.js';

const dir = process.env.LEDGER_CRASH_DIR;
if (dir) {
  const gw = signer('gw', 1);
  const boards = Array.from({ length: 10 }, (_, i) => signer(`b${i}`, 10 + i));
  const l = await Ledger.open(dir, { genesis: genesis([gw]), envelopes: 'off' });
  if (l.height < 1) await l.append(gw, boards.map((b) => registrationTx(gw, { id: b.id, publicKey: b.publicKey, profile })), {}, 1_500);
  process.stdout.write(`READY ${l.height}\n`);
  for (;;) {
    const round = (l.model('mnist')?.round ?? 0) + 1;
    const txs = [];
    const ups = [];
    for (const b of boards) {
      const ctr = l.device(b.id)!.counter + 1;
      const updateHash = sha256(new TextEncoder().encode(`${b.id}/${round}/${ctr}`));
      const envelopeHash = await l.putBlob(new TextEncoder().encode(`envelope ${b.id} ${ctr}`)); // not a COSE envelope: checks are off
      txs.push(updateRecordTx(gw, { task: 'mnist', round, deviceId: b.id, envelopeHash, updateHash, n: 10, score: 1, ctr }));
      ups.push(txs[txs.length - 1].body.envelopeHash);
    }
    txs.push(globalModelTx(gw, { task: 'mnist', round, modelHash: sha256(Uint8Array.of(round)), updates: ups }));
    const b = await l.append(gw, txs, { round }, 2_000 + round);
    process.stdout.write(`ACK ${b.header.height} ${Buffer.from(b.hash).toString('hex')}\n`);
  }
}
