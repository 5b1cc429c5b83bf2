// Proof of training Quality (001 §III-D). The committee is the set of parties of the task.
// Each trains m_i and reports MAE(m_i) (Eq. 6; for a classifier the firmware's mean (1 − p_y))
// in a model transaction (Table I), signed with its key. Every node computes, per Eq. 7,
//   MAE^u(P_j) = γ_j·MAE(m_j) + (1/n)·Σ_i MAE(m_i),   γ_j = 1 + |d_j| / Σ_i |d_i|,
// and the party with the lowest MAE^u leads. The leader assembles the block of model
// transactions plus the global model; every member recomputes the MAE of each model and of the
// global model and, if each is within tolerance, signs an approval. The block is appended only
// with all approvals (the paper), or a configured threshold. Fixed point: ppm integers.
import { encodeCanonical, type CborValue } from '../../protocol/cbor.js';
import { sha256, toHex } from '../../protocol/bytes.js';
import { verifySig, type Signer } from '../ledger/signer.js';
import { aggregateAccepted, canonicalOrder, ConsensusError, paramsDigest, type ConsensusEngine, type RoundInput, type EngineContext, type Candidate } from './engine.js';

/** A party's signed quality report for its local model: the content of its model transaction. */
export interface QualityReport { party: string; round: number; updateHash: Uint8Array; mae: number; n: number; sig: Uint8Array }
/** A member's approval of the leader's block digest. */
export interface PoqApproval { member: string; sig: Uint8Array }
export interface PoqEvidence { reports: QualityReport[]; approvals: PoqApproval[] }

export interface PoqConfig {
  /** Approvals needed; default: every party (001: "approved by every committee node"). */
  threshold?: number;
  /** Largest |recomputed − reported| MAE a member tolerates, ppm (default 400000; members score on their own, non-IID data). */
  tolerance?: number;
}

const REPORT_DOMAIN = 'edgechain/poq-report/v1';
const APPROVE_DOMAIN = 'edgechain/poq-approve/v1';
const PPM = 1_000_000;

export function reportBytes(r: Omit<QualityReport, 'sig'>, prev: Uint8Array): Uint8Array {
  return encodeCanonical([REPORT_DOMAIN, r.round, prev, r.party, r.updateHash, r.mae, r.n]);
}

/** Signs a report on the board: MAE(m_i) of its local model on its own data. */
export function signReport(party: Signer, r: Omit<QualityReport, 'sig' | 'party'>, prev: Uint8Array): QualityReport {
  const body = { ...r, party: party.id };
  return { ...body, sig: party.sign(reportBytes(body, prev)) };
}

/** Eq. 7 for every reporting party, ppm: γ_j·MAE_j + mean MAE, γ_j = 1 + |d_j|/Σ|d_i|. */
export function maeU(reports: readonly Pick<QualityReport, 'party' | 'mae' | 'n'>[]): Map<string, number> {
  const total = reports.reduce((s, r) => s + r.n, 0);
  const mean = Math.floor(reports.reduce((s, r) => s + r.mae, 0) / Math.max(1, reports.length));
  return new Map(reports.map((r) => {
    const gamma = PPM + Math.floor((r.n * PPM) / Math.max(1, total));
    return [r.party, Math.floor((gamma * r.mae) / PPM) + mean];
  }));
}

/** The party with the lowest MAE^u (ties: smallest id) — the committee leader of 001 §III-D. */
export function poqLeader(reports: readonly Pick<QualityReport, 'party' | 'mae' | 'n'>[]): string | undefined {
  let best: [string, number] | undefined;
  for (const [id, v] of maeU(reports)) if (!best || v < best[1] || (v === best[1] && id < best[0])) best = [id, v];
  return best?.[0];
}

/** What members approve: the round, parent, leader, the reports' (hash, MAE) and the global model. */
export function blockDigest(round: number, prev: Uint8Array, leader: string, reports: readonly QualityReport[], global: Int32Array | undefined): Uint8Array {
  return sha256(encodeCanonical([APPROVE_DOMAIN, round, prev, leader, reports.map((r) => [r.party, r.updateHash, r.mae]), global ? paramsDigest(global) : new Uint8Array(0)]));
}

/** A member's audit (on the board): its recomputed MAE of each reported model and of the global
 *  model, against the reports and the global model's mean reported MAE. True → sign. */
export function auditWithin(reports: readonly QualityReport[], recomputed: ReadonlyMap<string, number>, globalMae: number, tolerance = 400_000): boolean {
  for (const r of reports) {
    const m = recomputed.get(r.party);
    if (m === undefined || Math.abs(m - r.mae) > tolerance) return false;
  }
  const mean = reports.length ? Math.floor(reports.reduce((s, r) => s + r.mae, 0) / reports.length) : 0;
  return globalMae <= mean + tolerance;
}

