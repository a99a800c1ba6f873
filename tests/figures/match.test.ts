import assert from "node:assert/strict";
import {
  compareWord,
  formatMetricInterval,
  intervalsOverlap,
  orderedViewTable,
} from "../../lib/evaluation/mod.ts";
import {
  compareMatchesOptions,
  describeMatch,
  markUnused,
  matchCells,
  matchHeatmapOptions,
  renderPlot,
  summarizeMatch,
} from "../../lib/figures/mod.ts";
import { greedyMatch, optimalAssignment } from "../../lib/matching/mod.ts";

// Greedy takes 0.9 (A1,B1) first, then 0.5 (A2,B3); optimal prefers (A1,B3)+(A2,B1) = 0.85+0.8.
const S = { rows: 2, cols: 3, data: new Float64Array([0.9, 0.1, 0.85, 0.8, 0.2, 0.5]) };

Deno.test("matchCells numbers greedy's matches in the order taken", () => {
  const cells = matchCells(S, greedyMatch(S));
  const matched = cells.filter((c) => c.order > 0).map((c) => [c.order, c.i, c.j, c.label]);
  assert.deepEqual(matched, [[1, 0, 0, "#1\n0.90"], [2, 1, 2, "#2\n0.50"]]);
  assert.equal(cells.length, 6);
  assert.equal(cells.find((c) => c.i === 0 && c.j === 1)!.label, "0.10");
});

Deno.test("matchCells marks matches excluded by s as not counted", () => {
  const cells = matchCells(S, greedyMatch(S, { s: 0.6 }));
  const second = cells.find((c) => c.order === 2)!;
  assert.equal(second.counted, false);
  assert.equal(cells.find((c) => c.order === 1)!.counted, true);
});

Deno.test("matchHeatmapOptions labels the unused image and renders", () => {
  const result = greedyMatch(S);
  const options = matchHeatmapOptions(S, result, { colLabels: ["x", "y", "z"] });
  assert.deepEqual((options.x as { domain: string[] }).domain, ["x", "y\n(unused)", "z"]);
  const figure = renderPlot(options);
  assert.ok(figure.svg.includes("(unused)"));
  assert.ok(figure.svg.includes("#1"));
  assert.match(options.caption!, /unused y/);
});

Deno.test("matchHeatmapOptions rejects labels of the wrong length", () => {
  assert.throws(() => matchHeatmapOptions(S, greedyMatch(S), { rowLabels: ["only one"] }), /rowLabels has 1/);
});

Deno.test("compareMatchesOptions puts greedy and optimal side by side with their totals", () => {
  const panels = [
    { name: "greedy", result: greedyMatch(S) },
    { name: "optimal", result: optimalAssignment(S) },
  ];
  const options = compareMatchesOptions(S, panels);
  // greedy total distance (1-0.9)+(1-0.5)=0.6; optimal (1-0.85)+(1-0.8)=0.35.
  assert.match(options.caption!, /greedy: score 0\.700, total distance 0\.600, worst 0\.500/);
  assert.match(options.caption!, /optimal: score 0\.825, total distance 0\.350, worst 0\.800/);
  const figure = renderPlot(options);
  assert.ok(figure.svg.includes("optimal") && figure.svg.includes("greedy"));
  assert.throws(() => compareMatchesOptions(S, []), /at least one panel/);
  assert.throws(() => compareMatchesOptions(S, [panels[0], panels[0]]), /must differ/);
});

Deno.test("summarizeMatch: totals and extremes before s and m", () => {
  const summary = summarizeMatch(optimalAssignment(S, { m: 1 }));
  assert.equal(summary.matches, 2);
  assert.equal(summary.counted, 1);
  assert.ok(Math.abs(summary.total_distance - 0.35) < 1e-12);
  assert.equal(summary.worst_similarity, 0.8);
  assert.equal(summary.best_similarity, 0.85);
  assert.equal(summary.unused_b, 1);
});

Deno.test("describeMatch names the score, counts and unused images", () => {
  assert.equal(
    describeMatch(greedyMatch(S, { s: 0.95 })),
    "greedy (s = 0.95): no score (no match passed s), 0 of 2 matches counted; unused: B2",
  );
});

Deno.test("markUnused appends only to the given positions", () => {
  assert.deepEqual(markUnused(["a", "b", "c"], [0, 2]), ["a (unused)", "b", "c (unused)"]);
  assert.deepEqual(markUnused(["a", "b"], [1], "\n"), ["a", "b\n(unused)"]);
});

