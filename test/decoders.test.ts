// Every decoder at a network boundary tells truncated input from invalid input and refuses
// oversize input before parsing (STYLE §6): cluster messages, announcements, score sheets,
// PoQ evidence, committee scoring requests, and the simulator's control messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CborError, encodeCanonical, decodeBounded } from '../protocol/cbor.js';
import { CoseError } from '../protocol/cose.js';
import { encodeAnnouncement, decodeAnnouncement } from '../protocol/announcement.js';
import { encodeValidate, decodeValidate, ValidateError } from '../protocol/validate.js';
import { signScoreSheet, encodeSheets, decodeSheets, SheetError } from '../protocol/score-sheet.js';
import { parseTopic } from '../protocol/topics.js';
import { sign as nodeSign } from 'node:crypto';
import { approvalSigningBytes } from '../protocol/block-signing.js';
import { sha256, toHex } from '../protocol/bytes.js';
import { MAX_ANNOUNCEMENT_BYTES, MAX_CONTROL_BYTES, MAX_CLUSTER_MESSAGE, MAX_SMALL_MESSAGE } from '../protocol/limits.js';
import { ed25519FromSeed, demoSeed } from '../protocol/keys.js';
import * as M from '../gateway/finality/messages.js';
import { poqEngine, signReport } from '../gateway/consensus/poq.js';
import { ConsensusError } from '../gateway/consensus/engine.js';
import { nodeSigner } from '../gateway/ledger/index.js';
import { encodePlan, decodePlan, encodeDone, decodeDone, encodeReady, decodeReady, ControlError } from '../sim/control.js';
import { rigModel } from './support/round-rig.js';

const kind = (k: string) => (e: unknown) => e instanceof CborError && e.kind === k;
const h32 = new Uint8Array(32).fill(7);
const sig64 = new Uint8Array(64).fill(1);
/** Every strict prefix of a valid message is refused as truncated (or, for the empty one, too). */
function truncations(bytes: Uint8Array, decode: (b: Uint8Array) => unknown, isTruncated: (e: unknown) => boolean): void {
  for (const n of [0, 1, bytes.length >> 1, bytes.length - 1]) assert.throws(() => decode(bytes.subarray(0, n)), isTruncated, `prefix of ${n} / ${bytes.length} B`);
}

test('cluster messages: round trip, truncated, invalid, too large', () => {
  const p: M.Proposal = { height: 3, view: 1, round: 2, block: Uint8Array.of(1, 2, 3), pool: [h32], committee: ['dev-00001'], evidence: null };
  assert.deepEqual(M.decodeProposal(M.encodeProposal(p)), p);
  truncations(M.encodeProposal(p), M.decodeProposal, kind('truncated'));
  assert.throws(() => M.decodeProposal(encodeCanonical([3, 1, 2])), M.ClusterMessageError);
  assert.throws(() => M.decodeProposal(encodeCanonical([3, 1, 2, Uint8Array.of(1), [Uint8Array.of(1)], [], null])), M.ClusterMessageError, 'pool hash of 1 byte');
  assert.throws(() => M.decodeProposal(new Uint8Array(MAX_CLUSTER_MESSAGE + 1)), kind('too_large'));
  const v = { height: 3, hash: h32, id: 'gw-1', sig: sig64 };
  assert.deepEqual(M.decodeVote(M.encodeVote(v)), v);
  truncations(M.encodeVote(v), M.decodeVote, kind('truncated'));
  assert.throws(() => M.decodeVote(encodeCanonical([3, h32, 'gw-1', new Uint8Array(63)])), M.ClusterMessageError);
  assert.throws(() => M.decodeVote(new Uint8Array(MAX_SMALL_MESSAGE + 1)), kind('too_large'));
  const rq = { id: 'gw-2', from: 4 };
  assert.deepEqual(M.decodeSyncRequest(M.encodeSyncRequest(rq)), rq);
  truncations(M.encodeSyncRequest(rq), M.decodeSyncRequest, kind('truncated'));
  assert.throws(() => M.decodeSyncRequest(encodeCanonical(['gw-2', -1])), M.ClusterMessageError);
  const rp = { blocks: [Uint8Array.of(9)], model: Uint8Array.of(8), committee: [] };
  assert.deepEqual(M.decodeSyncReply(M.encodeSyncReply(rp)), rp);
  truncations(M.encodeSyncReply(rp), M.decodeSyncReply, kind('truncated'));
  assert.throws(() => M.decodeSyncReply(encodeCanonical([[1], Uint8Array.of(8), []])), M.ClusterMessageError);
});

