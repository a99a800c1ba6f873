/**
 * Build every {@link LOCAL_VARIANTS} model into `modelsDir/<name>/` in the transformers.js
 * local-model layout:
 *
 * ```
 * <name>/config.json              model_type + setsim fields (layer, dim, source)
 * <name>/preprocessor_config.json the model's own processor (resize, 1/255 rescale)
 * <name>/onnx/model.onnx          the converted network (input pixel_values, output pooler_output)
 * <name>/setsim-stamp.json        what it was built from; a matching stamp means "up to date"
 * ```
 *
 * A quantized variant (`quantization: "int8"`) is its float32 network rewritten by `quantize.ts`
 * with the activation ranges committed in `calibration/<name>.json` (written by
 * `deno task setup --calibrate`, which needs the datasets; building needs only the file).
 *
 * Conversion is deterministic (same nsfwjs files + same converter → same bytes) and skipped
 * when the stamp matches, so running setup before every test run costs a few file reads.
 * @module
 */

import { join } from "node:path";
import { resolveConfig } from "../../config/mod.ts";
import { commitFiles, sha256Hex, writeFileAtomic } from "../../io/mod.ts";
import { encodeModel, type ModelProto } from "../onnx/mod.ts";
import { calibrateRanges, type CalibrationFile } from "./calibrate.ts";
import { convertGraphModel } from "./graph.ts";
import { convertKerasModel } from "./keras.ts";
import { quantizeGraph } from "./quantize.ts";
import { decodeWeights, NSFWJS_MODELS_DIR, type NsfwjsModel, readNsfwjsModel, type Weight } from "./tfjs.ts";
import { LOCAL_VARIANTS, type LocalVariant } from "../variants.ts";

/** Bump when converter output changes; forces a rebuild of every model. */
export const CONVERTER_VERSION = "1";

/** Stamp written next to each converted model. */
export interface ConversionStamp {
  converter: string;
  variant: LocalVariant;
  /** Sizes of the nsfwjs source files (cheap identity check without reading 40 MB). */
  sources: Record<string, number>;
  /** SHA-256 (hex) of onnx/model.onnx. */
  onnxSha256: string;
  onnxBytes: number;
  /** Quantized variants: SHA-256 of the calibration file used. */
  calibrationSha256?: string;
}

/** Where a quantized variant's activation ranges are committed. */
export function calibrationPath(variant: LocalVariant): string {
  return join(import.meta.dirname!, "calibration", `${variant.name}.json`);
}

async function calibrationSha(variant: LocalVariant): Promise<string | undefined> {
  if (variant.quantization === undefined) return undefined;
  return await sha256Hex(await Deno.readFile(calibrationPath(variant)));
}

/** Options for {@link setupModels}. */
export interface SetupOptions {
  modelsDir?: string;
  /** Rebuild even when stamps match. */
  force?: boolean;
  quiet?: boolean;
  /** Only these variant names (default: all). */
  only?: string[];
  /** Where the nsfwjs model folders are (tests inject a copy). */
  nsfwjsDir?: string;
}

async function sourceSizes(source: NsfwjsModel, nsfwjsDir: string): Promise<Record<string, number>> {
  const dir = join(nsfwjsDir, source);
  const out: Record<string, number> = {};
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) if (entry.isFile) names.push(entry.name);
  for (const name of names.sort()) out[name] = (await Deno.stat(join(dir, name))).size;
  return out;
}

async function readStamp(dir: string): Promise<ConversionStamp | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "setsim-stamp.json")));
  } catch {
    return undefined;
  }
}

/** Whether `dir` holds an up-to-date conversion of `variant`. */
export async function isUpToDate(
  variant: LocalVariant,
  dir: string,
  nsfwjsDir = NSFWJS_MODELS_DIR,
): Promise<boolean> {
  const stamp = await readStamp(dir);
  if (stamp === undefined || stamp.converter !== CONVERTER_VERSION) return false;
  if (JSON.stringify(stamp.variant) !== JSON.stringify(variant)) return false;
  const sizes = await sourceSizes(variant.source, nsfwjsDir).catch(() => undefined);
  if (JSON.stringify(sizes) !== JSON.stringify(stamp.sources)) return false;
  try {
    if (stamp.calibrationSha256 !== await calibrationSha(variant)) return false;
    // The JSON files are cheap to compare in full, so a changed processor is never missed.
    if (await Deno.readTextFile(join(dir, "config.json")) !== jsonText(modelConfig(variant))) return false;
    const processor = await Deno.readTextFile(join(dir, "preprocessor_config.json"));
    if (processor !== jsonText(preprocessorConfig(variant))) return false;
    const stat = await Deno.stat(join(dir, "onnx", "model.onnx"));
    return stat.size === stamp.onnxBytes;
  } catch {
    return false;
  }
}

