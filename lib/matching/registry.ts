/**
 * The registry of set-matching methods: one {@link MethodSpec} per method, in documentation order.
 * Every dispatcher reads it — `scoreSimilarityMatrix`, `matchSets`, `scoreSetPairs`,
 * `matchSequences`, the `match` CLI and the sweep — so adding a method is one entry here (plus its
 * function in `methods.ts`, its kernel in `kernels.ts` and its tests).
 *
 * A spec says what the method needs (a similarity matrix, or the embeddings for `centroid`),
 * whether the threshold `s` and cap `m` apply, which method-specific options it reads and their
 * defaults, and how to compute it three ways that agree exactly: the explained per-pair result
 * (`score`), a batch score of one similarity block (`blockScore`) and, where the score is a mean
 * over one non-increasing list of matches, that list (`listKernel`).
 *
 * @example
 * ```ts
 * import { methodSpec, matrixMethods, resolveOptions } from "./registry.ts";
 * import { scoreSimilarityMatrix } from "./match.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(matrixMethods(), ["ordered", "greedy", "optimal", "lp", "chamfer", "hausdorff", "sinkhorn"]);
 * assert.equal(methodSpec("greedy").thresholdable, true);
 * assert.equal(resolveOptions({ method: "sinkhorn" }).epsilon, 0.05);
 * const S = { rows: 2, cols: 3, data: new Float64Array([0.9, 0.2, 0.1, 0.8, 0.95, 0.3]) };
 * assert.equal(scoreSimilarityMatrix(S, { method: "greedy", s: 0.5 }).score, 0.925);
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";
import { centroidSetPairs } from "./centroid_batch.ts";
import { scoreSequence } from "./counting.ts";
import {
  chamferKernel,
  chamferReverseKernel,
  greedyKernel,
  hausdorffKernel,
  lpKernel,
  type MatchBuffer,
  optimalKernel,
  orderedKernel,
  sinkhornPlan,
} from "./kernels.ts";
import {
  centroidScore,
  chamferScore,
  greedyMatch,
  hausdorffScore,
  lpAssignment,
  optimalAssignment,
  orderedMatch,
  SINKHORN_DEFAULTS,
  sinkhornScore,
} from "./methods.ts";
import type { SetPairsInput } from "./sets.ts";
import {
  MATCH_METHODS,
  type MatchMethod,
  type MatchOptions,
  NO_MATCH_SCORE,
  type SetMatchResult,
  type SimilarityMatrix,
} from "./types.ts";
import { assertCap, assertThreshold } from "./validate.ts";

/** The method-specific fields of {@link MatchOptions} (everything but `method`, `s` and `m`). */
export type MethodOptionName = "symmetric" | "epsilon" | "maxIterations" | "tolerance";

/**
 * Writes the matches of an `r × c` row-major block into `out` in the method's order (non-increasing
 * similarity) and returns how many it wrote.
 */
export type ListKernel = (S: ArrayLike<number>, r: number, c: number, out: MatchBuffer) => number;

/** {@link MatchOptions} after {@link resolveOptions}: the method's defaults filled in. */
export type ResolvedOptions = MatchOptions;

