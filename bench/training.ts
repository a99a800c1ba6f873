/**
 * Training-step speed of the learned heads on TF.js's two backends, measured in the same run.
 *
 *   deno task bench training [--quick] [--json] [--items N] [--dim D]
 *
 * Synthetic clustered unit embeddings (default 32 items × 9 images × 1792 dims, the grocery batch
 * shape of notebook 09) train a projection head and an attention head for a few Adam steps on
 * `cpu` and on `wasm`, interleaved (cpu, wasm, cpu, wasm, …; the first round warms up). Figures:
 * the wasm speed-up over cpu per head (a ratio against the cpu baseline of the same run) and the
 * absolute ms per step for reference. With --json stdout is one BenchReport.
 * @module
 */

import { figure } from "../lib/bench/mod.ts";
import { parseFlags, parseIntegerFlag, runCli } from "../lib/cli/mod.ts";
import { type BackendTiming, timeBackends, type TrainingData } from "../lib/learning/mod.ts";
import { createRng } from "../lib/random/mod.ts";

/** `items` clusters of `perItem` unit vectors around random centres. */
function syntheticData(items: number, perItem: number, dim: number): TrainingData {
  const rng = createRng(0, "bench:training");
  const data = new Float32Array(items * perItem * dim);
  const train = [];
  for (let c = 0; c < items; c++) {
    const centre = Float64Array.from({ length: dim }, () => rng() - 0.5);
    const rows = [];
    for (let k = 0; k < perItem; k++) {
      const r = c * perItem + k;
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const v = centre[j] + 0.5 * (rng() - 0.5);
        data[r * dim + j] = v;
        norm += v * v;
      }
      for (let j = 0; j < dim; j++) data[r * dim + j] /= Math.sqrt(norm);
      rows.push(r);
    }
    train.push({ id: `item${c}`, rows });
  }
  return { embeddings: { data, count: items * perItem, dim }, train, validation: [] };
}

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    quick: { type: "boolean" },
    json: { type: "boolean" },
    items: { type: "string" },
    dim: { type: "string" },
  });
  const quick = values.quick ?? false;
  const items = parseIntegerFlag("items", values.items, 2) ?? 32;
  const dim = parseIntegerFlag("dim", values.dim, 1) ?? 1792;
  const data = syntheticData(items, 9, dim);
  const timings: BackendTiming[] = [];
  for (const head of ["projection", "attention"] as const) {
    console.error(`timing ${head} head on cpu and wasm …`);
    timings.push(
      ...await timeBackends(data, { head, batchItems: items, passes: quick ? 1 : 3, rounds: quick ? 1 : 3 }),
    );
  }
  const figures = timings.flatMap((t) =>
    t.backend === "cpu" ? [] : [
      figure(`${t.head}: ${t.backend} step speed-up over cpu`, t.speedup_vs_cpu, {
        note: `cpu ${
          timings.find((c) => c.backend === "cpu" && c.head === t.head)!.ms_per_step.toFixed(0)
        } ms/step vs ${t.backend} ${t.ms_per_step.toFixed(0)} ms/step, same run`,
      }),
    ]
  );
  const report = { benchmark: "training", quick, items, images_per_item: 9, dim, timings, figures };
  if (values.json) {
    console.log(JSON.stringify(report));
    return;
  }
  for (const t of timings) {
    console.log(
      `${t.head.padEnd(10)} ${t.backend.padEnd(5)} ${t.ms_per_step.toFixed(1).padStart(8)} ms/step  ${
        t.speedup_vs_cpu.toFixed(2)
      }× vs cpu`,
    );
  }
});