/** transformers.js `preprocessor_config.json` for a variant (nsfwjs's own preprocessing). */
export function preprocessorConfig(variant: LocalVariant): Record<string, unknown> {
  return {
    image_processor_type: "MobileNetV2ImageProcessor",
    do_resize: true,
    size: { height: variant.inputSize, width: variant.inputSize },
    resample: 2, // bilinear, as nsfwjs's tf.image.resizeBilinear
    do_center_crop: false,
    do_rescale: true,
    rescale_factor: 1 / 255,
    // [0, 1] as nsfwjs feeds; "symmetric" maps it to [-1, 1] as the ImageNet weights expect.
    do_normalize: variant.inputRange === "symmetric",
    image_mean: variant.inputRange === "symmetric" ? [0.5, 0.5, 0.5] : [0, 0, 0],
    image_std: variant.inputRange === "symmetric" ? [0.5, 0.5, 0.5] : [1, 1, 1],
    do_convert_rgb: true,
  };
}

/** transformers.js `config.json` for a variant. */
export function modelConfig(variant: LocalVariant): Record<string, unknown> {
  return {
    model_type: variant.modelType,
    architectures: [variant.modelType === "mobilenet_v2" ? "MobileNetV2Model" : "PreTrainedModel"],
    num_channels: 3,
    image_size: variant.inputSize,
    hidden_size: variant.dim,
    setsim: {
      source: `nsfwjs/dist/models/${variant.source}`,
      layer: variant.layer,
      dim: variant.dim,
      output: "pooler_output",
      description: variant.description,
    },
  };
}

function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

type Loaded = { topology: unknown; weights: Map<string, Weight> };

/** The float32 network of a variant (quantization not applied), with its kernels' source levels. */
export function floatModel(variant: LocalVariant, loaded: Loaded): ReturnType<typeof convertGraphModel> {
  const metadata = { source: `nsfwjs/${variant.source}`, layer: variant.layer, converter: CONVERTER_VERSION };
  if (variant.source === "mobilenet_v2_mid") {
    return convertGraphModel(loaded.topology, loaded.weights, {
      outputNode: variant.layer,
      name: variant.name,
      metadata,
    });
  }
  const { model, dim } = convertKerasModel(loaded.topology, loaded.weights, {
    outputLayer: variant.layer,
    name: variant.name,
    metadata,
  });
  return { model, dim, levels: new Map() };
}

/** The ONNX model a variant is built as: its float network, quantized if the variant says so. */
export async function variantModel(
  variant: LocalVariant,
  loaded: Loaded,
): Promise<{ model: ModelProto; dim: number }> {
  const { model, dim, levels } = floatModel(variant, loaded);
  if (variant.quantization === undefined) return { model, dim };
  let file: CalibrationFile;
  try {
    file = JSON.parse(await Deno.readTextFile(calibrationPath(variant)));
  } catch (error) {
    throw new Error(
      `${variant.name}: cannot read its calibration ${calibrationPath(variant)} (${
        (error as Error).message
      }); ` +
        "run `deno task setup --calibrate` with the datasets",
    );
  }
  const graph = quantizeGraph(model.graph, new Map(Object.entries(file.ranges)), levels);
  return {
    model: { ...model, graph, metadata: { ...model.metadata, quantization: variant.quantization } },
    dim,
  };
}

/** Convert one variant into `dir` (always; see {@link isUpToDate}). */
export async function convertVariant(
  variant: LocalVariant,
  dir: string,
  loaded: Loaded,
  nsfwjsDir = NSFWJS_MODELS_DIR,
): Promise<ConversionStamp> {
  const { model, dim } = await variantModel(variant, loaded);
  const bytes = encodeModel(model);
  if (dim !== variant.dim) {
    throw new Error(`${variant.name}: converted dim ${dim}, registry says ${variant.dim}`);
  }
  const stamp: ConversionStamp = {
    converter: CONVERTER_VERSION,
    variant,
    sources: await sourceSizes(variant.source, nsfwjsDir),
    onnxSha256: await sha256Hex(bytes),
    onnxBytes: bytes.length,
  };
  const calibration = await calibrationSha(variant);
  if (calibration !== undefined) stamp.calibrationSha256 = calibration;
  // One model folder is one group: the ONNX file, its configs and the stamp that pins its hash
  // are replaced together or not at all (lib/io/commit.ts).
  await commitFiles([
    { path: join(dir, "onnx", "model.onnx"), content: bytes },
    { path: join(dir, "config.json"), content: jsonText(modelConfig(variant)) },
    { path: join(dir, "preprocessor_config.json"), content: jsonText(preprocessorConfig(variant)) },
    { path: join(dir, "setsim-stamp.json"), content: JSON.stringify(stamp, null, 2) + "\n" },
  ]);
  return stamp;
}

