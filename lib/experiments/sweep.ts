/**
 * Read a finished sweep (`deno task sweep` writes `sweep.json`) back into the sweep's own row type,
 * so its heatmap and best-cell functions (`lib/sweep/heatmap.ts`, `lib/sweep/output.ts`) apply.
 *
 * @example
 * ```ts ignore
 * import { readSweepJson } from "./sweep.ts";
 * import { bestCells } from "../sweep/output.ts";
 * const sweep = await readSweepJson("results/sweep/sweep.json");
 * console.log(bestCells(sweep.rows, sweep.selectionMetric));
 * ```
 * @module
 */

import type { CellResult } from "../sweep/output.ts";
import { SWEEP_FORMAT } from "../sweep/output.ts";

/** A sweep read from its JSON file. */
export interface SweepDocument {
  /** The metric the sweep maximised to pick its best cells. */
  selectionMetric: string;
  /** The grid as written by the sweep. */
  grid: Record<string, unknown>;
  metrics: string[];
  /** Every cell, in grid order. */
  rows: CellResult[];
}

function fail(path: string, what: string): never {
  throw new Error(`${path}: ${what}`);
}

/** Parse the text of a `sweep.json` (format `setsim-sweep/1`). */
export function parseSweepJson(text: string, path = "sweep.json"): SweepDocument {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    fail(path, `not JSON (${(error as Error).message})`);
  }
  if (doc?.format !== SWEEP_FORMAT) {
    fail(path, `format is ${JSON.stringify(doc?.format)}, expected "${SWEEP_FORMAT}"`);
  }
  if (!Array.isArray(doc.cells)) fail(path, "has no cells array");
  const rows = (doc.cells as Record<string, unknown>[]).map((c, k): CellResult => {
    const s = c.s === "none" ? null : c.s;
    const m = c.m === "all" ? null : c.m;
    if (s !== null && typeof s !== "number") fail(path, `cells[${k}].s is ${JSON.stringify(c.s)}`);
    if (m !== null && typeof m !== "number") fail(path, `cells[${k}].m is ${JSON.stringify(c.m)}`);
    if (typeof c.metrics !== "object" || c.metrics === null) fail(path, `cells[${k}] has no metrics`);
    return {
      hash: String(c.hash),
      cell: {
        dataset: String(c.dataset),
        protocol: String(c.protocol),
        method: String(c.method),
        s: s as number | null,
        m: m as number | null,
        seed: Number(c.seed),
        model: String(c.model),
        bootstrap: Number(c.bootstrap),
        options: (c.options ?? {}) as CellResult["cell"]["options"],
      },
      metrics: c.metrics as Record<string, number>,
      ci95: (c.ci95 ?? {}) as Record<string, [number, number]>,
      provenance: (c.provenance ?? {}) as Record<string, string | number>,
    };
  });
  return {
    selectionMetric: String(doc.selection_metric ?? "map"),
    grid: (doc.grid ?? {}) as Record<string, unknown>,
    metrics: (doc.metrics ?? []) as string[],
    rows,
  };
}

/** Read and parse a sweep's `sweep.json`. */
export async function readSweepJson(path: string): Promise<SweepDocument> {
  return parseSweepJson(await Deno.readTextFile(path), path);
}
