/**
 * CLIP image and text towers through transformers.js, vectors in one joint space.
 *
 * Loads any CLIP checkpoint in the transformers.js layout — by default from
 * `<modelsDir>/<id>/…`, else from the Hugging Face Hub — with exactly the calls a Hub user makes:
 * `AutoProcessor` + `CLIPVisionModelWithProjection` for images, `AutoTokenizer` +
 * `CLIPTextModelWithProjection` for texts. Images enter as {@link PreprocessedImage} pixels
 * wrapped in a `RawImage`, so the model's own processor does its resize (shortest edge),
 * centre crop, rescale and mean/std normalisation; setsim's preprocessing only decodes to sRGB.
 *
 * Downloads from the Hub are cached by transformers.js into `modelsDir` (`cache_dir`), which is
 * the same layout it reads local models from: after one online load the model works offline.
 *
 * Vectors are `image_embeds` / `text_embeds` (the projected embeddings CLIP's contrastive loss
 * compares), L2-normalised, so an image vector and a text vector of the same checkpoint are
 * directly comparable by dot product.
 *
 * Reference: Radford et al., "Learning Transferable Visual Models From Natural Language
 * Supervision", ICML 2021 (arXiv:2103.00020).
 *
 * @example (needs the CLIP weights, which the doc tests cannot download)
 * ```ts ignore
 * import { loadClipImageModel, loadClipTextModel } from "./mod.ts";
 * const images = await loadClipImageModel("Xenova/clip-vit-base-patch32");
 * const texts = await loadClipTextModel("Xenova/clip-vit-base-patch32");
 * const pixel = { data: new Uint8Array(64 * 64 * 3).fill(200), width: 64, height: 64, channels: 3 as const };
 * const [image, caption] = [await images.embedImages([pixel]), await texts.embedTexts(["a white square"])];
 * console.log(image.reduce((s, v, i) => s + v * caption[i], 0)); // cosine similarity
 * ```
 * @module
 */

import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import {
  AutoProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  env as transformersEnv,
  RawImage,
} from "@huggingface/transformers";
import { resolveConfig } from "../../config/mod.ts";
import { sha256Parts } from "../../io/hash.ts";
import type { ImageEmbeddingModel, PreprocessedImage, TextEmbeddingModel } from "../model.ts";
import { l2NormalizeRows } from "../normalize.ts";
import { assertTextBatch, describe } from "../text/rows.ts";

export type { ImageEmbeddingModel, PreprocessedImage, TextEmbeddingModel } from "../model.ts";

// Deno has the Web Cache API, so transformers.js would keep Hub downloads in Deno's origin
// storage, where setsim can neither hash them for the fingerprint nor list them as available
// offline. With the browser cache off it uses its file cache, which we point at modelsDir.
transformersEnv.useBrowserCache = false;

/** The CLIP checkpoint the README recommends. */
export const DEFAULT_CLIP_ID = "Xenova/clip-vit-base-patch32";

/**
 * Models that need no download, listed when a CLIP model cannot be loaded. The image names come
 * from the image registry in `lib/embedding`; pass `offlineModels` to list its current names.
 */
export const DEFAULT_OFFLINE_MODELS: readonly string[] = [
  "mobilenet-v2 (image, and its variants in the image registry)",
  "use (text)",
  "tfidf (text)",
];

/** ONNX weight precisions transformers.js can select by file-name suffix. */
export type ClipDtype = "fp32" | "fp16" | "q8" | "int8" | "uint8" | "q4" | "q4f16" | "bnb4";

const DTYPE_SUFFIX: Record<ClipDtype, string> = {
  fp32: "",
  fp16: "_fp16",
  q8: "_quantized",
  int8: "_int8",
  uint8: "_uint8",
  q4: "_q4",
  q4f16: "_q4f16",
  bnb4: "_bnb4",
};

/** Options of {@link loadClipImageModel} and {@link loadClipTextModel}. */
export interface ClipOptions {
  /** Folder with local models in the transformers.js layout. Default `resolveConfig().modelsDir`. */
  modelsDir?: string;
  /**
   * Whether a model missing from `modelsDir` may be downloaded from the Hub (and cached into
   * `modelsDir`). Default `true`; `false` never touches the network.
   */
  allowRemote?: boolean;
  /** Weight precision (selects `onnx/<tower>_model<suffix>.onnx`). Default `"fp32"`. */
  dtype?: ClipDtype;
  /** Images or texts per forward pass; results do not depend on it. Default 16 images / 64 texts. */
  batchSize?: number;
  /** Names listed as available offline in errors. Default {@link DEFAULT_OFFLINE_MODELS}. */
  offlineModels?: readonly string[];
}