Deno.test("orderedViewTable: per-view diagonal, mean, rank and pick", () => {
  const views = ["right", "top"];
  const rows = orderedViewTable(views, [
    { name: "p", similarity: { rows: 2, cols: 2, data: new Float64Array([0.6, 0.99, 0.99, 0.6]) } },
    { name: "q", similarity: { rows: 2, cols: 2, data: new Float64Array([0.9, 0, 0, 0.7]) } },
  ]);
  assert.deepEqual(Object.keys(rows[0]), ["candidate", "right", "top", "mean", "rank", "pick"]);
  assert.ok(Math.abs(rows[1].mean - 0.8) < 1e-12);
  assert.equal(rows[1].pick, true);
  assert.equal(rows[0].pick, false);
  assert.equal(rows[0].rank, 2);
  assert.equal(rows[0].right, 0.6);
  assert.throws(
    () =>
      orderedViewTable(["a", "b", "c"], [{
        name: "x",
        similarity: { rows: 2, cols: 2, data: new Float64Array(4) },
      }]),
    /expected 3 × 3/,
  );
  assert.throws(() => orderedViewTable(["mean"], []), /clashes/);
});

Deno.test("gridHeatmapOptions orders s (none first) and m (all last) and outlines the best", async () => {
  const { gridHeatmapOptions, heatmapCellsOf } = await import("./grid_helpers.ts");
  const cell = (s: number | null, m: number | null, value: number) => ({
    setting: { s, m },
    metrics: { recall_at_1: { value, lo: value, hi: value } },
  });
  const rows = [cell(0.8, null, 0.6), cell(null, null, 0.8), cell(0.8, 1, 0.95), cell(null, 1, 0.9)];
  const options = gridHeatmapOptions(rows, { metric: "recall_at_1" });
  assert.deepEqual((options.y as { domain: string[] }).domain, ["none", "0.8"]);
  assert.deepEqual((options.x as { domain: string[] }).domain, ["1", "all"]);
  const highlighted = heatmapCellsOf(options);
  assert.deepEqual(highlighted, [["0.8", "1"]]);
  assert.throws(
    () => gridHeatmapOptions([{ setting: { s: null, m: 1 }, metrics: {} }], { metric: "map" }),
    /no numeric "map"/,
  );
});

Deno.test("methodIntervalsOptions draws one interval per row and checks the columns", async () => {
  const { methodIntervalsOptions } = await import("../../lib/figures/mod.ts");
  const rows = [
    { dataset: "a", method: "greedy", map: 0.5, map_lo: 0.4, map_hi: 0.6 },
    { dataset: "b", method: "greedy", map: 0.7, map_lo: 0.6, map_hi: 0.8 },
  ];
  const options = methodIntervalsOptions(rows, { metric: "map" });
  assert.deepEqual((options.fy as { domain: string[] }).domain, ["a", "b"]);
  const figure = renderPlot(options);
  assert.ok(figure.svg.includes("0.700"));
  assert.throws(() => methodIntervalsOptions([{ method: "x", map: 1 }], { metric: "map" }), /map_lo/);
});

