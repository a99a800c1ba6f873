import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { prepareShoeSample } from "../../lib/retrieval/mod.ts";
import type { EmbedderResult } from "../../lib/evaluation/prepare.ts";

const dataDir = resolveConfig().dataDir;
const hasData = existsSync(join(dataDir, "myntra_footwear", "labels.csv"));

/** A deterministic stand-in for the image model: a vector from the file name's characters. */
function fakeEmbedder(inputs: (string | Uint8Array)[]): Promise<EmbedderResult> {
  const dim = 4;
  const data = new Float32Array(inputs.length * dim);
  inputs.forEach((input, i) => {
    const name = String(input);
    for (let d = 0; d < dim; d++) data[i * dim + d] = 1 + (name.charCodeAt(name.length - 5 - d) % 7);
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += data[i * dim + d] ** 2;
    for (let d = 0; d < dim; d++) data[i * dim + d] /= Math.sqrt(norm);
  });
  return Promise.resolve({
    embeddings: { data, count: inputs.length, dim },
    index: inputs.map((_, i) => i),
    failures: [],
    model: "fake",
    fingerprint: "fake",
  });
}

Deno.test({
  name: "prepareShoeSample joins catalogue records to the single protocol's shoes (real data)",
  ignore: !hasData,
  fn: async () => {
    const sample = await prepareShoeSample({ seed: 0, perCategory: 3, embed: fakeEmbedder, progress: false });
    assert.equal(sample.products.length, 9);
    assert.deepEqual(sample.labels, sample.products.map((p) => p.articleType));
    assert.deepEqual([...new Set(sample.labels)], ["Casual Shoes", "Formal Shoes", "Sports Shoes"]);
    sample.products.forEach((p, i) => {
      assert.equal(sample.prepared.queries[i].id, `product/${p.id}`);
      assert.ok(p.productDisplayName.length > 0);
    });
    assert.equal(sample.similarity.rows, 9);
    assert.ok(Math.abs(sample.similarity.data[0] - 1) < 1e-6);
  },
});