/** Raised when a model can be found neither locally nor on the Hub; lists what works offline. */
export class ModelUnavailableError extends Error {
  /** Model names usable without a network. */
  readonly available: readonly string[];

  /**
   * Build the error; loaders create it, callers only read it.
   *
   * @param message what failed and why, ending with the offline list.
   * @param available model names usable without a network.
   * @param options `cause`: the underlying loader or network error.
   */
  constructor(message: string, available: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.name = "ModelUnavailableError";
    this.available = available;
  }
}

type Tower = "vision" | "text";

interface ResolvedSource {
  id: string;
  modelsDir: string;
  dir: string;
  dtype: ClipDtype;
  /** Whether every file this tower needs is under `dir`. */
  local: boolean;
  /** Files this tower needs that are not under `dir` (relative paths). */
  missing: string[];
  allowRemote: boolean;
  /** Whether the id is a folder path rather than a Hub id. */
  isPath: boolean;
  offlineModels: readonly string[];
}

/** Files one tower needs, relative to the model folder. */
function towerFiles(tower: Tower, dtype: ClipDtype): string[] {
  const onnx = `onnx/${tower}_model${DTYPE_SUFFIX[dtype]}.onnx`;
  return tower === "vision"
    ? ["config.json", "preprocessor_config.json", onnx]
    : ["config.json", "tokenizer.json", "tokenizer_config.json", onnx];
}

function resolveSource(id: unknown, options: ClipOptions, tower: Tower): ResolvedSource {
  if (typeof id !== "string" || id.trim() === "" || /\s/.test(id) || id.includes("..")) {
    throw new TypeError(
      `CLIP model id must be a Hub id like "${DEFAULT_CLIP_ID}" or a folder path ("/…", "./…"), ` +
        `without spaces or "..", got ${describe(id)}`,
    );
  }
  const dtype = options.dtype ?? "fp32";
  if (!(dtype in DTYPE_SUFFIX)) {
    throw new RangeError(
      `options.dtype must be one of ${Object.keys(DTYPE_SUFFIX).join(", ")}, got ${describe(dtype)}`,
    );
  }
  const modelsDir = resolve(options.modelsDir ?? resolveConfig().modelsDir);
  // A folder path ("/…", "./…") names a local copy directly; anything else is a Hub id.
  const isPath = isAbsolute(id) || id.startsWith("./");
  const dir = isPath ? resolve(id) : join(modelsDir, ...id.split("/"));
  // A folder may hold only one tower's files (e.g. after loading just the image tower from the
  // Hub); the other tower then still comes from the Hub, which reuses the files already cached.
  const missing = towerFiles(tower, dtype).filter((file) => !existsSync(join(dir, file)));
  return {
    id,
    modelsDir,
    dir,
    dtype,
    local: missing.length === 0,
    missing,
    allowRemote: !isPath && (options.allowRemote ?? true),
    isPath,
    offlineModels: options.offlineModels ?? DEFAULT_OFFLINE_MODELS,
  };
}

/**
 * CLIP checkpoints present under `modelsDir` (folders `<owner>/<name>` or `<name>` whose
 * `config.json` says `model_type: "clip"`), as ids for {@link loadClipImageModel}.
 */
