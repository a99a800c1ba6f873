/**
 * Seeded pseudo-random numbers for protocols and bootstrap: the same seed gives the same sets
 * and the same confidence intervals on every machine.
 *
 * The generator is mulberry32 (32-bit state, period 2^32), seeded through a splitmix32-style
 * hash of (seed, stream) so that different purposes (drawing sets, bootstrap) get independent
 * streams from one user-facing seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRng, shuffle } from "./mod.ts";
 * const items = [1, 2, 3, 4];
 * // The same (seed, stream) gives the same order on every machine; the input is not modified.
 * assert.deepEqual(shuffle(items, createRng(42, "sets")), [1, 4, 3, 2]);
 * assert.deepEqual(items, [1, 2, 3, 4]);
 * assert.notEqual(createRng(42, "sets")(), createRng(42, "bootstrap")()); // independent streams
 * ```
 * @module
 */

/** A function returning uniform numbers in [0, 1). */
export type Rng = () => number;

function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Create a seeded generator.
 *
 * @param seed a non-negative safe integer.
 * @param stream names the purpose, so one seed yields independent streams.
 */
export function createRng(seed: number, stream = ""): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  }
  return mulberry32(mix32((seed % 0x100000000) ^ mix32(Math.floor(seed / 0x100000000) + hashString(stream))));
}

/**
 * The bare mulberry32 generator started from a 32-bit state (taken as `state >>> 0`), without
 * {@link createRng}'s seed hashing: for reproducible test data and benchmarks whose values are
 * fixed by the raw state.
 */
export function mulberry32(state: number): Rng {
  let t0 = state >>> 0;
  return () => {
    t0 = (t0 + 0x6d2b79f5) >>> 0;
    let t = t0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in `0..n-1`. */
export function randomInt(n: number, rng: Rng): number {
  return Math.floor(rng() * n);
}

/** A shuffled copy (Fisher–Yates). */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1, rng);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** `k` distinct items drawn uniformly without replacement, in draw order. */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, rng: Rng): T[] {
  if (k > items.length) throw new RangeError(`cannot draw ${k} of ${items.length} items`);
  return shuffle(items, rng).slice(0, k);
}

/**
 * Two independent standard normal deviates from two uniform draws (Box–Muller: radius from the
 * first, angle from the second; `1 − u` keeps the logarithm finite). The one Gaussian sampler:
 * random projections take both deviates, other users {@link gaussian}.
 */
export function gaussianPair(rng: Rng): [number, number] {
  const r = Math.sqrt(-2 * Math.log(1 - rng())), t = 2 * Math.PI * rng();
  return [r * Math.cos(t), r * Math.sin(t)];
}

/** One standard normal deviate: the first of {@link gaussianPair} (two uniform draws). */
export function gaussian(rng: Rng): number {
  return gaussianPair(rng)[0];
}
