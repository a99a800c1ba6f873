/**
 * Train a head on frozen embeddings with a set-level contrastive loss.
 *
 * One step: take B training items; for each draw two *disjoint* sets of its images, a query set
 * (a images) and a gallery set (b images) — the positive pair; the other B − 1 items' sets in the
 * batch are the negatives. Sets are scored by the soft Chamfer similarity of the projected images
 * (projection head) or by the cosine of the pooled set vectors (attention head), and the loss is
 * the symmetric InfoNCE over the B × B score matrix. Adam (Kingma & Ba 2015).
 *
 * An epoch is `passes` shuffled passes over the training items. After each epoch the head is
 * scored on the validation items (fixed, seeded query/gallery sets per item; mAP over items, as
 * in evaluation); the best epoch's weights are kept, and training stops after `patience` epochs
 * without improvement.
 *
 * Reproducible: initial weights, item order and set draws come from `createRng(seed, …)`, and the
 * TF.js backend is deterministic for a fixed backend (see `backend.ts`): the same data, options and
 * seed give byte-identical weights.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainHead } from "./train.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * const rows = Array.from({ length: 24 }, (_, i) => [Math.cos(i % 4), Math.sin(i % 4), (i % 3) / 10, 1]);
 * const items = [0, 1, 2, 3].map((c) => ({ id: `c${c}`, rows: [0, 1, 2, 3, 4, 5].map((k) => 4 * k + c) }));
 * const head = await trainHead({ embeddings: embeddingsFromRows(rows), train: items.slice(0, 3), validation: items.slice(3) }, {
 *   head: "projection", outputDim: 2, epochs: 2, a: 2, b: 2, backend: "cpu", progress: false,
 * });
 * assert.equal(head.history.length, 2); // one entry per epoch
 * assert.deepEqual(head.weights.w1.shape, [4, 2]);
 * ```
 * @module
 */

import type * as tfType from "@tensorflow/tfjs";
import { evaluateRanking } from "../evaluation/metrics.ts";
import { createRng, type Rng, shuffle } from "../random/mod.ts";
import { cosineSimilarityMatrix, scoreSetPairs } from "../matching/mod.ts";
import { createProgress } from "../progress/mod.ts";
import type { Embeddings } from "../types.ts";
import { type TrainingBackend, useBackend } from "./backend.ts";
import {
  encodeSetsTf,
  type HeadConfig,
  type HeadKind,
  type HeadWeights,
  infoNceTf,
  initHeadWeights,
  parameterShapes,
  projectTf,
  resolveHeadConfig,
  softChamferTf,
} from "./heads.ts";

/** A training item as rows of the embedding matrix. */
export interface ItemRows {
  id: string;
  rows: number[];
}

/** What {@link trainHead} learns from. */
export interface TrainingData {
  /** Frozen image embeddings (unit rows). */
  embeddings: Embeddings;
  train: ItemRows[];
  /** Items for early stopping (may be empty: then every epoch runs and the last one is kept). */
  validation: ItemRows[];
}

/** Options of {@link trainHead}. */
export interface TrainOptions {
  head: HeadKind;
  /** Output dimension k (default 256). */
  outputDim?: number;
  /** projection: hidden width (default 0 = linear). */
  hidden?: number;
  /** attention: heads (default 4). */
  heads?: number;
  /** Maximum epochs (default 30). */
  epochs?: number;
  /** Stop after this many epochs without a better validation mAP (default 5). */
  patience?: number;
  /** Passes over the training items per epoch (default 8). */
  passes?: number;
  /** Items per batch B (default 32; at most the number of training items). */
  batchItems?: number;
  /** Query / gallery set sizes in training and validation (default 4 / 5). */
  a?: number;
  b?: number;
  /** Adam learning rate (default 1e-3). */
  learningRate?: number;
  /** InfoNCE temperature τ (default 0.05). */
  temperature?: number;
  /** Soft-Chamfer temperature (projection head; default 0.05). */
  chamferTemperature?: number;
  /** Seed of initial weights, item order and set draws (default 0). */
  seed?: number;
  /** TF.js backend (default "wasm"). */
  backend?: TrainingBackend;
  /** Progress on stderr (default true). */
  progress?: boolean;
}

/** One epoch of the training history. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  /** Validation mAP (NaN without validation items). */
  validationMap: number;
  seconds: number;
}

