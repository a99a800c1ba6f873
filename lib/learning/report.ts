/**
 * The numbers notebook 09 reports, computed by tested functions: one summary row per
 * (protocol, method) — the contract of `results/09-learned-similarity/summary.csv` — the comparison
 * of the best head with the best hand-made method against the target, backend timings, and
 * training-set-size subsets.
 *
 * Heads are trained with several seeds; a head's summary row carries the metrics and intervals of
 * the run with the first seed listed (fixed before looking at results, never the best one) plus
 * the mean, minimum and maximum test mAP over all seeds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareWithHandMade, handMadeRow, headRow } from "./report.ts";
 * const m = { map: 0.9, map_lo: 0.85, map_hi: 0.95, recall_at_1: 0.9, recall_at_1_lo: 0.8, recall_at_1_hi: 1, recall_at_5: 1, n_queries: 80 };
 * const rows = [
 *   handMadeRow("p", "chamfer", m, 0),
 *   headRow("p", "projection", [{ seed: 0, test: { ...m, map: 0.97, map_lo: 0.96, map_hi: 0.98 }, seconds: 10, bestEpoch: 3 }]),
 * ];
 * const verdict = compareWithHandMade(rows, "p");
 * // mAP 0.97 vs 0.90: +0.07 ≥ the 0.05 target, and [0.96, 0.98] does not overlap [0.85, 0.95].
 * assert.equal(verdict.difference.toFixed(2), "0.07");
 * assert.equal(verdict.intervals_overlap, false);
 * assert.equal(verdict.target_met, true);
 * ```
 * @module
 */

import type { MetricColumns } from "../evaluation/mod.ts";
import { formatEstimate, intervalsOverlap } from "../evaluation/mod.ts";
import { createRng, shuffle } from "../random/mod.ts";
import type { TrainingBackend } from "./backend.ts";
import type { HeadKind } from "./heads.ts";
import { trainHead, type TrainingData, type TrainOptions } from "./train.ts";

/** Test metrics as `scoreColumns` returns them. */
export type TestMetrics = MetricColumns & { n_queries: number };

/** One row of `summary.csv`. */
export interface LearnedSummaryRow {
  protocol: string;
  /** A hand-made method name, or `head:projection` / `head:attention`. */
  method: string;
  kind: "hand-made" | "learned";
  map: number;
  /** Interval ends; absent for a run without bootstrap resamples (no resamples, no interval). */
  map_lo?: number;
  map_hi?: number;
  recall_at_1: number;
  recall_at_1_lo?: number;
  recall_at_1_hi?: number;
  /** Seed of the row's run (hand-made: the test draw's seed; heads: the first training seed). */
  seed: number;
  n_queries: number;
  /** Heads: number of seeds and their test mAP mean / min / max; hand-made: 1 and the row's mAP. */
  seeds: number;
  map_seed_mean: number;
  map_seed_min: number;
  map_seed_max: number;
  /** Heads: mean training time over seeds on this machine (s); hand-made: 0 (nothing to train). */
  training_seconds: number;
  /** Heads: the kept (early-stopping) epoch of the row's run; hand-made: 0. */
  best_epoch: number;
}

/** One training run's outcome. */
export interface HeadRun {
  seed: number;
  test: TestMetrics;
  seconds: number;
  bestEpoch: number;
}

/** The summary row of a hand-made method. */
export function handMadeRow(
  protocol: string,
  method: string,
  m: TestMetrics,
  seed: number,
): LearnedSummaryRow {
  return {
    protocol,
    method,
    kind: "hand-made",
    map: m.map,
    map_lo: m.map_lo,
    map_hi: m.map_hi,
    recall_at_1: m.recall_at_1,
    recall_at_1_lo: m.recall_at_1_lo,
    recall_at_1_hi: m.recall_at_1_hi,
    seed,
    n_queries: m.n_queries,
    seeds: 1,
    map_seed_mean: m.map,
    map_seed_min: m.map,
    map_seed_max: m.map,
    training_seconds: 0,
    best_epoch: 0,
  };
}

