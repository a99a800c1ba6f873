/**
 * The sweep backend on real data: `lib/evaluation` prepares each protocol (load, seeded draw,
 * cached embeddings, one similarity matrix), `lib/matching` computes every set pair's ordered
 * match list once per method (`matchSequences`), and each (s, m) cell re-scores those lists
 * (`scoreSequences`) and ranks them (`evaluateRanking`, tie-aware, seeded percentile bootstrap).
 *
 * Metrics are those of the protocol's primary (fine) relevance level — the headline numbers of
 * `evaluateScores`. Big arrays are placed in `SharedArrayBuffer`s so the worker threads read them
 * without copies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backend } from "./setsim_backend.ts";
 * // What the sweep engine calls: prepare once per group, the match lists once per method, then
 * // each (s, m) cell re-scores the lists.
 * const group = { dataset: "coil100", protocol: "unordered", seed: 0, model: "mobilenet-v2", options: {} };
 * const context = { log: () => {}, quiet: true };
 * const shared = await backend.prepare(group, context);
 * const lists = await backend.prepareMethod!(shared, "greedy", context);
 * const cell = { ...group, method: "greedy", s: null, m: null, bootstrap: 1000 };
 * const { metrics, ci95 } = await backend.evaluate(shared, lists, cell);
 * // The same numbers as `runEvaluation` for greedy on this protocol.
 * assert.deepEqual([metrics.recall_at_1, metrics.map], [0.99, 0.995]);
 * assert.deepEqual(ci95.recall_at_1, [0.97, 1]);
 * ```
 * @module
 */

import { type CatalogProblem, formatProblems, resolveCatalogName } from "../catalog/mod.ts";
import { DATASET_NAMES } from "../data/datasets.ts";
import { evaluateRanking, type Metrics } from "../evaluation/metrics.ts";
import {
  checkProtocol,
  defaultProtocol,
  type ImageEmbedder,
  type PreparedProtocol,
  prepareProtocol,
} from "../evaluation/prepare.ts";
import { PROTOCOL_NAMES, type ProtocolName } from "../evaluation/protocols.ts";
import { type MatchSequences, matchSequences, scoreSequences } from "../matching/batch.ts";
import { sequenceMethods } from "../matching/registry.ts";
import type { MatchMethod, SimilarityMatrix } from "../matching/types.ts";
import { UsageError } from "../cli/mod.ts";
import { displayText } from "../io/display.ts";
import type { CellMetrics, SweepBackend } from "./backend.ts";
import type { SweepCell } from "./cell.ts";

/** Metrics the sweep reports (each with its 95% interval when bootstrapping). */
export const SWEEP_METRICS = ["recall_at_1", "recall_at_5", "recall_at_10", "map"] as const;

/** What every cell of a prepared protocol shares. */
export interface PreparedShared {
  similarity: SimilarityMatrix;
  querySets: number[][];
  gallerySets: number[][];
  /** Row-major nQuery × nGallery relevance (fine level). */
  relevant: Uint8Array;
  excluded: Uint8Array | null;
  nQuery: number;
  nGallery: number;
  /** Embedding model fingerprint the similarity came from. */
  fingerprint: string;
}

type Typed = Float32Array | Float64Array | Uint8Array | Uint32Array;

/** Copy a typed array into one of the same type over a `SharedArrayBuffer` (zero-copy for workers). */
export function toShared<T extends Typed>(array: T): T {
  const Ctor = array.constructor as { new (buffer: SharedArrayBuffer): T };
  const shared = new Ctor(new SharedArrayBuffer(array.byteLength));
  shared.set(array as never);
  return shared;
}

function protocolsOf(dataset: string): ProtocolName[] {
  return PROTOCOL_NAMES.filter((protocol) => {
    try {
      checkProtocol(dataset, protocol);
      return true;
    } catch {
      return false;
    }
  });
}

function pick(values: Metrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of SWEEP_METRICS) out[name] = values[name];
  return out;
}

/**
 * The model's fingerprint (model files + processor), entered into every cell hash so rebuilt or
 * changed model files invalidate journaled cells instead of silently reusing them. Loading the
 * model also checks its name before any work starts.
 */
async function identifyModel(model: string): Promise<Record<string, string>> {
  const embedding = await import("../embedding/mod.ts");
  let loaded;
  try {
    loaded = await embedding.loadImageModel(model);
  } catch (error) {
    throw new UsageError(`--model: ${(error as Error).message}`);
  }
  try {
    return { fingerprint: loaded.fingerprint };
  } finally {
    await loaded.dispose?.();
  }
}

