// BFLC committee consensus (002 §III "Committee consensus mechanism"). Each round a committee
// of M devices does not train; every member scores each candidate update on its own local data
// (the firmware's evaluation, accuracy in ppm) and signs its score sheet. An update's score is
// the median of its committee scores; it is accepted when that reaches the task's threshold.
// Once k updates are accepted aggregation triggers (the k best by score; fewer at the round's
// deadline), and the next committee is elected from the providers of accepted updates.
import { bytesEqual, toHex } from '../../protocol/bytes.js';
import { verifySig } from '../ledger/signer.js';
import { scoreSheetBytes, encodeSheets, decodeSheets as decodeSheetsRaw, SheetError, type ScoreSheet } from '../../protocol/score-sheet.js';

export { scoreSheetBytes, signScoreSheet, encodeSheets, type ScoreSheet } from '../../protocol/score-sheet.js';

/** Score sheets from an untrusted decoded CBOR value. Throws ConsensusError('malformed'). */
export function decodeSheets(v: unknown): ScoreSheet[] {
  try { return decodeSheetsRaw(v); } catch (e) { if (e instanceof SheetError) throw new ConsensusError('malformed', e.message); throw e; }
}
import { aggregateAccepted, canonicalOrder, ConsensusError, type ConsensusEngine, type RoundInput } from './engine.js';
import { electCommittee, type ElectionMethod } from './election.js';
import { rootOf, cosPpm, medianCosPpm } from './trust.js';


export interface CommitteeConfig {
  /** Acceptance threshold on the median score, ppm (e.g. 600000 = 60 % accuracy). */
  threshold: number;
  /** Aggregation triggers once k updates are accepted; at most k enter the model. */
  k: number;
  /** Committee size M. */
  size: number;
  election?: ElectionMethod;       // default 'score'
  capabilityWeight?: number;       // multi-factor election weight, ppm
  /** A higher bar for election than for acceptance (ppm, ≥ threshold; default = threshold):
   *  an update that merely passes does not seat its provider (docs/robustness.md). */
  electThreshold?: number;
  /** Rounds 1..warmup elect at random among the eligible instead of by score, so attackers
   *  whose updates score well on a poor early model are not seated on merit (docs/robustness.md). */
  warmup?: number;
  /** FLTrust-style direction trust (trust.ts): members also send a reference update; a
   *  candidate counts only with positive trust, and the rule gets the trust as its score plus
   *  opts.base and opts.refNorm (use the `fltrust` rule). Without any reference update nothing
   *  is trusted that round (model and committee unchanged). */
  trust?: boolean;
  /** With trust: admit candidates whose cosine with the root exceeds this (ppm, in
   *  [−1e6, 1e6), default 0 = positive trust only); their weight in `fltrust` stays ReLU(cos). */
  trustFloor?: number;
  /** How the members' references vote: 'sum' (default: cosine with the sum of their unit
   *  deltas, FLTrust's single root) or 'median' (the lower median of the per-member cosines,
   *  so a colluding minority of members cannot steer it). */
  trustRoot?: 'sum' | 'median';
}

const pct = (ppm: number) => `${(ppm / 1e4).toFixed(2)} %`;
const MAX_SCORE = 1_000_000;

/** The committee's score of one update: the ⌈M/2⌉-th highest of the M members' scores, i.e.
 *  the lower median, with a missing score counted as 0. So it reaches a threshold exactly when
 *  more than M/2 members gave at least that (002 §III: a malicious update is accepted "if and
 *  only if more than M/2 committee members are cooperating"). Integer; no averaging. */
export function committeeScore(scores: readonly number[], committeeSize: number): number {
  if (scores.length > committeeSize) throw new RangeError('more scores than committee members');
  const all = [...scores, ...new Array<number>(committeeSize - scores.length).fill(0)].sort((a, b) => a - b);
  return all[Math.ceil(committeeSize / 2) - 1];
}

/** Verifies the sheets (member of the committee, one sheet each, signature, round, score range)
 *  and returns each member's score per update hash. Throws ConsensusError. */
export function checkSheets(input: RoundInput, sheets: readonly ScoreSheet[], keyOf: (id: string) => Uint8Array | undefined): Map<string, Map<string, number>> {
  const members = new Set(input.committee);
  const out = new Map<string, Map<string, number>>();
  for (const s of sheets) {
    if (!members.has(s.member)) throw new ConsensusError('not_member', `${s.member} is not on the round-${input.round} committee`);
    if (out.has(s.member)) throw new ConsensusError('duplicate', `two score sheets from ${s.member}`);
    if (s.round !== input.round) throw new ConsensusError('wrong_round', `sheet of ${s.member} is for round ${s.round}`);
    const key = keyOf(s.member);
    if (!key || !verifySig(key, scoreSheetBytes(s.round, input.prev, s.member, s.scores), s.sig)) throw new ConsensusError('bad_signature', `score sheet of ${s.member} does not verify`);
    const m = new Map<string, number>();
    for (const e of s.scores) {
      if (!Number.isInteger(e.score) || e.score < 0 || e.score > MAX_SCORE) throw new ConsensusError('bad_score', `score ${e.score} from ${s.member}`);
      m.set(toHex(e.updateHash), e.score);
    }
    out.set(s.member, m);
  }
  return out;
}

/** The BFLC engine for a task's committee configuration.
 *  @example committeeEngine({ threshold: 600000, k: 6, size: 4 }).decide(input, sheets, ctx) */
