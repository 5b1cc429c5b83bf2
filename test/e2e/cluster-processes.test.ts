// Every engine on separate boxes: 4 gateway processes (gateway/cli.ts), each with its own key
// and LevelDB ledger, and 1 process of 6 emulated boards (boards/cli.ts) — committee members
// score and PoQ parties report and audit over MQTT — over one broker (embedded aedes for fedavg,
// a real Mosquitto for committee and PoQ); one non-first gateway is SIGKILLed mid-run. The other
// three finalize every round with the same head; every ledger — the killed one's too, as a
// prefix — verifies when reopened, including the re-run of each decision from its recorded
// evidence; and the accuracy matches the in-process run of the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../gateway/broker.js';
import { Ledger } from '../../gateway/ledger/index.js';
import { replayDecisions } from '../../gateway/audit/replay.js';
import { runFederated } from '../../sim/run.js';
import type { EngineName } from '../../protocol/task.js';
import { startMosquitto } from '../support/mosquitto.js';
import { toHex } from '../../protocol/bytes.js';
import { initCluster } from '../../sim/cluster-init.js';
import { tempDir } from '../support/tmp.js';
import { startCli as start, GATEWAY_CLI, BOARDS_CLI, type Child } from '../support/cli-child.js';

const ROUNDS = 4;


function waitFor<T>(what: string, ms: number, check: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise<T>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), ms);
    check((v) => { clearTimeout(timer); res(v); });
  });
}

