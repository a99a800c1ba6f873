/**
 * Small helpers shared by the text and CLIP models: input validation.
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

/** A short description of a value's type for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "no prototype"})`;
  return `${typeof value} ${String(value)}`;
}
