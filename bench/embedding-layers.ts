/**
 * Which network and layer embeds best? Single-image retrieval on the shared datasets for every
 * local variant (`lib/embedding/variants.ts`), written to `results/embedding-layers.{csv,json}`.
 *
 * `deno run -A bench/embedding-layers.ts [--models a,b] [--coil-step 4] [--grocery-step 1] [--fits pad]`
 *
 * Protocol, per dataset: every image is a query against all others, ranked by cosine.
 * - Recall@1 = fraction of queries whose nearest other image has the query's label;
 * - mAP = mean over queries of average precision, AP = (1/R) Σ_k P@k · rel(k) over the ranking
 *   of the N − 1 other images, R = number of other images with the label.
 * Labels: COIL-100 object id (views `coil-step`·5° apart), Grocery Store fine class (val + test,
 * every `grocery-step`-th image). Rows from earlier runs are kept (keyed by model, fit, dataset
 * and sample step), so slow models can be measured on a sparser sample in a separate run.
 * Embeddings go through the SQLite cache, so re-runs only recompute the metrics.
 * @module
 */

import { join } from "node:path";
import { parseFlags, parseIntegerFlag, parseListFlag, runCli } from "../lib/cli/mod.ts";
import { resolveConfig } from "../lib/config/mod.ts";
import { toCsv, writeFileAtomic } from "../lib/io/mod.ts";
import { parseCsv } from "../lib/data/csv.ts";
import { embedImages, type FitMode, LOCAL_VARIANTS } from "../lib/embedding/mod.ts";

interface Dataset {
  name: string;
  label: string;
  paths: string[];
  labels: string[];
}

async function loadDatasets(dataDir: string, coilStep: number, groceryStep: number): Promise<Dataset[]> {
  const coilLabels = join(dataDir, "coil100", "labels.csv");
  const coil = parseCsv(await Deno.readTextFile(coilLabels), coilLabels)
    .filter((r) => (Number(r.angle_deg) / 5) % coilStep === 0);
  const groceryLabels = join(dataDir, "grocery_store", "labels.csv");
  const grocery = parseCsv(await Deno.readTextFile(groceryLabels), groceryLabels)
    .filter((_, i) => i % groceryStep === 0);
  return [
    {
      name: "coil100",
      label: "object_id",
      paths: coil.map((r) => join(dataDir, "coil100", r.path)),
      labels: coil.map((r) => r.object_id),
    },
    {
      name: "grocery_store",
      label: "fine_class",
      paths: grocery.map((r) => join(dataDir, "grocery_store", r.path)),
      labels: grocery.map((r) => r.fine_class_id),
    },
  ];
}

/** Recall@1 and mAP of leave-one-out retrieval (rows must be L2-normalised). */
function retrievalMetrics(
  data: Float32Array,
  dim: number,
  labels: string[],
): { recallAt1: number; mAP: number; queries: number } {
  const n = labels.length;
  let hits = 0, apSum = 0, queries = 0;
  const sims = new Float64Array(n);
  const order = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    const qo = q * dim;
    for (let j = 0; j < n; j++) {
      if (j === q) {
        sims[j] = -Infinity;
        continue;
      }
      let s = 0;
      const jo = j * dim;
      for (let k = 0; k < dim; k++) s += data[qo + k] * data[jo + k];
      sims[j] = s;
    }
    const relevant = labels.reduce((c, l, j) => c + (j !== q && l === labels[q] ? 1 : 0), 0);
    if (relevant === 0) continue;
    queries++;
    for (let j = 0; j < n; j++) order[j] = j;
    order.sort((a, b) => sims[b] - sims[a]);
    if (labels[order[0]] === labels[q]) hits++;
    let found = 0, ap = 0;
    for (let r = 0; r < n - 1 && found < relevant; r++) {
      if (labels[order[r]] === labels[q]) {
        found++;
        ap += found / (r + 1);
      }
    }
    apSum += ap / relevant;
  }
  return { recallAt1: hits / queries, mAP: apSum / queries, queries };
}

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    models: { type: "string" },
    "coil-step": { type: "string" },
    "grocery-step": { type: "string" },
    fits: { type: "string" },
  });
  const config = resolveConfig();
  const models = parseListFlag(values.models) ?? LOCAL_VARIANTS.map((v) => v.name);
  const fits = (parseListFlag(values.fits) ?? ["pad"]) as FitMode[];
  const coilStep = parseIntegerFlag("coil-step", values["coil-step"], 1) ?? 4;
  const groceryStep = parseIntegerFlag("grocery-step", values["grocery-step"], 1) ?? 1;
  const datasets = await loadDatasets(config.dataDir, coilStep, groceryStep);
  const rows: Record<string, string | number>[] = [];
  for (const name of models) {
    const variant = LOCAL_VARIANTS.find((v) => v.name === name);
    for (const fit of fits) {
      for (const ds of datasets) {
        const started = performance.now();
        const result = await embedImages(ds.paths, {
          model: name,
          preprocess: { fit },
          progress: { label: `${name} ${fit} ${ds.name}` },
        });
        const seconds = (performance.now() - started) / 1000;
        const labels = result.index.map((i) => ds.labels[i]);
        const m = retrievalMetrics(result.embeddings.data, result.embeddings.dim, labels);
        const row = {
          model: name,
          layer: variant?.layer ?? "",
          dim: result.embeddings.dim,
          imagenet_frozen: String(variant?.imagenetFrozen ?? ""),
          input_range: variant?.inputRange ?? "unit",
          fit,
          dataset: ds.name,
          label: ds.label,
          sample_step: ds.name === "coil100" ? coilStep : groceryStep,
          images: result.embeddings.count,
          failures: result.failures.length,
          recall_at_1: Number(m.recallAt1.toFixed(4)),
          mAP: Number(m.mAP.toFixed(4)),
        };
        rows.push(row);
        console.log(
          `${name.padEnd(28)} ${fit.padEnd(7)} ${ds.name.padEnd(14)} R@1 ${row.recall_at_1.toFixed(3)}  mAP ${
            row.mAP.toFixed(3)
          }  (${row.images} images, ${seconds.toFixed(1)} s, ${result.cacheHits} from cache)`,
        );
      }
    }
  }
  // Merge with earlier runs (other models / fits), replacing rows measured again now.
  const jsonPath = join(config.resultsDir, "embedding-layers.json");
  const key = (r: Record<string, string | number>) => `${r.model}|${r.fit}|${r.dataset}|${r.sample_step}`;
  try {
    const previous = JSON.parse(await Deno.readTextFile(jsonPath));
    const fresh = new Set(rows.map(key));
    rows.unshift(...previous.rows.filter((r: Record<string, string | number>) => !fresh.has(key(r))));
  } catch {
    // no earlier results
  }
  for (const r of rows) {
    r.input_range ??= "unit"; // rows measured before the column existed
    // Timings and cache hits are printed, not stored: the committed table must not change on a rerun.
    delete r.embed_seconds;
    delete r.cache_hits;
  }
  rows.sort((a, b) => key(a).localeCompare(key(b)));
  const meta = {
    protocol:
      "leave-one-out single-image retrieval, cosine; sample_step: every k-th COIL view / grocery image",
    rows,
  };
  await writeFileAtomic(join(config.resultsDir, "embedding-layers.csv"), toCsv(rows));
  await writeFileAtomic(
    join(config.resultsDir, "embedding-layers.json"),
    JSON.stringify(meta, null, 2) + "\n",
  );
  console.log(`wrote ${join(config.resultsDir, "embedding-layers.csv")}`);
});