export function committeeEngine(cfg: CommitteeConfig): ConsensusEngine<ScoreSheet[]> {
  if (!(Number.isInteger(cfg.k) && cfg.k >= 1 && Number.isInteger(cfg.size) && cfg.size >= 1)) throw new RangeError('committee: k and size must be positive integers');
  const electBar = cfg.electThreshold ?? cfg.threshold;
  if (!Number.isInteger(electBar) || electBar < cfg.threshold || electBar > MAX_SCORE) throw new RangeError('committee: electThreshold must be an integer in [threshold, 1000000]');
  const warmup = cfg.warmup ?? 0;
  const floor = cfg.trustFloor ?? 0;
  if (!Number.isInteger(floor) || floor < -MAX_SCORE || floor >= MAX_SCORE) throw new RangeError('committee: trustFloor must be an integer in [-1000000, 1000000)');
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError('committee: warmup must be a non-negative integer');
  return {
    name: 'committee',
    config: { threshold: cfg.threshold, k: cfg.k, size: cfg.size, election: cfg.election ?? 'score', ...(cfg.capabilityWeight !== undefined ? { capability_weight: cfg.capabilityWeight } : {}),
      ...(cfg.electThreshold !== undefined ? { elect_threshold: cfg.electThreshold } : {}), ...(warmup ? { warmup } : {}), ...(cfg.trust ? { trust: 1 } : {}), ...(cfg.trustFloor ? { trust_floor: cfg.trustFloor } : {}), ...(cfg.trustRoot === 'median' ? { trust_root: 'median' } : {}) },
    caps: { proposer: 'leader', committee: 'separate', evidence: 'devices', ...(cfg.trust ? { membersTrain: true } : {}) },
    explain(id, d) {
      const sc = d.scores.get(id) ?? 0;
      if (cfg.trust && sc >= cfg.threshold) return { reason: 'direction_trust', detail: `median score ${pct(sc)} passed, but its direction trust (cosine with the committee's reference updates) was not positive, or it was not among the k = ${cfg.k} best` };
      return {
        reason: 'committee_score',
        detail: sc < cfg.threshold ? `median score ${pct(sc)} below the threshold ${pct(cfg.threshold)}` : `median score ${pct(sc)} passed but not among the k = ${cfg.k} best`,
      };
    },
    decide(input, sheets, ctx) {
      const bySheet = checkSheets(input, sheets, ctx.keyOf);
      const members = new Set(input.committee);
      // Committee members do not train this round: their own updates are not candidates.
      const cands = canonicalOrder(input.candidates).filter((c) => !members.has(c.id));
      const scores = new Map<string, number>();
      for (const c of cands) {
        const h = toHex(c.updateHash);
        const given: number[] = [];
        for (const m of bySheet.values()) { const v = m.get(h); if (v !== undefined) given.push(v); }
        scores.set(c.id, committeeScore(given, input.committee.length));
      }
      // Direction trust (trust.ts): the members' own updates are the root, never candidates.
      const refs = canonicalOrder(input.candidates).filter((c) => members.has(c.id)).map((c) => c.params);
      const rt = cfg.trust && input.base ? rootOf(input.base, refs) : undefined;
      const cos = new Map<string, number>(), trust = new Map<string, number>();
      if (rt) for (const c of cands) {
        const v = cfg.trustRoot === 'median' ? medianCosPpm(c.params, input.base!, refs, input.committee.length) : cosPpm(c.params, input.base!, rt.root);
        cos.set(c.id, v); trust.set(c.id, Math.max(0, v));
      }
      const passed = cands.filter((c) => scores.get(c.id)! >= cfg.threshold && (!cfg.trust || (rt !== undefined && cos.get(c.id)! > floor)))
        .sort((a, b) => scores.get(b.id)! - scores.get(a.id)! || (a.id < b.id ? -1 : 1));
      const accepted = passed.slice(0, cfg.k).map((c) => c.id).sort();
      const params = !cfg.trust ? aggregateAccepted(cands, accepted, scores, ctx)
        : rt && accepted.length ? aggregateAccepted(cands, accepted, trust, { ...ctx, ruleOpts: { ...ctx.ruleOpts, base: input.base, refNorm: rt.refNorm } }) : undefined;
      // Election draws only from providers of accepted (threshold-passing) updates (002 §III);
      // members who were not validated this round are never carried over, so a colluder cannot
      // stay seated. With fewer than M eligible the committee shrinks; with none it is kept.
      // Eligible for a seat: passed the election bar (≥ the acceptance threshold); during the
      // warm-up rounds the seats are drawn at random among them.
      const eligible = passed.filter((c) => scores.get(c.id)! >= electBar);
      const method = input.round <= warmup ? 'random' : cfg.election ?? 'score';
      const nextCommittee = input.committee.length === 0 ? [] : eligible.length === 0 ? [...input.committee] : electCommittee(
        eligible.map((c) => ({ id: c.id, score: scores.get(c.id)!, capability: c.capability })),
        { method, size: cfg.size, seed: { prev: input.prev, round: input.round }, capabilityWeight: cfg.capabilityWeight },
      );
      return { accepted, scores, params, nextCommittee };
    },
    encodeEvidence: encodeSheets,
    decodeEvidence: decodeSheets,
  };
}

/** True when two sheets carry the same scores (used by tests and certificates). */
export function sameScores(a: ScoreSheet, b: ScoreSheet): boolean {
  return a.scores.length === b.scores.length && a.scores.every((e, i) => bytesEqual(e.updateHash, b.scores[i].updateHash) && e.score === b.scores[i].score);
}
