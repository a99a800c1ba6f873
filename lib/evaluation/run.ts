/**
 * `runEvaluation`: prepare a protocol, score every query set against every gallery set with one
 * matching method (through the matching batch path), compute the metrics with bootstrap
 * intervals, and append the result with its full configuration to `results/eval/runs.jsonl`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runEvaluation } from "./run.ts";
 * // record: false keeps this example out of the runs log.
 * const result = await runEvaluation({ dataset: "coil100", protocol: "unordered", method: "greedy", seed: 0, record: false });
 * assert.deepEqual([result.n_queries, result.n_gallery], [100, 100]);
 * assert.equal(result.recall_at_1, 0.99);
 * assert.deepEqual(result.ci95.recall_at_1, [0.97, 1]);
 * assert.equal(result.map, 0.995);
 * ```
 * @module
 */

import { join } from "node:path";
import { appendJsonLine } from "../io/jsonl.ts";
import { resolveConfig } from "../config/mod.ts";
import { MATCH_METHODS, type MatchMethod, type MatchOptions, scoreSetPairs } from "../matching/mod.ts";
import {
  type Agreement,
  compareScores,
  evaluateRanking,
  type MetricName,
  type Metrics,
  type MetricValues,
} from "./metrics.ts";
import {
  type EmbeddingFailure,
  type PreparedProtocol,
  type PrepareOptions,
  prepareProtocol,
} from "./prepare.ts";

/** Options of {@link evaluateScores}. */
export interface EvaluateScoresOptions {
  /** Seed of the bootstrap (default: the protocol's seed). */
  seed?: number;
  /** Bootstrap resamples (default 1000; 0 disables intervals). */
  bootstrap?: number;
}

/** Metrics at the primary (fine) relevance level plus any further levels (grocery: `coarse`). */
export interface ProtocolMetrics extends Metrics {
  /** The metrics at each further relevance level, by level name. */
  levels: Record<string, Metrics>;
}

/**
 * Metrics of a score matrix (`nQuery × nGallery`, row = query set, higher = more similar,
 * −Infinity = no match) on a prepared protocol.
 */
export function evaluateScores(
  scores: Float64Array,
  prepared: PreparedProtocol,
  options: EvaluateScoresOptions = {},
): ProtocolMetrics {
  const nQuery = prepared.querySets.length;
  const nGallery = prepared.gallerySets.length;
  const seed = options.seed ?? prepared.seed;
  const common = { scores, excluded: prepared.excluded, nQuery, nGallery, categories: prepared.categories };
  const metrics = evaluateRanking({ ...common, relevant: prepared.relevance }, {
    seed,
    bootstrap: options.bootstrap,
  });
  const levels: Record<string, Metrics> = {};
  for (const [level, relevant] of Object.entries(prepared.relevanceLevels)) {
    levels[level] = evaluateRanking({ ...common, relevant }, { seed, bootstrap: options.bootstrap });
  }
  return { ...metrics, levels };
}

/** Options of {@link runEvaluation}. */
export interface RunOptions extends PrepareOptions {
  /** Matching method. */
  method: MatchMethod;
  /** Threshold s (thresholdable methods only). */
  s?: number;
  /** Cap m (thresholdable methods only). */
  m?: number;
  /** Further method options (sinkhorn ε, chamfer symmetry, …). */
  matchOptions?: Omit<MatchOptions, "method" | "s" | "m">;
  /** Bootstrap resamples (default 1000). */
  bootstrap?: number;
  /**
   * For `greedy` and `optimal`: also score with the other one and report their agreement
   * (default true).
   */
  compare?: boolean;
  /** Reuse an already prepared protocol (must match dataset/protocol/seed/model). */
  prepared?: PreparedProtocol;
  /**
   * Append the result to this JSON Lines file; default `<resultsDir>/eval/runs.jsonl`;
   * `false` records nothing.
   */
  record?: string | false;
}

/** Agreement of greedy and optimal matching on the same sets (gaps are optimal − greedy). */
export interface GreedyOptimalAgreement extends Agreement {
  /** The first method compared. */
  a: "greedy";
  /** The second method compared (gaps are b − a). */
  b: "optimal";
}

/** The result of one evaluation run (what `deno task eval --json` prints). */
export interface EvaluationResult extends Record<MetricName, number> {
  /** Canonical dataset name, or the catalog's path. */
  dataset: string;
  /** Protocol name (with its parameters where they name it). */
  protocol: string;
  /** The set-matching method. */
  method: MatchMethod;
  /** The image model's name. */
  model: string;
  /** The embedding model's fingerprint (changes whenever vectors could). */
  fingerprint: string;
  /** Seed of the protocol's draw and the bootstrap. */
  seed: number;
  /** Similarity threshold of counted matches (null: none). */
  s: number | null;
  /** Cap on counted matches (null: none). */
  m: number | null;
  /** Query sets ranked. */
  n_queries: number;
  /** Gallery sets each query ranks. */
  n_gallery: number;
  /** 95% intervals; empty without bootstrap resamples (see `Metrics.ci95`). */
  ci95: Partial<Record<MetricName, [number, number]>>;
  /** Bootstrap resamples of the intervals (0: none). */
  bootstrap: number;
  /** The metrics per query category. */
  per_category: Record<string, MetricValues>;
  /** Further relevance levels (grocery: `coarse`), without per-category values. */
  levels: Record<string, Omit<Metrics, "per_category">>;
  /** Present for greedy and optimal (unless `compare: false`). */
  greedy_vs_optimal?: GreedyOptimalAgreement;
  /** Images dropped because they could not be embedded. */
  failures: EmbeddingFailure[];
  /** Protocol bookkeeping (parameters, dropped sets, augmentations). */
  protocol_meta: Record<string, unknown>;
  /** Every option that determines the result. */
  config: Record<string, unknown>;
  /** ISO time the run finished. */
  timestamp: string;
  /** Wall time of the run, seconds. */
  duration_s: number;
}

