/**
 * The Apache Arrow instance LanceDB understands, and column builders for it.
 *
 * Why not `import * as arrow from "apache-arrow"`: under Deno that import resolves to the package's
 * ESM build, while `@lancedb/lancedb` (CommonJS) `require`s the CJS build. The two builds have
 * distinct classes, LanceDB's `instanceof Table` check fails, and `createTable`/`add` then write
 * **zero rows without an error** (measured: a 2,000-row table came back with `countRows() = 0`).
 * Loading the CJS build through `createRequire` gives the very instance LanceDB uses; every writer
 * in `lib/index` also checks the row count after writing.
 * @module
 */

import { createRequire } from "node:module";

/** The CommonJS `apache-arrow` module, the one `@lancedb/lancedb` uses internally. */
export const arrow: typeof import("apache-arrow") = createRequire(import.meta.url)("apache-arrow");

/** The Arrow type of an `dim`-wide float32 vector column. */
export function vectorType(dim: number): import("apache-arrow").FixedSizeList {
  return new arrow.FixedSizeList(dim, new arrow.Field("item", new arrow.Float32(), true));
}

/** A fixed-size-list vector column over row-major `data` (`count × dim`), without copying. */
export function vectorColumn(data: Float32Array, dim: number): import("apache-arrow").Vector {
  const count = dim > 0 ? data.length / dim : 0;
  if (!Number.isInteger(count)) {
    throw new RangeError(`vector data of length ${data.length} is not a multiple of ${dim}`);
  }
  const child = arrow.makeData({ type: new arrow.Float32(), length: data.length, data });
  return arrow.makeVector(arrow.makeData({ type: vectorType(dim), length: count, nullCount: 0, child }));
}

/** A nullable UTF-8 column. */
export function stringColumn(values: (string | null | undefined)[]): import("apache-arrow").Vector {
  return arrow.vectorFromArray(values.map((v) => v ?? null), new arrow.Utf8());
}

/** A float64 column. */
export function numberColumn(values: number[]): import("apache-arrow").Vector {
  return arrow.makeVector(Float64Array.from(values));
}

/** An int32 column. */
export function int32Column(values: number[]): import("apache-arrow").Vector {
  return arrow.makeVector(Int32Array.from(values));
}

/** Row-major float32 values of a fixed-size-list column of an Arrow table (copied into one array). */
export function readVectorColumn(table: import("apache-arrow").Table, column: string): {
  data: Float32Array;
  dim: number;
  valid: boolean[];
} {
  const vector = table.getChild(column);
  // A query that matches no row comes back from LanceDB as an Arrow table without columns.
  if (vector === null && table.numRows === 0) return { data: new Float32Array(0), dim: 0, valid: [] };
  if (vector === null) throw new Error(`column "${column}" is missing`);
  const type = vector.type as import("apache-arrow").FixedSizeList;
  const dim = type.listSize;
  const data = new Float32Array(table.numRows * dim);
  const valid: boolean[] = new Array(table.numRows);
  let row = 0;
  for (const chunk of vector.data) {
    const child = chunk.children[0];
    const values = child.values as Float32Array;
    const start = chunk.offset * dim + child.offset;
    for (let r = 0; r < chunk.length; r++) {
      const isValid = chunk.nullCount === 0 || chunk.getValid(r);
      valid[row] = isValid;
      if (isValid) {
        data.set(values.subarray(start + r * dim, start + (r + 1) * dim), row * dim);
      }
      row++;
    }
  }
  return { data, dim, valid };
}

/**
 * The values of a scalar column as a JS array (empty for a table of no rows, which LanceDB returns
 * without columns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { arrow, readColumn } from "./arrow.ts";
 * assert.deepEqual(readColumn(new arrow.Table(), "item_id"), []);
 * assert.throws(() => readColumn(new arrow.Table({ a: arrow.vectorFromArray([1]) }), "item_id"), /item_id/);
 * ```
 */
export function readColumn<T = unknown>(table: import("apache-arrow").Table, column: string): T[] {
  const vector = table.getChild(column);
  if (vector === null && table.numRows === 0) return [];
  if (vector === null) throw new Error(`column "${column}" is missing`);
  return vector.toArray() as T[];
}
