/**
 * Read the TF.js models that the npm package `nsfwjs` ships: `model.min.js` (a UMD bundle
 * whose export is the `model.json` object) and `group1-shard*.min.js` (UMD bundles exporting
 * the weight bytes as base64), then dequantize the weights.
 *
 * TF.js uint8 quantization stores `q ∈ {0..255}` per value with a per-tensor `min` and
 * `scale`; the float is `q · scale + min` (tfjs-core `io.decodeWeights`).
 * @module
 */

import { join } from "node:path";
import { PROJECT_ROOT } from "../../config/mod.ts";

/** One entry of a TF.js weights manifest. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min?: number; scale?: number; dtype: string };
}

/** A TF.js model as nsfwjs ships it. */
export interface TfjsModelArtifacts {
  /** Keras `model_config` (layers model) or GraphDef-like `{ node: [...] }` (graph model). */
  // deno-lint-ignore no-explicit-any
  modelTopology: any;
  format: "layers-model" | "graph-model";
  weightSpecs: WeightSpec[];
  /** The raw (still quantized) weight bytes, shards concatenated in manifest order. */
  weightData: Uint8Array;
  /** The files read, in order (for hashing). */
  files: string[];
}

/** A dequantized weight tensor. */
export interface Weight {
  shape: number[];
  data: Float32Array;
  /** The uint8 levels it was stored with (`data[i] = q · scale + min`), if it was quantized. */
  levels?: { scale: number; min: number };
}

/** Folder holding nsfwjs's bundled models. */
export const NSFWJS_MODELS_DIR = join(PROJECT_ROOT, "node_modules", "nsfwjs", "dist", "models");

/** The model folders nsfwjs ships. */
export type NsfwjsModel = "mobilenet_v2" | "mobilenet_v2_mid" | "inception_v3";

function evaluateUmd(source: string, file: string): unknown {
  const module = { exports: {} as unknown };
  try {
    // The bundles are plain UMD wrappers around a literal; evaluating them with a local
    // `module` object is how nsfwjs itself consumes them (via `import()`).
    new Function("module", "exports", source)(module, module.exports);
  } catch (error) {
    throw new Error(`cannot evaluate ${file}: ${(error as Error).message}`);
  }
  return module.exports;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Load a model's topology and raw weights from nsfwjs's package folder. */
export async function readNsfwjsModel(
  model: NsfwjsModel,
  dir = NSFWJS_MODELS_DIR,
): Promise<TfjsModelArtifacts> {
  const modelFile = join(dir, model, "model.min.js");
  let source: string;
  try {
    source = await Deno.readTextFile(modelFile);
  } catch (error) {
    throw new Error(
      `cannot read ${modelFile} (${(error as Error).message}); is the npm package nsfwjs installed?`,
    );
  }
  // deno-lint-ignore no-explicit-any
  const json = evaluateUmd(source, modelFile) as any;
  if (!json?.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${modelFile} does not export a TF.js model.json (modelTopology + weightsManifest)`);
  }
  const weightSpecs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  const files = [modelFile];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths as string[]) {
      const shardFile = join(dir, model, `${path}.min.js`);
      files.push(shardFile);
      const shard = evaluateUmd(await Deno.readTextFile(shardFile), shardFile);
      if (typeof shard !== "string") throw new Error(`${shardFile} does not export a base64 string`);
      chunks.push(decodeBase64(shard));
    }
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    weightData.set(c, offset);
    offset += c.length;
  }
  const format = json.modelTopology.model_config ? "layers-model" : "graph-model";
  return { modelTopology: json.modelTopology, format, weightSpecs, weightData, files };
}

/** Dequantize all weights into float32 tensors, keyed by name. */
export function decodeWeights(artifacts: TfjsModelArtifacts): Map<string, Weight> {
  const out = new Map<string, Weight>();
  let offset = 0;
  const bytes = artifacts.weightData;
  for (const spec of artifacts.weightSpecs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const q = spec.quantization;
    const data = new Float32Array(count);
    if (q === undefined) {
      if (spec.dtype !== "float32") throw new Error(`weight ${spec.name}: unsupported dtype ${spec.dtype}`);
      const copy = bytes.slice(offset, offset + count * 4);
      data.set(new Float32Array(copy.buffer));
      offset += count * 4;
    } else if (q.dtype === "uint8" && q.min !== undefined && q.scale !== undefined) {
      for (let i = 0; i < count; i++) data[i] = bytes[offset + i] * q.scale + q.min;
      offset += count;
    } else {
      throw new Error(`weight ${spec.name}: unsupported quantization ${JSON.stringify(q)}`);
    }
    if (offset > bytes.length) throw new Error(`weight ${spec.name} runs past the end of the weight data`);
    out.set(
      spec.name,
      q === undefined
        ? { shape: spec.shape, data }
        : { shape: spec.shape, data, levels: { scale: q.scale!, min: q.min! } },
    );
  }
  if (offset !== bytes.length) {
    throw new Error(`weights manifest covers ${offset} bytes but the shards hold ${bytes.length}`);
  }
  return out;
}
