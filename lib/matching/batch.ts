/**
 * Fast batch scoring for evaluation and sweeps: many query sets against many gallery sets, all read
 * from ONE precomputed similarity matrix between every query image (rows) and every gallery image
 * (columns). Uses exactly the kernels of the per-pair functions, so scores agree with
 * `scoreSimilarityMatrix` exactly (centroid: up to float32 rounding of the centroids).
 *
 * Ranking value: a pair whose score would be `null` ("no match passed s", or a zero centroid) gets
 * {@link NO_MATCH_SCORE} = −Infinity, which sorts after every real score and is never NaN.
 *
 * For sweeps over (s, m), compute the match lists once with {@link matchSequences} and re-score
 * them with {@link scoreSequences} per setting: matching is the expensive step, s and m only pick a
 * prefix of each list.
 *
 * @example
 * ```ts
 * import { matchSequences, scoreSequences, scoreSetPairs } from "./batch.ts";
 * import assert from "node:assert/strict";
 * const similarity = { rows: 3, cols: 2, data: new Float32Array([0.9, 0.1, 0.2, 0.8, 0.5, 0.4]) };
 * const input = { similarity, querySets: [[0, 1], [2]], gallerySets: [[0], [0, 1]] };
 * const scores = scoreSetPairs(input, { method: "optimal" }); // ScoreMatrix, 2 × 2, row = query set
 * assert.deepEqual([scores.rows, scores.cols], [2, 2]);
 * assert.ok(Math.abs(scores.get(0, 1) - 0.85) < 1e-6); // rows {0, 1} vs columns {0, 1}: 0.9 and 0.8
 * const lists = matchSequences(input, { method: "greedy" });
 * const strict = scoreSequences(lists, { s: 0.85, m: 1 }); // Float64Array in the same layout
 * assert.equal(strict[1 * 2 + 1], -Infinity); // query {2} vs gallery {0, 1}: best 0.5 < s
 * ```
 * @module
 */

import { createProgress, type Progress } from "../progress/mod.ts";
import { createWorkerPool } from "../workers/pool.ts";
import { scoreSequence } from "./counting.ts";
import { MatchBuffer } from "./kernels.ts";
import { METHOD_REGISTRY, methodSpec, resolveOptions, sequenceMethods } from "./registry.ts";
import { checkSets, type SetPairsInput } from "./sets.ts";
import {
  type MatchMethod,
  type MatchOptions,
  NO_MATCH_SCORE,
  ScoreMatrix,
  type SimilarityMatrix,
} from "./types.ts";
import { assertCap, assertThreshold, validateMatrix } from "./validate.ts";

export type { SetPairsInput } from "./sets.ts";

/**
 * The ordered match similarities of every (query set, gallery set) pair: for pair p = q · nGallery + g,
 * `values[offsets[p] .. offsets[p + 1])` in the method's order (greedy: order taken; others: best
 * first). Every list is non-increasing.
 */
export interface MatchSequences {
  /** The method whose match lists these are. */
  method: MatchMethod;
  /** Number of query sets. */
  nQuery: number;
  /** Number of gallery sets. */
  nGallery: number;
  /** Start of each pair's list in `values` (length nQuery · nGallery + 1). */
  offsets: Uint32Array;
  /** All lists' similarities, concatenated. */
  values: Float64Array;
}

function progressFor(input: SetPairsInput, total: number, label: string): Progress | undefined {
  if (input.progress === true) return createProgress({ label, total });
  if (input.progress) return input.progress;
  return undefined;
}

/** Iterate over every (query set, gallery set) pair with its similarity block copied into `block`. */
function forEachBlock(
  input: SetPairsInput,
  label: string,
  visit: (pair: number, block: Float64Array, r: number, c: number) => void,
): void {
  const { similarity: S, querySets, gallerySets } = input;
  validateMatrix(S, "similarity");
  const maxQ = checkSets(querySets, S.rows, "querySets", "row");
  const maxG = checkSets(gallerySets, S.cols, "gallerySets", "column");
  const block = new Float64Array(maxQ * maxG);
  const { data, cols } = S;
  const progress = progressFor(input, querySets.length, label);
  const nG = gallerySets.length;
  for (let q = 0; q < querySets.length; q++) {
    const Q = querySets[q];
    const r = Q.length;
    for (let g = 0; g < nG; g++) {
      const G = gallerySets[g];
      const c = G.length;
      for (let i = 0; i < r; i++) {
        const base = Q[i] * cols;
        for (let j = 0; j < c; j++) block[i * c + j] = data[base + G[j]];
      }
      visit(q * nG + g, block, r, c);
    }
    progress?.tick();
  }
  progress?.done();
}