test('announcements: bound to the chain and certified by a quorum of its gateways', () => {
  const gws = [0, 1, 2, 3].map((g) => ({ id: `gw-${g}`, k: ed25519FromSeed(demoSeed(`gateway-${g}`, 1)) }));
  const trust = { chain: h32, gateways: new Map(gws.map((g) => [g.id, g.k.publicKey])) };
  const block = sha256(Uint8Array.of(42));
  const approve = (g: (typeof gws)[number], h = block) => ({ id: g.id, sig: new Uint8Array(nodeSign(null, approvalSigningBytes(h), g.k.privateKey)) });
  const model = rigModel();
  const ann = (cert: { id: string; sig: Uint8Array }[], over: object = {}, by = gws[1]) =>
    encodeAnnouncement(by.id, { task: 't', round: 2, model, done: false, chain: h32, height: 5, block, cert, committee: ['dev-00003'], ...over }, by.k.privateKey);
  const dec = (b: Uint8Array, max = MAX_ANNOUNCEMENT_BYTES) => decodeAnnouncement(b, trust, max);
  const reason = (r: string) => (e: unknown) => e instanceof CoseError && e.reason === r;
  const msg = ann([approve(gws[0]), approve(gws[2]), approve(gws[3])]);
  const a = dec(msg);
  assert.equal(a.round, 2); assert.equal(a.height, 5); assert.deepEqual(a.committee, ['dev-00003']); assert.equal(toHex(a.block), toHex(block));
  // 3 of 4 is the quorum ⌈2n/3⌉; 2 distinct signers are not, nor one signer listed twice, nor approvals of another block
  assert.throws(() => dec(ann([approve(gws[0]), approve(gws[2])])), reason('no_quorum'));
  assert.throws(() => dec(ann([approve(gws[0]), approve(gws[0]), approve(gws[2])])), reason('no_quorum'));
  assert.throws(() => dec(ann([approve(gws[0]), approve(gws[2]), approve(gws[3], h32)])), reason('no_quorum'));
  assert.throws(() => dec(ann([approve(gws[0]), approve(gws[2]), approve(gws[3])], { chain: sha256(Uint8Array.of(1)) })), reason('wrong_chain'));
  const outsider = { id: 'gw-9', k: ed25519FromSeed(demoSeed('gateway-9', 1)) };
  assert.throws(() => dec(ann([approve(gws[0]), approve(gws[2]), approve(gws[3])], {}, outsider)), reason('unknown_gateway'));
  const forged = encodeAnnouncement('gw-1', { task: 't', round: 2, model, done: false, chain: h32, height: 5, block, cert: [] }, outsider.k.privateKey);
  assert.throws(() => dec(forged), reason('bad_signature'));
  truncations(msg, (b) => dec(b), (e) => e instanceof CoseError && e.reason === 'truncated');
  assert.throws(() => dec(encodeCanonical([1, 2])), reason('not_cose_sign1'));
  assert.throws(() => dec(ann([approve(gws[0]), approve(gws[2]), approve(gws[3])], { committee: ['bad id/x'] })), reason('bad_payload'));
  assert.throws(() => dec(msg, msg.length - 1), reason('too_large'));
});

test('committee scoring requests and score sheets: truncated vs invalid', () => {
  const v = { round: 4, prev: h32, committee: ['dev-00001'], candidates: [{ id: 'dev-00002', updateHash: h32 }] };
  assert.deepEqual(decodeValidate(encodeValidate(v)), v);
  truncations(encodeValidate(v), decodeValidate, kind('truncated'));
  assert.throws(() => decodeValidate(encodeCanonical([4, h32, ['dev-00001']])), ValidateError);
  assert.throws(() => decodeValidate(encodeCanonical([4, new Uint8Array(31), [], []])), ValidateError);
  assert.throws(() => decodeValidate(encodeCanonical([4, h32, ['a/b'], []])), ValidateError);
  assert.throws(() => decodeValidate(new Uint8Array(MAX_CONTROL_BYTES + 1)), kind('too_large'));
  const member = nodeSigner('dev-00001', demoSeed('dev-00001', 1));
  const sheet = signScoreSheet(member, 4, h32, [{ updateHash: h32, score: 5 }]);
  const bytes = encodeCanonical(encodeSheets([sheet]));
  assert.deepEqual(decodeSheets(cborOf(bytes)), [sheet]);
  truncations(bytes, (b) => decodeSheets(cborOf(b)), kind('truncated'));
  assert.throws(() => decodeSheets([[4, 'dev-00001', [[new Uint8Array(3), 5]], sheet.sig]]), SheetError);
  assert.throws(() => decodeSheets({}), SheetError);
});

