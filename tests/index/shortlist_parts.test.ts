/**
 * The stored shortlist parts (lib/index/shortlist_parts.ts): hand-checked encodings, the build's
 * parts equal the per-process structures, incremental builds copy unchanged rows and encode the rest,
 * and the stored `centroid` / `fde` shortlists propose what the per-process ones do.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildIndex,
  openIndex,
  projectRows,
  ShortlistParts,
  type ShortlistPartsEntry,
  SKETCH_DIM,
  SKETCH_SEED,
} from "../../lib/index/mod.ts";
import { encodeDocumentFde, fdePlan, SHORTLIST_FDE } from "../../lib/index/fde.ts";
import { writeShortlistParts } from "../../lib/index/shortlist_parts.ts";
import { unitCentroid } from "../../lib/matching/centroid.ts";
import { createRng } from "../../lib/random/mod.ts";
import { SearchSession } from "../../lib/search/mod.ts";
import { syntheticCatalog, syntheticIndexInput } from "../../bench/support/synthetic.ts";
import { withTempDir } from "./helpers.ts";

function sources(count: number, dim: number, seed = 1) {
  const rng = createRng(seed, "test-sources");
  const data = new Float32Array(count * dim).map(() => rng() - 0.5);
  return {
    vectors: { data: projectRows(data, dim, dim, 3), count, dim },
    groups: Array.from({ length: count }, (_, r) => `g${r % 4}`),
  };
}

const close = (a: Float32Array, b: Float32Array, tolerance: number) =>
  a.length === b.length && a.every((v, k) => Math.abs(v - b[k]) <= tolerance);

async function readEntry(dir: string): Promise<ShortlistPartsEntry> {
  const reader = await openIndex(dir);
  reader.close();
  assert.ok(reader.manifest.shortlists !== undefined, "the build stores the shortlist parts");
  return reader.manifest.shortlists!;
}

Deno.test("shortlist parts: hand-checked — two sets in 2-d, identity centre 0: the stored FDE and sketch are encodeDocumentFde's and the normalised projected centroid", async () => {
  await withTempDir("setsim-parts-hand-", async (dir) => {
    // Set a: (1, 0) and (0, 1); set b: (−1, 0) once.
    const sets = new Map([["a", new Float32Array([1, 0, 0, 1])], ["b", new Float32Array([-1, 0])]]);
    const entry = await writeShortlistParts(dir, {
      dim: 2,
      ids: ["a", "b"],
      vectorsOf: (id) => sets.get(id)!,
    }, {
      version: 1,
      centre: new Float32Array([0, 0]),
    });
    assert.equal(entry.folder, "shortlists-v1");
    assert.equal(entry.items, 2);
    const parts = await ShortlistParts.open(dir, entry);
    try {
      const plan = fdePlan(2, SHORTLIST_FDE);
      assert.deepEqual(parts.ids, ["a", "b"]);
      for (const [id, vectors] of sets) {
        const r = parts.rowOf(id)!;
        const stored = parts.fdes.subarray(r * entry.fde.dim, (r + 1) * entry.fde.dim);
        assert.ok(close(stored, encodeDocumentFde(vectors, plan), 1e-5), `${id}: stored FDE`);
        const sketch = parts.sketches.subarray(r * SKETCH_DIM, (r + 1) * SKETCH_DIM);
        const expected = projectRows(
          unitCentroid({ data: vectors, count: vectors.length / 2, dim: 2 })!,
          2,
          SKETCH_DIM,
          SKETCH_SEED,
        );
        assert.ok(close(sketch, expected, 1e-5), `${id}: stored sketch`);
      }
      // b's centroid is (−1, 0), a's is (1, 1)/√2: cosine −0.707, kept by the sketches within ~3/√256.
      const scores = await parts.sketchScores(parts.sketches.slice(0, SKETCH_DIM));
      assert.ok(Math.abs(scores[0] - 1) < 1e-5);
      assert.ok(Math.abs(scores[1] + Math.SQRT1_2) < 3 / Math.sqrt(SKETCH_DIM), `${scores[1]}`);
    } finally {
      await parts.close();
    }
  });
});

Deno.test("shortlist parts: built with the index — every item's stored FDE and sketch equal the per-process ones (property, 300 items); an incremental build copies the unchanged rows and encodes the changed", async () => {
  await withTempDir("setsim-parts-", async (dir) => {
    // d = 16 ≤ 256: the vector file has no PCA mean, so the centre is the exact mean of every row.
    const dim = 16;
    const synthetic = syntheticCatalog(sources(60, dim), { images: 1200, seed: 4 });
    const input = syntheticIndexInput(synthetic, { seed: 4 });
    const index = join(dir, "shop.index");
    await buildIndex(input.catalog, index, { ...input, progress: false });
    const entry = await readEntry(index);
    assert.equal(entry.items, synthetic.items.length);
    const plan = fdePlan(dim, SHORTLIST_FDE);
    const mean = new Float64Array(dim);
    for (const item of synthetic.items) {
      item.vectors.data.forEach((v, k) => mean[k % dim] += v);
    }
    const centre = Float32Array.from(mean, (v) => v / 1200);
    const parts = await ShortlistParts.open(index, entry);
    try {
      assert.ok(close(parts.centre, centre, 1e-5), "centred on the mean image vector");
      assert.deepEqual([...parts.ids].sort(), synthetic.items.map((i) => i.id).sort());
      for (const item of synthetic.items.slice(0, 300)) {
        const r = parts.rowOf(item.id)!;
        const centred = item.vectors.data.map((v, k) => v - centre[k % dim]);
        const expected = encodeDocumentFde(centred, plan);
        const stored = parts.fdes.subarray(r * entry.fde.dim, (r + 1) * entry.fde.dim);
        assert.ok(close(stored, expected, 1e-4), `${item.id}: stored FDE`);
        const sketch = projectRows(unitCentroid(item.vectors)!, dim, SKETCH_DIM, SKETCH_SEED);
        assert.ok(
          close(parts.sketches.subarray(r * SKETCH_DIM, (r + 1) * SKETCH_DIM), sketch, 1e-4),
          item.id,
        );
      }
    } finally {
      await parts.close();
    }

    // Two items change: their rows are encoded again, the others copied; the centre is kept.
    const changed = [3, 50];
    const next = syntheticIndexInput(synthetic, { seed: 4, versions: new Map(changed.map((k) => [k, 1])) });
    await buildIndex(next.catalog, index, { ...next, progress: false });
    const after = await readEntry(index);
    assert.notEqual(after.folder, entry.folder, "a new folder for the new table version");
    assert.equal(after.items, entry.items);
    const again = await ShortlistParts.open(index, after);
    try {
      assert.ok(close(again.centre, centre, 0), "the centre is kept");
      for (const k of [...changed, 4, 100]) {
        const item = changed.includes(k) ? synthetic.variant(k, 1) : synthetic.items[k];
        const r = again.rowOf(item.id)!;
        const centred = item.vectors.data.map((v, j) => v - centre[j % dim]);
        const stored = again.fdes.subarray(r * after.fde.dim, (r + 1) * after.fde.dim);
        assert.ok(close(stored, encodeDocumentFde(centred, plan), 1e-4), `${item.id} after the update`);
      }
      assert.deepEqual(again.ids.slice(-2).sort(), changed.map((k) => synthetic.items[k].id).sort());
    } finally {
      await again.close();
    }
    const folders = [...Deno.readDirSync(index)].map((e) => e.name).filter((n) =>
      n.startsWith("shortlists-")
    );
    assert.deepEqual(folders, [after.folder], "the previous folder is removed at the commit");
  });
});

Deno.test("shortlist parts: the stored centroid and fde shortlists propose what the per-process ones do", async () => {
  await withTempDir("setsim-parts-search-", async (dir) => {
    const synthetic = syntheticCatalog(sources(60, 16, 2), { images: 900, seed: 6 });
    const input = syntheticIndexInput(synthetic, { seed: 6 });
    const index = join(dir, "shop.index");
    await buildIndex(input.catalog, index, { ...input, progress: false });
    const session = await SearchSession.open(index);
    try {
      assert.ok(await session.storedParts() !== undefined);
      for (const k of [0, 17, 90]) {
        const query = await session.itemQuery(synthetic.items[k].id);
        for (const shortlist of ["centroid", "fde"]) {
          const stored = await session.search(query, { k: 10, shortlist, candidates: 40 });
          // The same search with the parts hidden: computed in this process.
          const parts = session.storedParts;
          session.storedParts = () => Promise.resolve(undefined);
          const computed = await session.search(query, { k: 10, shortlist, candidates: 40 });
          session.storedParts = parts;
          const ids = (r: typeof stored) => r.results.map((x) => x.item_id);
          assert.deepEqual(ids(stored), ids(computed), `${shortlist}, query ${k}`);
          assert.ok(!ids(stored).includes(synthetic.items[k].id), "the query item is excluded");
        }
      }
    } finally {
      await session.close();
    }
  });
});
