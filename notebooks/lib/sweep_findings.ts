/**
 * The findings of a finished sweep, written from its numbers so they stay true when the sweep is
 * re-run with another model, seed or grid (notebook 08): per (dataset, method) the best mAP cell
 * against the untuned default with their intervals, the best Recall@1 cell, and whether a threshold
 * helps; then what the intervals allow one to conclude.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepFindings } from "./sweep_findings.ts";
 * const cell = (s: number | null, m: number | null, map: number) => ({
 *   hash: `${s}${m}`,
 *   setting: { dataset: "d", protocol: "p", method: "greedy", s, m, seed: 0, model: "x", bootstrap: 10, options: {} },
 *   metrics: { map: { value: map, lo: map - 0.1, hi: map + 0.1 }, recall_at_1: { value: map, lo: map, hi: map } },
 * });
 * const [perMethod, overall] = sweepFindings([cell(null, null, 0.5), cell(null, 1, 0.55), cell(0.8, 1, 0.52)]);
 * assert.match(perMethod, /Best mAP at s = none, m = 1: 0\.550 \[0\.450, 0\.650\]/);
 * assert.match(overall, /No best cell clears the default's interval/);
 * ```
 * @module
 */

import { bestCell, type Estimate, estimatesOverlap, formatEstimate } from "../../lib/evaluation/estimate.ts";
import { compareWord } from "../../lib/evaluation/format.ts";
import { sweepSummary, type SweepSummaryRow } from "../../lib/sweep/document.ts";
import type { CellResult } from "../../lib/sweep/output.ts";

const estimateOf = (r: SweepSummaryRow, which: "best" | "default"): Estimate => {
  const value = r[which];
  if (value === undefined) {
    throw new RangeError(
      `${r.dataset}/${r.method}: the grid has no default cell (s = none, m = all) to compare with`,
    );
  }
  return { value, lo: r[`${which}_lo`], hi: r[`${which}_hi`] };
};

/** The upper end of the default's interval; the findings compare with it, so a sweep without resamples is refused. */
function defaultHi(r: SweepSummaryRow): number {
  estimateOf(r, "default"); // a grid without the default cell is refused by name first
  if (r.default_hi === undefined) {
    throw new RangeError(
      `${r.dataset}/${r.method}: the default cell has no ${r.metric} interval (bootstrap 0): the findings compare intervals`,
    );
  }
  return r.default_hi;
}

/**
 * Two markdown paragraphs: the bullets per (dataset, method) with the cell count, and the
 * conclusion about the intervals and the settings the best cells use.
 */
