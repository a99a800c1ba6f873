/**
 * The candidate sources (lib/search/candidates.ts) agree on a small index, and the re-rank step
 * fuses titles as (1 − w) · image + w · text.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildIndex, type VectorFile } from "../../lib/index/mod.ts";
import {
  AnnCandidates,
  candidateSource,
  rerank,
  SearchSession,
  TableCandidates,
  VectorFileCandidates,
} from "../../lib/search/mod.ts";
import { withShopEmbedder } from "../index/shop.ts";
import { withTempDir } from "../index/helpers.ts";

Deno.test("candidate sources: vector file, exact table and ANN index propose the same items on the shop, under a filter too", async () => {
  await withTempDir("setsim-candidates-", async (tmp) => {
    const index = join(tmp, "shop.index");
    await withShopEmbedder(tmp, async ({ catalog, embedder }) => {
      await buildIndex(catalog, index, {
        embedder,
        progress: false,
        vectorIndexMinImages: 0,
        // PQ needs 256 rows to train; the shop has 11.
        vectorIndex: { kind: "ivf_hnsw_sq", numPartitions: 1 },
      });
    });
    const session = await SearchSession.open(index);
    try {
      const file = session.vectorFile as VectorFile;
      assert.ok(file !== undefined);
      const query = await session.itemQuery("red-boot");
      const ask = { vectors: query.vectors, candidates: 3, exclude: "red-boot" };
      const fromFile = await new VectorFileCandidates(file).nearestItems(ask);
      assert.equal(fromFile.length, 3);
      assert.equal(fromFile[0], "red-boot-2");
      assert.deepEqual(await new TableCandidates(session.reader).nearestItems(ask), fromFile);
      assert.deepEqual(
        await new AnnCandidates(session.reader).nearestItems({ ...ask, nprobes: 64 }),
        fromFile,
      );
      assert.equal(candidateSource(session.reader).backend, "ann", "the index has a vector index");
      assert.equal(candidateSource(session.reader, { vectorFile: file }).backend, "vector-file");
      assert.equal(
        candidateSource(session.reader, { vectorFile: file, where: "category = 'Boots'" }).backend,
        "ann",
        "a filter not resolved to items cannot use the vector file",
      );

      const where = "category = 'Boots'";
      const only = new Set(await session.itemIds(where));
      const filtered = await new VectorFileCandidates(file, only).nearestItems({ ...ask, where });
      assert.deepEqual(filtered, ["red-boot-2"]);
      assert.deepEqual(await new TableCandidates(session.reader).nearestItems({ ...ask, where }), filtered);
      await assert.rejects(() => new VectorFileCandidates(file).nearestItems({ ...ask, where }), /filter/);
    } finally {
      await session.close();
    }
  });
});

Deno.test("rerank: fused score is (1 − w) · image + w · text; a null image score stays null and ranks last", () => {
  const unit = (...v: number[]) => ({ data: Float32Array.from(v), count: 1, dim: v.length });
  const items = new Map([
    ["a", { vectors: unit(1, 0), text: Float32Array.of(0, 1) }],
    ["b", { vectors: unit(0.6, 0.8), text: Float32Array.of(1, 0) }],
    ["c", { vectors: unit(0, 1) }],
  ]);
  const ranked = rerank(unit(1, 0), ["a", "b", "c"], (id) => items.get(id), {
    match: { method: "chamfer", s: 0.5 },
    text: { vector: Float32Array.of(1, 0), weight: 0.25 },
  });
  const byId = new Map(ranked.map((r) => [r.item_id, r]));
  assert.equal(byId.get("a")!.score, 0.75 * 1 + 0.25 * 0);
  assert.ok(Math.abs(byId.get("b")!.score! - (0.75 * 0.6 + 0.25 * 1)) < 1e-6);
  assert.equal(byId.get("c")!.score, null, "no pair passes s = 0.5");
  assert.equal(byId.get("c")!.text_score, 0, "no title vector: text cosine 0");
  assert.deepEqual(ranked.map((r) => r.item_id), ["a", "b", "c"]);
});
