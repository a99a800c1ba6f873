/**
 * Summary tables of recorded evaluation runs (`results/eval/runs.jsonl`): the latest run per
 * (dataset, protocol, method) among those matching a filter, as Markdown and CSV.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRuns, summarizeRuns, summaryMarkdown } from "./summary.ts";
 * import { runEvaluation } from "./run.ts";
 * const log = `${await Deno.makeTempDir()}/runs.jsonl`;
 * await runEvaluation({ dataset: "coil100", protocol: "unordered", method: "greedy", seed: 0, record: log });
 * const rows = summarizeRuns(await readRuns(log), { model: "mobilenet-v2", seed: 0 });
 * assert.deepEqual(rows.map((r) => [r.dataset, r.protocol, r.method, r.recall_at_1, r.map]), [
 *   ["coil100", "unordered", "greedy", 0.99, 0.995],
 * ]);
 * assert.ok(summaryMarkdown(rows).includes("| coil100 | unordered | greedy | 100 | 0.990 [0.970, 1.000] |"));
 * ```
 * @module
 */

import { toCsv } from "../io/csv.ts";
import { displayText } from "../io/display.ts";
import { readJsonLines } from "../io/jsonl.ts";
import { MATCH_METHODS } from "../matching/mod.ts";
import { metricIntervalColumns } from "./metrics.ts";
import type { EvaluationResult } from "./run.ts";

/**
 * Read every run recorded in a JSON Lines file (a missing file has no runs). A torn or damaged
 * line never fails the read: it is skipped (or its complete record salvaged) and reported
 * through `onProblem` (default: a warning on stderr naming the file and line).
 */
export async function readRuns(
  path: string,
  onProblem: (message: string) => void = (m) => console.error(m),
): Promise<EvaluationResult[]> {
  const { records, problems } = await readJsonLines<EvaluationResult>(path);
  for (const p of problems) onProblem(`warning: ${displayText(path)} line ${p.line}: ${p.reason}`);
  return records;
}

/**
 * Which runs enter a summary; unset fields match anything. By default only runs with default
 * protocol parameters and no threshold, cap or augmentation; the ordered protocol's shift δ is
 * part of the row's protocol label (`ordered δ=45`) instead.
 */
export interface SummaryFilter {
  /** Only runs of this image model. */
  model?: string;
  /** Only runs with this seed. */
  seed?: number;
  /** Only these datasets. */
  datasets?: string[];
  /** Also accept runs with a threshold, cap or augmentation (default false). */
  includeVariants?: boolean;
}

/**
 * The headline metrics of a run with the ends of their 95% bootstrap intervals, as flat table
 * columns; the ends are absent for a run without resamples (`--bootstrap 0`).
 */
export interface MetricColumns {
  /** Recall@1. */
  recall_at_1: number;
  /** Lower end of its 95% interval. */
  recall_at_1_lo?: number;
  /** Upper end of its 95% interval. */
  recall_at_1_hi?: number;
  /** Recall@5. */
  recall_at_5: number;
  /** Mean average precision. */
  map: number;
  /** Lower end of its 95% interval. */
  map_lo?: number;
  /** Upper end of its 95% interval. */
  map_hi?: number;
}

/** A run's {@link MetricColumns} (shared by summary tables and method comparisons). */
export function metricColumns(
  run: Pick<EvaluationResult, "recall_at_1" | "recall_at_5" | "map" | "ci95">,
): MetricColumns {
  // Column order of the committed tables: recall_at_1 and its ends, recall_at_5, map and its ends.
  return {
    ...metricIntervalColumns(run, ["recall_at_1"]),
    recall_at_5: run.recall_at_5,
    ...metricIntervalColumns(run, ["map"]),
  } as MetricColumns;
}

/** One row of a summary table. */
export interface SummaryRow extends MetricColumns {
  /** Canonical dataset name. */
  dataset: string;
  /** Protocol label. */
  protocol: string;
  /** The set-matching method. */
  method: string;
  /** The image model's name. */
  model: string;
  /** Seed of the run. */
  seed: number;
  /** Query sets ranked. */
  n_queries: number;
  /** grocery: mAP at the coarse level; NaN when the protocol has no coarse level. */
  coarse_map: number;
  /** greedy and optimal rows: how often greedy and optimal rank the same gallery set first (else NaN). */
  greedy_optimal_same_top1: number;
  /** greedy and optimal rows: mean score gap optimal − greedy over all pairs (else NaN). */
  greedy_optimal_mean_gap: number;
  /** ISO time the run finished. */
  timestamp: string;
}

/** The protocol with its defining parameter where it has one: `ordered δ=10`. */
export function protocolLabel(run: Pick<EvaluationResult, "protocol" | "protocol_meta">): string {
  const delta = run.protocol_meta?.delta;
  return run.protocol === "ordered" && typeof delta === "number" ? `ordered δ=${delta}` : run.protocol;
}

