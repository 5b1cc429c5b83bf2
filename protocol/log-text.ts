// Safe text for logs and summaries (docs/protocol.md §Strict decoding): a string that came from a
// device (a COSE kid, a topic, an error detail quoting them) is printed with every control
// character escaped, so a kid holding "\nround 12/12 █ acc 0.9999" or an ANSI escape cannot
// forge a log line or repaint a terminal, and cut to a bounded length.

/** C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides that
 *  can reorder or break a printed line (U+2028/9, U+200E/F, U+202A–E, U+2066–9). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Default longest text kept (a detail quoting a 64-byte kid fits). */
export const MAX_LOG_TEXT = 300;

/** `s` with unsafe characters as `\u{hh}` and cut to `max` UTF-16 units (marked with `…`).
 *  @example escapeText('a\nb') === 'a\\u{a}b' */
export function escapeText(s: string, max = MAX_LOG_TEXT): string {
  const cut = s.length > max ? s.slice(0, max) + '…' : s;
  return cut.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}
