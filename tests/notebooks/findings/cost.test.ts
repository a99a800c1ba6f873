import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../../lib/config/mod.ts";
import type { PreparedProtocol } from "../../../lib/evaluation/mod.ts";
import { augmentationCostFinding, embeddingCost, protocolSizes } from "../../../notebooks/lib/cost.ts";

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

Deno.test("augmentationCostFinding: growth per dataset, embedding-time range, matching times", () => {
  const size = (dataset: string, sets: string, k: number, greedy: number) => ({
    dataset,
    sets,
    query_set_size: 4 * k,
    gallery_set_size: 5 * k,
    embeddings: 900 * k,
    matrix_cells: 200000 * k * k,
    greedy_s: greedy,
    optimal_s: 2 * greedy,
  });
  const sizes = [
    size("coil100", "plain", 1, 0.1),
    size("coil100", "augmented", 5, 1),
    size("grocery", "plain", 1, 0.2),
    size("grocery", "augmented", 5, 2),
  ];
  const text = augmentationCostFinding(sizes, [20.04, 31.36, 25]);
  assert.match(
    text,
    /Sets grow from 4\/5 to 20\/25 images: coil100 embeddings 900 → 4,500 \(5×\), similarity-matrix cells 200,000 → 5,000,000 \(25×\); grocery/,
  );
  assert.match(text, /Uncached embedding took 20\.0–31\.4 ms per image/);
  assert.match(
    text,
    /coil100 greedy 0\.10 s → 1\.00 s, optimal 0\.20 s → 2\.00 s; grocery greedy 0\.20 s → 2\.00 s, optimal 0\.40 s → 4\.00 s on this machine\.$/,
  );
  assert.throws(() => augmentationCostFinding(sizes.slice(0, 3), [1]), /no augmented row for grocery/);
  assert.throws(() => augmentationCostFinding(sizes, []), /no embedding costs/);
});
