/**
 * Small helpers shared by the text and CLIP models: input validation and row normalisation.
 * @module
 */

/**
 * Throw a clear error unless `texts` is an array of strings.
 *
 * @param texts the value a caller passed as a batch of texts.
 * @param what how to name the input in the error (e.g. `texts`).
 */
export function assertTextBatch(texts: unknown, what = "texts"): asserts texts is string[] {
  if (!Array.isArray(texts)) {
    throw new TypeError(`${what} must be an array of strings, got ${describe(texts)}`);
  }
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== "string") {
      throw new TypeError(`${what}[${i}] must be a string, got ${describe(texts[i])}`);
    }
  }
}

/**
 * Scale each row of a row-major matrix to unit L2 norm, in place.
 *
 * A row whose norm is 0 stays all-zero (its cosine similarity to anything is then 0, never NaN).
 * A row containing a non-finite value is an error: it means the model broke, and silently
 * passing it on would poison every similarity computed from it.
 *
 * @param data row-major values, length `rows * dim`.
 * @param dim length of each row.
 * @param what how to name the matrix in the error.
 * @returns `data`, for chaining.
 */
export function l2NormalizeRows(data: Float32Array, dim: number, what = "embeddings"): Float32Array {
  if (!Number.isInteger(dim) || dim <= 0 || data.length % dim !== 0) {
    throw new RangeError(`${what}: length ${data.length} is not a multiple of dim ${dim}`);
  }
  const rows = data.length / dim;
  for (let r = 0; r < rows; r++) {
    const start = r * dim;
    let sum = 0;
    for (let j = start; j < start + dim; j++) sum += data[j] * data[j];
    if (!Number.isFinite(sum)) {
      throw new RangeError(`${what}: row ${r} contains a non-finite value`);
    }
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let j = start; j < start + dim; j++) data[j] *= scale;
  }
  return data;
}

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "no prototype"})`;
  return `${typeof value} ${String(value)}`;
}