export function sweepFindings(rows: readonly CellResult[], selectionMetric = "map"): [string, string] {
  const mapRows = sweepSummary(rows, "map"), r1Rows = sweepSummary(rows, "recall_at_1");
  if (mapRows.length === 0) throw new RangeError("sweepFindings: no cell has a finite mAP");
  const groupOf = (r: SweepSummaryRow) =>
    rows.filter((x) => x.setting.dataset === r.dataset && x.setting.method === r.method);
  // The first best cell in grid order (no secondary metric): how the findings have always read.
  const bestBy = (cells: CellResult[]) => bestCell(cells, "map", "map")!;
  const bullets = mapRows.map((r) => {
    const group = groupOf(r);
    const r1 = r1Rows.find((x) => x.dataset === r.dataset && x.method === r.method)!;
    const bt = bestBy(group.filter((x) => x.setting.s !== null));
    const bu = bestBy(group.filter((x) => x.setting.s === null));
    const inside = r.best <= defaultHi(r);
    const thresholded = bt && bu
      ? ` The best thresholded cell (s = ${bt.setting.s}, m = ${bt.setting.m ?? "all"}, mAP ${
        bt.metrics.map.value.toFixed(3)
      }) ${
        compareWord(bt.metrics.map.value, bu.metrics.map.value, ["beats", "ties with", "does not beat"], 5e-4)
      } the best cell without a threshold (${bu.metrics.map.value.toFixed(3)}, m = ${bu.setting.m ?? "all"}).`
      : "";
    return `- **${r.dataset}, ${r.method}.** Best mAP at s = ${r.best_s}, m = ${r.best_m}: ${
      formatEstimate(estimateOf(r, "best"))
    } against the default's ${formatEstimate(estimateOf(r, "default"))} (gain ${r.gain!.toFixed(3)}, ` +
      `${
        inside ? "inside the default's interval" : "above the default's interval"
      }); best Recall@1 at s = ${r1.best_s}, ` +
      `m = ${r1.best_m}: ${r1.best.toFixed(3)} vs ${
        estimateOf(r1, "default").value.toFixed(3)
      }.${thresholded}`;
  });
  const perMethod = groupOf(mapRows[0]).length;
  const first =
    `${rows.length} cells (${perMethod} per dataset and method), selection metric ${selectionMetric}:\n\n` +
    bullets.join("\n");

  const bestS = new Set(mapRows.map((r) => r.best_s)), bestM = [...new Set(mapRows.map((r) => r.best_m))];
  const clearing = mapRows.filter((r) => r.best > defaultHi(r));
  const second =
    `- **The intervals are wide and the best cell is optimistic**: it is the maximum over ${perMethod} ` +
    `cells evaluated on the same queries. ${
      clearing.length === 0
        ? "No best cell clears the default's interval"
        : `Only ${clearing.map((r) => `${r.dataset}/${r.method}`).join(", ")} clear${
          clearing.length === 1 ? "s" : ""
        } the default's interval`
    }. The best mAP cells use s = ${[...bestS].join(", ")} and m = ${bestM.join(", ")}: ${
      bestS.size === 1 && bestS.has("none")
        ? "tune the cap `m` if anything and leave the threshold `s` off"
        : "a threshold is part of some best cells, so check it on a second seed before relying on it"
    }; confirm any chosen setting on a second seed.`;
  return [first, second];
}

/** The cell of an s × m grid at (s, m); throws naming the setting when the grid lacks it. */
function cellAt(grid: readonly CellResult[], s: number | null, m: number | null): CellResult {
  const found = grid.find((r) => r.setting.s === s && r.setting.m === m);
  if (!found) throw new RangeError(`the grid has no cell s = ${s ?? "none"}, m = ${m ?? "all"}`);
  return found;
}

const settingText = (r: CellResult) => `s = ${r.setting.s ?? "none"}, m = ${r.setting.m ?? "all"}`;
const recallText = (r: CellResult) => formatEstimate(r.metrics.recall_at_1);

/**
 * Does augmenting the sets help greedy Recall@1? The untuned cell and the best cell (max Recall@1,
 * ties to mAP) of the plain and the augmented grid of one dataset, with whether their intervals
 * overlap (notebook 07).
 */
export function augmentationFinding(
  dataset: string,
  plain: readonly CellResult[],
  augmented: readonly CellResult[],
): string {
  const p0 = cellAt(plain, null, null), a0 = cellAt(augmented, null, null);
  const pb = bestCell(plain, "recall_at_1", "map")!, ab = bestCell(augmented, "recall_at_1", "map")!;
  const overlap = estimatesOverlap(pb.metrics.recall_at_1, ab.metrics.recall_at_1);
  const verdict = compareWord(ab.metrics.recall_at_1.value, pb.metrics.recall_at_1.value, [
    "helps",
    "makes no difference",
    "hurts",
  ]);
  return `- **${dataset}: augmentation ${verdict}${
    verdict !== "makes no difference" && overlap ? " (within the intervals)" : ""
  }.** Greedy Recall@1 with s = none, m = all: ${recallText(p0)} plain → ${recallText(a0)} augmented ` +
    `(mAP ${p0.metrics.map.value.toFixed(3)} → ${a0.metrics.map.value.toFixed(3)}). Best cells: plain ${
      settingText(pb)
    } ${recallText(pb)}, augmented ${settingText(ab)} ${recallText(ab)} (mAP ${
      ab.metrics.map.value.toFixed(3)
    }); the two best intervals ${overlap ? "overlap" : "do not overlap"}.`;
}

/**
 * Do augmented sets tolerate stricter settings? Recall@1 lost by each threshold (with all matches
 * averaged) on plain and augmented sets, and the gain of the best cap without a threshold (notebook 07).
 */
export function strictnessFinding(
  dataset: string,
  plain: readonly CellResult[],
  augmented: readonly CellResult[],
): string {
  const r1 = (grid: readonly CellResult[], s: number | null, m: number | null) =>
    cellAt(grid, s, m).metrics.recall_at_1.value;
  const drop = (grid: readonly CellResult[], s: number) => r1(grid, null, null) - r1(grid, s, null);
  const thresholds = [...new Set(plain.map((r) => r.setting.s))].filter((s): s is number => s !== null);
  const caps = [...new Set(plain.map((r) => r.setting.m))].filter((m): m is number => m !== null);
  const milder = thresholds.filter((s) => drop(augmented, s) < drop(plain, s) - 0.005).length;
  const capGain = (grid: readonly CellResult[]) =>
    Math.max(...caps.map((m) => r1(grid, null, m))) - r1(grid, null, null);
  const [cp, ca] = [capGain(plain), capGain(augmented)];
  return `- **${dataset}: stricter settings.** Recall@1 lost by a threshold with all matches averaged (plain / augmented): ` +
    thresholds.map((s) => `s = ${s}: ${drop(plain, s).toFixed(3)} / ${drop(augmented, s).toFixed(3)}`).join(
      ", ",
    ) +
    ` — the augmented sets lose less at ${milder} of ${thresholds.length} thresholds. The best cap without a threshold gains ` +
    `${cp.toFixed(3)} on plain and ${ca.toFixed(3)} on augmented sets: ` +
    `${
      ca > cp + 0.005
        ? "the stricter setting that pays off with augmentation is a cap m"
        : ca > 0.005
        ? "a cap helps both about equally"
        : "a cap does not help here"
    }` +
    `; augmented sets tolerate a threshold ${
      milder > thresholds.length / 2 ? "better" : "no better"
    } than plain ones, ` +
    `${
      thresholds.some((s) => drop(augmented, s) < -0.005)
        ? "and some threshold even improves on none"
        : "but no threshold improves on none"
    }.`;
}

/**
 * What a threshold costs on one dataset's s × m grid (notebook 04): greedy Recall@1 at s = none,
 * m = all with its interval, the best cell, and every threshold ≥ `highS` (m = all) with the share of
 * queries whose own item it leaves unscored.
 */
export function thresholdCostFinding(label: string, grid: readonly CellResult[], highS: number): string {
  const base = cellAt(grid, null, null), best = bestCell(grid, "recall_at_1", "map")!;
  const high = grid.filter((r) => r.setting.s !== null && r.setting.s >= highS && r.setting.m === null);
  return `- **${label} grid.** With s = none, m = all greedy Recall@1 is ${recallText(base)} (mAP ` +
    `${base.metrics.map.value.toFixed(3)}); the best cell (${settingText(best)}) reaches ${
      best.metrics.recall_at_1.value.toFixed(3)
    }. The high thresholds cost recall by leaving the own object unscored: ` +
    high.map((r) =>
      `s = ${r.setting.s}: Recall@1 ${r.metrics.recall_at_1.value.toFixed(3)}, own object unscored for ${
        (100 * r.metrics.relevant_unscored_rate.value).toFixed(0)
      }% of queries`
    ).join("; ") + ".";
}

/**
 * Thresholds that still score every query's own class against those that leave it unscored, on one
 * dataset's s × m grid with all passing matches averaged (notebook 04, grocery).
 */
export function unscoredFinding(label: string, grid: readonly CellResult[]): string {
  const base = cellAt(grid, null, null), best = bestCell(grid, "recall_at_1", "map")!;
  const thresholded = grid.filter((r) => r.setting.m === null && r.setting.s !== null);
  const unscored = (r: CellResult) => r.metrics.relevant_unscored_rate.value;
  const scoredAll = thresholded.filter((r) => unscored(r) === 0);
  const r1 = (r: CellResult) => r.metrics.recall_at_1.value;
  const worstAll = scoredAll.reduce<CellResult | null>((w, r) => (!w || r1(r) < r1(w) ? r : w), null);
  const highS = thresholded.filter((r) => unscored(r) > 0);
  return `- **${label}.** Default Recall@1 ${recallText(base)}; best cell ${settingText(best)}: ${
    recallText(best)
  }. ` +
    (worstAll
      ? `With all passing matches averaged, a threshold that still scores every own class ` +
        `${
          compareWord(r1(worstAll), r1(base), ["does not hurt", "does not hurt", "hurts"])
        } (worst at s = ${worstAll.setting.s}: Recall@1 ${
          r1(worstAll).toFixed(3)
        }): \`s\` discards a pair's weak matches instead of counting them against it. `
      : "") +
    `Higher thresholds leave the own class unscored: ` +
    highS.map((r) =>
      `s = ${r.setting.s}: ${(100 * unscored(r)).toFixed(1)}% of queries (Recall@1 ${r1(r).toFixed(3)})`
    )
      .join(", ") +
    ".";
}

/** One row of {@link augmentationComparison}. */
export interface AugmentationComparisonRow {
  dataset: string;
  s: number | "none";
  m: number | "all";
  /** Recall@1 with its interval, plain and augmented ({@link formatEstimate}). */
  plain: string;
  augmented: string;
  map_plain: number;
  map_augmented: number;
  own_unscored_augmented: number;
}

/**
 * The plain and the augmented grid of one dataset cell by cell (notebook 07): Recall@1 with its
 * interval on both, mAP on both, and how often the augmented cell leaves the own item unscored.
 */
export function augmentationComparison(
  dataset: string,
  plain: readonly CellResult[],
  augmented: readonly CellResult[],
): AugmentationComparisonRow[] {
  return plain.map((p) => {
    const a = cellAt(augmented, p.setting.s, p.setting.m);
    return {
      dataset,
      s: p.setting.s ?? "none",
      m: p.setting.m ?? "all",
      plain: formatEstimate(p.metrics.recall_at_1),
      augmented: formatEstimate(a.metrics.recall_at_1),
      map_plain: p.metrics.map.value,
      map_augmented: a.metrics.map.value,
      own_unscored_augmented: a.metrics.relevant_unscored_rate.value,
    };
  });
}
