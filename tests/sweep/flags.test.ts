/**
 * Issue 10 cases 6 and 7: `sweep --workers 1000` is capped at the useful number of threads (and
 * says so), `sweep --metric foo` is rejected with the valid metrics listed.
 */
import assert from "node:assert/strict";
import { parseSweepArgs } from "../../scripts/sweep.ts";
import { backend } from "./fake_backend.ts";
import { backend as setsimBackend } from "../../lib/sweep/setsim_backend.ts";
import { UsageError } from "../../lib/cli/mod.ts";

const URL_ = new URL("./fake_backend.ts", import.meta.url).href;
const GRID = ["--dataset", "alpha", "--s", "none,0.5", "--m", "1,all", "--out", "/tmp/setsim-flags-unused"];

/** Run `body` with console.error captured. */
async function capturingStderr<T>(body: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    return { value: await body(), stderr: lines.join("\n") };
  } finally {
    console.error = original;
  }
}

Deno.test("sweep --workers 1000 is capped at min(cores, cells) and says so", async () => {
  const cores = navigator.hardwareConcurrency ?? 1;
  const { value, stderr } = await capturingStderr(() =>
    parseSweepArgs([...GRID, "--workers", "1000"], backend, URL_)
  );
  // 1 dataset × 1 protocol × 2 methods × 2 s × 2 m = 8 cells.
  assert.equal(value!.threads, Math.min(cores, 8));
  assert.match(stderr, new RegExp(`--workers 1000: using ${value!.threads} thread`));
  assert.match(stderr, new RegExp(`${cores} core\\(s\\), 8 cell\\(s\\)`));
  // A useful request is kept, silently.
  const one = await capturingStderr(() => parseSweepArgs([...GRID, "--workers", "1"], backend, URL_));
  assert.equal(one.value!.threads, 1);
  assert.equal(one.stderr, "");
  // Fewer cells than cores: no thread without a cell.
  const tiny = await capturingStderr(() =>
    parseSweepArgs(
      ["--dataset", "alpha", "--method", "greedy", "--s", "none", "--m", "all", "--workers", "64"],
      backend,
      URL_,
    )
  );
  assert.equal(tiny.value!.threads, 1);
});

Deno.test("sweep --metric foo is a usage error listing the valid metrics", async () => {
  await assert.rejects(
    () => parseSweepArgs([...GRID, "--metric", "foo"], backend, URL_),
    (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /--metric: unknown metric "foo" \(valid: recall_at_1, recall_at_5, map\)/);
      return true;
    },
  );
  const ok = await parseSweepArgs([...GRID, "--metric", "recall_at_5"], backend, URL_);
  assert.equal(ok!.metric, "recall_at_5");
  // The real backend names its metrics too.
  assert.deepEqual(setsimBackend.metrics, ["recall_at_1", "recall_at_5", "recall_at_10", "map"]);
});
