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

/** The MIME bundle of a value: its own for a {@link Displayable}, else plain text. */
export function mimeBundle(value: unknown): Record<string, unknown> {
  if (value !== null && typeof value === "object" && DISPLAY in value) {
    const bundle = (value as Displayable)[DISPLAY]();
    if (bundle === null || typeof bundle !== "object" || Object.keys(bundle).length === 0) {
      throw new TypeError("show: a value's Jupyter.display method returned no MIME bundle");
    }
    return bundle;
  }
  if (value instanceof Promise) {
    throw new TypeError("show: got a Promise; await it first (show(await nb.saveFigure(...)))");
  }
  return { "text/plain": typeof value === "string" ? value : Deno.inspect(value) };
}

/** Deno's `Deno.jupyter` API inside the kernel; undefined anywhere else (its getter throws there). */
function jupyterApi(): { broadcast(type: string, content: Record<string, unknown>): unknown } | undefined {
  try {
    return (Deno as unknown as { jupyter?: ReturnType<typeof jupyterApi> }).jupyter;
  } catch {
    return undefined;
  }
}

/**
 * Show values in the notebook now, as `display_data`, and wait until they are on their way: the
 * way every notebook cell shows its figures and tables (`await show(figure)`).
 *
 * Why not end the cell with the value: Deno's kernel (2.x) formats a cell's value and stdout
 * asynchronously and may report the cell idle before sending them; the Jupyter UI then drops
 * them or, under "Run All", shows them under the next cell. Broadcasting here and then yielding
 * one macrotask lets the kernel's IOPub forwarder send both this output and any `console.log`
 * before the cell's promise resolves, so everything carries this cell's request and precedes
 * its idle status. Outside Jupyter it prints each value's plain text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markdown, mimeBundle, show } from "./display.ts";
 * assert.deepEqual(mimeBundle(markdown("**a**")), { "text/markdown": "**a**", "text/plain": "**a**" });
 * assert.deepEqual(mimeBundle("skipped"), { "text/plain": "skipped" });
 * assert.throws(() => mimeBundle(Promise.resolve(1)), /await it first/);
 * await show(); // nothing to show is fine: it only flushes the cell's outputs
 * ```
 */
export async function show(...values: unknown[]): Promise<void> {
  const bundles = values.map(mimeBundle); // every value checked before any is shown
  const jupyter = jupyterApi();
  let bytes = 0;
  for (const data of bundles) {
    if (jupyter) await jupyter.broadcast("display_data", { data, metadata: {}, transient: {} });
    else console.log(data["text/plain"] ?? `[${Object.keys(data).join(", ")}]`);
    for (const part of Object.values(data)) bytes += typeof part === "string" ? part.length : 0;
  }
  await new Promise((resolve) => setTimeout(resolve, jupyter ? flushDelayMs(bytes) : 0));
}

/**
 * How long to yield after broadcasting `bytes` of output. The kernel gives no acknowledgement: its
 * IOPub task serialises and signs each message after the broadcast returns, in time that grows
 * with the size. One macrotask suffices for text and small figures (measured: 0 late of 600);
 * a 2 MB gallery needed more, hence 1 ms per 25 kB on top (2 MB: 82 ms, once per cell).
 */
export function flushDelayMs(bytes: number): number {
  return Math.ceil(2 + bytes / 25_000);
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
