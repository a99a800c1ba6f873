import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { loadMyntraFootwear } from "../../lib/data/mod.ts";
import { loadUniversalSentenceEncoder, USE_DIM } from "../../lib/embedding/text/use.ts";

function dot(data: Float32Array, dim: number, i: number, j: number): number {
  let sum = 0;
  for (let k = 0; k < dim; k++) sum += data[i * dim + k] * data[j * dim + k];
  return sum;
}

Deno.test("USE: 512-d unit rows, deterministic, batch size does not change results", async () => {
  const model = await loadUniversalSentenceEncoder({ batchSize: 2 });
  try {
    assert.equal(model.dim, USE_DIM);
    assert.match(model.fingerprint, /^use-lite-[0-9a-f]{32}$/);
    const texts = ["Puma Men Black Sneaker", "Nike Women Heels", "", "Catwalk Women Heels", "red flip flops"];
    const batched = await model.embedTexts(texts);
    assert.equal(batched.length, texts.length * USE_DIM);
    for (let i = 0; i < texts.length; i++) {
      const expected = texts[i] === "" ? 0 : 1;
      assert.ok(
        Math.abs(dot(batched, USE_DIM, i, i) - expected) < 1e-5,
        `row ${i}: squared norm not ${expected}`,
      );
    }
    const oneByOne = new Float32Array(texts.length * USE_DIM);
    for (let i = 0; i < texts.length; i++) oneByOne.set(await model.embedTexts([texts[i]]), i * USE_DIM);
    for (let k = 0; k < batched.length; k++) {
      assert.ok(Math.abs(batched[k] - oneByOne[k]) < 1e-5, `value ${k}: ${batched[k]} vs ${oneByOne[k]}`);
    }
    assert.deepEqual(await model.embedTexts(texts), batched);
    // Different texts, different vectors.
    assert.ok(dot(batched, USE_DIM, 0, 1) < 0.99);
    assert.equal((await model.embedTexts([])).length, 0);
  } finally {
    await model.dispose?.();
  }
});

Deno.test("USE rejects bad input", async () => {
  const model = await loadUniversalSentenceEncoder();
  await assert.rejects(model.embedTexts("shoe" as unknown as string[]), /texts must be an array of strings/);
  await assert.rejects(model.embedTexts(["shoe", 7 as unknown as string]), /texts\[1\] must be a string/);
  await assert.rejects(loadUniversalSentenceEncoder({ batchSize: 0 }), /batchSize/);
});

const labels = join(resolveConfig().dataDir, "myntra_footwear", "labels.csv");

Deno.test({
  name: "USE on Myntra titles: two Sports Shoes are closer than Sports Shoes vs Heels",
  ignore: !existsSync(labels),
  async fn() {
    const products = await loadMyntraFootwear();
    // A deterministic spread-out sample: every k-th title of each type.
    const sample = (type: string, count: number) => {
      const names = products.filter((p) => p.articleType === type).map((p) => p.productDisplayName);
      const step = Math.floor(names.length / count);
      return Array.from({ length: count }, (_, i) => names[i * step]);
    };
    const sports = sample("Sports Shoes", 30);
    const heels = sample("Heels", 30);
    const model = await loadUniversalSentenceEncoder();
    const vectors = await model.embedTexts([...sports, ...heels]);
    let within = 0, withinPairs = 0, across = 0, acrossPairs = 0, wins = 0;
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 30; j++) {
        if (i !== j) {
          within += dot(vectors, USE_DIM, i, j);
          withinPairs++;
        }
        across += dot(vectors, USE_DIM, i, 30 + j);
        acrossPairs++;
      }
      const next = (i + 1) % 30;
      if (dot(vectors, USE_DIM, i, next) > dot(vectors, USE_DIM, i, 30 + i)) wins++;
    }
    const meanWithin = within / withinPairs;
    const meanAcross = across / acrossPairs;
    assert.ok(meanWithin > meanAcross + 0.05, `mean cosine within ${meanWithin}, across ${meanAcross}`);
    assert.ok(
      wins >= 20,
      `a Sports Shoe was closer to another Sports Shoe than to a Heel in only ${wins}/30 triples`,
    );
  },
});