for (const engine of ['fedavg', 'committee', 'poq'] as EngineName[]) test(`${engine}: 4 gateway processes and a board process, a SIGKILLed gateway; the other 3 finalize every round with one head`, { timeout: 60_000 }, async (t) => {
  const tmp = tempDir('cl-proc-');
  let broker: EmbeddedBroker | { url: string; close(): Promise<void> } | undefined;
  const children: Child[] = [];
  try {
    const files = await initCluster({ out: join(tmp.dir, 'deploy'), seed: 5, gateways: 4, devices: 6, engine });
    if (engine === 'fedavg') broker = await startEmbeddedBroker();
    else {
      const m = await startMosquitto();
      if (!m) { t.skip('mosquitto not installed'); return; }
      broker = { url: m.url, close: m.stop };
    }
    // Boards first, so they are subscribed when round 1's models are announced.
    let boardsReady: () => void = () => {};
    const boardsUp = waitFor<void>('boards ready', 15_000, (r) => { boardsReady = () => r(); });
    const boards = start(BOARDS_CLI, ['--genesis', files.genesis, '--seeds', files.boardSeeds[0], '--broker', broker.url], (e) => { if (e.event === 'ready') boardsReady(); });
    children.push(boards);
    await boardsUp;

    const ids = ['gw-0', 'gw-1', 'gw-2', 'gw-3'];
    const gws = new Map<string, Child>();
    let victim = '';
    let killed: () => void = () => {};
    // fedavg: gw-0 serves its dashboard; its cluster panel (heads inferred from votes across boxes) is read after round 3
    let dashUrl = '';
    let panel: Promise<any> | undefined;
    const kill = waitFor<void>('round 1 to finalize', 20_000, (r) => { killed = () => r(); });
    for (const [g, id] of ids.entries()) {
      const c = start(GATEWAY_CLI, [
        '--id', id, '--broker', broker.url, '--data-dir', join(tmp.dir, id), '--genesis', files.genesis, '--seed-file', files.gatewaySeeds[g],
        '--rounds', String(ROUNDS), '--round-timeout-ms', '1500', '--view-timeout-ms', '700', '--peer-wait-ms', '10000',
        ...(engine === 'fedavg' && g === 0 ? ['--dashboard', '0'] : []),
      ], (e) => {
        if (e.event === 'dashboard') dashUrl = e.url;
        if (e.event === 'round' && e.round === 3 && dashUrl && !panel) panel = fetch(`${dashUrl}api/cluster`).then((r) => r.json());
        if (e.event !== 'round' || e.round !== 1 || victim) return;
        // Kill the leader of the next height (round 2) while round 2 is collecting updates.
        victim = ids[(e.height + 1) % ids.length];
        gws.get(victim)!.p.kill('SIGKILL');
        killed();
      });
      gws.set(id, c);
      children.push(c);
    }
    await kill;
    assert.ok(victim && victim !== 'gw-0', `victim ${victim} is not the first gateway`);
    const live = ids.filter((id) => id !== victim);
    const codes = await waitFor<(number | null)[]>('the live gateways to finish', 30_000, (r) => { void Promise.all(live.map((id) => gws.get(id)!.exited)).then(r); });
    assert.deepEqual(codes, live.map(() => 0), `live gateways exit 0; stderr: ${live.map((id) => gws.get(id)!.stderr.join('\n')).join('\n')}`);
    assert.equal(await gws.get(victim)!.exited, null, 'the victim died of SIGKILL');
    boards.p.kill('SIGTERM');
    assert.equal(await boards.exited, 0);

    for (const id of live) {
      const rounds = gws.get(id)!.events.filter((e) => e.event === 'round').map((e) => e.round);
      // A gateway that caught up from a peer has no summary for that round, but reaches the end.
      assert.ok(rounds.includes(ROUNDS), `${id} finalized round ${ROUNDS} itself`);
    }
    const r2 = gws.get(live[0])!.events.find((e) => e.event === 'round' && e.round === 2);
    if (r2) assert.ok(r2.view >= 1, 'round 2 needed a view change (its leader was killed)');
    // Reopen every ledger after the processes exited.
    const heads = new Map<string, { height: number; blocks: string[] }>();
    for (const id of ids) {
      const l = await Ledger.open(join(tmp.dir, id));
      try {
        assert.ok((await l.verify()).ok, `${id}'s ledger verifies`);
        // Payloads (envelopes, evidence records) are written after finality, so the SIGKILLed
        // gateway may lack its last ones (a peer serves them); the survivors hold everything.
        if (id !== victim) {
          const replay = await replayDecisions(l);
          assert.ok(replay.ok, `${id}: decisions re-run from the recorded evidence: ${JSON.stringify(replay.failures)}`);
          if (engine !== 'fedavg') assert.equal(replay.checked, l.height - 1, `${id}: every round's evidence was re-run`);
        }
        const blocks: string[] = [];
        for (let h = 0; h <= l.height; h++) blocks.push(toHex((await l.block(h)).hash));
        heads.set(id, { height: l.height, blocks });
      } finally { await l.close(); }
    }
    const ref = heads.get(live[0])!;
    assert.equal(ref.height, 1 + ROUNDS, 'registration + one block per round');
    for (const id of live) assert.deepEqual(heads.get(id)!.blocks, ref.blocks, `${id} has the same chain`);
    const dead = heads.get(victim)!;
    assert.ok(dead.height < ref.height, 'the killed gateway stopped early');
    assert.deepEqual(dead.blocks, ref.blocks.slice(0, dead.height + 1), 'its ledger is a prefix of the live chain');
    if (engine === 'fedavg') {
      assert.ok(panel, 'gw-0 served its dashboard');
      const c = await panel;
      assert.equal(c.enabled, true);
      assert.deepEqual(c.gateways.map((g: any) => g.id), ids);
      const by = Object.fromEntries(c.gateways.map((g: any) => [g.id, g]));
      assert.equal(by['gw-0'].head.known, 'exact');
      assert.deepEqual(c.head.approvals.includes(victim), false, 'the killed gateway did not approve round 3\'s block');
      assert.equal(by[victim].approvedHead, false);
      assert.ok((by[victim].lastVote?.height ?? 0) < c.head.height, `the killed gateway's newest vote is older than the head (${by[victim].lastVote?.height})`);
      for (const id of live) {
        assert.equal(by[id].approvedHead, c.head.approvals.includes(id));
        if (id !== 'gw-0' && by[id].head) assert.equal(by[id].head.known, 'votes');
      }
      assert.ok(c.head.approvals.length >= 3, 'the head is final with 2f+1 approvals');
      const blockAt = heads.get('gw-0')!.blocks[c.head.height];
      assert.equal(c.head.hash, blockAt, 'the panel\'s head is on the chain');
    }
    // Within 1 point of the in-process run with the same seed (same shards, keys, engine).
    const last = gws.get(live[0])!.events.filter((e) => e.event === 'round').at(-1)!;
    const inproc = await runFederated({ devices: 6, rounds: ROUNDS, alpha: 0.5, seed: 5, epochs: 1, roundTimeoutMs: 4000, consensus: engine, gateways: 4, dataDir: join(tmp.dir, 'inproc') });
    assert.ok(Math.abs(last.accuracy - inproc.final_accuracy) <= 0.01, `separate boxes ${last.accuracy} vs in-process ${inproc.final_accuracy}`);
  } finally {
    for (const c of children) if (c.p.exitCode === null && c.p.signalCode === null) c.p.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await broker?.close();
    tmp.cleanup();
  }
});
