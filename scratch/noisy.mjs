import { runFederated } from '../build/sim/run.js';
import { mkdtempSync } from 'node:fs';
for (const defence of [true, false]) {
  const rej = [];
  const r = await runFederated({ devices: 8, rounds: 5, alpha: 0.5, seed: 3, epochs: 1, roundTimeoutMs: 30000, dataDir: mkdtempSync('/tmp/noisy-'), defence, misbehave: { 1: 'noisy-labels', 4: 'noisy-labels', 6: 'noisy-labels' } }, { onReject: (e) => rej.push(e) });
  console.log(defence, r.final_accuracy, r.summaries.map((s) => s.accepted.join(',')).join(' | '), rej.map((x) => x.device + ':' + x.reason).join(' '));
}
