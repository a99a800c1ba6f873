/**
 * The interfaces every embedding model implements, whatever runs it (a converted local ONNX
 * network, CLIP through transformers.js, a TF.js text encoder, a lexical baseline).
 *
 * The pipeline in `lib/embedding` decodes and preprocesses images with sharp, then hands
 * {@link PreprocessedImage}s to a model; the cache keys vectors by the model's `fingerprint`.
 * @module
 */

/** An image after setsim's own preprocessing: sRGB, 8 bits, 3 channels, row-major HWC. */
export interface PreprocessedImage {
  /** Pixel values, length `width * height * 3`. */
  data: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Always 3 (RGB). */
  channels: 3;
}

/** A model that maps images to vectors. */
export interface ImageEmbeddingModel {
  /** Registry name or Hub id the user asked for. */
  readonly name: string;
  /**
   * Changes whenever the vectors could change: a hash of the model file(s) and of the
   * model-side configuration (layer, processor settings). Part of every cache key.
   */
  readonly fingerprint: string;
  /** Length of each vector. */
  readonly dim: number;
  /** Embed a batch; returns `images.length * dim` values, each row L2-normalised. */
  embedImages(images: PreprocessedImage[]): Promise<Float32Array>;
  /** Release native resources (ONNX sessions). */
  dispose?(): Promise<void>;
}

/**
 * A model whose {@link ImageEmbeddingModel.embedImages} splits into a per-image CPU step and a
 * batched network step. The pipeline runs `prepareImage` as soon as an image is decoded, so the
 * network never waits for the processor of the batch it is about to run.
 * `embedPrepared(images.map(prepareImage))` must equal `embedImages(images)`.
 */
export interface StagedImageModel extends ImageEmbeddingModel {
  /** The model's own processor for one image (e.g. resize, rescale, NCHW float32). */
  prepareImage(image: PreprocessedImage): Float32Array;
  /** Run the network on prepared images; returns `inputs.length * dim` L2-normalised values. */
  embedPrepared(inputs: Float32Array[]): Promise<Float32Array>;
}

/** Whether a model offers the staged interface. */
export function isStagedImageModel(model: ImageEmbeddingModel): model is StagedImageModel {
  const m = model as Partial<StagedImageModel>;
  return typeof m.prepareImage === "function" && typeof m.embedPrepared === "function";
}

/** A model that maps texts to vectors. */
export interface TextEmbeddingModel {
  /** The model's name. */
  readonly name: string;
  /** Identifies the model and its configuration (changes whenever vectors could). */
  readonly fingerprint: string;
  /** Values per vector. */
  readonly dim: number;
  /** Embed a batch; returns `texts.length * dim` values, each row L2-normalised. */
  embedTexts(texts: string[]): Promise<Float32Array>;
  /** Release the model's session. */
  dispose?(): Promise<void>;
}
