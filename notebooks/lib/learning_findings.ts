/**
 * The findings of notebook 09 (learned set similarity), written from its runs and tables so they
 * stay true for another model, seed or sample: how much head-room the best hand-made method leaves,
 * how the gain grows with training items, how each head fits, how the seeds spread around the
 * target, why the attention head trails, and what training costs.
 *
 * The protocol they describe is the one of the given {@link HandMadeComparison} (the notebook passes
 * grocery unseen classes, the target); "seed 0" is the first seed run (fixed in advance, as
 * in {@link headRow}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareWithHandMade, handMadeRow, headRow } from "../../lib/learning/report.ts";
 * import { headRoomFinding, seedRow } from "./learning_findings.ts";
 * import { signedDifference } from "../../lib/learning/report.ts";
 * const m = { map: 0.9, map_lo: 0.85, map_hi: 0.95, recall_at_1: 0.9, recall_at_1_lo: 0.8, recall_at_1_hi: 1, recall_at_5: 1, n_queries: 80 };
 * const run = { protocol: "p", head: "projection" as const, seed: 0, seconds: 10, bestEpoch: 1, initial: 0.9,
 *   test: { ...m, map: 0.93, map_lo: 0.9, map_hi: 0.96 }, history: [{ epoch: 1, loss: 0.5, validationMap: 0.95, seconds: 10 }] };
 * const summary = [handMadeRow("p", "chamfer", m, 0), headRow("p", "projection", [run])];
 * // The best hand-made mAP 0.9 leaves 0.1 of error; +0.05 removes half of it.
 * assert.equal(
 *   headRoomFinding(compareWithHandMade(summary, "p"), summary),
 *   "- **Head-room.** On grocery unseen classes the best hand-made method (chamfer) already reaches mAP 0.900: " +
 *     "the target of +0.05 needs 0.950, i.e. removing 50% of the remaining error, and non-overlapping " +
 *     "intervals need the head's lower bound above 0.950 with 80 test queries.",
 * );
 * assert.equal(seedRow(run).map_lo, 0.9);
 * assert.equal(signedDifference(-0.0134), "−0.013");
 * ```
 * @module
 */

import type {
  BackendTiming,
  HandMadeComparison,
  HeadRun,
  LearnedSummaryRow,
} from "../../lib/learning/report.ts";
import { compareWithHandMade, headRow, signedDifference } from "../../lib/learning/report.ts";
import type { HeadKind } from "../../lib/learning/heads.ts";
import type { EpochRecord } from "../../lib/learning/train.ts";

/** One training run as the notebook keeps it: its protocol and head, test metrics and history. */
export interface HeadRunRecord extends HeadRun {
  protocol: string;
  head: HeadKind;
  history: readonly EpochRecord[];
  /** Validation mAP of the untrained weights. */
  initial: number;
}

/** One row of `seeds.csv`: one run's test metrics, kept epoch, epochs run and training time. */
export interface SeedRow {
  protocol: string;
  method: string;
  seed: number;
  map: number;
  map_lo?: number;
  map_hi?: number;
  recall_at_1: number;
  best_epoch: number;
  epochs_run: number;
  training_seconds: number;
}

/** The `seeds.csv` row of a run. */
export function seedRow(r: HeadRunRecord): SeedRow {
  return {
    protocol: r.protocol,
    method: `head:${r.head}`,
    seed: r.seed,
    map: r.test.map,
    map_lo: r.test.map_lo,
    map_hi: r.test.map_hi,
    recall_at_1: r.test.recall_at_1,
    best_epoch: r.bestEpoch,
    epochs_run: r.history.length,
    training_seconds: r.seconds,
  };
}

/** One row of `training-size.csv`: the projection head trained on the first `train_classes` items. */
export interface TrainingSizeRow {
  train_classes: number;
  map: number;
  map_lo?: number;
  map_hi?: number;
  recall_at_1: number;
  best_epoch: number;
}

/** The `comparison.csv` spelling of comparisons: each interval as "lo hi". */
export function comparisonTableRows(
  comparisons: readonly HandMadeComparison[],
): Record<string, string | number | boolean>[] {
  return comparisons.map((c) => ({
    ...c,
    best_hand_made_interval: c.best_hand_made_interval.join(" "),
    best_head_interval: c.best_head_interval.join(" "),
  }));
}