export async function listLocalClipModels(modelsDir: string): Promise<string[]> {
  const found: string[] = [];
  const isClip = async (dir: string) => {
    try {
      const config = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
      return config?.model_type === "clip";
    } catch {
      return false;
    }
  };
  const subdirs = async (dir: string) => {
    try {
      return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  };
  for (const owner of (await subdirs(modelsDir)).sort()) {
    if (await isClip(join(modelsDir, owner))) found.push(owner);
    for (const name of (await subdirs(join(modelsDir, owner))).sort()) {
      if (await isClip(join(modelsDir, owner, name))) found.push(`${owner}/${name}`);
    }
  }
  return found;
}

async function unavailable(
  source: ResolvedSource,
  reason: string,
  cause?: unknown,
): Promise<ModelUnavailableError> {
  const localClip = (await listLocalClipModels(source.modelsDir)).map((id) =>
    `${id} (CLIP, in ${source.modelsDir})`
  );
  const available = [...source.offlineModels, ...localClip];
  return new ModelUnavailableError(
    `cannot load CLIP model "${source.id}": ${reason}. ` +
      `Available offline: ${available.join(", ")}. ` +
      `To use CLIP offline, load it once on a machine with Hub access (files are cached into ` +
      `modelsDir) or copy the Hub repository's files to ${source.dir}.`,
    available,
    { cause },
  );
}

/**
 * Run a transformers.js loader, turning "not here and no Hub" into {@link ModelUnavailableError}.
 *
 * A local copy is loaded by its folder path (transformers.js treats a path that is not a Hub id
 * as a model folder); otherwise the Hub id is used with `cache_dir = modelsDir`, which stores the
 * downloaded files as `<modelsDir>/<id>/…`, i.e. as a local copy for the next load.
 */
async function loadWith<T>(
  source: ResolvedSource,
  what: string,
  load: (pathOrId: string, options: object) => Promise<T>,
): Promise<T> {
  if (!source.local && !source.allowRemote) {
    throw await unavailable(
      source,
      source.isPath
        ? `${localState(source)} (a folder path is never looked up on the Hub)`
        : `${localState(source)} and remote loading is disabled (allowRemote: false)`,
    );
  }
  try {
    return source.local
      ? await load(source.dir, { local_files_only: true, dtype: source.dtype })
      : await load(source.id, { cache_dir: source.modelsDir, dtype: source.dtype });
  } catch (error) {
    if (source.local) {
      throw new Error(`cannot load the ${what} of CLIP model "${source.id}" from ${source.dir}: ${error}`, {
        cause: error,
      });
    }
    throw await unavailable(
      source,
      `${localState(source)} and the Hugging Face Hub did not deliver it (${describeError(error)})`,
      error,
    );
  }
}

function localState(source: ResolvedSource): string {
  return existsSync(source.dir)
    ? `the local copy at ${source.dir} lacks ${source.missing.join(", ")}`
    : `no local copy at ${source.dir}`;
}

/** An error's message followed by its causes' messages (a fetch failure hides the reason in `cause`). */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error)) break;
  }
  return parts.join(": ");
}

/** A tower's fingerprint: its configuration, then each file's folder/name and contents (streamed). */
async function hashFiles(paths: string[], extra: unknown): Promise<string> {
  const parts = paths.flatMap((path) => [path.split("/").slice(-2).join("/"), { file: path }]);
  return (await sha256Parts([JSON.stringify(extra), ...parts])).slice(0, 32);
}

/** The ONNX file(s) of a tower: the graph and, for large checkpoints, its external data. */
async function onnxFiles(source: ResolvedSource, tower: Tower): Promise<string[]> {
  const base = `${tower}_model${DTYPE_SUFFIX[source.dtype]}.onnx`;
  const onnxDir = join(source.dir, "onnx");
  const names = await readdir(onnxDir).catch(() => [] as string[]);
  if (!names.includes(base)) {
    throw new Error(
      `CLIP model "${source.id}": expected ${join(onnxDir, base)} after loading, but it is missing`,
    );
  }
  return names.filter((name) => name === base || name.startsWith(`${base}_data`)).sort().map((name) =>
    join(onnxDir, name)
  );
}

async function readConfig(source: ResolvedSource): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(source.dir, "config.json"), "utf8"));
}

function projectionDim(config: Record<string, unknown>, source: ResolvedSource): number {
  const dim = config.projection_dim;
  if (config.model_type !== "clip" || typeof dim !== "number" || !Number.isInteger(dim) || dim < 1) {
    throw new Error(
      `${join(source.dir, "config.json")} is not a CLIP config (need model_type "clip" and an integer ` +
        `projection_dim; got model_type ${describe(config.model_type)}, projection_dim ${describe(dim)})`,
    );
  }
  return dim;
}

function resolveBatchSize(value: number | undefined, fallback: number): number {
  const batchSize = value ?? fallback;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`options.batchSize must be an integer >= 1, got ${describe(value)}`);
  }
  return batchSize;
}

