/**
 * Checks on a user's `--where` filter before LanceDB sees it. Lance parses a filter with
 * DataFusion's SQL parser, which ignores text after a `;` (so `a = 'x'; AND b = 'y'` silently
 * applied half the filter) and recurses once per `OR` term (about 700 terms, 14 kB, crashed the
 * process in native code, exit 139). So a filter must be one expression of bounded length, terms
 * and nesting; whether its columns and syntax are right is still Lance's to say.
 * @module
 */

/** Longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 4096;
/** Most `AND`/`OR` terms accepted in one filter (use `column IN (...)` for long lists). */
export const MAX_FILTER_TERMS = 200;
/** Deepest parenthesis nesting accepted. */
export const MAX_FILTER_DEPTH = 32;

/** A filter refused before it reaches LanceDB (a `RangeError`: the user's input is wrong). */
export class FilterError extends RangeError {
  override name = "FilterError";
}

/**
 * Throw a {@link FilterError} naming the problem when `where` is not one bounded expression: empty,
 * longer than {@link MAX_FILTER_LENGTH}, with a `;` or an unclosed quote or parenthesis outside
 * quotes, more than {@link MAX_FILTER_TERMS} terms or {@link MAX_FILTER_DEPTH} levels of nesting.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateFilter } from "./filter.ts";
 * validateFilter("category = 'Boots; and more' AND `group` = 'Acme'");
 * assert.throws(() => validateFilter("category = 'x'; AND brand = 'y'"), /";" at character 15/);
 * assert.throws(() => validateFilter(Array(300).fill("a=1").join(" OR ")), /300 terms/);
 * assert.throws(() => validateFilter("x".repeat(5000)), /5000 characters/);
 * assert.throws(() => validateFilter("  "), /empty/);
 * ```
 */
export function validateFilter(where: string): void {
  const problem = filterProblem(where);
  // Named `options.where` like the other option errors, which the commands show as their flag (`--where`).
  if (problem !== undefined) throw new FilterError(`options.where: ${problem}`);
}

function filterProblem(where: string): string | undefined {
  if (where.trim() === "") return "empty";
  if (where.length > MAX_FILTER_LENGTH) {
    return `${where.length} characters, at most ${MAX_FILTER_LENGTH} are accepted`;
  }
  let quote: string | undefined;
  let depth = 0, deepest = 0, terms = 1;
  let word = "";
  const endWord = () => {
    if (/^(and|or)$/i.test(word)) terms++;
    word = "";
  };
  for (let i = 0; i < where.length; i++) {
    const c = where[i];
    if (quote !== undefined) {
      if (c === quote) {
        if (where[i + 1] === quote) i++; // a doubled quote is the quote character itself
        else quote = undefined;
      }
      continue;
    }
    if (/[A-Za-z0-9_]/.test(c)) {
      word += c;
      continue;
    }
    endWord();
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === ";") return `";" at character ${i + 1}: a filter is one expression, with nothing after it`;
    else if (c === "(") deepest = Math.max(deepest, ++depth);
    else if (c === ")" && --depth < 0) return `")" at character ${i + 1} closes nothing`;
  }
  endWord();
  if (quote !== undefined) return `unclosed ${quote}`;
  if (depth > 0) return `${depth} unclosed "("`;
  if (terms > MAX_FILTER_TERMS) {
    return `${terms} terms joined by AND/OR, at most ${MAX_FILTER_TERMS} are accepted (use column IN (...) for a list)`;
  }
  if (deepest > MAX_FILTER_DEPTH) return `nested ${deepest} deep, at most ${MAX_FILTER_DEPTH} levels`;
  return undefined;
}
