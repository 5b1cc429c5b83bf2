// Proof of training Quality messages (seed 001 (PoQ) §III-D, Table I): what parties and
// members sign on their boards and publish, and what gateways check.
//   fl/<task>/report/<party>    a party's signed MAE(m_i) report of its round update (Eq. 6)
//   fl/<task>/audit             the leader's audit request: reports, leader, global model
//   fl/<task>/approve/<member>  a member's signed approval of the block digest
// Canonical CBOR with size limits; truncated input is told apart from invalid (CborError),
// and a well-formed message of the wrong shape is a PoqMessageError.
import { encodeCanonical, decodeBounded, type CborValue } from './cbor.js';
import { sha256 } from './bytes.js';
import { isId } from './ids.js';
import { MAX_MODEL_BYTES, MAX_COMMITTEE } from './limits.js';

/** A party's signed quality report for its local model: the content of its model transaction. */
export interface QualityReport { party: string; round: number; updateHash: Uint8Array; mae: number; n: number; sig: Uint8Array }
/** A member's approval of the leader's block digest. */
export interface PoqApproval { member: string; sig: Uint8Array }
/** The leader's request that members audit its block. */
export interface AuditRequest { round: number; prev: Uint8Array; leader: string; committee: string[]; reports: QualityReport[]; global: Uint8Array; tolerance: number }

export class PoqMessageError extends Error { readonly reason = 'malformed'; constructor(m: string) { super(m); this.name = 'PoqMessageError'; } }

const REPORT_DOMAIN = 'edgechain/poq-report/v1';
const APPROVE_DOMAIN = 'edgechain/poq-approve/v1';
export const PPM = 1_000_000;
/** A report message; an approval message; an audit request (reports plus one model blob). */
export const MAX_REPORT_BYTES = 512;
export const MAX_AUDIT_BYTES = MAX_MODEL_BYTES + MAX_COMMITTEE * 256;

/** SHA-256 of integer parameters as little-endian int32 bytes: what PoQ approvals and PoW work
 *  commit to (the model blob hash adds the frozen header). */
export function paramsDigest(p: Int32Array): Uint8Array {
  const b = new Uint8Array(p.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < p.length; i++) dv.setInt32(i * 4, p[i], true);
  return sha256(b);
}

/** Bytes a party signs: [domain, round, prev, party, updateHash, mae, n]; `prev` = the parent block hash. */
export function reportBytes(r: Omit<QualityReport, 'sig'>, prev: Uint8Array): Uint8Array {
  return encodeCanonical([REPORT_DOMAIN, r.round, prev, r.party, r.updateHash, r.mae, r.n]);
}

/** Signs a report on the board: MAE(m_i) of its local model on its own data, ppm. */
export function signReport(party: { id: string; sign(m: Uint8Array): Uint8Array }, r: Omit<QualityReport, 'sig' | 'party'>, prev: Uint8Array): QualityReport {
  const body = { ...r, party: party.id };
  return { ...body, sig: party.sign(reportBytes(body, prev)) };
}

/** What members approve: the round, parent, leader, the reports' (party, hash, MAE) and the global model. */
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

const need = (ok: boolean, what: string) => { if (!ok) throw new PoqMessageError(what); };
const bytesN = (x: unknown, n: number) => x instanceof Uint8Array && x.length === n;
const uint = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;

export const reportValue = (r: QualityReport): CborValue => [r.party, r.round, r.updateHash, r.mae, r.n, r.sig];
/** One report from an untrusted decoded value. Throws PoqMessageError. */
export function reportFrom(v: unknown): QualityReport {
  need(Array.isArray(v) && v.length === 6, 'report must be [party, round, updateHash, mae, n, sig]');
  const a = v as unknown[];
  need(typeof a[0] === 'string' && isId(a[0]) && uint(a[1]) && bytesN(a[2], 32) && uint(a[3]) && (a[3] as number) <= PPM && uint(a[4]) && bytesN(a[5], 64), 'report fields');
  return { party: a[0] as string, round: a[1] as number, updateHash: new Uint8Array(a[2] as Uint8Array), mae: a[3] as number, n: a[4] as number, sig: new Uint8Array(a[5] as Uint8Array) };
}
export const encodeReport = (r: QualityReport): Uint8Array => encodeCanonical(reportValue(r));
export const decodeReport = (b: Uint8Array): QualityReport => reportFrom(decodeBounded(b, MAX_REPORT_BYTES));

export const approvalValue = (a: PoqApproval): CborValue => [a.member, a.sig];
export function approvalFrom(v: unknown): PoqApproval {
  need(Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && isId(v[0]) && bytesN(v[1], 64), 'approval must be [member, sig64]');
  return { member: (v as [string])[0], sig: new Uint8Array((v as [string, Uint8Array])[1]) };
}
/** A member's published approval: [round, member, sig]. */
export const encodeApproval = (round: number, a: PoqApproval): Uint8Array => encodeCanonical([round, a.member, a.sig]);
export function decodeApproval(b: Uint8Array): { round: number; approval: PoqApproval } {
  const v = decodeBounded(b, MAX_REPORT_BYTES);
  need(Array.isArray(v) && v.length === 3 && uint(v[0]), 'approval message must be [round, member, sig]');
  return { round: (v as number[])[0], approval: approvalFrom((v as unknown[]).slice(1)) };
}

export const encodeAudit = (q: AuditRequest): Uint8Array => encodeCanonical([q.round, q.prev, q.leader, q.committee, q.reports.map(reportValue), q.global, q.tolerance]);
export function decodeAudit(b: Uint8Array): AuditRequest {
  const v = decodeBounded(b, MAX_AUDIT_BYTES);
  need(Array.isArray(v) && v.length === 7, 'audit request must be [round, prev, leader, committee, reports, global, tolerance]');
  const a = v as unknown[];
  need(uint(a[0]) && bytesN(a[1], 32) && typeof a[2] === 'string' && isId(a[2]) && Array.isArray(a[3]) && a[3].length <= MAX_COMMITTEE && a[3].every((m) => typeof m === 'string' && isId(m))
    && Array.isArray(a[4]) && a[4].length <= MAX_COMMITTEE && a[5] instanceof Uint8Array && uint(a[6]) && (a[6] as number) <= PPM, 'audit request fields');
  return {
    round: a[0] as number, prev: new Uint8Array(a[1] as Uint8Array), leader: a[2] as string, committee: a[3] as string[],
    reports: (a[4] as unknown[]).map(reportFrom), global: new Uint8Array(a[5] as Uint8Array), tolerance: a[6] as number,
  };
}