/**
 * Compute every pair's ordered match list once (for every method whose registry entry has a list
 * kernel under these options: ordered, greedy, optimal, lp, one-directional chamfer), to be scored
 * under any (s, m) by {@link scoreSequences}.
 */
export function matchSequences(
  input: SetPairsInput,
  options: Pick<MatchOptions, "method" | "symmetric">,
): MatchSequences {
  const spec = methodSpec(options?.method, "options.method");
  const kernel = spec.listKernel?.(resolveOptions({ method: spec.name, symmetric: options.symmetric }));
  if (!kernel || !spec.listLength) {
    throw new RangeError(
      `matchSequences supports ${sequenceMethods().join(", ")} (chamfer one-directional only); ` +
        `use scoreSetPairs for "${spec.name}${options.symmetric ? " (symmetric)" : ""}"`,
    );
  }
  const method = spec.name;
  const nQ = input.querySets?.length ?? 0, nG = input.gallerySets?.length ?? 0;
  const offsets = new Uint32Array(nQ * nG + 1);
  for (let q = 0; q < nQ; q++) {
    const r = input.querySets[q]?.length ?? 0;
    for (let g = 0; g < nG; g++) {
      const p = q * nG + g;
      offsets[p + 1] = offsets[p] + spec.listLength(r, input.gallerySets[g]?.length ?? 0);
    }
  }
  const values = new Float64Array(offsets[nQ * nG]);
  const out = new MatchBuffer();
  forEachBlock(input, `match ${method}`, (p, block, r, c) => {
    const n = kernel(block, r, c, out);
    values.set(out.similarity.subarray(0, n), offsets[p]);
  });
  return { method, nQuery: nQ, nGallery: nG, offsets, values };
}

/**
 * Score precomputed match lists under threshold `s` and cap `m` (see `SetMatchResult` for the rule):
 * returns `nQuery × nGallery` scores, {@link NO_MATCH_SCORE} where no match passed `s`.
 */
export function scoreSequences(
  sequences: MatchSequences,
  options: { s?: number; m?: number } = {},
): Float64Array {
  assertThreshold(options.s, "options.s");
  assertCap(options.m, "options.m");
  const s = options.s ?? -Infinity;
  const m = options.m ?? Infinity;
  const { offsets, values } = sequences;
  const n = sequences.nQuery * sequences.nGallery;
  const scores = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    scores[p] = scoreSequence(values, offsets[p], offsets[p + 1], s, m, NO_MATCH_SCORE);
  }
  return scores;
}

/**
 * Score every (query set, gallery set) pair with any method: a {@link ScoreMatrix} of
 * `nQuery × nGallery` scores, row q = query set q. A null score ("no match passed s", zero centroid)
 * is {@link NO_MATCH_SCORE} (−Infinity) in its `data`: it ranks last, never NaN.
 * `unconverged` counts sinkhorn pairs that stopped at the iteration limit.
 */
export function scoreSetPairs(input: SetPairsInput, options: MatchOptions): ScoreMatrix {
  const resolved = resolveOptions(options);
  const spec = METHOD_REGISTRY[resolved.method];
  const nQ = input.querySets?.length ?? 0, nG = input.gallerySets?.length ?? 0;
  if (spec.scoreEmbeddingSets) {
    return new ScoreMatrix(spec.name, nQ, nG, spec.scoreEmbeddingSets(input, resolved));
  }
  const blockScore = spec.blockScore!;
  const scores = new Float64Array(nQ * nG);
  const out = new MatchBuffer();
  let unconverged = 0;
  forEachBlock(input, `score ${spec.name}`, (p, block, r, c) => {
    scores[p] = blockScore(block, r, c, out, resolved);
    if (out.converged === false) unconverged++;
  });
  return new ScoreMatrix(spec.name, nQ, nG, scores, unconverged);
}

/** What one worker of {@link scoreSetPairsParallel} / {@link matchSequencesParallel} does (`batch_worker.ts`). */
export interface BatchJob {
  kind: "score" | "sequences";
  similarity: SimilarityMatrix;
  querySets: number[][];
  gallerySets: number[][];
  options: MatchOptions;
  /** `score`: shared output, this job's scores go at `outputOffset`. */
  output?: Float64Array;
  outputOffset?: number;
}

/** Options for the parallel batch functions. */
export interface ParallelOptions {
  /** Number of workers (default: `navigator.hardwareConcurrency`, at most the number of query sets). */
  workers?: number;
}

function workerCount(requested: number | undefined, jobs: number): number {
  const n = requested ?? navigator.hardwareConcurrency ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`workers must be an integer ≥ 1; got ${n}`);
  return Math.max(1, Math.min(n, jobs));
}

