/**
 * Read a finished sweep (`deno task sweep` writes `sweep.json`) back into the sweep's own row type,
 * so its heatmap and best-cell functions (`lib/sweep/heatmap.ts`, `lib/sweep/output.ts`) apply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSweepJson } from "./document.ts";
 * import { cellHash, expandCells } from "./cell.ts";
 * import { bestCells, toJson } from "./output.ts";
 * const plan = {
 *   datasets: ["coil100"], protocols: { coil100: ["unordered"] }, methods: ["greedy"],
 *   s: [null, 0.8], m: [1, null], seed: 0, model: "mobilenet-v2", bootstrap: 0, options: {},
 * };
 * const rows = expandCells(plan).map((cell, k) => ({
 *   hash: cellHash(cell), setting: cell, metrics: { map: { value: [0.9, 0.92, 0.95, 0.93][k] } },
 * }));
 * const path = `${await Deno.makeTempDir()}/sweep.json`;
 * await Deno.writeTextFile(path, toJson(plan, rows, "map")); // what `deno task sweep` writes
 * const sweep = await readSweepJson(path);
 * assert.equal(sweep.selectionMetric, "map");
 * assert.deepEqual(sweep.rows.map((r) => r.metrics.map.value), [0.9, 0.92, 0.95, 0.93]);
 * const [best] = bestCells(sweep.rows, sweep.selectionMetric);
 * assert.deepEqual([best.row.setting.s, best.row.setting.m], [0.8, 1]);
 * ```
 * @module
 */

import type { CellResult } from "./output.ts";
import { type Estimate, estimateColumns } from "../evaluation/estimate.ts";
import { bestCells, cellEstimates, groupByMethod, hasIntervals, SWEEP_FORMAT } from "./output.ts";

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
      setting: {
        dataset: String(c.dataset),
        protocol: String(c.protocol),
        method: String(c.method),
        s: s as number | null,
        m: m as number | null,
        seed: Number(c.seed),
        model: String(c.model),
        bootstrap: Number(c.bootstrap),
        options: (c.options ?? {}) as CellResult["setting"]["options"],
      },
      metrics: cellEstimates(
        c.metrics as Record<string, number>,
        (c.ci95 ?? {}) as Record<string, [number, number]>,
      ),
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

/** One (dataset, protocol, method) of a sweep: its best cell vs the untuned default. */
export interface SweepSummaryRow {
  dataset: string;
  protocol: string;
  method: string;
  metric: string;
  /** The best cell's setting ("none" / "all" when unset). */
  best_s: number | string;
  best_m: number | string;
  best: number;
  /** Interval ends; absent for a sweep without bootstrap resamples (no resamples, no interval). */
  best_lo?: number;
  best_hi?: number;
  /** The default cell s = none, m = all (absent, with `gain`, when the grid lacks it). */
  default?: number;
  default_lo?: number;
  default_hi?: number;
  /** best − default. */
  gain?: number;
}

/**
 * Per (dataset, protocol, method): the cell maximising `metric` (ties as `bestCells`: the other
 * headline metric, then grid order) next to the default s = none, m = all with their 95% intervals.
 */
export function sweepSummary(rows: readonly CellResult[], metric: string): SweepSummaryRow[] {
  const groups = groupByMethod(rows);
  return bestCells(rows, metric).map((best) => {
    const group = groups.get(JSON.stringify([best.dataset, best.protocol, best.method]))!;
    const plain = group.find((r) => r.setting.s === null && r.setting.m === null);
    // Without resamples a cell has no interval: its value alone, never NaN ends.
    const estimateIn = (r: CellResult | undefined): Estimate =>
      r && hasIntervals(r) ? r.metrics[metric] : { value: r?.metrics[metric]?.value ?? NaN };
    const chosen = estimateIn(best.row);
    // A grid without the default cell has no default to gain over: those columns are absent.
    const untuned = plain === undefined ? undefined : estimateIn(plain);
    return {
      dataset: best.dataset,
      protocol: best.protocol,
      method: best.method,
      metric,
      best_s: best.row.setting.s ?? "none",
      best_m: best.row.setting.m ?? "all",
      ...(estimateColumns("best", chosen) as { best: number; best_lo?: number; best_hi?: number }),
      ...(untuned === undefined ? {} : {
        ...(estimateColumns("default", untuned) as {
          default: number;
          default_lo?: number;
          default_hi?: number;
        }),
        gain: chosen.value - untuned.value,
      }),
    };
  });
}

/** Flatten sweep rows into table rows: the cell's setting, then each metric with its interval. */
export function sweepTableRows(rows: readonly CellResult[]): Record<string, string | number>[] {
  return rows.map((r) => {
    const { setting } = r;
    const out: Record<string, string | number> = {
      dataset: setting.dataset,
      protocol: setting.protocol,
      method: setting.method,
      s: setting.s ?? "none",
      m: setting.m ?? "all",
      seed: setting.seed,
      model: setting.model,
      bootstrap: setting.bootstrap,
    };
    for (const [name, e] of Object.entries(r.metrics)) {
      Object.assign(out, estimateColumns(name, e));
    }
    return out;
  });
}
