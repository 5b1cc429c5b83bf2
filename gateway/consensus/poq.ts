// Proof of training Quality (001 §III-D). The committee is the set of parties of the task.
// Each trains m_i and reports MAE(m_i) (Eq. 6; for a classifier the firmware's mean (1 − p_y))
// in a model transaction (Table I), signed with its key. Every node computes, per Eq. 7,
//   MAE^u(P_j) = γ_j·MAE(m_j) + (1/n)·Σ_i MAE(m_i),   γ_j = 1 + |d_j| / Σ_i |d_i|,
// and the party with the lowest MAE^u leads. The leader assembles the block of model
// transactions plus the global model; every member recomputes the MAE of each model and of the
// global model and, if each is within tolerance, signs an approval. The block is appended only
// with all approvals (the paper), or a configured threshold. Fixed point: ppm integers.
import type { CborValue } from '../../protocol/cbor.js';
import { toHex } from '../../protocol/bytes.js';
import { reportBytes, blockDigest, reportFrom, approvalFrom, reportValue, approvalValue, PoqMessageError, PPM, type QualityReport, type PoqApproval } from '../../protocol/poq.js';
import { verifySig } from '../ledger/signer.js';
import { aggregateAccepted, canonicalOrder, ConsensusError, type ConsensusEngine, type RoundInput, type EngineContext, type Candidate } from './engine.js';

export { signReport, reportBytes, blockDigest, auditWithin, type QualityReport, type PoqApproval } from '../../protocol/poq.js';

export interface PoqEvidence { reports: QualityReport[]; approvals: PoqApproval[] }

export interface PoqConfig {
  /** Approvals needed; default: every party (001: "approved by every committee node"). */
  threshold?: number;
  /** Largest |recomputed − reported| MAE a member tolerates, ppm (default 400000; members score on their own, non-IID data). */
  tolerance?: number;
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

/** The leader's block before approvals (001 §III-D): the checked reports, the leader by Eq. 7,
 *  the global model and the digest members approve. The engine and the gateway that gathers
 *  approvals (gateway/evidence/poq.ts) both compute it here. Throws ConsensusError. */
export function poqDraft(input: RoundInput, reportsIn: readonly QualityReport[], ctx: EngineContext) {
  const { reports, cands } = checkReports(input, reportsIn, ctx);
  const leader = poqLeader(reports);
  const accepted = cands.map((c) => c.id);
  const scores = new Map(reports.map((r) => [r.party, PPM - r.mae]));
  const params = aggregateAccepted(cands, accepted, scores, ctx);
  return { reports, leader, accepted, scores, params, digest: blockDigest(input.round, input.prev, leader ?? '', reports, params) };
}

/** The PoQ engine. The leader and the global model are recomputed from the reports; the block
 *  counts only with enough valid approvals of its digest, otherwise nothing is accepted.
 *  @example poqEngine({ threshold: 3 }).decide(input, { reports, approvals }, ctx) */
export function poqEngine(cfg: PoqConfig = {}): ConsensusEngine<PoqEvidence> {
  return {
    name: 'poq',
    config: { ...(cfg.threshold !== undefined ? { threshold: cfg.threshold } : {}), ...(cfg.tolerance !== undefined ? { tolerance: cfg.tolerance } : {}) },
    caps: { proposer: 'leader', committee: 'parties', evidence: 'devices' },
    explain: () => ({ reason: 'poq_not_approved', detail: 'the block did not gather enough member approvals (001 §III-D)' }),
    decide(input, ev, ctx) {
      const d = poqDraft(input, ev.reports, ctx);
      const parties = new Set(input.committee.length ? input.committee : input.candidates.map((c) => c.id));
      const ok = new Set<string>();
      for (const a of ev.approvals) {
        const key = ctx.keyOf(a.member);
        if (parties.has(a.member) && key && verifySig(key, d.digest, a.sig)) ok.add(a.member);
      }
      const need = cfg.threshold ?? parties.size;
      if (!d.leader || ok.size < need) return { accepted: [], scores: d.scores, params: undefined, nextCommittee: [...input.committee], leader: d.leader };
      return { accepted: d.accepted, scores: d.scores, params: d.params, nextCommittee: [...input.committee], leader: d.leader };
    },
    encodeEvidence: (e) => [e.reports.map(reportValue), e.approvals.map(approvalValue)] as CborValue,
    decodeEvidence(v) {
      if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || !Array.isArray(v[1]) || v[0].length > 4096 || v[1].length > 4096) throw new ConsensusError('malformed', 'PoQ evidence must be [reports, approvals]');
      try { return { reports: v[0].map(reportFrom), approvals: v[1].map(approvalFrom) }; } catch (e) {
        if (e instanceof PoqMessageError) throw new ConsensusError('malformed', e.message);
        throw e;
      }
    },
  };
}