/** The similarity matrix backed by a SharedArrayBuffer (copied once unless it already is). */
function sharedMatrix(S: SimilarityMatrix): SimilarityMatrix {
  if (S.data.buffer instanceof SharedArrayBuffer) return S;
  const data = S.data instanceof Float32Array
    ? new Float32Array(new SharedArrayBuffer(S.data.length * 4))
    : new Float64Array(new SharedArrayBuffer(S.data.length * 8));
  data.set(S.data);
  return { rows: S.rows, cols: S.cols, data };
}

/**
 * Run job k of `n` on worker k of a fresh pool and hand each reply to `onResult`; the workers are
 * stopped when all are done or the first fails (its message, as a RangeError).
 */
async function runWorkers<T>(
  n: number,
  makeJob: (k: number) => BatchJob,
  onResult: (k: number, reply: T) => void,
): Promise<void> {
  const pool = await createWorkerPool<BatchJob, T>({
    url: new URL("./batch_worker.ts", import.meta.url),
    size: n,
    name: "batch",
    taskError: (message) => new RangeError(message),
  });
  try {
    await Promise.all(Array.from({ length: n }, async (_, k) => onResult(k, await pool.run(makeJob(k)))));
  } finally {
    pool.close();
  }
}

function splitRanges(total: number, parts: number): [number, number][] {
  return Array.from(
    { length: parts },
    (_, k) => [Math.floor(total * k / parts), Math.floor(total * (k + 1) / parts)],
  );
}

/**
 * What every worker of a set-pairs job shares, after checking the input: the similarity matrix in
 * shared memory, the gallery sets as plain arrays, and worker k's contiguous range of query sets.
 */
function planWorkers(input: SetPairsInput, parallel: ParallelOptions) {
  validateMatrix(input.similarity, "similarity");
  checkSets(input.querySets, input.similarity.rows, "querySets", "row");
  checkSets(input.gallerySets, input.similarity.cols, "gallerySets", "column");
  const nQ = input.querySets.length, nG = input.gallerySets.length;
  const n = workerCount(parallel.workers, nQ);
  const similarity = sharedMatrix(input.similarity);
  const ranges = splitRanges(nQ, n);
  const gallerySets = input.gallerySets.map((set) => Array.from(set));
  const querySets = (k: number) =>
    input.querySets.slice(ranges[k][0], ranges[k][1]).map((set) => Array.from(set));
  return { nQ, nG, n, similarity, ranges, gallerySets, querySets };
}

/**
 * {@link scoreSetPairs} split over workers by query set (same scores, same order). Worth it from about
 * 10⁵ pairs; starting workers costs ~0.1 s. `centroid` runs in the calling thread (it is one matrix
 * product).
 */
export async function scoreSetPairsParallel(
  input: SetPairsInput,
  options: MatchOptions,
  parallel: ParallelOptions = {},
): Promise<ScoreMatrix> {
  const spec = methodSpec(resolveOptions(options).method);
  if (spec.needsEmbeddings) return scoreSetPairs(input, options);
  const { nQ, nG, n, similarity, ranges, gallerySets, querySets } = planWorkers(input, parallel);
  const output = new Float64Array(new SharedArrayBuffer(nQ * nG * 8));
  let unconverged = 0;
  await runWorkers<{ unconverged: number }>(n, (k) => ({
    kind: "score",
    similarity,
    querySets: querySets(k),
    gallerySets,
    options,
    output,
    outputOffset: ranges[k][0] * nG,
  }), (_, message) => unconverged += message.unconverged);
  return new ScoreMatrix(spec.name, nQ, nG, new Float64Array(output), unconverged);
}

/** {@link matchSequences} split over workers by query set (identical result). */
export async function matchSequencesParallel(
  input: SetPairsInput,
  options: Pick<MatchOptions, "method" | "symmetric">,
  parallel: ParallelOptions = {},
): Promise<MatchSequences> {
  methodSpec(options?.method, "options.method");
  const { nQ, nG, n, similarity, gallerySets, querySets } = planWorkers(input, parallel);
  const parts: MatchSequences[] = new Array(n);
  await runWorkers<{ sequences: MatchSequences }>(n, (k) => ({
    kind: "sequences",
    similarity,
    querySets: querySets(k),
    gallerySets,
    options: { method: options.method, symmetric: options.symmetric },
  }), (k, message) => parts[k] = message.sequences);
  const offsets = new Uint32Array(nQ * nG + 1);
  const values = new Float64Array(parts.reduce((t, p) => t + p.values.length, 0));
  let pair = 0, base = 0;
  for (const part of parts) {
    const count = part.nQuery * nG;
    for (let p = 1; p <= count; p++) offsets[pair + p] = base + part.offsets[p];
    values.set(part.values, base);
    pair += count;
    base += part.values.length;
  }
  return { method: options.method, nQuery: nQ, nGallery: nG, offsets, values };
}
