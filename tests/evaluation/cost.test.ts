import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { embeddingCost } from "../../lib/evaluation/mod.ts";

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
