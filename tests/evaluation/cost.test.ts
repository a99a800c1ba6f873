import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { embeddingCost, type PreparedProtocol, protocolSizes } from "../../lib/evaluation/mod.ts";

const coil = join(resolveConfig().dataDir, "coil100");
const hasData = await Deno.stat(coil).then(() => true, () => false);

Deno.test("embeddingCost rejects an empty sample", async () => {
  await assert.rejects(() => embeddingCost([]), /at least one image/);
});

Deno.test({
  name: "embeddingCost times uncached embedding of real images, also mirrored",
  ignore: !hasData,
  async fn() {
    const files: string[] = [];
    for await (const entry of Deno.readDir(join(coil, "images"))) {
      if (entry.isFile) files.push(join(coil, "images", entry.name));
      if (files.length === 2) break;
    }
    const plain = await embeddingCost(files);
    assert.equal(plain.images, 2);
    assert.equal(plain.augment, "none");
    assert.ok(plain.ms_per_image > 0 && Number.isFinite(plain.ms_per_image));
    const mirrored = await embeddingCost(files, { augment: "mirror" });
    assert.equal(mirrored.augment, "mirror");
    await assert.rejects(
      () => embeddingCost(files, { augment: "sideways" as "mirror" }),
      /unknown augmentation/,
    );
  },
});

Deno.test("protocolSizes: mean set sizes, embedded images and matrix cells, hand-checked", () => {
  const prepared = {
    querySets: [[0, 1, 2, 3], [4, 5, 6, 7]],
    gallerySets: [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]],
    similarity: { rows: 8, cols: 12, data: new Float64Array(96) },
    meta: { n_embedded: 20 },
  } as unknown as PreparedProtocol;
  assert.deepEqual(protocolSizes(prepared), {
    query_set_size: 4,
    gallery_set_size: 4,
    embeddings: 20,
    matrix_cells: 96,
  });
  assert.throws(
    () => protocolSizes({ ...prepared, meta: {} } as PreparedProtocol),
    /prepared\.meta\.n_embedded is not a number/,
  );
  assert.throws(() => protocolSizes({ ...prepared, querySets: [] } as PreparedProtocol), /no sets/);
});