/** Check one image against {@link PreprocessedImage}; name it by index in the error. */
function assertImage(image: unknown, index: number): asserts image is PreprocessedImage {
  const where = `images[${index}]`;
  if (typeof image !== "object" || image === null) {
    throw new TypeError(`${where} must be an object, got ${describe(image)}`);
  }
  const { data, width, height, channels } = image as Record<string, unknown>;
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`${where}.data must be a Uint8Array, got ${describe(data)}`);
  }
  if (typeof width !== "number" || !Number.isInteger(width) || width < 1) {
    throw new RangeError(`${where}.width must be a positive integer, got ${describe(width)}`);
  }
  if (typeof height !== "number" || !Number.isInteger(height) || height < 1) {
    throw new RangeError(`${where}.height must be a positive integer, got ${describe(height)}`);
  }
  if (channels !== 3) throw new RangeError(`${where}.channels must be 3 (RGB), got ${describe(channels)}`);
  if (data.length !== width * height * 3) {
    throw new RangeError(
      `${where}.data has ${data.length} values, expected width*height*3 = ${width * height * 3}`,
    );
  }
}

interface OutputTensor {
  dims: number[];
  data: ArrayLike<number>;
  dispose?: () => void;
}

function readEmbeds(
  output: Record<string, unknown>,
  key: string,
  rows: number,
  dim: number,
  id: string,
): Float32Array {
  const tensor = output[key] as OutputTensor | undefined;
  if (!tensor || !Array.isArray(tensor.dims)) {
    throw new Error(`CLIP model "${id}" returned no "${key}" output (got ${Object.keys(output).join(", ")})`);
  }
  if (tensor.dims.length !== 2 || tensor.dims[0] !== rows || tensor.dims[1] !== dim) {
    throw new Error(`CLIP model "${id}": "${key}" has shape [${tensor.dims}], expected [${rows}, ${dim}]`);
  }
  return Float32Array.from(tensor.data);
}

function disposeAll(values: Record<string, unknown>): void {
  for (const value of Object.values(values)) (value as OutputTensor | undefined)?.dispose?.();
}

/**
 * Run `items` through a tower `batchSize` at a time: `prepare` turns a batch into model inputs,
 * the `<kind>_embeds` output is checked and collected, inputs and outputs are disposed after each
 * batch, and the rows are returned L2-normalised.
 */
async function embedInBatches<T>(
  items: T[],
  tower: { batchSize: number; dim: number; id: string; kind: "image" | "text" },
  prepare: (batch: T[]) => Record<string, unknown> | Promise<Record<string, unknown>>,
  run: (inputs: Record<string, unknown>) => Promise<Record<string, unknown>>,
): Promise<Float32Array> {
  const { batchSize, dim, id, kind } = tower;
  const out = new Float32Array(items.length * dim);
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = items.slice(start, start + batchSize);
    const inputs = await prepare(batch);
    const output = await run(inputs);
    out.set(readEmbeds(output, `${kind}_embeds`, batch.length, dim, id), start * dim);
    disposeAll(inputs);
    disposeAll(output);
  }
  return l2NormalizeRows(out, dim, `CLIP "${id}" ${kind} embeddings`);
}

/**
 * Load CLIP's image tower (`CLIPVisionModelWithProjection` and its processor).
 *
 * @param id Hub id, e.g. {@link DEFAULT_CLIP_ID}, looked up as `<modelsDir>/<id>` first; or the
 *   path of a model folder (`/…` or `./…`), loaded from there only.
 * @param options where models live, whether the Hub may be used, precision, batch size.
 * @throws {ModelUnavailableError} if the model is not local and the Hub is disabled or unreachable.
 */