/** Reports checked (party of the round, one each, signed, matching its update). Throws ConsensusError. */
function checkReports(input: RoundInput, reports: readonly QualityReport[], ctx: EngineContext): { reports: QualityReport[]; cands: Candidate[] } {
  const byId = new Map(input.candidates.map((c) => [c.id, c]));
  const parties = new Set(input.committee.length ? input.committee : input.candidates.map((c) => c.id));
  const seen = new Set<string>();
  for (const r of reports) {
    if (!parties.has(r.party)) throw new ConsensusError('not_member', `${r.party} is not a party of the task`);
    if (seen.has(r.party)) throw new ConsensusError('duplicate', `two reports from ${r.party}`);
    seen.add(r.party);
    if (r.round !== input.round) throw new ConsensusError('wrong_round', `report of ${r.party} is for round ${r.round}`);
    if (!Number.isInteger(r.mae) || r.mae < 0 || r.mae > PPM) throw new ConsensusError('bad_score', `MAE ${r.mae}`);
    const c = byId.get(r.party);
    if (!c || toHex(c.updateHash) !== toHex(r.updateHash) || c.n !== r.n) throw new ConsensusError('mismatch', `report of ${r.party} does not match its update`);
    const key = ctx.keyOf(r.party);
    if (!key || !verifySig(key, reportBytes(r, input.prev), r.sig)) throw new ConsensusError('bad_signature', `report of ${r.party} does not verify`);
  }
  const sorted = canonicalOrder(reports.map((r) => ({ ...r, id: r.party }))).map(({ id: _id, ...r }) => r);
  return { reports: sorted, cands: sorted.map((r) => byId.get(r.party)!) };
}

/** The PoQ engine. The leader and the global model are recomputed from the reports; the block
 *  counts only with enough valid approvals of its digest, otherwise nothing is accepted.
 *  @example poqEngine({ threshold: 3 }).decide(input, { reports, approvals }, ctx) */
export function poqEngine(cfg: PoqConfig = {}): ConsensusEngine<PoqEvidence> {
  return {
    name: 'poq',
    caps: { proposer: 'leader', committee: 'parties', evidence: 'devices' },
    explain: () => ({ reason: 'poq_not_approved', detail: 'the block did not gather enough member approvals (001 §III-D)' }),
    decide(input, ev, ctx) {
      const { reports, cands } = checkReports(input, ev.reports, ctx);
      const leader = poqLeader(reports);
      const accepted = cands.map((c) => c.id);
      const scores = new Map(reports.map((r) => [r.party, PPM - r.mae]));
      const params = aggregateAccepted(cands, accepted, scores, ctx);
      const parties = new Set(input.committee.length ? input.committee : input.candidates.map((c) => c.id));
      const digest = blockDigest(input.round, input.prev, leader ?? '', reports, params);
      const ok = new Set<string>();
      for (const a of ev.approvals) {
        const key = ctx.keyOf(a.member);
        if (parties.has(a.member) && key && verifySig(key, digest, a.sig)) ok.add(a.member);
      }
      const need = cfg.threshold ?? parties.size;
      if (!leader || ok.size < need) return { accepted: [], scores, params: undefined, nextCommittee: [...input.committee], leader };
      return { accepted, scores, params, nextCommittee: [...input.committee], leader };
    },
    encodeEvidence: (e) => [e.reports.map((r) => [r.party, r.round, r.updateHash, r.mae, r.n, r.sig]), e.approvals.map((a) => [a.member, a.sig])] as CborValue,
    decodeEvidence(v) {
      if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || !Array.isArray(v[1]) || v[0].length > 4096 || v[1].length > 4096) throw new ConsensusError('malformed', 'PoQ evidence must be [reports, approvals]');
      const reports = v[0].map((r: unknown): QualityReport => {
        if (!Array.isArray(r) || r.length !== 6 || typeof r[0] !== 'string' || typeof r[1] !== 'number' || !(r[2] instanceof Uint8Array) || typeof r[3] !== 'number' || typeof r[4] !== 'number' || !(r[5] instanceof Uint8Array)) throw new ConsensusError('malformed', 'bad report');
        return { party: r[0], round: r[1], updateHash: new Uint8Array(r[2]), mae: r[3], n: r[4], sig: new Uint8Array(r[5]) };
      });
      const approvals = v[1].map((a: unknown): PoqApproval => {
        if (!Array.isArray(a) || a.length !== 2 || typeof a[0] !== 'string' || !(a[1] instanceof Uint8Array)) throw new ConsensusError('malformed', 'bad approval');
        return { member: a[0], sig: new Uint8Array(a[1]) };
      });
      return { reports, approvals };
    },
  };
}
