/**
 * Rich output for Deno's Jupyter kernel: images, tables and markdown, as objects that carry
 * their own MIME bundle (`Symbol.for("Jupyter.display")`), so they also work outside Jupyter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { table } from "./display.ts";
 * const shown = table([{ method: "greedy", recall: 0.93 }, { method: "optimal", recall: 0.9512 }]);
 * assert.equal(shown.text, "method   recall\n-------  ------\ngreedy   0.930\noptimal  0.951"); // 3 digits
 * assert.equal(shown.markdown.split("\n")[2], "| greedy | 0.930 |");
 * ```
 * @module
 */

import { encodeBase64 } from "./base64.ts";

const DISPLAY = Symbol.for("Jupyter.display");

/** Something Jupyter can show. */
export interface Displayable {
  [DISPLAY](): Record<string, unknown>;
}

/** Show PNG bytes inline. */
export function png(bytes: Uint8Array): Displayable {
  return { [DISPLAY]: () => ({ "image/png": encodeBase64(bytes) }) };
}

/** Show Markdown text inline. */
export function markdown(text: string): Displayable {
  return { [DISPLAY]: () => ({ "text/markdown": text, "text/plain": text }) };
}

function formatCell(value: unknown, digits: number): string {
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    return Number.isFinite(value) ? value.toFixed(digits) : String(value);
  }
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A table shown as Markdown in Jupyter and as aligned text in a terminal. */
export function table(
  rows: Record<string, unknown>[],
  options: { columns?: string[]; digits?: number } = {},
): Displayable & { text: string; markdown: string } {
  const digits = options.digits ?? 3;
  const columns = options.columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c], digits)));
  const widths = columns.map((c, k) => Math.max(c.length, ...cells.map((r) => r[k].length)));
  const line = (values: string[]) => values.map((v, k) => v.padEnd(widths[k])).join("  ").trimEnd();
  const text = [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
  const md = [
    `| ${columns.join(" | ")} |`,
    `| ${columns.map(() => "---").join(" | ")} |`,
    ...cells.map((r) => `| ${r.map((v) => v.replace(/\|/g, "\\|")).join(" | ")} |`),
  ].join("\n");
  return { text, markdown: md, [DISPLAY]: () => ({ "text/markdown": md, "text/plain": text }) };
}
