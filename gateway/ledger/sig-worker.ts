// Worker side of the signature pool (sig-pool.ts): verifies batches of Ed25519 signatures
// (RFC 8032 §5.1.7) and answers with the index of the first that fails, or -1.
import { parentPort } from 'node:worker_threads';
import { verifySig } from './signer.js';

interface Job { id: number; pk: Uint8Array[]; msg: Uint8Array[]; sig: Uint8Array[] }

parentPort!.on('message', (j: Job) => {
  let bad = -1;
  for (let i = 0; i < j.pk.length; i++) if (!verifySig(j.pk[i], j.msg[i], j.sig[i])) { bad = i; break; }
  parentPort!.postMessage({ id: j.id, bad });
});
