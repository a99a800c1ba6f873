/**
 * The image model registry: a name → loader map.
 *
 * | name                                   | what                                                      |
 * | -------------------------------------- | --------------------------------------------------------- |
 * | `mobilenet-v2` (default)               | alias of the best local variant (see `variants.ts`)       |
 * | `mobilenet-v2-pool`, `mobilenet-v2-block10`, … | converted nsfwjs networks, one layer each, offline  |
 * | any name containing `clip`, or `owner/name` | CLIP image tower via transformers.js (`clip/mod.ts`) |
 *
 * An unknown name, a local model that was not built, or a Hub model that is neither local nor
 * reachable gives an error that lists every name usable offline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadImageModel } from "./registry.ts";
 * const model = await loadImageModel("mobilenet-v2");
 * assert.equal(model.dim, 1792); // MobileNetV2-1.4's pooled features
 * await assert.rejects(loadImageModel("no-such-model"), /mobilenet-v2/); // the error lists usable names
 * ```
 * @module
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../config/mod.ts";
import type { ClipDtype } from "./clip/mod.ts";
import type { ImageEmbeddingModel } from "./model.ts";
import { type ImageModelOptions, loadLocalImageModel } from "./local.ts";
import { findVariant, LOCAL_VARIANTS, VARIANT_ALIASES } from "./variants.ts";
import { l2NormalizeRows } from "./normalize.ts";
import { sha256Hex } from "../io/mod.ts";

/** Options for {@link loadImageModel}: local-model settings plus CLIP settings. */
export interface LoadImageModelOptions extends ImageModelOptions {
  /** CLIP only: whether a model missing locally may be fetched from the Hub (default true). */
  allowRemote?: boolean;
  /** CLIP only: weight precision (see `clip/mod.ts`). */
  dtype?: ClipDtype;
  /** CLIP only: images per forward pass. */
  batchSize?: number;
}

/** One registry entry as listed to users. */
export interface ImageModelInfo {
  name: string;
  description: string;
  dim?: number;
  /** Whether it can be loaded now without a network. */
  offline: boolean;
}

/** An image model name the registry does not know (a usage error: exit code 2 in CLIs). */
export class UnknownModelError extends Error {
  override name = "UnknownModelError";
  readonly exitCode = 2;
}

/** Whether `name` is routed to the CLIP loader. */
export function isClipName(name: string): boolean {
  return name.toLowerCase().includes("clip") || /^[\w.-]+\/[\w.-]+$/.test(name);
}

/** Every image model name known locally (built variants, aliases, CLIP checkpoints in modelsDir). */
export async function listImageModels(modelsDir = resolveConfig().modelsDir): Promise<ImageModelInfo[]> {
  const built = (name: string) => existsSync(join(modelsDir, name, "onnx", "model.onnx"));
  const out: ImageModelInfo[] = [];
  for (const [alias, target] of Object.entries(VARIANT_ALIASES)) {
    const v = findVariant(target)!;
    out.push({
      name: alias,
      description: `default; = ${target}: ${v.description}`,
      dim: v.dim,
      offline: built(target),
    });
  }
  for (const v of LOCAL_VARIANTS) {
    out.push({ name: v.name, description: v.description, dim: v.dim, offline: built(v.name) });
  }
  try {
    const { listLocalClipModels } = await import("./clip/mod.ts");
    for (const id of await listLocalClipModels(modelsDir)) {
      out.push({ name: id, description: "CLIP image tower (local copy)", offline: true });
    }
  } catch {
    // The CLIP module is optional for listing; loading a CLIP name reports its own errors.
  }
  return out;
}

/** Human-readable list of what loads offline, for error messages. */
export async function describeOfflineModels(modelsDir?: string): Promise<string> {
  const models = (await listImageModels(modelsDir)).filter((m) => m.offline);
  if (models.length === 0) return "none are built yet: run `deno task setup`";
  return models.map((m) => m.name).join(", ");
}