/** The latest matching run per (dataset, protocol, method), ordered by dataset, protocol, method. */
export function summarizeRuns(runs: readonly EvaluationResult[], filter: SummaryFilter = {}): SummaryRow[] {
  const latest = new Map<string, EvaluationResult>();
  for (const run of runs) {
    if (filter.model !== undefined && run.model !== filter.model) continue;
    if (filter.seed !== undefined && run.seed !== filter.seed) continue;
    if (filter.datasets && !filter.datasets.includes(run.dataset)) continue;
    const config = run.config ?? {};
    const augment = (config.augment as string[] | undefined) ?? [];
    const nonDefault = ["a", "b", "sets_per_class", "per_category", "categories"].some((k) =>
      config[k] !== null && config[k] !== undefined
    );
    if (!filter.includeVariants && (run.s !== null || run.m !== null || augment.length > 0 || nonDefault)) {
      continue;
    }
    const key = `${run.dataset}\u0000${protocolLabel(run)}\u0000${run.method}`;
    const previous = latest.get(key);
    if (!previous || previous.timestamp <= run.timestamp) latest.set(key, run);
  }
  const methodOrder = (m: string) => (MATCH_METHODS as readonly string[]).indexOf(m);
  return [...latest.values()]
    .sort((a, b) =>
      a.dataset.localeCompare(b.dataset) ||
      protocolLabel(a).localeCompare(protocolLabel(b), "en", { numeric: true }) ||
      methodOrder(a.method) - methodOrder(b.method)
    )
    .map((run) => ({
      dataset: run.dataset,
      protocol: protocolLabel(run),
      method: run.method,
      model: run.model,
      seed: run.seed,
      n_queries: run.n_queries,
      ...metricColumns(run),
      coarse_map: run.levels?.coarse?.map ?? NaN,
      greedy_optimal_same_top1: run.greedy_vs_optimal?.same_top1_rate ?? NaN,
      greedy_optimal_mean_gap: run.greedy_vs_optimal?.mean_score_gap ?? NaN,
      timestamp: run.timestamp,
    }));
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "–");
/** "v [lo, hi]", or "v" alone for a run without an interval. */
const withInterval = (v: number, lo?: number, hi?: number) =>
  lo === undefined || hi === undefined ? f3(v) : `${f3(v)} [${f3(lo)}, ${f3(hi)}]`;

/** A Markdown table: Recall@1 and mAP with 95% intervals per dataset, protocol and method. */
export function summaryMarkdown(rows: readonly SummaryRow[]): string {
  const lines = [
    "| dataset | protocol | method | queries | Recall@1 [95% CI] | Recall@5 | mAP [95% CI] | coarse mAP |",
    "|---|---|---|---:|---|---:|---|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.dataset} | ${r.protocol} | ${r.method} | ${r.n_queries} | ${
        withInterval(r.recall_at_1, r.recall_at_1_lo, r.recall_at_1_hi)
      } | ${f3(r.recall_at_5)} | ${withInterval(r.map, r.map_lo, r.map_hi)} | ${f3(r.coarse_map)} |`,
    );
  }
  const agreement = rows.filter((r) => r.method === "greedy" && Number.isFinite(r.greedy_optimal_same_top1));
  if (agreement.length > 0) {
    lines.push(
      "",
      "Greedy vs optimal on the same sets (gap = optimal − greedy score, averaged over all query × gallery pairs):",
      "",
      "| dataset | protocol | same top-1 | mean score gap |",
      "|---|---|---:|---:|",
    );
    for (const r of agreement) {
      lines.push(
        `| ${r.dataset} | ${r.protocol} | ${f3(r.greedy_optimal_same_top1)} | ${
          r.greedy_optimal_mean_gap.toFixed(4)
        } |`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

/** The same rows as CSV (all columns of {@link SummaryRow}). */
export function summaryCsv(rows: readonly SummaryRow[]): string {
  const columns = [
    "dataset",
    "protocol",
    "method",
    "model",
    "seed",
    "n_queries",
    "recall_at_1",
    "recall_at_1_lo",
    "recall_at_1_hi",
    "recall_at_5",
    "map",
    "map_lo",
    "map_hi",
    "coarse_map",
    "greedy_optimal_same_top1",
    "greedy_optimal_mean_gap",
    // No timestamp column: the committed table depends only on the results, so a rerun that finds the
    // same numbers leaves it byte-identical (runs.jsonl keeps when each run happened).
  ];
  return toCsv(
    rows.map((r) =>
      Object.fromEntries(
        columns.map((c) => {
          const v = r[c as keyof SummaryRow];
          return [c, typeof v === "number" ? (Number.isFinite(v) ? Number(v.toFixed(6)) : "") : v ?? ""];
        }),
      )
    ),
    columns,
  );
}
