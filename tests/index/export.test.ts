import assert from "node:assert/strict";
import { join } from "node:path";
import { buildIndex, openIndex, projectRows, readColumn, readVectorColumn } from "../../lib/index/mod.ts";
import { exportParquet, readParquetFile } from "../../lib/index/export.ts";
import { createRng } from "../../lib/random/mod.ts";
import { syntheticCatalog, syntheticIndexInput } from "../../bench/support/synthetic.ts";

Deno.test("exportParquet: the image rows read back from Parquet with the same ids, paths and vectors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-export-" });
  try {
    const rng = createRng(4, "export-sources");
    const data = projectRows(new Float32Array(20 * 8).map(() => rng() - 0.5), 8, 8, 1);
    const synthetic = syntheticCatalog(
      { vectors: { data, count: 20, dim: 8 }, groups: Array(20).fill("g") },
      {
        images: 50,
        seed: 2,
      },
    );
    const input = syntheticIndexInput(synthetic, { seed: 2 });
    const index = join(dir, "shop.index");
    await buildIndex(input.catalog, index, { ...input, progress: false });
    const reader = await openIndex(index);
    const out = join(dir, "images.parquet");
    assert.equal(await exportParquet(reader, out), 50);
    const original = await reader.images.query().toArrow();
    reader.close();
    const back = await readParquetFile(out);
    assert.equal(back.numRows, 50);
    assert.deepEqual(back.schema.fields.map((f) => f.name), original.schema.fields.map((f) => f.name));
    for (const column of ["item_id", "image", "path"]) {
      assert.deepEqual(readColumn(back, column), readColumn(original, column), column);
    }
    assert.deepEqual(readVectorColumn(back, "vector").data, readVectorColumn(original, "vector").data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