export async function loadClipImageModel(
  id: string,
  options: ClipOptions = {},
): Promise<ImageEmbeddingModel> {
  const source = resolveSource(id, options, "vision");
  const batchSize = resolveBatchSize(options.batchSize, 16);
  const processor = await loadWith(
    source,
    "image processor",
    (path, o) => AutoProcessor.from_pretrained(path, o),
  );
  const model = await loadWith(
    source,
    "vision tower",
    (path, o) => CLIPVisionModelWithProjection.from_pretrained(path, o),
  );
  const config = await readConfig(source);
  const dim = projectionDim(config, source);
  const processorConfig = JSON.parse(await readFile(join(source.dir, "preprocessor_config.json"), "utf8"));
  const fingerprint = `clip-image-${await hashFiles(await onnxFiles(source, "vision"), {
    id,
    dtype: source.dtype,
    projection_dim: dim,
    vision_config: config.vision_config,
    processor: processorConfig,
  })}`;

  return {
    name: id,
    fingerprint,
    dim,
    async embedImages(images: PreprocessedImage[]): Promise<Float32Array> {
      if (!Array.isArray(images)) throw new TypeError(`images must be an array, got ${describe(images)}`);
      images.forEach(assertImage);
      return await embedInBatches(
        images,
        { batchSize, dim, id, kind: "image" },
        (batch) =>
          processor(
            batch.map((image) =>
              new RawImage(new Uint8ClampedArray(image.data), image.width, image.height, 3)
            ),
          ),
        (inputs) => model(inputs),
      );
    },
    async dispose(): Promise<void> {
      await model.dispose();
    },
  };
}

interface TokenTensor {
  dims: number[];
  data: BigInt64Array;
}

/**
 * Put back the end-of-text token that truncation cut off.
 *
 * transformers.js 4.3.1 truncates a tokenised text after adding BOS and EOS, so a text longer
 * than the context loses its EOS. CLIP pools the text at the EOS position, so without it the
 * vector would come from an arbitrary token. The Python tokenizer truncates the content instead
 * (BOS + first 75 tokens + EOS for OpenAI CLIP); overwriting the last kept token with EOS gives
 * exactly that.
 */
function restoreEndTokens(inputs: Record<string, unknown>, eosId: unknown, maxLength: unknown): void {
  const ids = inputs.input_ids as TokenTensor | undefined;
  const mask = inputs.attention_mask as TokenTensor | undefined;
  if (typeof eosId !== "number" || typeof maxLength !== "number" || !ids || !mask) return;
  const [rows, length] = ids.dims;
  if (length < maxLength) return;
  for (let r = 0; r < rows; r++) {
    let last = -1;
    for (let k = 0; k < length; k++) if (mask.data[r * length + k] !== 0n) last = k;
    if (last === maxLength - 1 && ids.data[r * length + last] !== BigInt(eosId)) {
      ids.data[r * length + last] = BigInt(eosId);
    }
  }
}

/**
 * Load CLIP's text tower (`CLIPTextModelWithProjection` and its tokenizer). Texts longer than the
 * model's context (77 tokens for OpenAI CLIP) are truncated, as CLIP was trained.
 *
 * @param id Hub id, e.g. {@link DEFAULT_CLIP_ID}, looked up as `<modelsDir>/<id>` first; or the
 *   path of a model folder (`/…` or `./…`), loaded from there only.
 * @param options where models live, whether the Hub may be used, precision, batch size.
 * @throws {ModelUnavailableError} if the model is not local and the Hub is disabled or unreachable.
 */
export async function loadClipTextModel(id: string, options: ClipOptions = {}): Promise<TextEmbeddingModel> {
  const source = resolveSource(id, options, "text");
  const batchSize = resolveBatchSize(options.batchSize, 64);
  const tokenizer = await loadWith(source, "tokenizer", (path, o) => AutoTokenizer.from_pretrained(path, o));
  const model = await loadWith(
    source,
    "text tower",
    (path, o) => CLIPTextModelWithProjection.from_pretrained(path, o),
  );
  const config = await readConfig(source);
  const dim = projectionDim(config, source);
  const tokenizerFiles = ["tokenizer.json", "tokenizer_config.json"].map((name) => join(source.dir, name))
    .filter((path) => existsSync(path));
  const fingerprint = `clip-text-${await hashFiles(
    [...(await onnxFiles(source, "text")), ...tokenizerFiles],
    {
      id,
      dtype: source.dtype,
      projection_dim: dim,
      text_config: config.text_config,
    },
  )}`;

  return {
    name: `clip:${id}`,
    fingerprint,
    dim,
    async embedTexts(texts: string[]): Promise<Float32Array> {
      assertTextBatch(texts);
      return await embedInBatches(texts, { batchSize, dim, id, kind: "text" }, (batch) => {
        const inputs = tokenizer(batch, { padding: true, truncation: true });
        restoreEndTokens(inputs, tokenizer.eos_token_id, tokenizer.model_max_length);
        return inputs;
      }, (inputs) => model(inputs));
    },
    async dispose(): Promise<void> {
      await model.dispose();
    },
  };
}