/**
 * Load an image embedding model by registry name or Hub id.
 *
 * @param name default `resolveConfig().model` (`SETSIM_MODEL`, else "mobilenet-v2").
 * @throws {Error} for an unknown name or an unavailable model; the message lists offline names.
 */
export async function loadImageModel(
  name: string = resolveConfig().model,
  options: LoadImageModelOptions = {},
): Promise<ImageEmbeddingModel> {
  const modelsDir = options.modelsDir ?? resolveConfig().modelsDir;
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError(`image model name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  const head = /^(.+)\+head:([A-Za-z0-9][\w.-]*)$/.exec(name);
  if (head !== null) return await loadWithHead(await loadImageModel(head[1], options), head[2], modelsDir);
  const variant = findVariant(name);
  if (variant !== undefined) {
    try {
      return await loadLocalImageModel(variant, name, { ...options, modelsDir });
    } catch (error) {
      throw new Error(
        `${(error as Error).message}. Available offline: ${await describeOfflineModels(modelsDir)}`,
        { cause: error },
      );
    }
  }
  if (isClipName(name)) {
    const clip = await import("./clip/mod.ts");
    const offline = await describeOfflineModels(modelsDir);
    try {
      return await clip.loadClipImageModel(name, {
        modelsDir,
        allowRemote: options.allowRemote,
        dtype: options.dtype,
        batchSize: options.batchSize,
        offlineModels: offline.split(", "),
      });
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(
        message.includes(offline)
          ? message
          : `cannot load image model "${name}": ${message}. Available offline: ${offline}`,
        { cause: error },
      );
    }
  }
  throw new UnknownModelError(
    `unknown image model "${name}". Available offline: ${await describeOfflineModels(modelsDir)}`,
  );
}

/**
 * `<base>+head:<NAME>`: the base model's vectors mapped by a head trained with `deno task train`
 * (lib/learning), whose per-image graph `<modelsDir>/heads/<NAME>/image.onnx` ([n, d] → [n, k]) runs
 * on onnxruntime. `head.json` names the base fingerprint the head was trained on; another base is refused.
 */
async function loadWithHead(
  base: ImageEmbeddingModel,
  headName: string,
  modelsDir: string,
): Promise<ImageEmbeddingModel> {
  const dir = join(modelsDir, "heads", headName);
  let manifest: { baseFingerprint: string; config: { inputDim: number; outputDim: number } },
    onnx: Uint8Array;
  try {
    manifest = JSON.parse(await Deno.readTextFile(join(dir, "head.json")));
    onnx = await Deno.readFile(join(dir, "image.onnx"));
  } catch (error) {
    await base.dispose?.();
    throw new UnknownModelError(
      `learned head "${headName}" is not in ${dir} (${
        (error as Error).message
      }); train it with \`deno task train … --out ${headName}\``,
    );
  }
  if (!manifest.baseFingerprint.startsWith(`${base.fingerprint}|`) || manifest.config.inputDim !== base.dim) {
    await base.dispose?.();
    throw new Error(
      `learned head "${headName}" was trained on other embeddings (${manifest.baseFingerprint}), not on "${base.name}" (${base.fingerprint})`,
    );
  }
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const dim = manifest.config.outputDim;
  return {
    name: `${base.name}+head:${headName}`,
    fingerprint: `${base.fingerprint}|head:${headName}:${(await sha256Hex(onnx)).slice(0, 20)}`,
    dim,
    async embedImages(images) {
      const x = await base.embedImages(images);
      const { projected } = await session.run({
        embeddings: new ort.Tensor("float32", x, [images.length, base.dim]),
      });
      return l2NormalizeRows(
        new Float32Array(projected.data as Float32Array),
        dim,
        `head ${headName} output`,
      );
    },
    async dispose() {
      await session.release();
      await base.dispose?.();
    },
  };
}
