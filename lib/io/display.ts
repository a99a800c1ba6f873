/**
 * One escaping rule for text shown to people (paths in errors, progress and reports): a file
 * name may hold a newline (which would forge a log line), an ANSI escape (which would recolour
 * or rewrite the terminal even under NO_COLOR), or bidi controls (which reorder what is shown).
 * {@link displayText} makes every such character visible as a backslash escape; JSON output and
 * files keep the exact bytes and must not use it.
 *
 * Escaped: C0 controls and DEL (`\n`, `\r`, `\t` by name, others as `\xHH`), C1 controls, the
 * Unicode line/paragraph separators and bidi embedding/override/isolate controls (`\u{HHHH}`),
 * and the backslash itself (`\\`), so the shown text maps back to one original unambiguously.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayText } from "./display.ts";
 * // The newline and the ANSI escape become visible backslash escapes: one line, no colour.
 * assert.equal(displayText("photos/a\nerror: forged\u001b[31m.jpg"), String.raw`photos/a\nerror: forged\x1b[31m.jpg`);
 * assert.equal(displayText(String.raw`a\b`), String.raw`a\\b`);
 * ```
 * @module
 */

// deno-lint-ignore no-control-regex
const UNSAFE = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

/** `text` with every control character shown as an escape (see the module doc). */
export function displayText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const named = NAMED[ch];
    if (named !== undefined) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
