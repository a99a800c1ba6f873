/**
 * Types shared across setsim's concerns.
 * @module
 */

/**
 * A set (or batch) of embedding vectors stored row-major in one typed array: row `i` is
 * `data.subarray(i * dim, (i + 1) * dim)`. Rows produced by `lib/embedding` are L2-normalised.
 */
export interface Embeddings {
  /** Row-major values, length `count * dim`. */
  data: Float32Array;
  /** Number of rows (vectors). */
  count: number;
  /** Dimension of each vector. */
  dim: number;
}

/** Build an {@link Embeddings} value from nested arrays (convenient in tests and notebooks). */
export function embeddingsFromRows(rows: ArrayLike<number>[]): Embeddings {
  const count = rows.length;
  const dim = count > 0 ? rows[0].length : 0;
  const data = new Float32Array(count * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim) {
      throw new RangeError(`row ${i} has ${row.length} values, expected ${dim} (the length of row 0)`);
    }
    data.set(Array.from(row), i * dim);
  });
  return { data, count, dim };
}

/** Select rows (by index) from an {@link Embeddings} value into a new one. */
export function selectRows(source: Embeddings, indices: ArrayLike<number>): Embeddings {
  const { dim } = source;
  const data = new Float32Array(indices.length * dim);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= source.count) {
      throw new RangeError(`row index ${i} is outside 0..${source.count - 1}`);
    }
    data.set(source.data.subarray(i * dim, (i + 1) * dim), k * dim);
  }
  return { data, count: indices.length, dim };
}