/** A trained head. */
export interface TrainedHead {
  config: HeadConfig;
  weights: HeadWeights;
  history: EpochRecord[];
  /** Epoch whose weights were kept (1-based; 0 = the initial weights scored best). */
  bestEpoch: number;
  /** Validation mAP of the initial (untrained) weights. */
  initialValidationMap: number;
  stoppedEarly: boolean;
  /** Wall-clock training time, validation included. */
  seconds: number;
  backend: TrainingBackend;
  /** Every option that determines the weights, defaults filled in. */
  options: Required<Omit<TrainOptions, "progress">>;
}

function resolveOptions(o: TrainOptions): Required<Omit<TrainOptions, "progress">> {
  const out = {
    head: o.head,
    outputDim: o.outputDim ?? 256,
    hidden: o.hidden ?? 0,
    heads: o.heads ?? 4,
    epochs: o.epochs ?? 30,
    patience: o.patience ?? 5,
    passes: o.passes ?? 8,
    batchItems: o.batchItems ?? 32,
    a: o.a ?? 4,
    b: o.b ?? 5,
    learningRate: o.learningRate ?? 1e-3,
    temperature: o.temperature ?? 0.05,
    chamferTemperature: o.chamferTemperature ?? 0.05,
    seed: o.seed ?? 0,
    backend: o.backend ?? "wasm",
  };
  for (const key of ["epochs", "patience", "passes", "batchItems", "a", "b"] as const) {
    if (!Number.isInteger(out[key]) || out[key] < 1) {
      throw new RangeError(`${key} must be an integer ≥ 1, got ${out[key]}`);
    }
  }
  for (const key of ["learningRate", "temperature", "chamferTemperature"] as const) {
    if (!(out[key] > 0) || !Number.isFinite(out[key])) {
      throw new RangeError(`${key} must be a positive number, got ${out[key]}`);
    }
  }
  if (!Number.isSafeInteger(out.seed) || out.seed < 0) {
    throw new RangeError(`seed must be an integer ≥ 0, got ${out.seed}`);
  }
  return out;
}

function checkData(data: TrainingData): void {
  const { embeddings: e } = data;
  if (e.data.length !== e.count * e.dim) {
    throw new RangeError(`embeddings: ${e.data.length} values for ${e.count} × ${e.dim}`);
  }
  if (data.train.length < 2) {
    throw new RangeError(`training needs ≥ 2 items (negatives), got ${data.train.length}`);
  }
  for (const item of [...data.train, ...data.validation]) {
    if (item.rows.length < 2) {
      throw new RangeError(`item "${item.id}" has ${item.rows.length} image(s); a positive pair needs ≥ 2`);
    }
    for (const r of item.rows) {
      if (!Number.isInteger(r) || r < 0 || r >= e.count) {
        throw new RangeError(`item "${item.id}": row ${r} is outside 0..${e.count - 1}`);
      }
    }
  }
}

/**
 * Split an item's rows into two disjoint sets of exactly `a` and `b` rows: a shuffled cut
 * (query side ⌈n·a/(a+b)⌉ rows at most), then, for an item with fewer than a + b images, each side
 * padded by repeating its own rows (so the sides stay disjoint).
 */
export function drawPair(rows: readonly number[], a: number, b: number, rng: Rng): [number[], number[]] {
  const order = shuffle(rows, rng);
  const cut = order.length >= a + b
    ? a
    : Math.max(1, Math.min(order.length - 1, Math.round((order.length * a) / (a + b))));
  const q = order.slice(0, cut), g = order.slice(cut, order.length >= a + b ? a + b : order.length);
  const pad = (side: number[], size: number) => {
    const out = side.slice(0, size);
    for (let i = 0; out.length < size; i++) out.push(side[i % side.length]);
    return out;
  };
  return [pad(q, a), pad(g, b)];
}

/** Fixed validation sets: query and gallery sets with the item each shows. */
export interface ValidationSets {
  query: number[][];
  gallery: number[][];
  /** Item index of each query set / gallery set (relevant ⇔ equal). */
  queryItem: number[];
  galleryItem: number[];
}

/**
 * Validation sets (seeded, the same for every training seed): per item, up to `pairs` disjoint
 * query/gallery pairs of `a` and `b` images; an item with fewer than a + b images gives one pair
 * cut in half. Every query is ranked against every gallery set; relevant = same item.
 */
