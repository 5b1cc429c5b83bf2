// Where tests keep the derived SpamAssassin corpus (derived once, ≈ 6 s; then read in ms).
import { resolve } from 'node:path';
export const SPAM_CACHE = process.env.EDGECHAIN_CACHE ?? resolve('data/cache');
