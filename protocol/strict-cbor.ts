// Strict CBOR pre-check (RFC 8949 §4.2.1 core deterministic encoding, plus the protocol's own
// profile), run on untrusted bytes before the general decoder (cbor-x) sees them. One linear pass
// over the item headers, with an explicit stack (no recursion), that rejects everything the
// protocol never sends:
// - indefinite lengths and the break code (RFC 8949 §3.2), reserved additional info 28–30;
// - tags other than the caller's list (the protocol uses only COSE_Sign1 = 18, RFC 9052 §4.2),
//   so bignums (tags 2/3, which cbor-x decodes in quadratic time) never reach it;
// - floats and simple values other than false/true/null (consensus data is integer-only);
// - non-shortest integers, lengths and tag numbers (§4.2.1 "preferred serialization");
// - map keys that are not integers or text, or not in strictly increasing bytewise order
//   (§4.2.1 key order; equal keys are duplicates, §5.6);
// - text strings that are not valid UTF-8 (§3.1 major type 3);
// - integers outside the safe range ±(2^53 − 1);
// - nesting deeper than `maxDepth`, more than `maxItems` items, bytes after the item.
// Byte- and text-string contents are skipped, not read (UTF-8 validation excepted), so the cost
// is linear in the number of item headers, which is at most the input size.
import { CborError } from './cbor-error.js';

/** What a message type may contain. Depth counts arrays, maps and tags (a bare integer is depth 0). */
export interface StrictLimits {
  /** Deepest nesting of arrays, maps and tags. */
  maxDepth: number;
  /** Most data items in total (every element, key, value and tag content counts one). */
  maxItems: number;
  /** Tag numbers allowed anywhere in the item (default none). */
  tags?: readonly number[];
}

/** Default profile: no tags, nesting the ledger needs (blocks → txs are byte strings), any item count
 *  the byte limit allows. */
export const DEFAULT_STRICT: StrictLimits = { maxDepth: 12, maxItems: Number.MAX_SAFE_INTEGER };

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Frame { left: number; map: boolean; keyNext: boolean; prevKeyStart: number; prevKeyEnd: number }

function compareRange(b: Uint8Array, a0: number, a1: number, c0: number, c1: number): number {
  const n = Math.min(a1 - a0, c1 - c0);
  for (let i = 0; i < n; i++) { const d = b[a0 + i] - b[c0 + i]; if (d) return d; }
  return (a1 - a0) - (c1 - c0);
}

/** Checks that `b` is exactly one CBOR item in the protocol's strict profile within `limits`.
 *  Throws CborError('truncated' | 'invalid' | 'forbidden' | 'not_canonical' | 'too_deep' | 'too_many_items').
 *  @example checkStrict(bytes, { maxDepth: 3, maxItems: 8, tags: [18] }) */
export function checkStrict(b: Uint8Array, limits: StrictLimits = DEFAULT_STRICT): void {
  const tags = limits.tags ?? [];
  const end = b.length;
  const stack: Frame[] = [];
  let pos = 0, items = 0;
  const fail = (kind: 'truncated' | 'invalid' | 'forbidden' | 'not_canonical' | 'too_deep' | 'too_many_items', why: string): never => {
    throw new CborError(kind, `strict CBOR at byte ${pos}: ${why}`);
  };
  for (;;) {
    if (pos >= end) fail('truncated', 'input ends inside an item');
    if (++items > limits.maxItems) fail('too_many_items', `more than ${limits.maxItems} items`);
    const start = pos;
    const ib = b[pos++];
    const major = ib >> 5, ai = ib & 31;
    // ---- argument (RFC 8949 §3: additional information 0–27) ----
    let arg = ai;
    if (ai >= 24) {
      if (ai > 27) fail(ai === 31 && major !== 7 ? 'forbidden' : 'invalid', ai === 31 ? (major === 7 ? 'break code outside an indefinite item' : 'indefinite length') : `reserved additional information ${ai}`);
      const n = 1 << (ai - 24);
      if (pos + n > end) fail('truncated', 'input ends inside an argument');
      if (major === 7) fail('forbidden', ai === 24 ? 'simple value' : 'float');
      arg = 0;
      for (let i = 0; i < n; i++) arg = arg * 256 + b[pos + i];
      pos += n;
      const min = ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : 0x100000000;
      if (arg < min) fail('not_canonical', `argument ${arg} not in its shortest form`);
    }
    let container = false;
    switch (major) {
      // integers beyond ±(2^53 − 1) are never sent (encodeCanonical refuses them)
      case 0: if (arg > Number.MAX_SAFE_INTEGER) fail('forbidden', 'integer beyond 2^53 - 1'); break;
      case 1: if (arg >= Number.MAX_SAFE_INTEGER) fail('forbidden', 'integer beyond -(2^53 - 1)'); break;
      case 2: case 3: {
        if (arg > end - pos) fail('truncated', `string of ${arg} B exceeds the input`);
        if (major === 3) { try { utf8.decode(b.subarray(pos, pos + arg)); } catch { fail('invalid', 'text string is not valid UTF-8'); } }
        pos += arg;
        break;
      }
      case 4: case 5: {
        const count = major === 5 ? arg * 2 : arg;
        if (count > end - pos) fail('truncated', `${arg} elements cannot fit in the input`);
        if (stack.length + 1 > limits.maxDepth) fail('too_deep', `nesting deeper than ${limits.maxDepth}`);
        if (count > 0) { stack.push({ left: count, map: major === 5, keyNext: true, prevKeyStart: -1, prevKeyEnd: -1 }); container = true; }
        break;
      }
      case 6: {
        if (!tags.includes(arg)) fail('forbidden', `tag ${arg} is not used by the protocol`);
        if (stack.length + 1 > limits.maxDepth) fail('too_deep', `nesting deeper than ${limits.maxDepth}`);
        stack.push({ left: 1, map: false, keyNext: false, prevKeyStart: -1, prevKeyEnd: -1 });
        container = true;
        break;
      }
      case 7: if (ai !== 20 && ai !== 21 && ai !== 22) fail('forbidden', `simple value ${ai}`); break;
    }
    // ---- map keys: integer or text, strictly increasing by encoded bytes ----
    const parent = stack.length && container ? stack[stack.length - 2] : stack[stack.length - 1];
    if (parent && parent.map && parent.keyNext) {
      if (major !== 0 && major !== 1 && major !== 3) fail('forbidden', 'map key must be an integer or a text string');
      if (parent.prevKeyStart >= 0 && compareRange(b, parent.prevKeyStart, parent.prevKeyEnd, start, pos) >= 0) fail('not_canonical', 'map keys out of order or duplicated');
      parent.prevKeyStart = start; parent.prevKeyEnd = pos;
    }
    if (container) continue;
    // ---- the item is complete: pop every container it completes ----
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top) {
        if (pos !== end) { pos = end; fail('invalid', 'bytes after the item'); }
        return;
      }
      if (top.map) top.keyNext = !top.keyNext;
      if (--top.left > 0) break;
      stack.pop();
    }
  }
}
