import assert from "node:assert/strict";
import { join } from "node:path";
import { buildIndex, openIndex, projectRows } from "../../lib/index/mod.ts";
import { createRng } from "../../lib/random/mod.ts";
import { SearchSession } from "../../lib/search/mod.ts";
import { syntheticCatalog, syntheticIndexInput } from "../../bench/support/synthetic.ts";

function sources(count: number, dim: number) {
  const rng = createRng(2, "ann-sources");
  const data = new Float32Array(count * dim).map(() => rng() - 0.5);
  return {
    vectors: { data: projectRows(data, dim, dim, 5), count, dim },
    groups: Array.from({ length: count }, (_, r) => `g${r % 5}`),
  };
}

for (const kind of ["ivf_pq", "ivf_hnsw_sq"] as const) {
  Deno.test(`ANN path (${kind}, threshold forced to 0) agrees with --exact on a small catalog`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "setsim-ann-" });
    try {
      const synthetic = syntheticCatalog(sources(60, 32), { images: 800, seed: 3 });
      const input = syntheticIndexInput(synthetic, { seed: 3 });
      const index = join(dir, "shop.index");
      await buildIndex(input.catalog, index, {
        ...input,
        progress: false,
        vectorIndexMinImages: 0,
        vectorIndex: { kind, numPartitions: 4, numSubVectors: 4 },
      });
      const reader = await openIndex(index);
      assert.deepEqual(reader.manifest.vectorIndexes, ["images.vector"]);
      // One vector index on images.vector, beside the B-tree on item_id every build makes.
      const built = await reader.images.listIndices();
      assert.deepEqual(built.map((i) => i.columns).sort(), [["item_id"], ["vector"]]);
      reader.close();

      const session = await SearchSession.open(index);
      try {
        const queries = synthetic.items.filter((_, k) => k % 25 === 0).map((i) => i.id);
        let found = 0, total = 0;
        for (const id of queries) {
          const query = await session.itemQuery(id);
          const exact = await session.search(query, { k: 10, exact: true });
          const ann = await session.search(query, { k: 10, shortlist: "images", candidates: 50 });
          assert.equal(ann.shortlist.exact, false);
          const truth = new Set(exact.results.map((r) => r.item_id));
          found += ann.results.filter((r) => truth.has(r.item_id)).length;
          total += truth.size;
          // A result the ANN path returns is scored by the same exact re-rank.
          for (const r of ann.results) {
            const same = exact.results.find((e) => e.item_id === r.item_id);
            if (same !== undefined) assert.equal(same.score, r.score);
          }
        }
        // ivf_hnsw_sq's graph is built by several threads, so its recall varies run to run (0.77 seen
        // here); only ivf_pq's is asserted (lib/index/ann.ts).
        if (kind === "ivf_pq") {
          assert.ok(found / total >= 0.9, `recall@10 of the ANN path vs exact: ${found / total}`);
        } else assert.ok(found > 0);
      } finally {
        await session.close();
      }

      // An incremental build keeps the trained index (no re-train for a small update), and the
      // changed item's new photos are found (rows added after training are scanned exactly).
      const changed = syntheticIndexInput(synthetic, { seed: 3, versions: new Map([[7, 1]]) });
      // The vector index's id (the B-tree on item_id is rebuilt by every build that changes rows).
      const indexFiles = async () => {
        const reader = await openIndex(index);
        try {
          return (await reader.images.listIndices()).filter((i) => i.columns.includes("vector"))
            .map((i) => i.indexUuid);
        } finally {
          reader.close();
        }
      };
      const before = await indexFiles();
      await buildIndex(changed.catalog, index, {
        ...changed,
        progress: false,
        vectorIndexMinImages: 0,
        vectorIndex: { kind, numPartitions: 4, numSubVectors: 4 },
      });
      assert.deepEqual(await indexFiles(), before, "the trained index is kept");
      const again = await SearchSession.open(index);
      try {
        const id = synthetic.items[7].id;
        const query = await again.itemQuery(id);
        const self = await again.search({ ...query, itemId: undefined }, {
          k: 1,
          shortlist: "images",
          candidates: 10,
        });
        assert.equal(self.results[0].item_id, id, "the re-shot item finds itself through the ANN path");
        assert.deepEqual(again.manifest.vectorIndexes, ["images.vector"]);
      } finally {
        await again.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("ANN path: below the threshold no vector index is built (exact flat search)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-ann-" });
  try {
    const synthetic = syntheticCatalog(sources(20, 16), { images: 60, seed: 1 });
    const input = syntheticIndexInput(synthetic, { seed: 1 });
    await buildIndex(input.catalog, join(dir, "i"), { ...input, progress: false, vectorIndexMinImages: 61 });
    const reader = await openIndex(join(dir, "i"));
    assert.equal(reader.manifest.vectorIndexes, undefined);
    assert.deepEqual((await reader.images.listIndices()).map((i) => i.columns), [["item_id"]]);
    reader.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
