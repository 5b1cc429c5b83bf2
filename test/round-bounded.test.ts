// Bounded memory and safe output of a round under a flood (gateway/round/machine.ts,
// protocol/log-text.ts): a round that received 20,000 hostile messages still counts every one
// by reason, keeps a bounded sample, keeps its early-update queue bounded, and no
// device-controlled text reaches a log line unescaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step, initialState, MAX_REJECTION_SAMPLE, type RoundConfig, type RoundState, type RoundEvent } from '../gateway/round/machine.js';
import { fedavgEngine } from '../gateway/consensus/accept-all.js';
import { aggregator } from '../gateway/aggregate/index.js';
import { publicKeyObject, signSign1 } from '../protocol/cose.js';
import { encodeUpdate } from '../protocol/update.js';
import { sha256 } from '../protocol/bytes.js';
import { decodeModel, encodeModel } from '../protocol/model-blob.js';
import { deviceId } from '../protocol/ids.js';
import { ed25519FromSeed, demoSeed } from '../protocol/keys.js';
import { escapeText } from '../protocol/log-text.js';
import { rigModel } from './support/round-rig.js';

const devs = Array.from({ length: 3 }, (_, i) => ({ id: deviceId(i), key: ed25519FromSeed(demoSeed(deviceId(i), 19)) }));
const model = rigModel();
const cfg: RoundConfig = {
  task: 't', chain: new Uint8Array(32), gateway: 'gw-0', engine: fedavgEngine, ctx: { keyOf: () => undefined, rule: aggregator('fedavg') }, rounds: 3, deadlineMs: 1000,
  devices: devs.map((d) => d.id), registry: { device: (id) => { const d = devs.find((x) => x.id === id); return d && { key: publicKeyObject(d.key.publicRaw), counter: 0 }; } },
};
const head = { height: 1, hash: sha256(Uint8Array.of(1)), time: 0, cert: [] };
const trained = (i: number) => { const m = decodeModel(model); return encodeModel(m.header, m.params.map((v, j) => (j % 3 === i ? v + 1 : v))); };
const upd = (i: number, round: number, ctr = round, kid = devs[i].id) =>
  signSign1(new TextEncoder().encode(kid), encodeUpdate({ task: 't', round, base: sha256(model), n: 5, model: trained(i), ctr, metrics: {} }), devs[i].key.privateKey);

test('escapeText: control characters, ANSI escapes, bidi overrides and line separators are escaped; length is cut', () => {
  const forged = '\nround 12/12 █ acc 0.9999\r\x1b[2J\u202e\u2028';
  const e = escapeText(forged);
  assert.ok(!/[\u0000-\u001f\u007f-\u009f\u2028\u202e]/.test(e), e);
  assert.ok(e.startsWith('\\u{a}round 12/12 █ acc 0.9999\\u{d}\\u{1b}[2J\\u{202e}\\u{2028}'), e);
  assert.equal(escapeText('x'.repeat(1000), 10), 'x'.repeat(10) + '…');
  assert.equal(escapeText('dev-00001'), 'dev-00001');
});

test('a flood of 20,000 rejections: exact counts by reason, a bounded sample, bounded early queue', () => {
  let s: RoundState = step(cfg, initialState({ head, model }), { type: 'open', now: 0 }).state;
  const junk = Uint8Array.of(0xc2, 0x5a, 0x00, 0x00, 0x10, 0x00);
  const events: RoundEvent[] = [];
  for (let i = 0; i < 10_000; i++) events.push({ type: 'update', device: devs[i % 3].id, bytes: junk, now: 1 });
  const forged = upd(1, 1, 1, '\nround 12/12 █ acc 0.9999\x1b[31m');
  const ahead = upd(1, 2, 2);   // dev 1's own update for round 2: kept as early, up to the bound
  for (let i = 0; i < 10_000; i++) events.push({ type: 'update', device: devs[1].id, bytes: i % 2 ? forged : ahead, now: 2 });
  events.unshift({ type: 'update', device: devs[1].id, bytes: forged, now: 1 });
  for (const e of events) s = step(cfg, s, e).state;
  assert.equal(s.rejectedCounts['malformed_cbor'], 10_000, JSON.stringify(s.rejectedCounts));
  assert.equal(s.rejectedCounts['topic_mismatch'], 5_001, JSON.stringify(s.rejectedCounts));
  assert.equal(s.early.length, 4 * devs.length, 'the early queue fills to its bound');
  assert.equal(s.rejectedCounts['wrong_round'], 5_000 - 4 * devs.length, 'and the rest are rejected');
  assert.equal(s.rejected.length, MAX_REJECTION_SAMPLE);
  for (const r of s.rejected) assert.ok(!/[\u0000-\u001f]/.test(r.detail), r.detail);
  assert.ok(s.rejected.some((r) => r.detail.includes('\\u{a}round 12/12')), 'the forged kid is in the sample, escaped');
  // the honest updates still close the round
  for (let i = 0; i < 3; i++) s = step(cfg, s, { type: 'update', device: devs[i].id, bytes: upd(i, 1), now: 3 }).state;
  assert.equal(s.phase, 'deciding');
});
