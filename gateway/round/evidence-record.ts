// The evidence record of a round decided by device evidence (BFLC score sheets, PoQ reports and
// approvals): what the engine decided from, kept in the content store and committed to by hash
// in the block header (`cons.evidence`), so anyone can later re-run the decision
// (gateway/audit/replay.ts): [engine, round, prev, committee, pool envelope hashes, evidence].
import { encodeCanonical, decodeBounded, type CborValue } from '../../protocol/cbor.js';
import { MAX_CANDIDATES, MAX_COMMITTEE } from '../../protocol/limits.js';

export interface EvidenceRecord {
  engine: string;
  round: number;
  prev: Uint8Array;
  committee: string[];
  /** Envelope hashes of the candidates the decision was taken over, canonical (device id) order. */
  pool: Uint8Array[];
  /** The engine's evidence, as its `encodeEvidence` writes it. */
  evidence: CborValue;
}

/** Largest record read back (100,000 candidates, 1,024 members' sheets). */
export const MAX_EVIDENCE_RECORD_BYTES = 64 << 20;

export const encodeEvidenceRecord = (r: EvidenceRecord): Uint8Array =>
  encodeCanonical([r.engine, r.round, r.prev, r.committee, r.pool, r.evidence]);

/** Throws CborError or RangeError on a malformed record. */
export function decodeEvidenceRecord(b: Uint8Array): EvidenceRecord {
  const v = decodeBounded(b, MAX_EVIDENCE_RECORD_BYTES);
  const ok = Array.isArray(v) && v.length === 6 && typeof v[0] === 'string' && Number.isSafeInteger(v[1]) && v[2] instanceof Uint8Array && v[2].length === 32
    && Array.isArray(v[3]) && v[3].length <= MAX_COMMITTEE && v[3].every((x) => typeof x === 'string')
    && Array.isArray(v[4]) && v[4].length <= MAX_CANDIDATES && v[4].every((x) => x instanceof Uint8Array && x.length === 32);
  if (!ok) throw new RangeError('evidence record must be [engine, round, prev32, committee, pool, evidence]');
  const a = v as unknown[];
  return { engine: a[0] as string, round: a[1] as number, prev: new Uint8Array(a[2] as Uint8Array), committee: a[3] as string[], pool: (a[4] as Uint8Array[]).map((h) => new Uint8Array(h)), evidence: a[5] as CborValue };
}