/** The summary row of a head trained with several seeds (metrics of `runs[0]`, spread over all). */
export function headRow(protocol: string, kind: HeadKind, runs: readonly HeadRun[]): LearnedSummaryRow {
  if (runs.length === 0) throw new RangeError(`headRow: no runs for ${protocol} head:${kind}`);
  const first = runs[0];
  const maps = runs.map((r) => r.test.map);
  return {
    ...handMadeRow(protocol, `head:${kind}`, first.test, first.seed),
    kind: "learned",
    seeds: runs.length,
    map_seed_mean: maps.reduce((s, x) => s + x, 0) / maps.length,
    map_seed_min: Math.min(...maps),
    map_seed_max: Math.max(...maps),
    training_seconds: runs.reduce((s, r) => s + r.seconds, 0) / runs.length,
    best_epoch: first.bestEpoch,
  };
}

/** How the best head compares with the best hand-made method on one protocol. */
export interface HandMadeComparison {
  protocol: string;
  best_hand_made: string;
  best_hand_made_map: number;
  best_hand_made_interval: [number, number];
  best_head: string;
  best_head_map: number;
  best_head_interval: [number, number];
  /** best head mAP − best hand-made mAP. */
  difference: number;
  intervals_overlap: boolean;
  /** difference ≥ target and the intervals do not overlap. */
  target_met: boolean;
  /** How far the difference is from the target (0 when met). */
  shortfall: number;
  target: number;
}

/** Compare the best head (by mAP) with the best hand-made method (by mAP) on `protocol`. */
export function compareWithHandMade(
  rows: readonly LearnedSummaryRow[],
  protocol: string,
  target = 0.05,
): HandMadeComparison {
  const of = (kind: LearnedSummaryRow["kind"]) => {
    const candidates = rows.filter((r) => r.protocol === protocol && r.kind === kind);
    if (candidates.length === 0) throw new RangeError(`no ${kind} rows for protocol "${protocol}"`);
    return candidates.reduce((best, r) => (r.map > best.map ? r : best));
  };
  const hand = of("hand-made"), head = of("learned");
  // The verdict compares intervals: a run without bootstrap resamples has none to compare.
  const mapInterval = (row: LearnedSummaryRow): [number, number] => {
    if (row.map_lo === undefined || row.map_hi === undefined) {
      throw new RangeError(
        `${row.method} on "${protocol}" has no mAP interval (bootstrap 0): needs resamples`,
      );
    }
    return [row.map_lo, row.map_hi];
  };
  const handInterval = mapInterval(hand), headInterval = mapInterval(head);
  const difference = head.map - hand.map;
  const overlap = intervalsOverlap(...handInterval, ...headInterval);
  const met = difference >= target && !overlap;
  return {
    protocol,
    best_hand_made: hand.method,
    best_hand_made_map: hand.map,
    best_hand_made_interval: handInterval,
    best_head: head.method,
    best_head_map: head.map,
    best_head_interval: headInterval,
    difference,
    intervals_overlap: overlap,
    target_met: met,
    shortfall: met ? 0 : Math.max(0, target - difference),
    target,
  };
}

const f3 = (x: number) => x.toFixed(3);

/** `+0.032` / `−0.013`: a difference with its sign (a minus sign, not a hyphen) and 3 decimals. */
export function signedDifference(x: number): string {
  return `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(3)}`;
}

/** One Markdown bullet per comparison, written from the numbers. */
export function comparisonBullets(comparisons: readonly HandMadeComparison[]): string {
  return comparisons.map((c) => {
    const [handLo, handHi] = c.best_hand_made_interval, [headLo, headHi] = c.best_head_interval;
    const hand = `${c.best_hand_made} ${
      formatEstimate({ value: c.best_hand_made_map, lo: handLo, hi: handHi })
    }`;
    const head = `${c.best_head} ${formatEstimate({ value: c.best_head_map, lo: headLo, hi: headHi })}`;
    const verdict = c.target_met
      ? `meets the target (≥ +${c.target} with non-overlapping intervals)`
      : `misses the target of +${c.target} by ${f3(c.shortfall > 0 ? c.shortfall : 0)}${
        c.intervals_overlap ? "; the intervals overlap" : ""
      }`;
    return `- **${c.protocol}**: best head ${head} vs best hand-made ${hand}: ${
      signedDifference(c.difference)
    } mAP — ${verdict}.`;
  }).join("\n");
}

