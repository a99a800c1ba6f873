/**
 * The local image models setsim builds at setup from the networks the npm package `nsfwjs`
 * ships (MIT). Each variant is one network cut at one layer and globally average-pooled.
 *
 * All three networks are ImageNet-pretrained; nsfwjs fine-tuned their top blocks to classify
 * five content classes, so layers before the first trainable one still hold the frozen
 * ImageNet weights (MobileNetV2: up to `block_10`; InceptionV3: up to `mixed5`).
 *
 * Inputs follow nsfwjs: RGB scaled to [0, 1] (`x / 255`), bilinear resize to the network's
 * square input size (224, or 299 for InceptionV3). The MobileNetV2-1.4 graph rescales to
 * [−1, 1] inside the network itself. But the frozen Keras ImageNet layers were trained on
 * [−1, 1] inputs, so the `-imagenet` variants feed them that (`inputRange: "symmetric"`).
 * @module
 */

import type { NsfwjsModel } from "./model_build/tfjs.ts";

/** A converted local model. */
export interface LocalVariant {
  /** Registry name and folder name under `modelsDir`. */
  name: string;
  /** nsfwjs model folder. */
  source: NsfwjsModel;
  /** Keras layer (layers models) or TF node (graph models) whose output is pooled. */
  layer: string;
  /** Embedding length. */
  dim: number;
  /** Square input size the network was trained at. */
  inputSize: number;
  /** transformers.js `model_type` written to config.json. */
  modelType: string;
  /** Whether the layer still holds frozen ImageNet weights (not fine-tuned by nsfwjs). */
  imagenetFrozen: boolean;
  /**
   * Input scaling. `"unit"` (default): x/255 ∈ [0, 1], what nsfwjs feeds (and fine-tuned with).
   * `"symmetric"`: x/127.5 − 1 ∈ [−1, 1], what the Keras ImageNet weights were trained with.
   */
  inputRange?: "unit" | "symmetric";
  /**
   * `"int8"`: the same network written with int8 weights and uint8 activations (QDQ, see
   * `model_build/quantize.ts`), activation ranges from `model_build/calibration/<name>.json`.
   */
  quantization?: "int8";
  description: string;
}

/** The default network (MobileNetV2-1.4 feature vector). */
const MOBILENET_V2_14: LocalVariant = {
  name: "mobilenet-v2-1.4",
  source: "mobilenet_v2_mid",
  layer: "MobilenetV2/Conv_1/Relu6",
  dim: 1792,
  inputSize: 224,
  modelType: "mobilenet_v2",
  imagenetFrozen: false,
  description: "MobileNetV2 1.4/224 (TF-Hub feature vector), final 1792-d features, pooled",
};

/** MobileNetV2 1.0 block 10 output: the last block nsfwjs left with its ImageNet weights. */
const MOBILENET_V2_BLOCK10: LocalVariant = {
  name: "mobilenet-v2-block10",
  source: "mobilenet_v2",
  layer: "block_10_project_BN",
  dim: 96,
  inputSize: 224,
  modelType: "mobilenet_v2",
  imagenetFrozen: true,
  description: "MobileNetV2 1.0/224, block 10 output (96-d, last frozen ImageNet block), pooled",
};

/** MobileNetV2 1.0 block 10 expansion (inside the same frozen block, 4× wider). */
const MOBILENET_V2_BLOCK10_EXPAND: LocalVariant = {
  name: "mobilenet-v2-block10-expand",
  source: "mobilenet_v2",
  layer: "block_10_expand_relu",
  dim: 384,
  inputSize: 224,
  modelType: "mobilenet_v2",
  imagenetFrozen: true,
  description: "MobileNetV2 1.0/224, block 10 expansion (384-d, frozen ImageNet), pooled",
};

/** InceptionV3 mixed5: the last block nsfwjs left with its ImageNet weights. */
const INCEPTION_V3_MIXED5: LocalVariant = {
  name: "inception-v3-mixed5",
  source: "inception_v3",
  layer: "mixed5",
  dim: 768,
  inputSize: 299,
  modelType: "custom",
  imagenetFrozen: true,
  description: "InceptionV3/299, mixed5 (768-d, last frozen ImageNet block), pooled",
};

/** The same frozen layer fed the [−1, 1] inputs its ImageNet weights were trained with (`<name>-imagenet`). */
function withImagenetScaling(base: LocalVariant, description: string): LocalVariant {
  const { description: _replaced, ...layer } = base;
  return { ...layer, name: `${base.name}-imagenet`, inputRange: "symmetric", description };
}

/** Every variant setup builds, in registry order. */
export const LOCAL_VARIANTS: readonly LocalVariant[] = [
  {
    name: "mobilenet-v2-pool",
    source: "mobilenet_v2",
    layer: "out_relu",
    dim: 1280,
    inputSize: 224,
    modelType: "mobilenet_v2",
    imagenetFrozen: false,
    description: "MobileNetV2 1.0/224, final 1280-d features (out_relu), pooled",
  },
  MOBILENET_V2_BLOCK10,
  MOBILENET_V2_BLOCK10_EXPAND,
  MOBILENET_V2_14,
  {
    name: "inception-v3",
    source: "inception_v3",
    layer: "mixed10",
    dim: 2048,
    inputSize: 299,
    modelType: "custom",
    imagenetFrozen: false,
    description: "InceptionV3/299, final 2048-d features (mixed10), pooled",
  },
  INCEPTION_V3_MIXED5,
  withImagenetScaling(
    MOBILENET_V2_BLOCK10,
    "MobileNetV2 1.0/224, block 10 output (96-d), ImageNet input scaling [-1, 1], pooled",
  ),
  withImagenetScaling(
    MOBILENET_V2_BLOCK10_EXPAND,
    "MobileNetV2 1.0/224, block 10 expansion (384-d), ImageNet input scaling [-1, 1], pooled",
  ),
  withImagenetScaling(
    INCEPTION_V3_MIXED5,
    "InceptionV3/299, mixed5 (768-d), ImageNet input scaling [-1, 1], pooled",
  ),
  {
    ...MOBILENET_V2_14,
    name: "mobilenet-v2-1.4-int8",
    quantization: "int8",
    description: "mobilenet-v2-1.4 quantized: int8 weights (nsfwjs's own uint8 levels), uint8 activations",
  },
];

/**
 * Short names that resolve to a variant. `mobilenet-v2` is the project default; it points at
 * the variant that retrieved best in `results/embedding-layers.csv`
 * (`deno run -A bench/embedding-layers.ts`).
 */
export const VARIANT_ALIASES: Readonly<Record<string, string>> = {
  // Best mAP on COIL-100 (0.751) and Grocery Store (0.280) of all MobileNet variants, on par
  // with InceptionV3 mixed5 at a quarter of its cost (lib/embedding/README.md).
  "mobilenet-v2": "mobilenet-v2-1.4",
};

/** Find a variant by name or alias. */
export function findVariant(name: string): LocalVariant | undefined {
  const target = VARIANT_ALIASES[name] ?? name;
  return LOCAL_VARIANTS.find((v) => v.name === target);
}