export function validationSets(items: readonly ItemRows[], a: number, b: number, pairs = 4): ValidationSets {
  const rng = createRng(0, "learning:validation-sets");
  const out: ValidationSets = { query: [], gallery: [], queryItem: [], galleryItem: [] };
  items.forEach((item, index) => {
    const order = shuffle(item.rows, rng);
    const n = Math.max(1, Math.min(pairs, Math.floor(order.length / (a + b))));
    for (let k = 0; k < n; k++) {
      const chunk = order.length >= a + b ? order.slice(k * (a + b), (k + 1) * (a + b)) : order;
      const nq = chunk.length >= a + b ? a : Math.max(1, Math.floor(chunk.length / 2));
      out.query.push(chunk.slice(0, nq));
      out.gallery.push(chunk.slice(nq));
      out.queryItem.push(index);
      out.galleryItem.push(index);
    }
  });
  return out;
}

type Tf = typeof tfType;

/** Score validation sets with the current weights: mAP over items (one relevant gallery set each). */
async function validationMap(
  tf: Tf,
  config: HeadConfig,
  vars: Record<string, tfType.Tensor>,
  E: tfType.Tensor2D,
  sets: ValidationSets,
): Promise<number> {
  const n = sets.query.length;
  if (new Set(sets.queryItem).size < 2) return NaN;
  let scores: Float64Array;
  const gather = (rows: number[]) => tf.gather(E, rows);
  if (config.kind === "projection") {
    const all = [...new Set([...sets.query.flat(), ...sets.gallery.flat()])].sort((x, y) => x - y);
    const at = new Map(all.map((r, i) => [r, i]));
    const projected = tf.tidy(() => projectTf(tf, vars, gather(all)));
    const data32 = new Float32Array(await projected.data());
    projected.dispose();
    const P: Embeddings = { data: data32, count: all.length, dim: config.outputDim };
    const remap = (s: number[][]) => s.map((set) => set.map((r) => at.get(r)!));
    scores = scoreSetPairs({
      similarity: cosineSimilarityMatrix(P, P),
      querySets: remap(sets.query),
      gallerySets: remap(sets.gallery),
    }, { method: "chamfer" }).data;
  } else {
    const encode = async (list: number[][]) => {
      const out: Float32Array[] = [];
      for (const set of list) {
        const z = tf.tidy(() => encodeSetsTf(tf, vars, tf.expandDims(gather(set), 0), config.heads));
        out.push(new Float32Array(await z.data()));
        z.dispose();
      }
      return out;
    };
    const zq = await encode(sets.query), zg = await encode(sets.gallery);
    scores = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let c = 0; c < config.outputDim; c++) dot += zq[i][c] * zg[j][c];
        scores[i * n + j] = dot;
      }
    }
  }
  const relevant = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) relevant[i * n + j] = sets.queryItem[i] === sets.galleryItem[j] ? 1 : 0;
  }
  return evaluateRanking({ scores, relevant, nQuery: n, nGallery: n }, { seed: 0, bootstrap: 0 }).map;
}

async function readWeights(config: HeadConfig, vars: Record<string, tfType.Variable>): Promise<HeadWeights> {
  const out: HeadWeights = {};
  for (const [name, shape] of parameterShapes(config)) {
    out[name] = { shape, data: new Float32Array(await vars[name].data()) };
  }
  return out;
}

