/**
 * `index --export parquet OUT`: the per-image rows of a committed index (item id, image, path,
 * hash, metadata columns and the vector) as one Parquet file, so any engine (DuckDB, Spark,
 * pyarrow, Qdrant/Milvus loaders) can load them. Written with parquet-wasm (arrow-rs compiled to
 * WebAssembly); the vector stays an Arrow fixed-size list of float32. The file is written atomically.
 * @module
 */

import { createRequire } from "node:module";
import { writeFileAtomic } from "../io/mod.ts";
import { arrow } from "./arrow.ts";
import type { IndexReader } from "./store.ts";

// The Node build of parquet-wasm loads its .wasm synchronously from node_modules (as arrow.ts does for CJS arrow).
const parquet: typeof import("parquet-wasm/node") = createRequire(import.meta.url)("parquet-wasm/node");

/** Write every image row of `reader` to the Parquet file `out`; returns the number of rows. */
export async function exportParquet(reader: IndexReader, out: string): Promise<number> {
  const rows = await reader.images.query().toArrow();
  await writeFileAtomic(out, parquetBytes(rows));
  return rows.numRows;
}

/** An Arrow table (of `arrow.ts`'s instance) as the bytes of a Parquet file. */
export function parquetBytes(table: import("apache-arrow").Table): Uint8Array {
  return parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, "stream")));
}

/** Read a Parquet file back as an Arrow table (for checks and tests). */
export async function readParquetFile(path: string): Promise<import("apache-arrow").Table> {
  return parquetTable(await Deno.readFile(path));
}

/** The bytes of a Parquet file as an Arrow table. */
export function parquetTable(bytes: Uint8Array): import("apache-arrow").Table {
  return arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
}