/** One set-matching method. */
export interface MethodSpec {
  /** The method's name (the `method` option and the CLI's `--method`). */
  readonly name: MatchMethod;
  /** One line: what the score is. */
  readonly summary: string;
  /** Whether the threshold `s` and cap `m` apply (the score is a mean over a list of matches). */
  readonly thresholdable: boolean;
  /** Whether the method needs the embeddings themselves, not only their similarity matrix. */
  readonly needsEmbeddings: boolean;
  /** The method-specific options it reads (others are ignored by the library; the CLI rejects them). */
  readonly options: readonly MethodOptionName[];
  /** Defaults of those options. */
  readonly defaults: Readonly<Partial<Record<MethodOptionName, number | boolean>>>;
  /** The explained result for one similarity matrix (absent when `needsEmbeddings`). */
  readonly score?: (S: SimilarityMatrix, options: ResolvedOptions) => SetMatchResult;
  /** The explained result from the embeddings (only when `needsEmbeddings`). */
  readonly scoreEmbeddings?: (A: Embeddings, B: Embeddings, options: ResolvedOptions) => SetMatchResult;
  /**
   * Batch scores from the embeddings (only when `needsEmbeddings`): every (query set, gallery set)
   * pair of `input`, row-major, {@link NO_MATCH_SCORE} where the per-pair score is null.
   */
  readonly scoreEmbeddingSets?: (input: SetPairsInput, options: ResolvedOptions) => Float64Array;
  /**
   * The batch score of one `r × c` block, {@link NO_MATCH_SCORE} where the per-pair score is null.
   * `out` is scratch reused across blocks; iterative methods set `out.converged`.
   */
  readonly blockScore?: (
    S: ArrayLike<number>,
    r: number,
    c: number,
    out: MatchBuffer,
    options: ResolvedOptions,
  ) => number;
  /**
   * The match-list kernel under these options, or undefined when the score is not the mean of one
   * list (e.g. symmetric chamfer averages two). `s` and `m` pick a prefix of that list.
   */
  readonly listKernel?: (options: ResolvedOptions) => ListKernel | undefined;
  /** Length of the match list of an `r × c` block (with `listKernel`). */
  readonly listLength?: (r: number, c: number) => number;
}

/** The batch score of a list method from its kernel's output: the mean of the counted prefix. */
function listMean(out: MatchBuffer, n: number, o: ResolvedOptions): number {
  return scoreSequence(out.similarity, 0, n, o.s ?? -Infinity, o.m ?? Infinity, NO_MATCH_SCORE);
}

/** A block score: one per method, written out so each kernel call site stays monomorphic (see below). */
type BlockScore = NonNullable<MethodSpec["blockScore"]>;

/**
 * A method whose score is the mean over one list of matches, so `s` and `m` apply. `blockScore`
 * is passed written out (`(S, r, c, out, o) => listMean(out, kernel(S, r, c, out), o)`) rather than
 * built here from `kernel`: one shared closure calling every method's kernel made that call site
 * megamorphic, and chamfer and greedy ran 1.2–2× slower when several methods ran in one process.
 */
function listMethod(
  name: MatchMethod,
  summary: string,
  kernel: ListKernel,
  blockScore: BlockScore,
  score: (S: SimilarityMatrix, options: ResolvedOptions) => SetMatchResult,
  listLength: (r: number, c: number) => number,
): MethodSpec {
  return {
    name,
    summary,
    thresholdable: true,
    needsEmbeddings: false,
    options: [],
    defaults: {},
    score: (S, o) => score(S, { method: name, s: o.s, m: o.m }),
    blockScore,
    listKernel: () => kernel,
    listLength,
  };
}

const matched = (r: number, c: number) => Math.min(r, c);

/** Symmetric chamfer: the mean of the two directions' scores, each under s and m. */
function symmetricChamferBlock(
  S: ArrayLike<number>,
  r: number,
  c: number,
  out: MatchBuffer,
  o: ResolvedOptions,
) {
  const s = o.s ?? -Infinity, m = o.m ?? Infinity;
  const f = scoreSequence(out.similarity, 0, chamferKernel(S, r, c, out), s, m, NO_MATCH_SCORE);
  const b = scoreSequence(out.similarity, 0, chamferReverseKernel(S, r, c, out), s, m, NO_MATCH_SCORE);
  return f === NO_MATCH_SCORE || b === NO_MATCH_SCORE ? NO_MATCH_SCORE : (f + b) / 2;
}

const sinkhornOptions = (o: ResolvedOptions) => ({
  epsilon: o.epsilon as number,
  maxIterations: o.maxIterations as number,
  tolerance: o.tolerance as number,
});

