/**
 * Trained heads on disk: `<modelsDir>/heads/<NAME>/`
 *
 * | file         | what                                                                          |
 * | ------------ | ----------------------------------------------------------------------------- |
 * | `head.onnx`  | the head's own graph (projection: per image; attention: one set → one vector) |
 * | `image.onnx` | the per-image graph `embeddings` [n, d] → `projected` [n, k] (see `onnx.ts`)  |
 * | `head.json`  | the manifest: configuration, base model + fingerprint, protocol, seed, backend, history, hashes |
 *
 * The three files are written together or not at all: into a temporary sibling folder, which is
 * then renamed into place (a previous head of the same name is replaced only after that succeeded).
 * `image.onnx` is what `--model mobilenet-v2+head:NAME` loads (`lib/embedding/registry.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadHead, saveHead } from "./store.ts";
 * import { trainHead } from "./train.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * const rows = Array.from({ length: 24 }, (_, i) => [Math.cos(i % 4), Math.sin(i % 4), (i % 3) / 10, 1]);
 * const items = [0, 1, 2, 3].map((c) => ({ id: `c${c}`, rows: [0, 1, 2, 3, 4, 5].map((k) => 4 * k + c) }));
 * const trained = await trainHead({ embeddings: embeddingsFromRows(rows), train: items.slice(0, 3), validation: items.slice(3) }, {
 *   head: "projection", outputDim: 2, epochs: 2, a: 2, b: 2, backend: "cpu", progress: false,
 * });
 * const modelsDir = await Deno.makeTempDir();
 * const provenance = { baseModel: "toy", baseFingerprint: "toy", dataset: "toy", protocol: "toy" };
 * const { dir } = await saveHead("toy-proj", trained, provenance, { modelsDir });
 * assert.equal(dir, `${modelsDir}/heads/toy-proj`);
 * const { manifest } = await loadHead("toy-proj", { modelsDir });
 * assert.deepEqual([manifest.kind, manifest.config.inputDim, manifest.config.outputDim], ["projection", 4, 2]);
 * // A replaced graph no longer matches the hash in head.json: loading refuses it.
 * await Deno.writeFile(`${dir}/head.onnx`, new Uint8Array([1, 2, 3]));
 * await assert.rejects(loadHead("toy-proj", { modelsDir }), /does not match the hash/);
 * ```
 * @module
 */

import { join } from "node:path";
import { resolveConfig } from "../config/mod.ts";
import { sha256Hex } from "../io/mod.ts";
import { type HeadConfig, type HeadWeights, parameterShapes } from "./heads.ts";
import { headToImageOnnx, headToOnnx } from "./onnx.ts";
import type { EpochRecord, TrainedHead } from "./train.ts";

/** Valid head names (they become folder names and part of model names). */
export const HEAD_NAME_PATTERN: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** What `head.json` holds. */
export interface HeadManifest {
  name: string;
  kind: HeadConfig["kind"];
  config: HeadConfig;
  /** Image model the head was trained on, and its fingerprint (model + preprocessing). */
  baseModel: string;
  baseFingerprint: string;
  dataset: string;
  protocol: string;
  seed: number;
  backend: string;
  bestEpoch: number;
  stoppedEarly: boolean;
  initialValidationMap: number | null;
  history: EpochRecord[];
  trainingSeconds: number;
  /** SHA-256 of the weights (float32 little-endian, parameters in their fixed order). */
  weightsSha256: string;
  headOnnxSha256: string;
  imageOnnxSha256: string;
  options: Record<string, unknown>;
  /** Free-form facts about the training data (item counts, split parameters). */
  data: Record<string, unknown>;
  createdAt: string;
}

/** Where the training came from. */
export interface HeadProvenance {
  baseModel: string;
  baseFingerprint: string;
  dataset: string;
  protocol: string;
  data?: Record<string, unknown>;
}

/** Check a head name, naming the rule. */
export function checkHeadName(name: string): string {
  if (typeof name !== "string" || !HEAD_NAME_PATTERN.test(name)) {
    throw new RangeError(
      `invalid head name ${
        JSON.stringify(name)
      }: use letters, digits, '.', '_' or '-' (starting with a letter or digit)`,
    );
  }
  return name;
}

/** The folder of a head. */
export function headDir(name: string, modelsDir: string = resolveConfig().modelsDir): string {
  return join(modelsDir, "heads", checkHeadName(name));
}

