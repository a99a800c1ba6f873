/**
 * One table row per matching method on a prepared protocol: Recall@1 and mAP with their 95%
 * bootstrap intervals, and for greedy/optimal their agreement (same top-1 rate, score gap). All the
 * work is `runEvaluation` on the already prepared protocol (nothing is recorded to the runs file).
 *
 * @example
 * ```ts ignore
 * import { compareMethods } from "./compare.ts";
 * const rows = await compareMethods(prepared, ["greedy", "optimal", "centroid"], { bootstrap: 1000 });
 * ```
 * @module
 */

import type { PreparedProtocol } from "./prepare.ts";
import { runEvaluation } from "./run.ts";
import { type MetricColumns, metricColumns } from "./summary.ts";
import { type MatchMethod, type MatchOptions, methodSpec } from "../matching/mod.ts";

/** Options of {@link compareMethods}. */
export interface CompareMethodsOptions {
  /** Bootstrap resamples (default 1000). */
  bootstrap?: number;
  /** Threshold and cap for the methods that take them (ignored by the others). */
  s?: number;
  m?: number;
  /** Further method options (sinkhorn ε, …). */
  matchOptions?: Omit<MatchOptions, "method" | "s" | "m">;
}

/** One method's row. */
export interface MethodRow extends MetricColumns {
  dataset: string;
  protocol: string;
  method: string;
  n_queries: number;
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
