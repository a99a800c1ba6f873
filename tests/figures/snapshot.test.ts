/**
 * SVG snapshots of the key figures, as Observable Plot tests its marks: each figure is rendered
 * from fixed data and compared byte for byte with `snapshots/<name>.svg`. A change to a figure
 * shows up as a diff of that file; to accept it, rerun with `SETSIM_UPDATE_SNAPSHOTS=1` and
 * review the new SVGs before committing them.
 */
import assert from "node:assert/strict";
import { ARTICLE_BOOTS } from "../../lib/evaluation/worked_example.ts";
import { greedyMatch, optimalAssignment } from "../../lib/matching/mod.ts";
import {
  compareMatchesOptions,
  type FigureOptions,
  gridHeatmapOptions,
  matchHeatmapOptions,
  methodIntervalsOptions,
  renderPlot,
} from "../../lib/figures/mod.ts";
import { sweepHeatmapOptions } from "../../lib/sweep/heatmap.ts";
import type { CellResult } from "../../lib/sweep/output.ts";

const UPDATE = Deno.env.get("SETSIM_UPDATE_SNAPSHOTS") === "1";

async function assertSnapshot(name: string, options: FigureOptions): Promise<void> {
  const svg = renderPlot(options).svg;
  const path = new URL(`./snapshots/${name}.svg`, import.meta.url);
  if (UPDATE) {
    await Deno.writeTextFile(path, svg);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(path);
  } catch {
    throw new Error(`no snapshot ${path.pathname}; run with SETSIM_UPDATE_SNAPSHOTS=1 to create it`);
  }
  assert.equal(svg, expected, `${name}.svg differs from its snapshot (SETSIM_UPDATE_SNAPSHOTS=1 to accept)`);
}

// The article's worked example: two boots, 4 × 5 views (the one copy, in lib/evaluation).
const BOOTS = ARTICLE_BOOTS;

Deno.test("snapshot: greedy match on the similarity matrix (order taken, unused view)", async () => {
  await assertSnapshot(
    "match-greedy",
    matchHeatmapOptions(BOOTS, greedyMatch(BOOTS), { title: "Greedy matching of two boots" }),
  );
});

Deno.test("snapshot: greedy and optimal side by side", async () => {
  await assertSnapshot(
    "match-compare",
    compareMatchesOptions(BOOTS, [
      { name: "greedy", result: greedyMatch(BOOTS) },
      { name: "optimal", result: optimalAssignment(BOOTS) },
    ]),
  );
});

const cell = (s: number | null, m: number | null, value: number) => ({
  setting: { s, m },
  metrics: {
    recall_at_1: { value, lo: value - 0.05, hi: value + 0.05 },
    map: { value, lo: value, hi: value },
  },
});
const GRID = [
  cell(null, 1, 0.9),
  cell(null, null, 0.8),
  cell(0.8, 1, 0.95),
  cell(0.8, null, 0.6),
  cell(0.9, 1, 0.7),
  cell(0.9, null, 0.4),
];

Deno.test("snapshot: the s × m heatmap", async () => {
  await assertSnapshot(
    "grid-heatmap",
    gridHeatmapOptions(GRID, { metric: "recall_at_1", title: "Recall@1" }),
  );
});

Deno.test("snapshot: a sweep's s × m heatmap (the same heatmap with the sweep's caption)", async () => {
  const rows: CellResult[] = GRID.map((c, k) => ({
    hash: `h${k}`,
    setting: {
      dataset: "coil100",
      protocol: "unordered",
      method: "greedy",
      s: c.setting.s,
      m: c.setting.m,
      seed: 0,
      model: "mobilenet-v2",
      bootstrap: 100,
      options: {},
    },
    metrics: c.metrics,
  }));
  await assertSnapshot("sweep-heatmap", sweepHeatmapOptions(rows, "recall_at_1"));
});

Deno.test("snapshot: methods with their 95% intervals", async () => {
  const rows = [
    { dataset: "coil100", method: "greedy", recall_at_1: 0.96, recall_at_1_lo: 0.92, recall_at_1_hi: 0.99 },
    { dataset: "coil100", method: "optimal", recall_at_1: 0.97, recall_at_1_lo: 0.93, recall_at_1_hi: 1 },
    { dataset: "coil100", method: "centroid", recall_at_1: 0.9, recall_at_1_lo: 0.85, recall_at_1_hi: 0.94 },
  ];
  await assertSnapshot("method-intervals", methodIntervalsOptions(rows, { metric: "recall_at_1" }));
});
