/**
 * Text encoders on real catalogue titles: speed and how well each separates article types.
 *
 * Baseline: character n-gram TF-IDF, measured in the same run. For each encoder it prints the
 * time to load/fit and to embed N titles, texts per second, and two quality numbers on the
 * Myntra footwear titles (labels = `articleType`):
 *
 * - 1-NN accuracy: share of titles whose most similar other title has the same article type;
 * - margin: mean cosine to same-type titles minus mean cosine to other-type titles.
 *
 * CLIP's text tower is included when `Xenova/clip-vit-base-patch32` is in `modelsDir`.
 *
 * Timings are wall-clock on whatever else the machine is doing; compare ratios within one run.
 *
 * Run: `SETSIM_DATA_DIR=/work/shared/data deno run -A bench/text-encoders.ts [--n 1200]`
 * @module
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseFlags, parseIntegerFlag, runCli, UsageError } from "../lib/cli/mod.ts";
import { resolveConfig } from "../lib/config/mod.ts";
import { DEFAULT_CLIP_ID } from "../lib/embedding/clip/mod.ts";
import type { TextEmbeddingModel } from "../lib/embedding/model.ts";
import { parseCsv } from "../lib/io/csv.ts";
import { fitTfidf, loadTextModel } from "../lib/embedding/text/mod.ts";

/** Titles and article types of an evenly spaced sample of Myntra footwear products. */
function loadSample(labelsPath: string, n: number): { all: string[]; titles: string[]; types: string[] } {
  const rows = parseCsv(readFileSync(labelsPath, "utf8"), labelsPath);
  if (n > rows.length) throw new UsageError(`--n ${n} exceeds the ${rows.length} titles in ${labelsPath}`);
  const step = rows.length / n;
  const picked = Array.from({ length: n }, (_, i) => rows[Math.floor(i * step)]);
  return {
    all: rows.map((r) => r.productDisplayName),
    titles: picked.map((r) => r.productDisplayName),
    types: picked.map((r) => r.articleType),
  };
}

interface Row {
  name: string;
  loadMs: number;
  embedMs: number;
  accuracy: number;
  margin: number;
}

/** Leave-one-out 1-NN accuracy and same-minus-different mean cosine, from unit rows. */
function quality(vectors: Float32Array, dim: number, types: string[]): { accuracy: number; margin: number } {
  const n = types.length;
  // Sparse rows make TF-IDF's long vectors cheap; dense encoders are mostly non-zero anyway.
  const nonZero = Array.from({ length: n }, (_, i) => {
    const idx: number[] = [];
    for (let k = 0; k < dim; k++) if (vectors[i * dim + k] !== 0) idx.push(k);
    return Int32Array.from(idx);
  });
  let correct = 0, same = 0, sameCount = 0, different = 0, differentCount = 0;
  for (let i = 0; i < n; i++) {
    let best = -Infinity, bestJ = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let dot = 0;
      for (const k of nonZero[i]) dot += vectors[i * dim + k] * vectors[j * dim + k];
      if (dot > best) [best, bestJ] = [dot, j];
      if (types[i] === types[j]) [same, sameCount] = [same + dot, sameCount + 1];
      else [different, differentCount] = [different + dot, differentCount + 1];
    }
    if (types[bestJ] === types[i]) correct++;
  }
  return { accuracy: correct / n, margin: same / sameCount - different / differentCount };
}

async function measure(
  name: string,
  load: () => Promise<TextEmbeddingModel>,
  titles: string[],
  types: string[],
): Promise<Row> {
  let t = performance.now();
  const model = await load();
  const loadMs = performance.now() - t;
  // Warm-up: the first forward pass of a TF.js/ONNX graph compiles kernels; that is load cost.
  await model.embedTexts(titles.slice(0, 16));
  t = performance.now();
  const vectors = await model.embedTexts(titles);
  const embedMs = performance.now() - t;
  await model.dispose?.();
  return { name, loadMs, embedMs, ...quality(vectors, model.dim, types) };
}

await runCli(async (argv) => {
  const { values } = parseFlags(argv, { n: { type: "string" } });
  const n = parseIntegerFlag("n", values.n, 10) ?? 1200;
  const config = resolveConfig();
  const labelsPath = join(config.dataDir, "myntra_footwear", "labels.csv");
  if (!existsSync(labelsPath)) {
    throw new Error(`no Myntra labels at ${labelsPath}; set SETSIM_DATA_DIR (e.g. /work/shared/data)`);
  }
  const { all, titles, types } = loadSample(labelsPath, n);
  const rows: Row[] = [];
  rows.push(await measure("tfidf (baseline)", () => Promise.resolve(fitTfidf(all)), titles, types));
  rows.push(await measure("use", () => loadTextModel("use"), titles, types));
  if (existsSync(join(config.modelsDir, ...DEFAULT_CLIP_ID.split("/"), "onnx", "text_model.onnx"))) {
    rows.push(
      await measure(
        `clip:${DEFAULT_CLIP_ID}`,
        () => loadTextModel(`clip:${DEFAULT_CLIP_ID}`, { allowRemote: false }),
        titles,
        types,
      ),
    );
  } else {
    console.log(`(clip:${DEFAULT_CLIP_ID} skipped: not in ${config.modelsDir})`);
  }

  const base = rows[0];
  const typeCounts = new Map<string, number>();
  for (const type of types) typeCounts.set(type, (typeCounts.get(type) ?? 0) + 1);
  const chance = [...typeCounts.values()].reduce((s, c) => s + (c / n) * ((c - 1) / (n - 1)), 0);
  const header = `${n} Myntra footwear titles, ${typeCounts.size} article types`;
  console.log(`${header}; 1-NN accuracy by chance ≈ ${chance.toFixed(3)}`);
  console.log(
    "model".padEnd(44) + "load/fit ms".padStart(12) + "embed ms".padStart(10) + "texts/s".padStart(9) +
      "time×base".padStart(10) + "1-NN acc".padStart(9) + "margin".padStart(8),
  );
  for (const r of rows) {
    console.log(
      r.name.padEnd(44) + r.loadMs.toFixed(0).padStart(12) + r.embedMs.toFixed(0).padStart(10) +
        (n / (r.embedMs / 1000)).toFixed(0).padStart(9) + (r.embedMs / base.embedMs).toFixed(1).padStart(10) +
        r.accuracy.toFixed(3).padStart(9) + r.margin.toFixed(3).padStart(8),
    );
  }
});
