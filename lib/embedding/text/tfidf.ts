/**
 * TF-IDF over character n-grams: a lexical baseline for text-to-text similarity.
 *
 * It knows nothing about meaning ("sneaker" and "trainer" share no n-grams) but is robust to
 * word order, inflection and typos, which is what catalogue titles mostly differ by. Comparing a
 * learned encoder against it shows how much the encoder adds beyond shared substrings.
 *
 * The vocabulary and IDF are fitted on a corpus ({@link fitTfidf}); the fitted model then embeds
 * any text, seen or unseen, with n-grams outside the vocabulary ignored.
 *
 * Math, for a text d with n-gram counts tf(t, d), a corpus of N texts and document frequency
 * df(t) (number of corpus texts containing t at least once):
 *
 *   idf(t)  = ln((1 + N) / (1 + df(t))) + 1                 (smoothed, as scikit-learn's default)
 *   w(t, d) = tf(t, d) · idf(t)      or (1 + ln tf(t, d)) · idf(t) with `sublinearTf`
 *   v(d)    = w(·, d) / ‖w(·, d)‖₂
 *
 * so the cosine of two texts is the dot product of their vectors. A text with no n-gram in the
 * vocabulary (e.g. the empty string) gets the zero vector: similarity 0 to everything.
 *
 * References: Salton & Buckley, "Term-weighting approaches in automatic text retrieval",
 * Information Processing & Management 24(5), 1988; scikit-learn `TfidfVectorizer`
 * (`analyzer="char_wb"`, `smooth_idf=True`, `norm="l2"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitTfidf } from "./tfidf.ts";
 * const titles = ["Puma Men Black Sneaker", "Nike Women Heels", "Puma Men White Sneaker"];
 * const model = fitTfidf(titles);
 * const d = model.dim;
 * const query = await model.embedTexts(["puma sneaker"]);
 * const rows = await model.embedTexts(titles);
 * const cosine = (i: number) => query.reduce((sum, q, k) => sum + q * rows[i * d + k], 0);
 * assert.ok(cosine(0) > 0.7 && cosine(2) > 0.7); // shares "puma" and "sneaker" n-grams
 * assert.ok(cosine(1) < 0.02); // "Nike Women Heels" shares almost none
 * ```
 * @module
 */

import { sha256PartsSync } from "../../io/hash.ts";
import type { TextEmbeddingModel } from "../model.ts";
import { assertTextBatch, describe } from "./rows.ts";

export type { TextEmbeddingModel } from "../model.ts";

/** How a text is cut into n-grams. */
export type NgramAnalyzer = "char_wb" | "char";

/** Options of {@link fitTfidf} and {@link charNgrams}. */
export interface TfidfOptions {
  /** Smallest and largest n-gram length, inclusive. Default `[2, 4]`. */
  ngram?: [number, number];
  /**
   * `"char_wb"` (default): n-grams inside words only, each word padded with one space on both
   * sides, so word starts and ends are features and no n-gram spans two words.
   * `"char"`: n-grams over the whole normalised text, spaces included.
   */
  analyzer?: NgramAnalyzer;
  /** Lower-case before cutting. Default `true`. */
  lowercase?: boolean;
  /** Use 1 + ln(tf) instead of the raw count. Default `false`. */
  sublinearTf?: boolean;
  /** Drop n-grams found in fewer than this many corpus texts. Default 1. */
  minDf?: number;
  /**
   * Keep only the n-grams most frequent over the corpus (total count; ties by n-gram order),
   * which bounds the vector length. Default 8192; `Infinity` keeps all.
   */
  maxFeatures?: number;
  /** Name reported by the model. Default `"tfidf"`. */
  name?: string;
}

/** A fitted TF-IDF model; its vectors have one entry per vocabulary n-gram. */
export interface TfidfModel extends TextEmbeddingModel {
  /** The n-grams, in vector order (sorted by code unit). */
  readonly vocabulary: readonly string[];
  /** idf(t) of each vocabulary n-gram, same order. */
  readonly idf: Float64Array;
  /** The options the model was fitted with, defaults filled in. */
  readonly options: Readonly<Required<TfidfOptions>>;
  /** Number of corpus texts the model was fitted on. */
  readonly corpusSize: number;
  /** Synchronous {@link TextEmbeddingModel.embedTexts}. */
  transform(texts: string[]): Float32Array;
}

const DEFAULTS: Required<TfidfOptions> = {
  ngram: [2, 4],
  analyzer: "char_wb",
  lowercase: true,
  sublinearTf: false,
  minDf: 1,
  maxFeatures: 8192,
  name: "tfidf",
};

function resolveOptions(options: TfidfOptions): Required<TfidfOptions> {
  const resolved = { ...DEFAULTS, ...options };
  const [lo, hi] = Array.isArray(resolved.ngram) ? resolved.ngram : [NaN, NaN];
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) {
    throw new RangeError(
      `options.ngram must be [min, max] with integers 1 <= min <= max, got ${JSON.stringify(resolved.ngram)}`,
    );
  }
  if (resolved.analyzer !== "char_wb" && resolved.analyzer !== "char") {
    throw new RangeError(`options.analyzer must be "char_wb" or "char", got ${describe(resolved.analyzer)}`);
  }
  if (!Number.isInteger(resolved.minDf) || resolved.minDf < 1) {
    throw new RangeError(`options.minDf must be an integer >= 1, got ${describe(resolved.minDf)}`);
  }
  const maxFeatures = resolved.maxFeatures;
  if (!(maxFeatures === Infinity || (Number.isInteger(maxFeatures) && maxFeatures >= 1))) {
    throw new RangeError(
      `options.maxFeatures must be an integer >= 1 or Infinity, got ${describe(maxFeatures)}`,
    );
  }
  return { ...resolved, ngram: [lo, hi] };
}