/** Every method, in {@link MATCH_METHODS} order. */
export const METHOD_REGISTRY: Readonly<Record<MatchMethod, MethodSpec>> = {
  ordered: listMethod(
    "ordered",
    "mean of S_ii: A and B list the same views in the same order",
    orderedKernel,
    (S, r, c, out, o) => listMean(out, orderedKernel(S, r, c, out), o),
    orderedMatch,
    (r) => r,
  ),
  greedy: listMethod(
    "greedy",
    "mean of greedily taken best entries (recursive matching)",
    greedyKernel,
    (S, r, c, out, o) => listMean(out, greedyKernel(S, r, c, out), o),
    greedyMatch,
    matched,
  ),
  optimal: listMethod(
    "optimal",
    "mean over the optimal one-to-one assignment (shortest augmenting paths)",
    optimalKernel,
    (S, r, c, out, o) => listMean(out, optimalKernel(S, r, c, out), o),
    optimalAssignment,
    matched,
  ),
  lp: listMethod(
    "lp",
    "the optimal assignment solved as a linear program (slow; same optimum as optimal)",
    lpKernel,
    (S, r, c, out, o) => listMean(out, lpKernel(S, r, c, out), o),
    lpAssignment,
    matched,
  ),
  centroid: {
    name: "centroid",
    summary: "cosine of the mean unit vectors",
    thresholdable: false,
    needsEmbeddings: true,
    options: [],
    defaults: {},
    scoreEmbeddings: (A, B) => centroidScore(A, B),
    scoreEmbeddingSets: (input) => centroidSetPairs(input),
  },
  chamfer: {
    name: "chamfer",
    summary: "mean best match A → B (symmetric: averaged with B → A)",
    thresholdable: true,
    needsEmbeddings: false,
    options: ["symmetric"],
    defaults: { symmetric: false },
    score: (S, o) => chamferScore(S, { s: o.s, m: o.m, symmetric: o.symmetric as boolean }),
    blockScore: (S, r, c, out, o) =>
      o.symmetric ? symmetricChamferBlock(S, r, c, out, o) : listMean(out, chamferKernel(S, r, c, out), o),
    listKernel: (o) => o.symmetric ? undefined : chamferKernel,
    listLength: (r) => r,
  },
  hausdorff: {
    name: "hausdorff",
    summary: "1 − Hausdorff distance: the worst-matched item decides",
    thresholdable: false,
    needsEmbeddings: false,
    options: ["symmetric"],
    defaults: { symmetric: true },
    score: (S, o) => hausdorffScore(S, { symmetric: o.symmetric as boolean }),
    blockScore: (S, r, c, _out, o) => hausdorffKernel(S, r, c, o.symmetric as boolean),
  },
  sinkhorn: {
    name: "sinkhorn",
    summary: "expected similarity under entropic optimal transport",
    thresholdable: false,
    needsEmbeddings: false,
    options: ["epsilon", "maxIterations", "tolerance"],
    defaults: SINKHORN_DEFAULTS,
    score: (S, o) => sinkhornScore(S, sinkhornOptions(o)),
    blockScore: (S, r, c, out, o) => {
      const { epsilon, maxIterations, tolerance } = sinkhornOptions(o);
      const solved = sinkhornPlan(S, r, c, epsilon, maxIterations, tolerance);
      out.converged = solved.converged;
      return solved.score;
    },
  },
};

/** The spec of `method`; throws a RangeError listing the methods when it is unknown. */
export function methodSpec(method: unknown, name = "method"): MethodSpec {
  if (typeof method !== "string" || !Object.hasOwn(METHOD_REGISTRY, method)) {
    throw new RangeError(`${name} must be one of ${MATCH_METHODS.join(", ")}; got ${JSON.stringify(method)}`);
  }
  return METHOD_REGISTRY[method as MatchMethod];
}

/** Every method's name, in documentation order. */
export function listMethods(filter: (spec: MethodSpec) => boolean = () => true): MatchMethod[] {
  return MATCH_METHODS.filter((m) => filter(METHOD_REGISTRY[m]));
}

/** Methods computed from a similarity matrix alone (all but `centroid`). */
export function matrixMethods(): MatchMethod[] {
  return listMethods((spec) => !spec.needsEmbeddings);
}

/** Methods where the threshold `s` and cap `m` apply. */
export function thresholdableMethods(): MatchMethod[] {
  return listMethods((spec) => spec.thresholdable);
}

/** Methods with a match list (for `matchSequences` and the sweep); chamfer only one-directional. */
export function sequenceMethods(): MatchMethod[] {
  return listMethods((spec) => spec.listKernel !== undefined);
}

/** Methods that read the option `option`. */
export function methodsWithOption(option: MethodOptionName): MatchMethod[] {
  return listMethods((spec) => spec.options.includes(option));
}