Deno.test("metricLinesOptions renders lines with bands and checks columns", async () => {
  const { metricLinesOptions } = await import("../../lib/figures/mod.ts");
  const rows = [
    { delta: 5, method: "ordered", r: 0.9, r_lo: 0.8, r_hi: 1 },
    { delta: 10, method: "ordered", r: 0.7, r_lo: 0.6, r_hi: 0.8 },
  ];
  const options = metricLinesOptions(rows, { x: "delta", y: "r", series: "method" });
  assert.equal((options.marks as unknown[]).length, 3);
  assert.match(renderPlot(options).svg, /<path[^>]*d="M/);
  assert.throws(
    () => metricLinesOptions([{ delta: "a", r: 1 }], { x: "delta", y: "r", series: "m" }),
    /"delta"/,
  );
});

Deno.test("match figures: digits option and unused outlines in side-by-side panels", () => {
  const cells = matchCells(S, greedyMatch(S), { digits: 3 });
  assert.equal(cells.find((c) => c.order === 1)!.label, "#1\n0.900");
  assert.throws(() => matchCells(S, greedyMatch(S), { digits: 1.5 }), /digits must be an integer/);
  const options = compareMatchesOptions(S, [{ name: "greedy", result: greedyMatch(S) }], { digits: 3 });
  // deno-lint-ignore no-explicit-any
  const unusedMark = (options.marks as any[])[1];
  // greedy leaves B2 unused: both of its cells get the grey outline.
  // deno-lint-ignore no-explicit-any
  assert.deepEqual(unusedMark.data.map((c: any) => [c.i, c.j]), [[0, 1], [1, 1]]);
});

Deno.test("findings wording: intervals, verdicts, overlap", () => {
  assert.equal(formatMetricInterval({ map: 0.5, map_lo: 0.41, map_hi: 0.6 }, "map", 2), "0.50 [0.41, 0.60]");
  assert.throws(() => formatMetricInterval({ map: 0.5, map_lo: NaN, map_hi: 0.6 }, "map"), /map_lo/);
  const words = ["beats", "ties with", "trails"] as const;
  assert.equal(compareWord(0.91, 0.9, words), "beats");
  assert.equal(compareWord(0.9, 0.91, words), "trails");
  assert.equal(compareWord(0.905, 0.9, words, 0.01), "ties with");
  assert.throws(() => compareWord(NaN, 1, words), /finite/);
  assert.equal(intervalsOverlap(0, 1, 1, 2), true);
  assert.equal(intervalsOverlap(0, 0.5, 0.6, 1), false);
});

Deno.test("describeGreedyVsOptimal: the article's boots give up greedy's best pair for a better worst match", async () => {
  const { describeGreedyVsOptimal, summarizeMatch } = await import("../../lib/figures/mod.ts");
  const { ARTICLE_BOOTS } = await import("../../lib/evaluation/mod.ts");
  const g = summarizeMatch(greedyMatch(ARTICLE_BOOTS)), o = summarizeMatch(optimalAssignment(ARTICLE_BOOTS));
  const text = describeGreedyVsOptimal(g, o);
  // totals: greedy 4 − 3.317 = 0.683, optimal 4 − 3.337 = 0.663; worst 0.761 → 0.796; best 0.881 → 0.866.
  assert.match(
    text,
    /total distance is 0\.663 against greedy's 0\.683, its worst match 0\.796 is better than greedy's 0\.761/,
  );
  assert.match(text, /gives up greedy's best pair \(0\.881; its best is 0\.866\); score 0\.829 → 0\.834\.$/);
  assert.match(describeGreedyVsOptimal(g, g), /greedy already finds an optimal matching/);
});

Deno.test("the compare figure's labels tell 0.998 from 0.996 (issue 23: both printed 1.00)", () => {
  const close = { rows: 2, cols: 2, data: new Float64Array([0.998, 0.2, 0.3, 0.996]) };
  const options = compareMatchesOptions(close, [
    { name: "greedy", result: greedyMatch(close) },
    { name: "optimal", result: optimalAssignment(close) },
  ]);
  const svg = renderPlot(options).svg;
  assert.ok(svg.includes("0.998") && svg.includes("0.996"), "both values printed to 3 decimals");
  assert.ok(!svg.includes(">1.00<"));
});

Deno.test("the s × m heatmap's colours span the values shown, with intervals in the cells", async () => {
  const { gridHeatmapOptions } = await import("./grid_helpers.ts");
  const cell = (s: number | null, m: number | null, value: number) => ({
    setting: { s, m },
    metrics: { recall_at_1: { value, lo: value - 0.01, hi: Math.min(1, value + 0.01) } },
  });
  // COIL-100's grid lies in 0.95–0.99: on a fixed [0, 1] domain it was one flat colour.
  const rows = [cell(null, 1, 0.97), cell(null, null, 0.99), cell(0.9, 1, 0.95), cell(0.9, null, 0.96)];
  const options = gridHeatmapOptions(rows, { metric: "recall_at_1" });
  assert.deepEqual((options.color as { domain: number[] }).domain, [0.95, 0.99]);
  const svg = renderPlot(options).svg;
  assert.ok(svg.includes("0.990") && svg.includes("0.980–1.000"), "3 decimals and the interval");
  const bare = gridHeatmapOptions(rows, { metric: "recall_at_1", intervals: false });
  assert.ok(!renderPlot(bare).svg.includes("–"));
  assert.throws(
    () => gridHeatmapOptions([cell(0.9, 1, 0.95)], { metric: "recall_at_1", pivot: "default" }),
    /no default cell/,
  );
});