function rowOf(summary: readonly LearnedSummaryRow[], protocol: string, method: string): LearnedSummaryRow {
  const row = summary.find((r) => r.protocol === protocol && r.method === method);
  if (!row) throw new RangeError(`the summary has no row for ${method} on "${protocol}"`);
  return row;
}

/** What the best hand-made method leaves to gain, and what the target asks of a head. */
export function headRoomFinding(c: HandMadeComparison, summary: readonly LearnedSummaryRow[]): string {
  const hand = rowOf(summary, c.protocol, c.best_hand_made);
  if (hand.map_hi === undefined) {
    throw new RangeError(`${hand.method} on "${c.protocol}" has no mAP interval (bootstrap 0)`);
  }
  const ceiling = 1 - hand.map;
  return `- **Head-room.** On grocery unseen classes the best hand-made method (${hand.method}) already ` +
    `reaches mAP ${hand.map.toFixed(3)}: the target of +${c.target} needs ${
      (hand.map + c.target).toFixed(3)
    }, ` +
    `i.e. removing ${(100 * c.target / ceiling).toFixed(0)}% of the remaining error, and non-overlapping ` +
    `intervals need the head's lower bound above ${
      hand.map_hi.toFixed(3)
    } with ${hand.n_queries} test queries.`;
}

/** The training-size steps (mAP per size and the change between sizes) against the seed spread. */
export function trainingSizeFinding(
  sizeRows: readonly TrainingSizeRow[],
  projection: LearnedSummaryRow,
): string {
  if (sizeRows.length < 2) return "The training-size experiment runs in the full mode only.";
  const perSize = sizeRows.map((r) => `${r.train_classes} classes: mAP ${r.map.toFixed(3)}`).join("; ");
  const steps = sizeRows.slice(1).map((r, i) =>
    `${sizeRows[i].train_classes} → ${r.train_classes}: ${signedDifference(r.map - sizeRows[i].map)}`
  );
  const spread = projection.map_seed_max - projection.map_seed_min;
  return `Trained on ${perSize} (${steps.join(", ")}); the seed-to-seed spread at full size is ${
    spread.toFixed(3)
  }.`;
}

/** Training loss and validation mAP from the first to the last epoch, and the epoch kept. */
export function fitFinding(r: HeadRunRecord): string {
  if (r.history.length === 0) throw new RangeError(`head:${r.head} seed ${r.seed} has no epochs`);
  const first = r.history[0], last = r.history.at(-1)!;
  // bestEpoch is 1-based; 0 means the untrained weights were kept.
  const kept = r.bestEpoch === 0 ? r.initial : r.history[r.bestEpoch - 1].validationMap;
  return `head:${r.head}: training loss ${first.loss.toFixed(3)} → ${last.loss.toFixed(3)} over ` +
    `${r.history.length} epochs, validation mAP ${r.initial.toFixed(3)} (untrained) → ${kept.toFixed(3)} ` +
    `(kept epoch ${r.bestEpoch})`;
}

/** Each seed's projection head against the best hand-made method, and how many meet the target. */
export function seedFinding(
  c: HandMadeComparison,
  summary: readonly LearnedSummaryRow[],
  runs: readonly HeadRunRecord[],
): string {
  const hand = summary.filter((r) => r.kind === "hand-made");
  const projection = runs.filter((r) => r.protocol === c.protocol && r.head === "projection");
  const perSeed = projection.map((run) => ({
    seed: run.seed,
    verdict: compareWithHandMade([...hand, headRow(c.protocol, "projection", [run])], c.protocol, c.target),
  }));
  const each = perSeed.map(({ seed, verdict }) =>
    `seed ${seed} ${signedDifference(verdict.difference)}${verdict.target_met ? " (meets the target)" : ""}`
  );
  const meanGain = rowOf(summary, c.protocol, "head:projection").map_seed_mean - c.best_hand_made_map;
  const spread = summary.filter((r) => r.kind === "learned").map((r) =>
    `${r.protocol} ${r.method} ${r.map_seed_min.toFixed(3)}–${r.map_seed_max.toFixed(3)}`
  );
  return `Per seed, head:projection vs ${c.best_hand_made}: ${each.join(", ")}; ` +
    `${perSeed.filter((p) => p.verdict.target_met).length} of ${perSeed.length} seeds meet it, ` +
    `mean gain ${signedDifference(meanGain)}. Test mAP ranges over seeds: ${spread.join("; ")}.`;
}

