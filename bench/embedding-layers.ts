/**
 * Which network and layer embeds best? Single-image retrieval on the shared datasets for every
 * local variant (`lib/embedding/variants.ts`), written to `results/embedding-layers.{csv,json}`.
 *
 * `deno task bench embedding-layers [--models a,b] [--coil-step 4] [--grocery-step 1] [--fits pad]`
 * `[--quick] [--json]`. `--quick` (what the no-argument `deno task bench` runs) measures the
 * default model and `mobilenet-v2-block10` on a sparse sample (every 16th view / 8th grocery image)
 * and writes nothing; `--json` prints one report object.
 *
 * Protocol (`lib/embedding/layer_study.ts`), per dataset: every image is a query against all
 * others, ranked by cosine; Recall@1 and mAP. Labels: COIL-100 object id (views `coil-step`·5° apart), Grocery Store fine class (val + test,
 * every `grocery-step`-th image). Rows from earlier runs are kept (keyed by model, fit, dataset
 * and sample step), so slow models can be measured on a sparser sample in a separate run.
 * Embeddings go through the SQLite cache, so re-runs only recompute the metrics.
 * @module
 */

import { join } from "node:path";
import { parseFlags, parseIntegerFlag, parseListFlag, runCli } from "../lib/cli/mod.ts";
import { resolveConfig } from "../lib/config/mod.ts";
import { toCsv, writeFileAtomic } from "../lib/io/mod.ts";
import { type BenchReport, figure } from "../lib/bench/mod.ts";
import { embedImages, type FitMode, LOCAL_VARIANTS, VARIANT_ALIASES } from "../lib/embedding/mod.ts";
import { leaveOneOutRetrieval, studyDatasets } from "../lib/embedding/layer_study.ts";

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    models: { type: "string" },
    "coil-step": { type: "string" },
    "grocery-step": { type: "string" },
    fits: { type: "string" },
    quick: { type: "boolean" },
    json: { type: "boolean" },
  });
  const quick = values.quick ?? false;
  const say = values.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const config = resolveConfig();
  // Quantized variants are the same network; bench/embedding.ts measures them against their float32 model.
  const models = parseListFlag(values.models) ??
    (quick
      ? [VARIANT_ALIASES["mobilenet-v2"], "mobilenet-v2-block10"]
      : LOCAL_VARIANTS.filter((v) => v.quantization === undefined).map((v) => v.name));
  const fits = (parseListFlag(values.fits) ?? ["pad"]) as FitMode[];
  const coilStep = parseIntegerFlag("coil-step", values["coil-step"], 1) ?? (quick ? 16 : 4);
  const groceryStep = parseIntegerFlag("grocery-step", values["grocery-step"], 1) ?? (quick ? 8 : 1);
  const datasets = await studyDatasets(config.dataDir, coilStep, groceryStep);
  const rows: Record<string, string | number>[] = [];
  for (const name of models) {
    const variant = LOCAL_VARIANTS.find((v) => v.name === name);
    for (const fit of fits) {
      for (const ds of datasets) {
        const started = performance.now();
        const result = await embedImages(ds.paths, {
          model: name,
          preprocess: { fit },
          progress: quick ? false : { label: `${name} ${fit} ${ds.name}` },
        });
        const seconds = (performance.now() - started) / 1000;
        const labels = result.index.map((i) => ds.labels[i]);
        const m = leaveOneOutRetrieval(result.embeddings.data, result.embeddings.dim, labels);
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
        say(
          `${name.padEnd(28)} ${fit.padEnd(7)} ${ds.name.padEnd(14)} R@1 ${row.recall_at_1.toFixed(3)}  mAP ${
            row.mAP.toFixed(3)
          }  (${row.images} images, ${seconds.toFixed(1)} s, ${result.cacheHits} from cache)`,
        );
      }
    }
  }
  if (values.json) {
    const report: BenchReport = {
      benchmark: "embedding-layers",
      quick,
      rows,
      figures: rows.map((r) =>
        figure(`mAP ${r.model} ${r.dataset} (step ${r.sample_step})`, Number(r.mAP), {
          unit: "",
          note: `R@1 ${r.recall_at_1}`,
        })
      ),
    };
    console.log(JSON.stringify(report, null, 2));
  }
  if (quick) return; // a sparse sample of two models: nothing to merge into the committed table
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
  say(`wrote ${join(config.resultsDir, "embedding-layers.csv")}`);
});