/** The set-pair scores of one (s, m) cell from its method's match lists. */
export function cellScores(lists: MatchSequences, cell: Pick<SweepCell, "s" | "m">): Float64Array {
  return scoreSequences(lists, { s: cell.s ?? undefined, m: cell.m ?? undefined });
}

/**
 * The metrics of one cell from its scores: tie-aware ranking with the cell's seeded bootstrap, the
 * {@link SWEEP_METRICS} with their intervals (none when `cell.bootstrap` is 0). Every evaluated
 * s × m cell goes through here, in a worker or in process (`thresholdCapGrid`).
 */
export function evaluateCellScores(
  shared: Pick<PreparedShared, "relevant" | "excluded" | "nQuery" | "nGallery" | "fingerprint">,
  scores: Float64Array,
  cell: Pick<SweepCell, "seed" | "bootstrap">,
): CellMetrics {
  const result = evaluateRanking(
    {
      scores,
      relevant: shared.relevant,
      excluded: shared.excluded,
      nQuery: shared.nQuery,
      nGallery: shared.nGallery,
    },
    { seed: cell.seed, bootstrap: cell.bootstrap },
  );
  const ci95: Record<string, [number, number]> = {};
  for (const name of SWEEP_METRICS) {
    const interval = result.ci95[name];
    if (interval !== undefined) ci95[name] = interval;
  }
  return {
    metrics: pick(result),
    ci95,
    provenance: {
      fingerprint: shared.fingerprint,
      n_queries: result.n_queries,
      n_gallery: shared.nGallery,
    },
  };
}

/** What every cell of a prepared protocol shares, without copies (`shared` = true: over `SharedArrayBuffer`s for workers). */
export function preparedShared(prepared: PreparedProtocol, shared = false): PreparedShared {
  const place = <T extends Typed>(array: T): T => (shared ? toShared(array) : array);
  return {
    similarity: {
      rows: prepared.similarity.rows,
      cols: prepared.similarity.cols,
      data: place(prepared.similarity.data),
    },
    querySets: prepared.querySets,
    gallerySets: prepared.gallerySets,
    relevant: place(prepared.relevance),
    excluded: prepared.excluded ? place(prepared.excluded) : null,
    nQuery: prepared.querySets.length,
    nGallery: prepared.gallerySets.length,
    fingerprint: prepared.fingerprint,
  };
}

/** Options of {@link createSetsimBackend}. */
export interface SetsimBackendOptions {
  /** The image embedder (default: `lib/embedding` with its persistent cache); tests inject a fake. */
  embed?: ImageEmbedder;
}

/** A real-data backend; `embed` replaces the embedding model (tests). */
export function createSetsimBackend(
  options: SetsimBackendOptions = {},
): SweepBackend<PreparedShared, MatchSequences> {
  return {
    datasets: DATASET_NAMES,
    methods: sequenceMethods(),
    metrics: SWEEP_METRICS,
    // A bundled dataset's canonical name, or a user catalog's absolute path.
    resolveDataset: resolveCatalogName,
    protocols: protocolsOf,
    identify: options.embed ? undefined : identifyModel,
    defaultProtocol: (dataset) => defaultProtocol(dataset),
    async prepare(group, context) {
      const prepared = await prepareProtocol({
        dataset: group.dataset,
        protocol: group.protocol as ProtocolName,
        seed: group.seed,
        model: group.model,
        progress: !context.quiet,
        embed: options.embed,
      });
      const catalogProblems = prepared.meta.catalog_problems as CatalogProblem[] | undefined;
      if (catalogProblems && catalogProblems.length > 0) {
        context.log(`sweep: ${group.dataset}: ${formatProblems(catalogProblems)}`);
      }
      if (prepared.failures.length > 0) {
        context.log(
          `sweep: ${group.dataset}/${group.protocol}: ${prepared.failures.length} image(s) could not be embedded ` +
            `and were dropped (first: ${displayText(prepared.failures[0].input)}: ${
              displayText(prepared.failures[0].reason)
            })`,
        );
      }
      return preparedShared(prepared, true);
    },
    prepareMethod(shared, method, context) {
      const lists = matchSequences(
        { similarity: shared.similarity, querySets: shared.querySets, gallerySets: shared.gallerySets },
        { method: method as MatchMethod },
      );
      if (!context.quiet) {
        context.log(`sweep: ${method}: ${lists.nQuery * lists.nGallery} set pairs matched once`);
      }
      return Promise.resolve({ ...lists, offsets: toShared(lists.offsets), values: toShared(lists.values) });
    },
    evaluate: (shared, lists, cell) => evaluateCellScores(shared, cellScores(lists, cell), cell),
  };
}

/** The backend the sweep command uses (workers import it by this name). */
export const backend: SweepBackend<PreparedShared, MatchSequences> = createSetsimBackend();