/** The first `n` training items in a seeded order (for training-set-size experiments). */
export function subsampleItems(data: TrainingData, n: number, seed = 0): TrainingData {
  if (!Number.isInteger(n) || n < 2 || n > data.train.length) {
    throw new RangeError(`subsampleItems: n must be an integer in 2..${data.train.length}, got ${n}`);
  }
  return { ...data, train: shuffle(data.train, createRng(seed, "learning:subsample")).slice(0, n) };
}

/** Milliseconds per training step per backend, measured in the same run. */
export interface BackendTiming {
  backend: TrainingBackend;
  head: HeadKind;
  steps: number;
  ms_per_step: number;
  /** ms per step of the `cpu` backend divided by this backend's (speed-up over cpu). */
  speedup_vs_cpu: number;
}

/**
 * Time training steps on each backend, interleaved (cpu, wasm, cpu, wasm, …) so load changes on a
 * shared machine hit both alike; each backend's first round warms it up and is not counted.
 */
export async function timeBackends(
  data: TrainingData,
  options: Omit<TrainOptions, "backend" | "epochs" | "progress"> & {
    rounds?: number;
    backends?: TrainingBackend[];
  },
): Promise<BackendTiming[]> {
  const backends = options.backends ?? ["cpu", "wasm"];
  const rounds = options.rounds ?? 2;
  const noValidation = { ...data, validation: [] };
  const B = Math.min(options.batchItems ?? 32, data.train.length);
  const steps = Math.floor(data.train.length / B) * (options.passes ?? 8);
  const times = new Map<TrainingBackend, number[]>(backends.map((b) => [b, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const backend of backends) {
      const head = await trainHead(noValidation, { ...options, backend, epochs: 1, progress: false });
      if (round > 0) times.get(backend)!.push((head.history[0].seconds * 1000) / steps);
    }
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const cpu = times.has("cpu") ? median(times.get("cpu")!) : NaN;
  return backends.map((backend) => {
    const ms = median(times.get(backend)!);
    return { backend, head: options.head, steps, ms_per_step: ms, speedup_vs_cpu: cpu / ms };
  });
}

/** Sizes of a split after embedding, and its leakage check, as one table row. */
export interface SplitDescription {
  protocol: string;
  train_items: number;
  train_images: number;
  validation_items: number;
  validation_images: number;
  test_queries: number;
  test_gallery_sets: number;
  test_items: number;
  /** Test images that are training or validation images (must be 0). */
  shared_images: number;
  /** Test items that are training or validation items (must be 0 except for new-photos protocols). */
  shared_items: number;
}

/** Describe a split (item and image counts, and what it shares with the test sets). */
export function describeSplit(
  split: {
    protocol: string;
    train: { id: string; images: string[] }[];
    validation: { id: string; images: string[] }[];
    test: {
      querySets: { label: string; images: string[] }[];
      gallerySets: { label: string; images: string[] }[];
    };
  },
  data: TrainingData,
): SplitDescription {
  const seen = [...split.train, ...split.validation];
  const images = new Set(seen.flatMap((i) => i.images));
  const ids = new Set(seen.map((i) => i.id));
  const test = [...split.test.querySets, ...split.test.gallerySets];
  return {
    protocol: split.protocol,
    train_items: data.train.length,
    train_images: data.train.reduce((n, i) => n + i.rows.length, 0),
    validation_items: data.validation.length,
    validation_images: data.validation.reduce((n, i) => n + i.rows.length, 0),
    test_queries: split.test.querySets.length,
    test_gallery_sets: split.test.gallerySets.length,
    test_items: new Set(test.map((s) => s.label)).size,
    shared_images: new Set(test.flatMap((s) => s.images).filter((p) => images.has(p))).size,
    shared_items: new Set(test.map((s) => s.label).filter((l) => ids.has(l))).size,
  };
}
