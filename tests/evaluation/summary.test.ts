import assert from "node:assert/strict";
import { join } from "node:path";
import type { EvaluationResult } from "../../lib/evaluation/run.ts";
import {
  protocolLabel,
  readRuns,
  summarizeRuns,
  summaryCsv,
  summaryMarkdown,
} from "../../lib/evaluation/summary.ts";
import { parseCsv } from "../../lib/io/csv.ts";

function run(over: Partial<EvaluationResult> & { config?: Record<string, unknown> }): EvaluationResult {
  const metric = (v: number): [number, number] => [v - 0.1, v + 0.1];
  return {
    dataset: "coil100",
    protocol: "unordered",
    method: "greedy",
    model: "m",
    fingerprint: "f",
    seed: 0,
    s: null,
    m: null,
    n_queries: 100,
    n_gallery: 100,
    recall_at_1: 0.5,
    recall_at_5: 0.7,
    recall_at_10: 0.8,
    precision_at_1: 0.5,
    precision_at_5: 0.2,
    precision_at_10: 0.1,
    map: 0.6,
    ci95: {
      recall_at_1: metric(0.5),
      recall_at_5: metric(0.7),
      recall_at_10: metric(0.8),
      precision_at_1: metric(0.5),
      precision_at_5: metric(0.2),
      precision_at_10: metric(0.1),
      map: metric(0.6),
    },
    bootstrap: 1000,
    per_category: {},
    levels: {},
    failures: [],
    protocol_meta: {},
    config: { augment: [], a: null, b: null, sets_per_class: null, per_category: null, categories: null },
    timestamp: "2026-01-01T00:00:00.000Z",
    duration_s: 1,
    ...over,
  } as EvaluationResult;
}

Deno.test("summarizeRuns: latest default run per dataset/protocol/method, variants left out", () => {
  const rows = summarizeRuns([
    run({ recall_at_1: 0.1 }),
    run({ recall_at_1: 0.2, timestamp: "2026-02-01T00:00:00.000Z" }),
    run({ method: "optimal" }),
    run({ s: 0.5, timestamp: "2027-01-01T00:00:00.000Z" }),
    run({ config: { augment: ["rot90"] }, timestamp: "2027-01-01T00:00:00.000Z" }),
    run({ config: { augment: [], a: 2 }, timestamp: "2027-01-01T00:00:00.000Z" }),
    run({ model: "other" }),
    run({ protocol: "ordered", protocol_meta: { delta: 45 } }),
  ], { model: "m" });
  assert.deepEqual(rows.map((r) => `${r.protocol}/${r.method}/${r.recall_at_1}`), [
    "ordered δ=45/greedy/0.5",
    "unordered/greedy/0.2",
    "unordered/optimal/0.5",
  ]);
  assert.equal(protocolLabel({ protocol: "grocery", protocol_meta: {} }), "grocery");
  const markdown = summaryMarkdown(rows);
  // the fixture keeps its default interval [0.4, 0.6] whatever the point value
  assert.match(
    markdown,
    /\| coil100 \| unordered \| greedy \| 100 \| 0\.200 \[0\.400, 0\.600\] \| 0\.700 \| 0\.600 \[0\.500, 0\.700\] \| – \|/,
  );
  const csv = parseCsv(summaryCsv(rows));
  assert.equal(csv.length, 3);
  assert.equal(csv[1].recall_at_1, "0.2");
  assert.equal(csv[1].coarse_map, "");
});

Deno.test("summaryCsv: the same results give the same bytes whenever they were run", () => {
  const at = (timestamp: string) => summaryCsv(summarizeRuns([run({ timestamp })]));
  assert.equal(at("2026-01-01T00:00:00.000Z"), at("2026-12-01T12:00:00.000Z"));
});

Deno.test("readRuns: a missing file has no runs; a broken line is skipped and named", async () => {
  const dir = await Deno.makeTempDir();
  assert.deepEqual(await readRuns(join(dir, "none.jsonl")), []);
  await Deno.writeTextFile(join(dir, "runs.jsonl"), JSON.stringify(run({})) + "\n{oops\n");
  const warnings: string[] = [];
  assert.equal((await readRuns(join(dir, "runs.jsonl"), (m) => warnings.push(m))).length, 1);
  assert.match(warnings.join("\n"), /runs.jsonl line 2: not valid JSON; skipped/);
});
