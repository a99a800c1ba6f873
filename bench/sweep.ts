/**
 * Does evaluating sweep cells on 2 worker threads beat 1 thread? Runs the default grid
 * (coil100 + grocery, greedy + optimal, s ∈ {none, 0.5, …, 0.95}, m ∈ {1..5, all}, 1000 bootstrap
 * resamples) in this process with `--workers 1` and `--workers 2` alternately, and prints the
 * time of each phase and the 2-thread/1-thread ratio of the cell phase (< 1 = parallelism pays).
 *
 * Embeddings come from the deterministic stand-in of `tests/sweep/fake_embedding_backend.ts`
 * (cell cost does not depend on the vectors); pass `--real` to use the configured model instead
 * (embeddings must be cached for the numbers to mean "sweep time"). Needs the datasets
 * (`SETSIM_DATA_DIR`). `--repeats N` (default 2).
 *
 *     SETSIM_DATA_DIR=/work/shared/data deno run -A bench/sweep.ts
 * @module
 */

import { join } from "node:path";
import { parseFlags, parseIntegerFlag, runCli } from "../lib/cli/mod.ts";
import { resolveConfig } from "../lib/config/mod.ts";
import { expandCells, type SweepPlan } from "../lib/sweep/cell.ts";
import { runSweep, type SweepOutcome } from "../lib/sweep/engine.ts";
import { parseMatchCapGrid, parseThresholdGrid, SWEEP_DEFAULTS } from "../lib/sweep/grid.ts";

await runCli(async (argv) => {
  const { values } = parseFlags(argv, { real: { type: "boolean" }, repeats: { type: "string" } });
  const repeats = parseIntegerFlag("repeats", values.repeats, 1) ?? 2;
  const backendUrl = values.real
    ? new URL("../lib/sweep/setsim_backend.ts", import.meta.url).href
    : new URL("../tests/sweep/fake_embedding_backend.ts", import.meta.url).href;
  const plan: SweepPlan = {
    datasets: ["coil100", "grocery"],
    protocols: { coil100: ["unordered"], grocery: ["grocery"] },
    methods: ["greedy", "optimal"],
    s: parseThresholdGrid(SWEEP_DEFAULTS.s),
    m: parseMatchCapGrid(SWEEP_DEFAULTS.m),
    seed: 0,
    model: values.real ? resolveConfig().model : "fake",
    bootstrap: SWEEP_DEFAULTS.bootstrap,
    options: {},
  };
  const cells = expandCells(plan).length;
  const root = await Deno.makeTempDir({ prefix: "setsim-bench-sweep-" });
  const best: Record<number, SweepOutcome["timing"] & { total: number }> = {};
  console.log(
    `${cells} cells, ${navigator.hardwareConcurrency} cores, ${
      values.real ? "real model" : "stand-in embeddings"
    }`,
  );
  try {
    let run = 0;
    for (let r = 0; r < repeats; r++) {
      for (const threads of [1, 2]) {
        const outcome = await runSweep({
          plan,
          backendUrl,
          outDir: join(root, String(run++)),
          threads,
          quiet: true,
        });
        const t = outcome.timing;
        console.log(
          `threads ${threads}: total ${outcome.seconds.toFixed(2)} s = prepare ${
            t.prepare.toFixed(2)
          } + match ${t.match.toFixed(2)} + cells ${t.cells.toFixed(2)} + write ${
            t.write.toFixed(2)
          } (+ startup)`,
        );
        const previous = best[threads];
        if (!previous || t.cells < previous.cells) best[threads] = { ...t, total: outcome.seconds };
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  const ratio = best[2].cells / best[1].cells;
  console.log(
    `cell phase, best of ${repeats}: 1 thread ${best[1].cells.toFixed(2)} s (${
      (1000 * best[1].cells / cells).toFixed(1)
    } ms/cell), 2 threads ${best[2].cells.toFixed(2)} s; ratio 2/1 = ${ratio.toFixed(2)}`,
  );
  console.log(
    `whole sweep, best of ${repeats}: 1 thread ${best[1].total.toFixed(2)} s, 2 threads ${
      best[2].total.toFixed(2)
    } s`,
  );
  console.log(`load average now: ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
});