function checkMethod(method: string): MatchMethod {
  if (!(MATCH_METHODS as readonly string[]).includes(method)) {
    throw new RangeError(`unknown method "${method}"; choose from ${MATCH_METHODS.join(", ")}`);
  }
  return method as MatchMethod;
}

/** The `ordered` method pairs position i with position i, so every query and gallery set must have one size. */
function checkOrderedSizes(prepared: PreparedProtocol): void {
  const sizes = new Set([...prepared.querySets, ...prepared.gallerySets].map((s) => s.length));
  if (sizes.size > 1) {
    throw new RangeError(
      `method "ordered" needs query and gallery sets of one size, but ${prepared.protocol} has sizes ` +
        `${[...sizes].sort((a, b) => a - b).join(", ")}; use --protocol ordered, or equal --a and --b ` +
        `(images that failed to embed also shrink their sets)`,
    );
  }
}

/**
 * Score a prepared protocol with one method (the matching batch path). Pairs whose iteration did
 * not converge (sinkhorn at its iteration limit) are counted in a warning on stderr: their scores
 * are not final.
 */
export function scorePrepared(
  prepared: PreparedProtocol,
  options: MatchOptions,
  progress = false,
): Float64Array {
  const scores = scoreSetPairs({ ...prepared, progress }, options);
  if (scores.unconverged > 0) {
    console.warn(
      `warning: ${scores.method}: ${scores.unconverged} of ${scores.data.length} set pairs did not converge ` +
        `within the iteration limit; their scores are not final (raise maxIterations or epsilon)`,
    );
  }
  return scores.data;
}

/** Appends whole records and repairs a torn tail: the runs log's writer lives in lib/io/jsonl.ts. */
export { appendJsonLine };

/** Default results file of evaluation runs. */
export function defaultRunsFile(resultsDir = resolveConfig().resultsDir): string {
  return join(resultsDir, "eval", "runs.jsonl");
}

/** Prepare (unless given), score, evaluate and record one run. */
export async function runEvaluation(options: RunOptions): Promise<EvaluationResult> {
  const started = performance.now();
  const method = checkMethod(options.method);
  const seed = options.seed ?? 0;
  const prepared = options.prepared ?? (await prepareProtocol({ ...options, seed }));
  if (method === "ordered") checkOrderedSizes(prepared);
  const progress = options.progress ?? true;
  const matchOptions: MatchOptions = { ...(options.matchOptions ?? {}), method, s: options.s, m: options.m };
  const scores = scorePrepared(prepared, matchOptions, progress);
  const metrics = evaluateScores(scores, prepared, { seed, bootstrap: options.bootstrap });

  let agreement: GreedyOptimalAgreement | undefined;
  if ((method === "greedy" || method === "optimal") && (options.compare ?? true)) {
    const other = scorePrepared(prepared, {
      ...matchOptions,
      method: method === "greedy" ? "optimal" : "greedy",
    });
    const [greedy, optimal] = method === "greedy" ? [scores, other] : [other, scores];
    agreement = {
      a: "greedy",
      b: "optimal",
      ...compareScores(greedy, optimal, {
        nQuery: prepared.querySets.length,
        nGallery: prepared.gallerySets.length,
        excluded: prepared.excluded,
      }),
    };
  }

  const config = resolveConfig({
    ...(options.config ?? {}),
    ...(options.model ? { model: options.model } : {}),
  });
  const levels: EvaluationResult["levels"] = {};
  for (const [level, value] of Object.entries(metrics.levels)) {
    const { per_category: _, ...rest } = value;
    levels[level] = rest;
  }
  const { levels: _levels, n_queries_without_relevant, ...headline } = metrics;
  const result: EvaluationResult = {
    dataset: prepared.dataset,
    protocol: prepared.protocol,
    method,
    model: prepared.model,
    fingerprint: prepared.fingerprint,
    seed,
    s: options.s ?? null,
    m: options.m ?? null,
    ...headline,
    n_gallery: prepared.gallerySets.length,
    levels,
    ...(agreement ? { greedy_vs_optimal: agreement } : {}),
    failures: prepared.failures,
    protocol_meta: { ...prepared.meta, n_queries_without_relevant },
    config: {
      dataset: prepared.dataset,
      protocol: prepared.protocol,
      method,
      s: options.s ?? null,
      m: options.m ?? null,
      match_options: options.matchOptions ?? {},
      seed,
      model: prepared.model,
      fingerprint: prepared.fingerprint,
      augment: options.augment ?? [],
      a: options.a ?? null,
      b: options.b ?? null,
      delta: options.delta ?? null,
      sets_per_class: options.setsPerClass ?? null,
      per_category: options.perCategory ?? null,
      categories: options.categories ?? null,
      bootstrap: options.bootstrap ?? 1000,
      data_dir: config.dataDir,
    },
    timestamp: new Date().toISOString(),
    duration_s: 0,
  };
  result.duration_s = Math.round((performance.now() - started) / 10) / 100;
  if (options.record !== false) {
    await appendJsonLine(options.record ?? defaultRunsFile(config.resultsDir), result);
  }
  return result;
}