/** NFKC, optional lower-casing, runs of whitespace to one space, trimmed. */
function normalizeText(text: string, lowercase: boolean): string {
  const folded = lowercase ? text.normalize("NFKC").toLowerCase() : text.normalize("NFKC");
  return folded.replace(/\s+/gu, " ").trim();
}

/**
 * The character n-grams of one text, with repeats, in reading order.
 *
 * Characters are Unicode code points (an emoji is one character). With `"char_wb"`, the word
 * "ab" and `ngram: [2, 3]` gives `" a", "ab", "b ", " ab", "ab "`.
 */
export function charNgrams(text: string, options: TfidfOptions = {}): string[] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${describe(text)}`);
  const { ngram: [lo, hi], analyzer, lowercase } = resolveOptions(options);
  const normalized = normalizeText(text, lowercase);
  if (normalized === "") return [];
  const pieces = analyzer === "char_wb" ? normalized.split(" ").map((word) => ` ${word} `) : [normalized];
  const grams: string[] = [];
  for (const piece of pieces) {
    const chars = Array.from(piece);
    for (let n = lo; n <= hi; n++) {
      for (let start = 0; start + n <= chars.length; start++) {
        grams.push(chars.slice(start, start + n).join(""));
      }
    }
  }
  return grams;
}

function countGrams(text: string, options: Required<TfidfOptions>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const gram of charNgrams(text, options)) counts.set(gram, (counts.get(gram) ?? 0) + 1);
  return counts;
}

/**
 * Fit the vocabulary and IDF of a character n-gram TF-IDF model on a corpus.
 *
 * @param corpus the texts that define the vocabulary and document frequencies (for example all
 *   product titles of a dataset). Must hold at least one non-empty text.
 * @param options n-gram range, analyzer, weighting and vocabulary size; see {@link TfidfOptions}.
 * @returns a model whose `embedTexts` works on any text.
 */
export function fitTfidf(corpus: string[], options: TfidfOptions = {}): TfidfModel {
  assertTextBatch(corpus, "corpus");
  const resolved = resolveOptions(options);
  const documentFrequency = new Map<string, number>();
  const totalCount = new Map<string, number>();
  for (const text of corpus) {
    for (const [gram, count] of countGrams(text, resolved)) {
      documentFrequency.set(gram, (documentFrequency.get(gram) ?? 0) + 1);
      totalCount.set(gram, (totalCount.get(gram) ?? 0) + count);
    }
  }
  let kept = [...documentFrequency.keys()].filter((gram) => documentFrequency.get(gram)! >= resolved.minDf);
  if (kept.length > resolved.maxFeatures) {
    kept.sort((a, b) => totalCount.get(b)! - totalCount.get(a)! || compareCodeUnits(a, b));
    kept = kept.slice(0, resolved.maxFeatures);
  }
  kept.sort(compareCodeUnits);
  if (kept.length === 0) {
    throw new RangeError(
      `corpus gives no n-gram of length ${resolved.ngram.join("..")} found in at least ${resolved.minDf} ` +
        `text(s) (${corpus.length} texts); pass non-empty texts or lower options.minDf / options.ngram`,
    );
  }
  const n = corpus.length;
  const idf = new Float64Array(kept.length);
  kept.forEach((gram, i) => {
    idf[i] = Math.log((1 + n) / (1 + documentFrequency.get(gram)!)) + 1;
  });
  return new FittedTfidf(kept, idf, resolved, n);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class FittedTfidf implements TfidfModel {
  readonly name: string;
  readonly dim: number;
  readonly fingerprint: string;
  readonly #index: Map<string, number>;

  constructor(
    readonly vocabulary: readonly string[],
    readonly idf: Float64Array,
    readonly options: Readonly<Required<TfidfOptions>>,
    readonly corpusSize: number,
  ) {
    this.name = options.name;
    this.dim = vocabulary.length;
    this.#index = new Map(vocabulary.map((gram, i) => [gram, i]));
    const { name: _name, ...weighting } = options;
    const digest = sha256PartsSync([
      JSON.stringify({ kind: "tfidf-char", weighting, vocabulary }),
      new Uint8Array(idf.buffer, idf.byteOffset, idf.byteLength),
    ]);
    this.fingerprint = `tfidf-${digest.slice(0, 32)}`;
  }

  transform(texts: string[]): Float32Array {
    assertTextBatch(texts);
    const out = new Float32Array(texts.length * this.dim);
    texts.forEach((text, row) => {
      const offset = row * this.dim;
      let sumSquares = 0;
      const weights: [number, number][] = [];
      for (const [gram, count] of countGrams(text, this.options)) {
        const column = this.#index.get(gram);
        if (column === undefined) continue;
        const tf = this.options.sublinearTf ? 1 + Math.log(count) : count;
        const weight = tf * this.idf[column];
        weights.push([column, weight]);
        sumSquares += weight * weight;
      }
      // Normalise in float64 before rounding to float32, so rows are unit length to float32 precision.
      const scale = sumSquares > 0 ? 1 / Math.sqrt(sumSquares) : 0;
      for (const [column, weight] of weights) out[offset + column] = weight * scale;
    });
    return out;
  }

  embedTexts(texts: string[]): Promise<Float32Array> {
    return Promise.resolve().then(() => this.transform(texts));
  }
}
