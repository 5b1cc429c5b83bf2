// Crash safety (issue 5 §7): SIGKILL the appending process at random moments, at least 50
// times; after each restart the ledger verifies and no acknowledged block is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ledger } from '../../gateway/ledger/index.js';
import { tempDir } from '../ledger-helpers.js';

const child = fileURLToPath(new URL('./ledger-crash-child.js', import.meta.url));
const KILLS = Number(process.env.LEDGER_CRASH_KILLS ?? 50);

function runAndKill(dir: string, delayMs: number): Promise<{ acked: Map<number, string>; ready: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child], { env: { ...process.env, LEDGER_CRASH_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, string>();
    let buf = '';
    let ready = false;
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        const [kind, h, hash] = line.split(' ');
        if (kind === 'READY' && !ready) { ready = true; setTimeout(() => p.kill('SIGKILL'), delayMs); }
        if (kind === 'ACK') acked.set(Number(h), hash);
      }
    });
    p.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code}: ${err}`));
      else resolve({ acked, ready });
    });
  });
}

test(`SIGKILL during commits ${KILLS} times: ledger verifies and keeps every acknowledged block`, { timeout: 120_000 }, async () => {
  const t = tempDir('ledger-crash');
  try {
    let maxAcked = -1;
    const ackedHashes = new Map<number, string>();
    let killedMidRun = 0;
    for (let k = 0; k < KILLS; k++) {
      const { acked } = await runAndKill(t.dir, Math.floor(Math.random() * 120));
      if (acked.size > 0) killedMidRun++;
      for (const [h, hash] of acked) { ackedHashes.set(h, hash); maxAcked = Math.max(maxAcked, h); }
      const l = await Ledger.open(t.dir);
      const v = await l.verify();
      assert.equal(v.ok, true, `after kill ${k}: ${v.error}`);
      assert.ok(l.height >= maxAcked, `after kill ${k}: height ${l.height} < acknowledged ${maxAcked}`);
      for (const h of [maxAcked, ...[...acked.keys()].slice(0, 3)]) {
        if (h < 1) continue;
        const b = await l.block(h);
        assert.equal(Buffer.from(b.hash).toString('hex'), ackedHashes.get(h), `block ${h} changed`);
      }
      await l.close();
    }
    assert.ok(killedMidRun >= KILLS / 2, `only ${killedMidRun} kills landed while blocks were being appended`);
  } finally { t.cleanup(); }
});
