// Data profile (001 §III-B "registering retrieval records"): a registered provider publishes its
// data categories (main one first), types, size, hashed key terms with weights, its ε budget and
// optionally its position; the 64-bit data ID must be the one its key terms derive
// (protocol/data-id.ts), so no provider can claim a place in the retrieval space its data do not
// give it. Signed by the provider and bound to its message counter; a later profile replaces
// the earlier one (the ε already spent stays).
import { LedgerError } from '../errors.js';
import { onlyKeys, uint, int, list, idItem, str, opt } from '../fields.js';
import { bumpCounter, put } from '../records.js';
import { dataId, idHex, keyTermsProblem, MAX_CATEGORY, MAX_KEY_TERMS, type KeyTerm } from '../../../protocol/data-id.js';
import { SK, type ProfileRecord } from './data-state.js';
import type { TxKind } from './kind.js';

export interface DataProfileBody {
  dataId: string; categories: string[]; types: string[]; size: number; terms: KeyTerm[];
  /** Total ε budget ×1000 (1 … 10^9). */
  budget: number;
  /** Position in metres (Eq. 1's physical distance), when known. */
  position?: [number, number];
  ctr: number;
}

const MAX_BUDGET = 1e9;
const termItem = (v: unknown): KeyTerm => {
  if (!Array.isArray(v) || v.length !== 2 || !Number.isInteger(v[0]) || !Number.isInteger(v[1])) throw new LedgerError('malformed', 'a key term is [hash, weight]');
  return { hash: v[0], weight: v[1] };
};
const bad = (m: string): never => { throw new LedgerError('malformed', `data profile: ${m}`); };

/** Checks a profile body's contents (beyond field types). Throws LedgerError('malformed'). */
export function checkProfile(b: Omit<DataProfileBody, 'ctr'>): void {
  if (b.categories.length === 0) bad('names at least one category');
  const main = /^c(\d{1,2})$/.exec(b.categories[0]);
  if (!main || Number(main[1]) > MAX_CATEGORY) bad(`main category ${b.categories[0]} is not c0…c${MAX_CATEGORY}`);
  if (b.size < 1) bad('size must be at least 1');
  if (b.budget < 1 || b.budget > MAX_BUDGET) bad(`budget ${b.budget} outside [1, ${MAX_BUDGET}]`);
  const p = keyTermsProblem(b.terms);
  if (p) bad(p);
  if (idHex(dataId(Number(main![1]), b.terms)) !== b.dataId) bad(`ID ${b.dataId} is not the one its key terms and main category derive`);
}

export const dataProfileKind: TxKind<DataProfileBody> = {
  type: 'data-profile',
  author: 'participant',
  decode(m) {
    onlyKeys(m, ['dataId', 'categories', 'types', 'size', 'terms', 'budget', 'position', 'ctr'], 'data-profile');
    const position = opt(m, 'position', (mm, k) => {
      const v = mm.get(k);
      if (!Array.isArray(v) || v.length !== 2) bad('position is [x, y] in metres');
      const pm = new Map<unknown, unknown>([['x', (v as unknown[])[0]], ['y', (v as unknown[])[1]]]);
      return [int(pm, 'x'), int(pm, 'y')] as [number, number];
    });
    return {
      dataId: str(m, 'dataId', 16, 16), categories: list(m, 'categories', idItem, 16), types: list(m, 'types', idItem, 16),
      size: uint(m, 'size'), terms: list(m, 'terms', termItem, MAX_KEY_TERMS), budget: uint(m, 'budget'), ...(position ? { position } : {}), ctr: uint(m, 'ctr'),
    };
  },
  encode: (b) => ({
    dataId: b.dataId, categories: b.categories, types: b.types, size: b.size, terms: b.terms.map((t) => [t.hash, t.weight]), budget: b.budget,
    ...(b.position ? { position: [b.position[0], b.position[1]] } : {}), ctr: b.ctr,
  }),
  apply(s, tx, ctx) {
    const b = tx.body;
    checkProfile(b);
    bumpCounter(s, tx.author, b.ctr);
    const rec: ProfileRecord = { id: b.dataId, categories: b.categories, types: b.types, size: b.size, terms: b.terms, budget: b.budget, ...(b.position ? { position: b.position } : {}), height: ctx.height };
    put(s, SK.profile(tx.author), rec);
  },
};
