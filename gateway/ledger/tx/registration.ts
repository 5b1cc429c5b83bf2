// Registration (001 "retrieval record"): device id, public key and data profile. Admission is
// permissioned: only a manager (super node / CA, 000 and 002 node management) may author it.
import { LedgerError } from '../errors.js';
import { asMap, onlyKeys, str, bytes, uint, list, idItem } from '../fields.js';
import { K, put, identity, type DeviceRecord } from '../records.js';
import type { TxKind } from './kind.js';

export interface RegistrationBody {
  id: string;
  publicKey: Uint8Array;
  profile: { categories: string[]; types: string[]; size: number };
}

const MAX_PROFILE_ITEMS = 64;

export const registrationKind: TxKind<RegistrationBody> = {
  type: 'register',
  author: 'manager',
  decode(m) {
    onlyKeys(m, ['id', 'publicKey', 'profile'], 'register');
    const p = asMap(m.get('profile'), 'profile');
    onlyKeys(p, ['categories', 'types', 'size'], 'profile');
    return {
      id: str(m, 'id'),
      publicKey: bytes(m, 'publicKey', 32),
      profile: { categories: list(p, 'categories', idItem, MAX_PROFILE_ITEMS), types: list(p, 'types', idItem, MAX_PROFILE_ITEMS), size: uint(p, 'size') },
    };
  },
  encode: (b) => ({ id: b.id, publicKey: b.publicKey, profile: { categories: b.profile.categories, types: b.profile.types, size: b.profile.size } }),
  apply(s, tx, ctx) {
    const b = tx.body;
    // An id is never reused, even after revocation: old signed messages stay bound to the old key.
    if (identity(s, b.id)) throw new LedgerError('duplicate', `identity ${b.id} already exists`);
    const rec: DeviceRecord = { publicKey: b.publicKey, profile: b.profile, counter: 0, status: 'active', admittedBy: tx.author, height: ctx.height };
    put(s, K.device(b.id), rec);
  },
};
