/**
 * Issue 10 case 8: `eval --bootstrap 0` reports no interval (zero resamples give none), instead
 * of a "95% interval" [x, x] that only repeats the point value.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT, resolveConfig } from "../../lib/config/mod.ts";
import { exists } from "../../lib/data/datasets.ts";
import { evaluateRanking, METRIC_NAMES } from "../../lib/evaluation/metrics.ts";
import { metricColumns, summaryMarkdown } from "../../lib/evaluation/summary.ts";
import { formatMetricInterval } from "../../lib/evaluation/format.ts";
import { makeTinyDataDir } from "../fixtures/data/tiny.ts";

// 3 queries × 3 gallery items, the diagonal relevant.
const input = {
  scores: new Float64Array([0.9, 0.1, 0.2, 0.3, 0.8, 0.1, 0.5, 0.6, 0.4]),
  relevant: new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
  excluded: null,
  nQuery: 3,
  nGallery: 3,
};

Deno.test("no resamples, no interval: ci95 is empty and tables leave the interval columns blank", () => {
  const none = evaluateRanking(input, { seed: 0, bootstrap: 0 });
  assert.deepEqual(none.ci95, {});
  assert.equal(none.bootstrap, 0);
  const some = evaluateRanking(input, { seed: 0, bootstrap: 50 });
  assert.deepEqual(Object.keys(some.ci95).sort(), [...METRIC_NAMES].sort());
  assert.ok(some.ci95.map && some.ci95.map[0] <= some.map && some.map <= some.ci95.map[1]);
  const columns = metricColumns({ ...none, recall_at_5: none.recall_at_5 });
  assert.equal("map_lo" in columns || "map_hi" in columns, false);
  assert.equal(formatMetricInterval({ map: 0.5, map_lo: null, map_hi: null }, "map"), "0.500");
  const markdown = summaryMarkdown([{
    ...columns,
    dataset: "d",
    protocol: "p",
    method: "greedy",
    model: "m",
    seed: 0,
    n_queries: 3,
    coarse_map: NaN,
    greedy_optimal_same_top1: NaN,
    greedy_optimal_mean_gap: NaN,
    timestamp: "t",
  }]);
  assert.doesNotMatch(markdown.split("\n")[2], /\[/, "no [lo, hi] in the table row");
});

const modelReady = await exists(join(resolveConfig().modelsDir, "mobilenet-v2-pool"));

Deno.test({
  name: "eval --bootstrap 0 prints and records no interval",
  ignore: !modelReady,
  async fn() {
    const dataDir = await makeTinyDataDir({});
    const resultsDir = await Deno.makeTempDir({ prefix: "setsim-eval-noci-" });
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(PROJECT_ROOT, "scripts", "eval.ts"),
          ...["--dataset", "coil100", "--protocol", "unordered", "--method", "greedy", "--bootstrap", "0"],
        ],
        env: { SETSIM_DATA_DIR: dataDir, SETSIM_RESULTS_DIR: resultsDir, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(stdout, /Recall@1 \d\.\d{3} /);
      assert.doesNotMatch(stdout, /\[\d\.\d{3}, \d\.\d{3}\]/, "no [x, x] interval");
      assert.match(stdout, /no intervals: --bootstrap 0/);
      const runs = (await Deno.readTextFile(join(resultsDir, "eval", "runs.jsonl"))).trim().split("\n");
      const run = JSON.parse(runs.at(-1)!);
      assert.deepEqual(run.ci95, {}, "the recorded run has no interval either");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
      await Deno.remove(resultsDir, { recursive: true });
    }
  },
});