/** The attention head against the centroid (both one vector per set), and how often training helped it. */
export function attentionFinding(
  c: HandMadeComparison,
  summary: readonly LearnedSummaryRow[],
  runs: readonly HeadRunRecord[],
): string {
  const centroid = rowOf(summary, c.protocol, "centroid");
  const attention = rowOf(summary, c.protocol, "head:attention");
  const attentionRuns = runs.filter((r) => r.head === "attention");
  const untrained = attentionRuns.filter((r) => r.bestEpoch === 0).length;
  const why = untrained > 0
    ? `in ${untrained} of ${attentionRuns.length} runs no epoch beat its untrained weights on validation, ` +
      `so early stopping kept them: the encoder fits its training items (its loss falls) without ` +
      `generalising, while the projection head keeps every image for Chamfer to match.`
    : `training improved it on validation in every run, yet one vector per set keeps less than the ` +
      `projection head's per-image vectors that Chamfer matches.`;
  return `It pools each set into one vector, as the centroid does (centroid mAP ${
    centroid.map.toFixed(3)
  }, ` +
    `head:attention ${attention.map.toFixed(3)} on ${c.protocol}); ${why}`;
}

/** Mean training time per head, and the WebAssembly backend's speed-up over TF.js's CPU kernels. */
export function costFinding(summary: readonly LearnedSummaryRow[], timing: readonly BackendTiming[]): string {
  const times = summary.filter((r) => r.kind === "learned")
    .map((r) => `${r.protocol} ${r.method} ${r.training_seconds.toFixed(0)} s`);
  const speed = timing.filter((t) => t.backend === "wasm")
    .map((t) => `${t.head} ${t.speedup_vs_cpu.toFixed(1)}×`);
  return `Mean training time per head on this shared 2-core machine: ${times.join(", ")}; ` +
    `the WebAssembly backend runs a training step ${
      speed.join(", ")
    } faster than TF.js's JavaScript CPU kernels.`;
}

/** What notebook 09's findings are written from. */
export interface LearnedFindingsInput {
  /** The comparison on the protocol the findings describe (grocery unseen classes). */
  comparison: HandMadeComparison;
  summary: readonly LearnedSummaryRow[];
  /** Every training run, the first seed first. */
  runs: readonly HeadRunRecord[];
  /** The training-size experiment (empty in fast mode). */
  sizeRows: readonly TrainingSizeRow[];
  /** Training and validation items of the comparison's protocol. */
  data: { train: readonly unknown[]; validation: readonly unknown[] };
}

/**
 * Notebook 09's findings as Markdown bullets. The cost bullet ({@link costFinding}) is not among
 * them: it quotes wall-clock times, which the notebook saves apart (git-ignored) so that its
 * committed outputs do not change from run to run.
 */
export function learnedFindings(input: LearnedFindingsInput): string {
  const { comparison: c, summary, runs, data } = input;
  if (runs.length === 0) throw new RangeError("learnedFindings: no training runs");
  const firstSeed = runs[0].seed;
  const fit = runs.filter((r) => r.protocol === c.protocol && r.seed === firstSeed).map(fitFinding);
  const projection = rowOf(summary, c.protocol, "head:projection");
  return [
    headRoomFinding(c, summary),
    `- **Data.** The heads learn from ${data.train.length} classes (validation: ${data.validation.length}). ` +
    trainingSizeFinding(input.sizeRows, projection),
    `- **Fit (seed ${firstSeed}).** ${fit.join("; ")}.`,
    `- **Seeds.** ${seedFinding(c, summary, runs)}`,
    `- **Attention head.** ${attentionFinding(c, summary, runs)}`,
  ].join("\n");
}