/**
 * The calibration images, chosen so they never overlap the layer study's evaluation sample
 * (COIL-100 views at angle/5 ≡ 2 mod 4, the study uses ≡ 0; Grocery Store's train split, the study
 * uses val + test): every 13th such COIL view and every 66th train photo (≈ 110 images).
 */
export async function calibrationImages(dataDir: string): Promise<string[]> {
  const { parseCsv } = await import("../../io/csv.ts");
  const coilCsv = join(dataDir, "coil100", "labels.csv");
  const groceryCsv = join(dataDir, "grocery_store", "labels-train.csv");
  const coil = parseCsv(await Deno.readTextFile(coilCsv), coilCsv)
    .filter((r) => (Number(r.angle_deg) / 5) % 4 === 2)
    .filter((_, i) => i % 13 === 0)
    .map((r) => join(dataDir, "coil100", r.path));
  const grocery = parseCsv(await Deno.readTextFile(groceryCsv), groceryCsv)
    .filter((_, i) => i % 66 === 0)
    .map((r) => join(dataDir, "grocery_store", r.path));
  return [...coil, ...grocery];
}

/**
 * Measure and write `calibration/<name>.json` for every quantized variant (needs the datasets).
 * Deterministic: same images, same float network → same ranges.
 */
export async function calibrateVariants(
  options: { dataDir?: string; nsfwjsDir?: string; quiet?: boolean } = {},
) {
  const { preprocessImage } = await import("../preprocess.ts");
  const { pixelValues, processorFromJson } = await import("../processor.ts");
  const config = resolveConfig();
  const dataDir = options.dataDir ?? config.dataDir;
  const written: string[] = [];
  for (const variant of LOCAL_VARIANTS.filter((v) => v.quantization !== undefined)) {
    const artifacts = await readNsfwjsModel(variant.source, options.nsfwjsDir ?? NSFWJS_MODELS_DIR);
    const { model } = floatModel(variant, {
      topology: artifacts.modelTopology,
      weights: decodeWeights(artifacts),
    });
    const processor = processorFromJson(preprocessorConfig(variant));
    const paths = await calibrationImages(dataDir);
    const batches = [];
    for (let s = 0; s < paths.length; s += 8) {
      const chunk = paths.slice(s, s + 8);
      const images = await Promise.all(
        chunk.map(async (p) => preprocessImage(await Deno.readFile(p), {}, p)),
      );
      batches.push({ pixels: pixelValues(images, processor), count: chunk.length });
    }
    const ranges = await calibrateRanges(model.graph, batches, variant.inputSize);
    const file: CalibrationFile = {
      images: paths.map((p) => p.slice(dataDir.length).replace(/^\/+/, "")),
      ranges: Object.fromEntries([...ranges].map(([k, r]) => [k, { min: r.min, max: r.max }])),
    };
    await writeFileAtomic(calibrationPath(variant), JSON.stringify(file, null, 2) + "\n");
    written.push(variant.name);
    if (!options.quiet) {
      console.error(
        `setup: calibrated ${variant.name} on ${paths.length} images → ${calibrationPath(variant)}`,
      );
    }
  }
  return written;
}

/** Build every out-of-date variant. Returns the names that were (re)built. */
export async function setupModels(options: SetupOptions = {}): Promise<string[]> {
  const modelsDir = options.modelsDir ?? resolveConfig().modelsDir;
  const nsfwjsDir = options.nsfwjsDir ?? NSFWJS_MODELS_DIR;
  const wanted = LOCAL_VARIANTS.filter((v) => options.only === undefined || options.only.includes(v.name));
  const todo: LocalVariant[] = [];
  for (const v of wanted) {
    if (options.force || !(await isUpToDate(v, join(modelsDir, v.name), nsfwjsDir))) todo.push(v);
  }
  const cache = new Map<NsfwjsModel, { topology: unknown; weights: Map<string, Weight> }>();
  for (const v of todo) {
    const started = performance.now();
    let loaded = cache.get(v.source);
    if (loaded === undefined) {
      cache.clear(); // keep at most one decoded network in memory
      const artifacts = await readNsfwjsModel(v.source, nsfwjsDir);
      loaded = { topology: artifacts.modelTopology, weights: decodeWeights(artifacts) };
      cache.set(v.source, loaded);
    }
    await convertVariant(v, join(modelsDir, v.name), loaded, nsfwjsDir);
    if (!options.quiet) {
      console.error(
        `setup: built ${v.name} (${v.dim}-d) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
  if (!options.quiet && todo.length === 0) {
    console.error(`setup: ${wanted.length} models up to date in ${modelsDir}`);
  }
  return todo.map((v) => v.name);
}