/** Train a projection or attention head (see the module documentation). */
export async function trainHead(data: TrainingData, options: TrainOptions): Promise<TrainedHead> {
  const o = resolveOptions(options);
  checkData(data);
  const config = resolveHeadConfig({
    kind: o.head,
    inputDim: data.embeddings.dim,
    outputDim: o.outputDim,
    hidden: o.hidden,
    heads: o.heads,
  });
  const tf = await useBackend(o.backend);
  const started = performance.now();
  const init = initHeadWeights(config, o.seed);
  const vars: Record<string, tfType.Variable> = {};
  for (const [name, w] of Object.entries(init)) {
    vars[name] = tf.variable(tf.tensor(w.data, w.shape), true, `${name}_${o.seed}_${crypto.randomUUID()}`);
  }
  const optimizer = tf.train.adam(o.learningRate);
  const E = tf.tensor2d(data.embeddings.data, [data.embeddings.count, data.embeddings.dim]);
  const rng = createRng(o.seed, "learning:batches");
  const B = Math.min(o.batchItems, data.train.length);
  const vSets = validationSets(data.validation, o.a, o.b);
  const progress = createProgress({
    label: `train ${o.head}`,
    total: o.epochs,
    silent: options.progress === false,
    plainIntervalMs: 0,
  });

  const lossOf = (queryRows: Int32Array, galleryRows: Int32Array, batch: number): tfType.Scalar => {
    const xq = tf.gather(E, queryRows), xg = tf.gather(E, galleryRows);
    let similarity: tfType.Tensor;
    if (config.kind === "projection") {
      const pq = tf.reshape(projectTf(tf, vars, xq), [batch, o.a, config.outputDim]);
      const pg = tf.reshape(projectTf(tf, vars, xg), [batch, o.b, config.outputDim]);
      similarity = softChamferTf(tf, pq, pg, o.chamferTemperature);
    } else {
      const zq = encodeSetsTf(tf, vars, tf.reshape(xq, [batch, o.a, config.inputDim]), config.heads);
      const zg = encodeSetsTf(tf, vars, tf.reshape(xg, [batch, o.b, config.inputDim]), config.heads);
      similarity = tf.matMul(zq as tfType.Tensor2D, zg as tfType.Tensor2D, false, true);
    }
    return infoNceTf(tf, similarity, o.temperature);
  };

  const history: EpochRecord[] = [];
  let best = { map: -Infinity, epoch: 0, weights: init };
  let stoppedEarly = false;
  try {
    const initialValidationMap = await validationMap(tf, config, vars, E, vSets);
    if (!Number.isNaN(initialValidationMap)) best = { map: initialValidationMap, epoch: 0, weights: init };
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0, steps = 0;
      for (let pass = 0; pass < o.passes; pass++) {
        const order = shuffle(data.train, rng);
        // Full batches only (the last partial one is dropped: a batch of one item has no negative).
        for (let start = 0; start + B <= order.length; start += B) {
          const batch = order.slice(start, start + B);
          const qRows = new Int32Array(B * o.a), gRows = new Int32Array(B * o.b);
          batch.forEach((item, i) => {
            const [q, g] = drawPair(item.rows, o.a, o.b, rng);
            qRows.set(q, i * o.a);
            gRows.set(g, i * o.b);
          });
          const cost = optimizer.minimize(() => lossOf(qRows, gRows, B), true, Object.values(vars));
          if (cost === null) throw new Error("optimizer returned no loss");
          const value = (await cost.data())[0];
          cost.dispose();
          if (!Number.isFinite(value)) {
            throw new Error(`training loss became ${value} at epoch ${epoch}; lower --lr`);
          }
          lossSum += value;
          steps++;
        }
      }
      const vMap = await validationMap(tf, config, vars, E, vSets);
      const record = {
        epoch,
        loss: lossSum / steps,
        validationMap: vMap,
        seconds: (performance.now() - t0) / 1000,
      };
      history.push(record);
      if (Number.isNaN(vMap)) {
        best = { map: NaN, epoch, weights: await readWeights(config, vars) };
      } else if (vMap > best.map + 1e-12) {
        best = { map: vMap, epoch, weights: await readWeights(config, vars) };
      }
      progress.update(
        epoch,
        `loss ${record.loss.toFixed(4)} val mAP ${
          Number.isNaN(vMap) ? "n/a" : vMap.toFixed(4)
        } (best ${best.epoch})`,
      );
      if (!Number.isNaN(vMap) && epoch - best.epoch >= o.patience) {
        stoppedEarly = epoch < o.epochs;
        break;
      }
    }
    progress.done(stoppedEarly ? `stopped early; kept epoch ${best.epoch}` : `kept epoch ${best.epoch}`);
    return {
      config,
      weights: best.weights,
      history,
      bestEpoch: best.epoch,
      initialValidationMap,
      stoppedEarly,
      seconds: (performance.now() - started) / 1000,
      backend: o.backend,
      options: o,
    };
  } finally {
    for (const v of Object.values(vars)) v.dispose();
    optimizer.dispose();
    E.dispose();
  }
}

/** Forward pass of a trained head in TF.js (for checking the ONNX export): per-image or per-set vectors. */
export async function forwardTf(
  config: HeadConfig,
  weights: HeadWeights,
  e: Embeddings,
  backend: TrainingBackend = "cpu",
): Promise<Float32Array> {
  const tf = await useBackend(backend);
  const out = tf.tidy(() => {
    const w = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
    const x = tf.tensor2d(e.data, [e.count, e.dim]);
    return config.kind === "projection"
      ? projectTf(tf, w, x)
      : encodeSetsTf(tf, w, tf.expandDims(x, 0), config.heads);
  });
  const data = new Float32Array(await out.data());
  out.dispose();
  return data;
}
