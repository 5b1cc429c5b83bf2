// Genesis transaction: the chain id, the managers' keys (permissioned chain, 000/002) and the
// chain parameters. Only valid as the single transaction of block 0.
import { LedgerError } from '../errors.js';
import { asMap, onlyKeys, str, bytes, list, num, MAX_ID } from '../fields.js';
import { K, put } from '../records.js';
import type { TxKind } from './kind.js';

export interface GenesisBody {
  chainId: string;
  managers: { id: string; publicKey: Uint8Array }[];
  params: Record<string, number | string>;
  balances: Record<string, number>;
}

const MAX_PARAMS = 64;

function readParams(v: unknown, what: string, numbersOnly: boolean): Record<string, any> {
  const m = asMap(v, what);
  if (m.size > MAX_PARAMS) throw new LedgerError('malformed', `${what}: more than ${MAX_PARAMS} entries`);
  const out: Record<string, number | string> = {};
  for (const [k, raw] of m) {
    const x = num(raw);
    if (typeof k !== 'string' || k.length === 0 || k.length > MAX_ID) throw new LedgerError('malformed', `${what}: bad key`);
    const okNum = typeof x === 'number' && Number.isSafeInteger(x) && (!numbersOnly || x >= 0);
    const okStr = !numbersOnly && typeof x === 'string' && x.length <= 256;
    if (!okNum && !okStr) throw new LedgerError('malformed', `${what}.${k}: must be ${numbersOnly ? 'an unsigned integer' : 'an integer or short text'}`);
    out[k] = x as number | string;
  }
  return out;
}

export const genesisKind: TxKind<GenesisBody> = {
  type: 'genesis',
  author: 'genesis',
  decode(m) {
    onlyKeys(m, ['chainId', 'managers', 'params', 'balances'], 'genesis');
    const managers = list(m, 'managers', (v) => {
      const e = asMap(v, 'manager');
      onlyKeys(e, ['id', 'publicKey'], 'manager');
      return { id: str(e, 'id'), publicKey: bytes(e, 'publicKey', 32) };
    }, 256);
    if (managers.length === 0) throw new LedgerError('malformed', 'genesis needs at least one manager');
    return { chainId: str(m, 'chainId'), managers, params: readParams(m.get('params'), 'params', false), balances: readParams(m.get('balances'), 'balances', true) };
  },
  encode: (b) => ({ chainId: b.chainId, managers: b.managers.map((x) => ({ id: x.id, publicKey: x.publicKey })), params: b.params, balances: b.balances }),
  apply(s, tx, ctx) {
    if (ctx.height !== 0) throw new LedgerError('bad_height', 'genesis only at height 0');
    const b = tx.body;
    if (b.chainId !== ctx.chainId) throw new LedgerError('bad_chain', 'genesis chain id differs from header');
    put(s, K.chain, { chainId: b.chainId });
    for (const mgr of b.managers) {
      if (s.get(K.manager(mgr.id))) throw new LedgerError('duplicate', `manager ${mgr.id} listed twice`);
      put(s, K.manager(mgr.id), { publicKey: mgr.publicKey, counter: 0, status: 'active' });
    }
    for (const [k, v] of Object.entries(b.params)) s.set(K.param(k), v);
    let supply = 0;
    for (const [k, v] of Object.entries(b.balances)) { put(s, K.balance(k), v); supply += v; }
    if (!Number.isSafeInteger(supply)) throw new LedgerError('malformed', 'genesis balances sum above 2^53 - 1');
    if (supply > 0) put(s, K.supply, supply);   // supply.ts: the invariant's total
  },
};
