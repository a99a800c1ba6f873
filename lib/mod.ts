/**
 * setsim: how similar are two *sets* of images?
 *
 * The core of the API is flat: shared types, configuration, the set-matching methods, and the
 * embedding entry points. Every concern is also available whole as a namespace
 * (`import { evaluation } from "./lib/mod.ts"`).
 *
 * @example
 * ```ts
 * import { embeddingsFromRows, matchSets } from "./mod.ts";
 * const A = embeddingsFromRows([[1, 0], [0.8, 0.6], [0, 1], [0.6, 0.8]]);
 * const B = embeddingsFromRows([[0.6, 0.8], [1, 0], [0, 1], [0.7, 0.7], [0.9, 0.1]]);
 * const greedy = matchSets(A, B, { method: "greedy" });
 * const optimal = matchSets(A, B, { method: "optimal" });
 * console.log(greedy.score, optimal.score, greedy.unmatchedB);
 * ```
 * @module
 */

export * from "./types.ts";
export * from "./config/mod.ts";
export * from "./matching/mod.ts";
export {
  EmbeddingCache,
  type EmbedFailure,
  embedImages,
  type EmbedImagesOptions,
  type EmbedImagesResult,
  embedTexts,
  type EmbedTextsOptions,
} from "./embedding/mod.ts";

export * as cli from "./cli/mod.ts";
export * as data from "./data/mod.ts";
export * as embedding from "./embedding/mod.ts";
export * as evaluation from "./evaluation/mod.ts";
export * as figures from "./figures/mod.ts";
export * as fusion from "./fusion/mod.ts";
export * as matching from "./matching/mod.ts";
export * as notebook from "./notebook/mod.ts";
export * as progress from "./progress/mod.ts";
export * as projection from "./projection/mod.ts";
export * as random from "./random/mod.ts";
export * as retrieval from "./retrieval/mod.ts";
export * as sweep from "./sweep/mod.ts";
