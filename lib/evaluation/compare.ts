/**
 * One table row per matching method on a prepared protocol: Recall@1 and mAP with their 95%
 * bootstrap intervals, and for greedy/optimal their agreement (same top-1 rate, score gap). All the
 * work is `runEvaluation` on the already prepared protocol (nothing is recorded to the runs file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareMethods } from "./compare.ts";
 * import { prepareProtocol } from "./prepare.ts";
 * const prepared = await prepareProtocol({ dataset: "coil100", protocol: "unordered", seed: 0 });
 * const rows = await compareMethods(prepared, ["greedy", "optimal", "centroid"], { bootstrap: 1000 });
 * assert.deepEqual(rows.map((r) => [r.method, r.recall_at_1, r.map]), [
 *   ["greedy", 0.99, 0.995],
 *   ["optimal", 0.99, 0.995],
 *   ["centroid", 0.99, 0.9925],
 * ]);
 * assert.equal(rows[0].greedy_optimal_same_top1, 1); // greedy and optimal agree on every top-1 here
 * ```
 * @module
 */

import type { PreparedProtocol } from "./prepare.ts";
import { estimateFromColumns, estimatesOverlap } from "./estimate.ts";
import { formatMetricInterval } from "./format.ts";
import { runEvaluation } from "./run.ts";
import { type MetricColumns, metricColumns } from "./summary.ts";
import { type MatchMethod, type MatchOptions, methodSpec } from "../matching/mod.ts";

/** Options of {@link compareMethods}. */
export interface CompareMethodsOptions {
  /** Bootstrap resamples (default 1000). */
  bootstrap?: number;
  /** Threshold and cap for the methods that take them (ignored by the others). */
  s?: number;
  /** Cap on counted matches (see `s`). */
  m?: number;
  /** Further method options (sinkhorn ε, …). */
  matchOptions?: Omit<MatchOptions, "method" | "s" | "m">;
}

/** One method's row. */
export interface MethodRow extends MetricColumns {
  /** Canonical dataset name. */
  dataset: string;
  /** Protocol name. */
  protocol: string;
  /** The set-matching method. */
  method: string;
  /** Query sets ranked. */
  n_queries: number;
  /** Gallery sets each query ranks. */
  n_gallery: number;
  /** Scoring + evaluation time (the similarity matrix is shared and not included). */
  seconds: number;
  /** greedy/optimal only: fraction of queries whose top-1 set is the same under both. */
  greedy_optimal_same_top1?: number;
  /** greedy/optimal only: mean (optimal − greedy) score over all pairs. */
  greedy_optimal_mean_gap?: number;
  /** greedy/optimal only: largest |optimal − greedy|. */
  greedy_optimal_max_gap?: number;
}

/** Evaluate each method on the prepared protocol, in the given order. */
export async function compareMethods(
  prepared: PreparedProtocol,
  methods: readonly MatchMethod[],
  options: CompareMethodsOptions = {},
): Promise<MethodRow[]> {
  if (methods.length === 0) throw new RangeError("methods must not be empty");
  const rows: MethodRow[] = [];
  for (const method of methods) {
    const takesThreshold = methodSpec(method).thresholdable;
    const result = await runEvaluation({
      dataset: prepared.dataset,
      protocol: prepared.protocol,
      seed: prepared.seed,
      prepared,
      method,
      s: takesThreshold ? options.s : undefined,
      m: takesThreshold ? options.m : undefined,
      matchOptions: options.matchOptions,
      bootstrap: options.bootstrap,
      progress: false,
      record: false,
    });
    const agreement = result.greedy_vs_optimal;
    rows.push({
      dataset: result.dataset,
      protocol: result.protocol,
      method,
      ...metricColumns(result),
      n_queries: result.n_queries,
      n_gallery: result.n_gallery,
      seconds: result.duration_s,
      ...(agreement
        ? {
          greedy_optimal_same_top1: agreement.same_top1_rate,
          greedy_optimal_mean_gap: agreement.mean_score_gap,
          greedy_optimal_max_gap: agreement.max_abs_score_gap,
        }
        : {}),
    });
  }
  return rows;
}

/**
 * One dataset's method comparison in a sentence (notebook 05): greedy vs optimal Recall@1 with
 * intervals, their agreement, every method ranked by mAP, and whether greedy's and optimal's mAP
 * intervals overlap. `rows` may hold several datasets; a dataset without a greedy row was not run.
 */
export function describeMethodComparison(dataset: string, rows: readonly MethodRow[]): string {
  const own = new Map(rows.filter((x) => x.dataset === dataset).map((r) => [r.method, r]));
  const greedy = own.get("greedy"), optimal = own.get("optimal");
  if (!greedy || !optimal) return `- **${dataset}:** not run (fast mode).`;
  const ranked = [...own.values()].sort((a, b) => b.map - a.map);
  const overlap = estimatesOverlap(
    estimateFromColumns({ ...greedy }, "map"),
    estimateFromColumns({ ...optimal }, "map"),
  );
  return `- **${dataset}:** greedy Recall@1 ${
    formatMetricInterval({ ...greedy }, "recall_at_1")
  } vs optimal ${formatMetricInterval({ ...optimal }, "recall_at_1")} (mAP ${greedy.map.toFixed(3)} vs ${
    optimal.map.toFixed(3)
  }); same top-1 for ${
    (100 * (greedy.greedy_optimal_same_top1 ?? NaN)).toFixed(1)
  }% of queries, optimal scores ${
    (greedy.greedy_optimal_mean_gap ?? NaN).toFixed(3)
  } higher on average (at most ${(greedy.greedy_optimal_max_gap ?? NaN).toFixed(3)}). Ranked by mAP: ${
    ranked.map((x) => `${x.method} ${x.map.toFixed(3)}`).join(", ")
  }` +
    `${overlap ? "; greedy and optimal are within each other's intervals" : ""}.`;
}
