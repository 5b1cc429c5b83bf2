// The requester's side (seed 001 (PoQ) §III-C steps 3 and 5): it signs a data-sharing request
// with its key and counter, and answers its queries locally with the model M it gets back —
// the firmware's int8 forward pass; a mail's score is the spam logit minus the ham logit, and
// the AUC over its held-out mails measures the answer. Its queries never leave it; only their
// hash is in the request.
import { MAX_REQUEST_TERMS, MAX_TERM_CHARS } from '../../gateway/ledger/tx/data-request.js';
import { dataRequestTx, type Signer, type Tx, type DataRequestBody, type Ledger } from '../../gateway/ledger/index.js';
import { sha256 } from '../../protocol/bytes.js';
import { FirmwareInstance } from '../../boards/firmware/instance.js';
import { Kernel, type Dataset } from '../../boards/firmware/kernel.js';
import { auc } from '../../boards/text/auc.js';

/** Splits a command-line query into terms: words separated by spaces or commas, lower-cased.
 *  Throws RangeError on an empty or oversized query. */
export function parseTerms(text: string): string[] {
  const terms = [...new Set(text.toLowerCase().split(/[\s,]+/).filter(Boolean))];
  if (terms.length === 0) throw new RangeError('the request names no terms');
  if (terms.length > MAX_REQUEST_TERMS) throw new RangeError(`${terms.length} terms exceed ${MAX_REQUEST_TERMS}`);
  const long = terms.find((t) => t.length > MAX_TERM_CHARS);
  if (long) throw new RangeError(`term "${long.slice(0, 40)}…" is longer than ${MAX_TERM_CHARS} characters`);
  return terms;
}

/** The requester's signed request, with the next counter the chain expects from it. */
export function signRequest(requester: Signer, ledger: Ledger, r: { terms: string[]; categories: string[]; providers: number; epsilon: number; queries: Dataset }, now = Date.now()): Tx<DataRequestBody> {
  const ctr = (ledger.device(requester.id)?.counter ?? 0) + 1;
  return dataRequestTx(requester, {
    categories: r.categories, terms: r.terms, queries: sha256(r.queries.x), providers: r.providers, epsilon: Math.round(r.epsilon * 1000), timestamp: now, ctr,
  });
}

/** Scores of the queries under model M (spam logit − ham logit, int8 outputs). */
export function answer(model: Uint8Array, queries: Dataset): Int16Array {
  const k = new Kernel(new FirmwareInstance());
  k.load(model);
  const out = k.infer(queries.x, queries.n);
  const s = new Int16Array(queries.n);
  for (let i = 0; i < queries.n; i++) s[i] = out[2 * i + 1] - out[2 * i];
  return s;
}

/** AUC of model M on the queries. */
export const answerAuc = (model: Uint8Array, queries: Dataset): number => auc(answer(model, queries), queries.y);