test('PoQ evidence: reports and approvals decode strictly', () => {
  const eng = poqEngine();
  const party = nodeSigner('dev-00001', demoSeed('dev-00001', 1));
  const rep = signReport(party, { round: 1, updateHash: h32, mae: 1000, n: 5 }, h32);
  const ev = { reports: [rep], approvals: [{ member: 'dev-00001', sig: sig64 }] };
  const bytes = encodeCanonical(eng.encodeEvidence(ev));
  assert.deepEqual(eng.decodeEvidence(cborOf(bytes)), ev);
  truncations(bytes, (b) => eng.decodeEvidence(cborOf(b)), kind('truncated'));
  assert.throws(() => eng.decodeEvidence([[['dev-00001', 1, h32, 'x', 5, sig64]], []]), (e: unknown) => e instanceof ConsensusError && e.reason === 'malformed');
  assert.throws(() => eng.decodeEvidence([[], [['dev-00001']]]), (e: unknown) => e instanceof ConsensusError && e.reason === 'malformed');
});

test('simulator control messages: plan and end-of-round markers', () => {
  const p = { round: 3, trainers: [0, 2], committee: [1], epochs: 1, done: false };
  assert.deepEqual(decodePlan(encodePlan(p)), p);
  truncations(encodePlan(p), decodePlan, kind('truncated'));
  assert.throws(() => decodePlan(encodeCanonical([3, [0, -2], [1], 1, false])), ControlError);
  assert.throws(() => decodePlan(encodeCanonical([3, [0], [1], 1, 0])), ControlError);
  assert.throws(() => decodePlan(new Uint8Array(MAX_CONTROL_BYTES + 1)), kind('too_large'));
  const d = { round: 3, worker: 1, sent: 2, unavailable: [4], lost: [], slowestMs: 120 };
  assert.deepEqual(decodeDone(encodeDone(d)), d);
  truncations(encodeDone(d), decodeDone, kind('truncated'));
  assert.throws(() => decodeDone(encodeCanonical({ round: 3 })), ControlError);
  const r = { slice: 1, of: 2, boards: 5000 };
  assert.deepEqual(decodeReady(encodeReady(r)), r);
  truncations(encodeReady(r), decodeReady, kind('truncated'));
  assert.throws(() => decodeReady(encodeCanonical([2, 2, 10])), ControlError, 'slice must be below of');
  assert.throws(() => decodeReady(encodeCanonical([0, 0, 10])), ControlError);
  assert.throws(() => decodeReady(encodeCanonical([0, 2])), ControlError);
});

test('topic grammar: every builder parses back, anything else is refused', () => {
  assert.deepEqual(parseTopic('fl/t/update/dev-00001'), { task: 't', kind: 'update', id: 'dev-00001' });
  assert.deepEqual(parseTopic('fl/t/gw/sync/gw-2'), { task: 't', kind: 'syncReply', id: 'gw-2' });
  assert.deepEqual(parseTopic('fl/t/gw/sync'), { task: 't', kind: 'sync' });
  assert.deepEqual(parseTopic('fl/t/sim/done/3'), { task: 't', kind: 'done', id: '3' });
  assert.deepEqual(parseTopic('fl/t/sim/ready/1'), { task: 't', kind: 'ready', id: '1' });
  for (const bad of ['', 'fl', 'fl/t', 'fl/t/update', 'fl/t/update/a/b', 'xx/t/global', 'fl/t t/global', 'fl/t/nope', 'fl/t/gw/hello']) assert.equal(parseTopic(bad), undefined, bad);
});

function cborOf(b: Uint8Array): unknown { return decodeBounded(b, MAX_CLUSTER_MESSAGE); }
