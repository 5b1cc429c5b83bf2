// Ctrl-C (SIGINT) and a hard kill (SIGKILL) at any moment leave a ledger that reopens and verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Ledger } from '../../gateway/ledger/index.js';
import { engineParams } from '../../gateway/consensus/registry.js';
import { makeEngine } from '../../gateway/cluster/setup.js';
import { demoGenesis } from '../../sim/run.js';
import { tempDir } from '../support/tmp.js';
import { economyBalances } from '../../sim/economy/life-cycle.js';
import { DEFAULT_ECONOMY } from '../../sim/economy/params.js';
import { deviceId } from '../../protocol/ids.js';

const demo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sim', 'demo.js');

/** Starts the demo, waits until `afterLine` appears on stdout, waits `delayMs`, sends `signal`. */
function runAndSignal(dir: string, signal: NodeJS.Signals, afterLine: RegExp, delayMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [demo, '--devices', '3', '--rounds', '200', '--seed', '9', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', sent = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!sent && afterLine.test(out)) { sent = true; setTimeout(() => child.kill(signal), delayMs); }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
    setTimeout(() => { if (!sent) { child.kill('SIGKILL'); reject(new Error(`demo never printed ${afterLine}: ${out}`)); } }, 60_000).unref();
  });
}

async function reopenAndVerify(dir: string): Promise<number> {
  // the demo's genesis: the FedAvg engine's parameters and its economy's starting balances
  const genesis = { ...demoGenesis({ seed: 9 }, engineParams(makeEngine('fedavg', 3))), balances: economyBalances(DEFAULT_ECONOMY, [0, 1, 2].map(deviceId)) };
  const ledger = await Ledger.open(dir, { genesis });
  try {
    const v = await ledger.verify();
    assert.equal(v.ok, true, `ledger does not verify: ${v.error}`);
    return ledger.height;
  } finally {
    await ledger.close();
  }
}

test('Ctrl-C mid-run: the demo finishes the round, closes cleanly, and the ledger verifies', async () => {
  const tmp = tempDir('demo-int-');
  try {
    const r = await runAndSignal(tmp.dir, 'SIGINT', /round\s+2\//, 0);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /interrupted/);
    const h = await reopenAndVerify(tmp.dir);
    assert.ok(h >= 3 && h < 201, `height ${h}`);
  } finally { tmp.cleanup(); }
});

test('SIGKILL at arbitrary moments: the ledger on disk still reopens and verifies', async () => {
  for (const delay of [0, 37, 110, 260]) {
    const tmp = tempDir('demo-kill-');
    try {
      const r = await runAndSignal(tmp.dir, 'SIGKILL', /round\s+1\//, delay);
      assert.equal(r.code, null);
      const h = await reopenAndVerify(tmp.dir);
      assert.ok(h >= 2, `height ${h} after kill at +${delay} ms`);
    } finally { tmp.cleanup(); }
  }
});