/** SHA-256 of a head's weights, parameters in their fixed order (equal ⇔ byte-identical weights). */
export async function weightsSha256(config: HeadConfig, weights: HeadWeights): Promise<string> {
  const parts = parameterShapes(config).map(([name]) => weights[name].data);
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  return await sha256Hex(bytes);
}

const nullIfNaN = (v: number) => (Number.isNaN(v) ? null : v);

/** Save a trained head (all files together); returns its folder and manifest. */
export async function saveHead(
  name: string,
  trained: TrainedHead,
  provenance: HeadProvenance,
  options: { modelsDir?: string } = {},
): Promise<{ dir: string; manifest: HeadManifest }> {
  const dir = headDir(name, options.modelsDir);
  const meta = {
    name,
    baseModel: provenance.baseModel,
    protocol: provenance.protocol,
    seed: String(trained.options.seed),
  };
  const head = headToOnnx(trained.config, trained.weights, meta);
  const image = headToImageOnnx(trained.config, trained.weights, meta);
  const manifest: HeadManifest = {
    name,
    kind: trained.config.kind,
    config: trained.config,
    baseModel: provenance.baseModel,
    baseFingerprint: provenance.baseFingerprint,
    dataset: provenance.dataset,
    protocol: provenance.protocol,
    seed: trained.options.seed,
    backend: trained.backend,
    bestEpoch: trained.bestEpoch,
    stoppedEarly: trained.stoppedEarly,
    initialValidationMap: nullIfNaN(trained.initialValidationMap),
    history: trained.history.map((h) => ({ ...h, validationMap: nullIfNaN(h.validationMap) as number })),
    trainingSeconds: trained.seconds,
    weightsSha256: await weightsSha256(trained.config, trained.weights),
    headOnnxSha256: await sha256Hex(head),
    imageOnnxSha256: await sha256Hex(image),
    options: trained.options,
    data: provenance.data ?? {},
    createdAt: new Date().toISOString(),
  };
  const parent = join(dir, "..");
  await Deno.mkdir(parent, { recursive: true });
  const temp = join(parent, `.${name}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  const old = `${temp}.old`;
  try {
    await Deno.mkdir(temp);
    await Deno.writeFile(join(temp, "head.onnx"), head);
    await Deno.writeFile(join(temp, "image.onnx"), image);
    await Deno.writeTextFile(join(temp, "head.json"), JSON.stringify(manifest, null, 2) + "\n");
    let replaced = false;
    try {
      await Deno.rename(dir, old);
      replaced = true;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    try {
      await Deno.rename(temp, dir);
    } catch (error) {
      if (replaced) await Deno.rename(old, dir);
      throw error;
    }
    if (replaced) await Deno.remove(old, { recursive: true });
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
  return { dir, manifest };
}

/** Names of the saved heads. */
export async function listHeads(modelsDir: string = resolveConfig().modelsDir): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(join(modelsDir, "heads"))) {
      if (entry.isDirectory && HEAD_NAME_PATTERN.test(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** Load a head's manifest and graph (`head.onnx`), checking the file against the manifest's hash. */
export async function loadHead(
  name: string,
  options: { modelsDir?: string } = {},
): Promise<{ dir: string; manifest: HeadManifest; onnx: Uint8Array }> {
  const modelsDir = options.modelsDir ?? resolveConfig().modelsDir;
  const dir = headDir(name, modelsDir);
  let manifest: HeadManifest, onnx: Uint8Array;
  try {
    manifest = JSON.parse(await Deno.readTextFile(join(dir, "head.json")));
    onnx = await Deno.readFile(join(dir, "head.onnx"));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      const have = await listHeads(modelsDir);
      throw new Error(
        `learned head "${name}" not found in ${dir}; train it with \`deno task train … --out ${name}\`` +
          ` (saved heads: ${have.length > 0 ? have.join(", ") : "none"})`,
      );
    }
    throw new Error(`learned head "${name}": cannot read ${dir} (${(error as Error).message})`, {
      cause: error,
    });
  }
  if ((await sha256Hex(onnx)) !== manifest.headOnnxSha256) {
    throw new Error(
      `learned head "${name}": ${
        join(dir, "head.onnx")
      } does not match the hash in head.json (damaged or replaced)`,
    );
  }
  return { dir, manifest, onnx };
}
