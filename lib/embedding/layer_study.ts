/**
 * The layer study's protocol (`bench/embedding-layers.ts`), shared by every comparison of
 * embedding models by retrieval quality (the int8 model in `bench/embedding.ts` too).
 *
 * Per dataset, every image is a query against all others, ranked by cosine:
 * - Recall@1 = fraction of queries whose nearest other image has the query's label;
 * - mAP = mean over queries of average precision, AP = (1/R) Σ_k P@k · rel(k) over the ranking of
 *   the N − 1 other images, R = number of other images with the label.
 *
 * Samples: COIL-100 views `coilStep`·5° apart (label: object id), Grocery Store val + test, every
 * `groceryStep`-th image (label: fine class). Queries without another image of their label are
 * skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leaveOneOutRetrieval } from "./layer_study.ts";
 * const rows = new Float32Array([1, 0, 0.9, Math.sqrt(1 - 0.81), 0, 1, 0.1, Math.sqrt(0.99)]);
 * const m = leaveOneOutRetrieval(rows, 2, ["a", "a", "b", "b"]);
 * // Each row's nearest other row has its label (cosine 0.9 within a, 0.99 within b).
 * assert.deepEqual([m.recallAt1, m.mAP], [1, 1]);
 * ```
 * @module
 */

import { join } from "node:path";
import { parseCsv } from "../io/csv.ts";

/** One dataset of the study: image paths and their labels. */
export interface StudyDataset {
  name: "coil100" | "grocery_store";
  /** Which label column. */
  label: string;
  paths: string[];
  labels: string[];
  /** The sample step it was drawn with. */
  step: number;
}

/** The study's two samples (defaults: the main sample, every 4th COIL view, every grocery image). */
export async function studyDatasets(dataDir: string, coilStep = 4, groceryStep = 1): Promise<StudyDataset[]> {
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
      step: coilStep,
    },
    {
      name: "grocery_store",
      label: "fine_class",
      paths: grocery.map((r) => join(dataDir, "grocery_store", r.path)),
      labels: grocery.map((r) => r.fine_class_id),
      step: groceryStep,
    },
  ];
}

/** Recall@1 and mAP of leave-one-out retrieval by cosine (rows must be L2-normalised). */
export function leaveOneOutRetrieval(
  data: Float32Array,
  dim: number,
  labels: string[],
): { recallAt1: number; mAP: number; queries: number } {
  const n = labels.length;
  if (data.length !== n * dim) throw new RangeError(`${data.length} values for ${n} labels of dim ${dim}`);
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