const OPTION_RULES: Record<MethodOptionName, { check: (v: unknown) => boolean; rule: string }> = {
  symmetric: { check: (v) => typeof v === "boolean", rule: "true or false" },
  epsilon: {
    check: (v) => typeof v === "number" && Number.isFinite(v) && v > 0,
    rule: "a finite number > 0",
  },
  maxIterations: { check: (v) => Number.isInteger(v) && (v as number) >= 1, rule: "an integer ≥ 1" },
  tolerance: {
    check: (v) => typeof v === "number" && Number.isFinite(v) && v > 0,
    rule: "a finite number > 0",
  },
};

/**
 * Check a {@link MatchOptions} value: a known method, `s` ∈ [−1, 1] and integer `m` ≥ 1 only for
 * thresholdable methods, and every method-specific option that is set well-formed. A method-specific
 * option a method does not read is ignored (so one options object can serve several methods); use
 * {@link unusedOptions} to reject those where one method is asked for.
 */
export function validateOptions(options: MatchOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`options must be an object with a method; got ${String(options)}`);
  }
  const spec = methodSpec(options.method, "options.method");
  assertThreshold(options.s, "options.s");
  assertCap(options.m, "options.m");
  if ((options.s !== undefined || options.m !== undefined) && !spec.thresholdable) {
    throw new RangeError(
      `options.s and options.m apply only to ${thresholdableMethods().join(", ")}; ` +
        `method "${spec.name}" does not average a list of matches`,
    );
  }
  for (const [key, { check, rule }] of Object.entries(OPTION_RULES)) {
    const value = options[key as MethodOptionName];
    if (value !== undefined && !check(value)) {
      throw new RangeError(`options.${key} must be ${rule}; got ${String(value)}`);
    }
  }
}

/**
 * The method-specific options set in `options` that its method does not read, each with the methods
 * that do, e.g. `[{ option: "epsilon", usedBy: ["sinkhorn"] }]` for greedy with an ε.
 */
export function unusedOptions(options: MatchOptions): { option: MethodOptionName; usedBy: MatchMethod[] }[] {
  const spec = methodSpec(options.method, "options.method");
  return (Object.keys(OPTION_RULES) as MethodOptionName[])
    .filter((key) => options[key] !== undefined && !spec.options.includes(key))
    .map((option) => ({ option, usedBy: methodsWithOption(option) }));
}

/**
 * The part of `options` that `method` reads — `s` and `m` only when it is thresholdable, and its own
 * method-specific options — so one options object can drive several methods (`compare --method all`,
 * `eval --method a,b`) without tripping {@link validateOptions} on `s` for sinkhorn.
 *
 * @example
 * ```ts
 * import { optionsFor } from "./registry.ts";
 * import assert from "node:assert/strict";
 * const shared = { s: 0.8, m: 3, epsilon: 0.01, symmetric: true };
 * assert.deepEqual(optionsFor("greedy", shared), { method: "greedy", s: 0.8, m: 3 });
 * assert.deepEqual(optionsFor("sinkhorn", shared), { method: "sinkhorn", epsilon: 0.01 });
 * assert.deepEqual(optionsFor("chamfer", shared), { method: "chamfer", s: 0.8, m: 3, symmetric: true });
 * ```
 */
export function optionsFor(method: MatchMethod, options: Omit<MatchOptions, "method">): MatchOptions {
  const spec = methodSpec(method);
  const out: MatchOptions = { method: spec.name };
  if (spec.thresholdable) {
    if (options.s !== undefined) out.s = options.s;
    if (options.m !== undefined) out.m = options.m;
  }
  for (const key of spec.options) {
    if (options[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = options[key];
  }
  return out;
}

/** Validate `options` and fill in its method's defaults (options it does not read are dropped). */
export function resolveOptions(options: MatchOptions): ResolvedOptions {
  validateOptions(options);
  const spec = METHOD_REGISTRY[options.method];
  const resolved: ResolvedOptions = { method: spec.name };
  if (options.s !== undefined) resolved.s = options.s;
  if (options.m !== undefined) resolved.m = options.m;
  for (const key of spec.options) {
    (resolved as unknown as Record<string, unknown>)[key] = options[key] ?? spec.defaults[key];
  }
  return resolved;
}
