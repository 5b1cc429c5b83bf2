// Tokenisation of a mail for the provider's text pipeline (seed 001 (PoQ) §III-A, the step
// before TF-IDF). Only the Subject and the body are read: the transport headers (Received,
// Return-Path, ...) describe the corpus's collection, not the mail, and would let a model learn
// which mailbox a message was archived in. Quoted-printable soft breaks and escapes are undone,
// HTML tags and entities dropped; tokens are lower-case words of 2–20 letters or digits starting
// with a letter, minus a short stop list. Pure.

/** Longest mail read (characters); the rest is ignored, so one huge message costs a bounded time. */
export const MAX_MAIL_CHARS = 200_000;
/** Most tokens kept per mail. */
export const MAX_TOKENS = 4000;

// A short stop list on purpose: function words are weighted down by TF-IDF already, and their
// rates differ between spam and ham (a longer list measured a lower AUC).
const STOP = new Set(('the and for that this with you your are was have has not but all can from they will one its '
  + 'our out any more about what when which there their were been also into than then them these would could '
  + 'should some just only other such may how who get his her him she had did does very here www http https com '
  + 'net org html nbsp font').split(' '));

/** The Subject and body of a raw RFC 5322 message (header names are case-insensitive). */
export function mailText(raw: string): { subject: string; body: string } {
  const s = raw.length > MAX_MAIL_CHARS ? raw.slice(0, MAX_MAIL_CHARS) : raw;
  const m = /\r?\n\r?\n/.exec(s);
  const head = m ? s.slice(0, m.index) : '';
  const body = m ? s.slice(m.index + m[0].length) : s;
  const subj = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  return { subject: subj ? subj[1].replace(/\r?\n[ \t]+/g, ' ') : '', body };
}

/** Undoes quoted-printable (RFC 2045 §6.7) and strips HTML markup. */
export function plainText(body: string): string {
  return body
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]{0,2000}>/g, ' ')
    .replace(/&[a-z#0-9]{1,8};/gi, ' ');
}

/** The tokens of a mail in reading order: the subject's, then the body's. */
export function tokenise(raw: string): string[] {
  const { subject, body } = mailText(raw);
  const text = (subject + '\n' + plainText(body)).toLowerCase();
  const out: string[] = [];
  for (const m of text.matchAll(/[a-z0-9]+/g)) {
    const t = m[0];
    // a run longer than 20 is a hash, base64 or URL fragment, not a word
    if (t.length < 2 || t.length > 20 || !/^[a-z]/.test(t) || STOP.has(t)) continue;
    out.push(t);
    if (out.length >= MAX_TOKENS) break;
  }
  return out;
}
