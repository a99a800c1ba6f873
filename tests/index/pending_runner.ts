/**
 * Subprocess for tests/index/pending.test.ts.
 *
 *   deno run -A tests/index/pending_runner.ts dropped     — a guarded promise that never settles and
 *       keeps nothing alive (what a dropped native promise looks like), main not awaited
 *   deno run -A tests/index/pending_runner.ts create-index N DIM — IVF-PQ createIndex on N random rows,
 *       main not awaited; prints "createIndex done" after the await
 * @module
 */

import "../../lib/index/quiet.ts";
import * as lancedb from "@lancedb/lancedb";
import { arrow, vectorColumn, whilePending } from "../../lib/index/mod.ts";

async function main(mode: string) {
  if (mode === "dropped") {
    await whilePending("a dropped promise", () => new Promise<void>(() => {}));
    console.log("unreachable");
    return;
  }
  const n = Number(Deno.args[1]), dim = Number(Deno.args[2]);
  const dir = await Deno.makeTempDir({ prefix: "setsim-create-index-" });
  try {
    const db = await lancedb.connect(dir);
    const data = new Float32Array(n * dim);
    let state = 12345;
    for (let i = 0; i < data.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      data[i] = state / 2 ** 32 - 0.5;
    }
    const table = await db.createTable("t", new arrow.Table({ vector: vectorColumn(data, dim) }));
    if (await table.countRows() !== n) {
      throw new Error(`table holds ${await table.countRows()} rows, expected ${n}`);
    }
    await whilePending("createIndex", () =>
      table.createIndex("vector", {
        config: lancedb.Index.ivfPq({ numPartitions: 4, numSubVectors: 4, distanceType: "dot" }),
      }));
    const indices = await table.listIndices();
    console.log(`createIndex done: ${indices.map((i) => i.name).join(",")}`);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Deliberately not awaited at the top level: with top-level await Deno reports a never-settled
// promise itself; without it, an emptied event loop ends the process with code 0 — the case guarded.
main(Deno.args[0]);
