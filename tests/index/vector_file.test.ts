import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildIndex,
  checkIndex,
  openIndex,
  pcaBasis,
  projectRows,
  topIndices,
  VectorFile,
  vectorFileFolder,
} from "../../lib/index/mod.ts";
import { createRng } from "../../lib/random/mod.ts";
import { SearchSession } from "../../lib/search/mod.ts";
import { syntheticCatalog, syntheticIndexInput } from "../../bench/support/synthetic.ts";
import { withTempDir } from "./helpers.ts";

function sources(count: number, dim: number, seed = 4) {
  const rng = createRng(seed, "vector-file-sources");
  const data = new Float32Array(count * dim).map(() => rng() - 0.5);
  return {
    vectors: { data: projectRows(data, dim, dim, 5), count, dim },
    groups: Array.from({ length: count }, (_, r) => `g${r % 5}`),
  };
}

Deno.test("topIndices: the k largest, ties by lower index, best first — same as a full sort", () => {
  const rng = createRng(1, "top");
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rng() * 60);
    // Few distinct values, so that ties are common.
    const scores = Float32Array.from(
      { length: n },
      () => Math.floor(rng() * 6) / 5 - (rng() < 0.1 ? Infinity : 0),
    );
    const k = Math.floor(rng() * (n + 3));
    const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b)
      .slice(0, k);
    assert.deepEqual(topIndices(scores, k), expected, `n ${n}, k ${k}`);
  }
  assert.deepEqual(topIndices(new Float32Array([NaN, 1, NaN, 0]), 3), [1, 3], "NaN is never picked");
  assert.deepEqual(topIndices(new Float32Array([1, 2]), 0), []);
});

Deno.test("pcaBasis: orthonormal rows; data of rank r is captured whole; more variance in the top components", async () => {
  const rng = createRng(2, "pca");
  const d = 40, n = 300, rank = 5;
  // Points on a random 5-d affine subspace of R^40.
  const axes = Float32Array.from({ length: rank * d }, () => rng() - 0.5);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < rank; c++) {
      const w = (rng() - 0.5) * (c + 1);
      for (let j = 0; j < d; j++) data[i * d + j] += w * axes[c * d + j];
    }
    for (let j = 0; j < d; j++) data[i * d + j] += 3;
  }
  const full = await pcaBasis({ data, count: n, dim: d }, { components: rank });
  for (let a = 0; a < rank; a++) {
    for (let b = 0; b < rank; b++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += full.basis[a * d + j] * full.basis[b * d + j];
      assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-4, `row ${a} · row ${b} = ${dot}`);
    }
  }
  assert.ok(full.explainedVarianceRatio > 0.9999, `${full.explainedVarianceRatio}`);
  const two = await pcaBasis({ data, count: n, dim: d }, { components: 2 });
  assert.ok(two.explainedVarianceRatio > 2 / rank && two.explainedVarianceRatio < 1);
  await assert.rejects(() => pcaBasis({ data, count: n, dim: d }, { components: 41 }), /components must be/);
});

Deno.test("vector file: written by the build; nearest rows match brute force; search through it equals the table path", async () => {
  await withTempDir("setsim-vector-file-", async (dir) => {
    // d = 300 > 256: the first stage scans PCA codes, the second refines with exact vectors.
    const synthetic = syntheticCatalog(sources(80, 300), { images: 1500, seed: 3 });
    const input = syntheticIndexInput(synthetic, { seed: 3 });
    const index = join(dir, "shop.index");
    await buildIndex(input.catalog, index, { ...input, progress: false });
    const reader = await openIndex(index);
    const manifest = reader.manifest.vectorFile!;
    reader.close();
    assert.equal(manifest.segments.length, 1);
    const entry = manifest.segments[0];
    assert.equal(entry.folder, vectorFileFolder(reader.manifest.versions.images));
    assert.equal(entry.rows, 1500);
    assert.equal(entry.codeDim, 256);
    assert.ok(entry.explainedVarianceRatio > 0.5 && entry.explainedVarianceRatio <= 1);

    const file = await VectorFile.open(index, manifest);
    try {
      // Every item's vectors, in position order, equal the catalog's.
      for (const item of synthetic.items.slice(0, 20)) {
        const got = file.itemVectors(item.id)!;
        assert.equal(got.count, item.vectors.count);
        assert.ok(got.data.every((v, k) => Math.abs(v - item.vectors.data[k]) < 1e-6));
      }
      assert.equal(file.itemVectors("no such item"), undefined);
      // Nearest rows against brute force over all rows.
      const query = synthetic.items[7].vectors;
      const nearest = await file.nearestImages(query, 10, { exclude: synthetic.items[7].id });
      for (let j = 0; j < query.count; j++) {
        const q = query.data.subarray(j * 300, (j + 1) * 300);
        const sims: number[] = [];
        for (const item of synthetic.items) {
          if (item.id === synthetic.items[7].id) continue;
          for (let r = 0; r < item.vectors.count; r++) {
            let dot = 0;
            for (let d = 0; d < 300; d++) dot += q[d] * item.vectors.data[r * 300 + d];
            sims.push(dot);
          }
        }
        sims.sort((a, b) => b - a);
        const got = [...nearest[j].similarities];
        assert.equal(got.length, 10);
        // Stage 2 scores exactly, so what is found is exact; the codes may miss a few of the true 10.
        let found = 0;
        for (const s of got) if (s >= sims[9] - 1e-5) found++;
        assert.ok(found >= 9, `query image ${j}: ${found}/10 of the true nearest rows found`);
        assert.ok(Math.abs(got[0] - sims[0]) < 1e-5, "the nearest row is found");
        for (const id of nearest[j].items) assert.notEqual(id, synthetic.items[7].id);
      }
    } finally {
      await file.close();
    }

    // Search: the mapped path and the table path (a copy of the index whose manifest names no vector
    // file) give the same results, for shortlist and exact search, with and without a filter.
    const tablesOnly = join(dir, "tables.index");
    await new Deno.Command("cp", { args: ["-r", index, tablesOnly] }).output();
    const raw = JSON.parse(await Deno.readTextFile(join(tablesOnly, "setsim-index.json")));
    delete raw.vectorFile;
    await Deno.writeTextFile(join(tablesOnly, "setsim-index.json"), JSON.stringify(raw));
    const session = await SearchSession.open(index);
    const tableSession = await SearchSession.open(tablesOnly);
    try {
      assert.ok(session.vectorFile !== undefined);
      assert.equal(tableSession.vectorFile, undefined);
      for (const id of [synthetic.items[3].id, synthetic.items[40].id]) {
        const query = await session.itemQuery(id);
        for (const exact of [true, false]) {
          for (const where of [undefined, "category = 'g1'"]) {
            const mapped = await session.search(query, { k: 10, exact, candidates: 60, where });
            const tables = await tableSession.search(query, { k: 10, exact, candidates: 60, where });
            assert.deepEqual(
              mapped.results.map((r) => [r.item_id, r.score, r.images, r.group]),
              tables.results.map((r) => [r.item_id, r.score, r.images, r.group]),
              `exact ${exact}, where ${where}`,
            );
            assert.ok(mapped.results.length > 0);
            assert.ok(mapped.results.every((r) => r.images.length > 0 && r.item_id !== id));
            if (where) assert.ok(mapped.results.every((r) => r.group === "g1"));
          }
        }
      }
    } finally {
      await session.close();
      await tableSession.close();
    }
  });
});

Deno.test("vector file: an incremental build appends a segment that drops the stale items; compaction writes one again; --check; a damaged one falls back to the tables", async () => {
  await withTempDir("setsim-vector-file-", async (dir) => {
    const synthetic = syntheticCatalog(sources(40, 300, 6), { images: 600, seed: 5 });
    const index = join(dir, "shop.index");
    const first = syntheticIndexInput(synthetic, { seed: 5 });
    await buildIndex(first.catalog, index, { ...first, progress: false });
    const manifestOf = async () => {
      const reader = await openIndex(index);
      reader.close();
      return reader.manifest;
    };
    const before = (await manifestOf()).vectorFile!;
    // Unchanged rebuild: the same file is kept.
    await buildIndex(first.catalog, index, { ...first, progress: false });
    assert.deepEqual((await manifestOf()).vectorFile, before);

    // Two items changed, one removed: a second segment with their new rows, dropping all three.
    const next = syntheticIndexInput(synthetic, { seed: 5, versions: new Map([[0, 1], [9, 1]]) });
    const removed = next.catalog.items[5].id;
    next.catalog.items.splice(5, 1);
    await buildIndex(next.catalog, index, { ...next, progress: false });
    const appended = (await manifestOf()).vectorFile!;
    assert.equal(appended.segments.length, 2);
    assert.deepEqual(appended.segments[0], before.segments[0], "the first segment is kept as it was");
    const changedRows = next.catalog.items[0].images.length + next.catalog.items[8].images.length;
    assert.equal(appended.segments[1].rows, changedRows, "only the changed items' rows are written");
    assert.equal(appended.segments[1].explainedVarianceRatio, before.segments[0].explainedVarianceRatio);
    const expectVisible = async (label: string) => {
      const file = await VectorFile.open(index, (await manifestOf()).vectorFile!);
      const check = await SearchSession.open(index);
      try {
        assert.equal(file.items.length, next.catalog.items.length, label);
        assert.equal(file.hasItem(removed), false, `${label}: a removed item is not visible`);
        for (const item of next.catalog.items.slice(0, 12)) {
          // Changed items (0 and 9) and kept ones alike hold the table's vectors in position order.
          const expected = await check.itemQuery(item.id);
          assert.deepEqual(
            [...file.itemVectors(item.id)!.data],
            [...expected.vectors.data],
            `${label}: ${item.id}`,
          );
        }
        const near = await file.nearestImages(
          next.catalog.items.length > 0
            ? (await check.itemQuery(next.catalog.items[0].id)).vectors
            : file.itemVectors(file.items[0])!,
          5,
        );
        for (const found of near) assert.ok(!found.items.includes(removed));
      } finally {
        await check.close();
        await file.close();
      }
    };
    await expectVisible("appended");
    assert.deepEqual((await checkIndex(next.catalog, index, next.files)).problems, []);

    // Past the compaction ratio (a quarter of the items changed): one segment again, the old gone.
    const many = syntheticIndexInput(synthetic, {
      seed: 5,
      versions: new Map(Array.from({ length: 40 }, (_, k) => [k, 2])),
    });
    many.catalog.items.splice(5, 1);
    await buildIndex(many.catalog, index, { ...many, progress: false });
    const compacted = (await manifestOf()).vectorFile!;
    assert.equal(compacted.segments.length, 1);
    const folders = [...Deno.readDirSync(index)].map((e) => e.name).filter((n) => n.includes("vectors-v"));
    assert.deepEqual(folders, [compacted.segments[0].folder]);
    assert.deepEqual((await checkIndex(many.catalog, index, many.files)).problems, []);

    // index --check names a changed value.
    const vectorsPath = join(index, compacted.segments[0].folder, "vectors.f32");
    const bytes = await Deno.readFile(vectorsPath);
    new Float32Array(bytes.buffer)[0] += 0.5;
    await Deno.writeFile(vectorsPath, bytes);
    const report = await checkIndex(many.catalog, index, many.files);
    assert.equal(report.ok, false);
    assert.equal(report.problems.length, 1);
    assert.match(
      report.problems[0].problem,
      /vector file damaged: vectors-v\d+\/vectors\.f32: checksum mismatch/,
    );

    // An index from before vector files (none named in its manifest): the next build streams the table.
    const manifestPath = join(index, "setsim-index.json");
    const raw = JSON.parse(await Deno.readTextFile(manifestPath));
    delete raw.vectorFile;
    await Deno.writeTextFile(manifestPath, JSON.stringify(raw));
    await Deno.remove(join(index, compacted.segments[0].folder), { recursive: true });
    await buildIndex(many.catalog, index, { ...many, progress: false });
    const upgraded = (await manifestOf()).vectorFile!;
    assert.equal(upgraded.segments.length, 1);
    assert.equal(upgraded.segments[0].rows, compacted.segments[0].rows);
    assert.deepEqual((await checkIndex(many.catalog, index, many.files)).problems, []);

    // Truncate a file: opening fails with its name; search warns and uses the tables.
    const codes = join(index, upgraded.segments[0].folder, "codes.f32");
    await Deno.truncate(codes, 100);
    await assert.rejects(() => VectorFile.open(index, upgraded), /codes\.f32: 100 bytes/);
    const session = await SearchSession.open(index);
    try {
      assert.equal(session.vectorFile, undefined);
      const query = await session.itemQuery(many.catalog.items[3].id);
      const result = await session.search(query, { k: 5 });
      assert.equal(result.results.length, 5);
    } finally {
      await session.close();
    }
  });
});

Deno.test("vector file: inverted lists (threshold forced low) — probing every list equals the whole scan; few lists still find most", async () => {
  await withTempDir("setsim-vector-file-", async (dir) => {
    const synthetic = syntheticCatalog(sources(80, 300, 8), { images: 2000, seed: 9 });
    const input = syntheticIndexInput(synthetic, { seed: 9 });
    const flatDir = join(dir, "flat.index"), ivfDir = join(dir, "ivf.index");
    await buildIndex(input.catalog, flatDir, { ...input, progress: false });
    await buildIndex(input.catalog, ivfDir, { ...input, progress: false, vectorIvfMinRows: 1000 });
    const flatReader = await openIndex(flatDir), ivfReader = await openIndex(ivfDir);
    flatReader.close();
    ivfReader.close();
    assert.equal(flatReader.manifest.vectorFile!.segments[0].lists, 0);
    const lists = ivfReader.manifest.vectorFile!.segments[0].lists;
    assert.equal(lists, Math.round(Math.sqrt(2000)));
    const flat = await VectorFile.open(flatDir, flatReader.manifest.vectorFile!);
    const ivf = await VectorFile.open(ivfDir, ivfReader.manifest.vectorFile!);
    try {
      let found = 0, total = 0;
      for (const k of [2, 30, 61]) {
        const item = synthetic.items[k];
        const a = await flat.nearestImages(item.vectors, 20, { exclude: item.id });
        const all = await ivf.nearestImages(item.vectors, 20, { exclude: item.id, probes: lists });
        // Same codes (same basis: same sample, same seed), every list probed: the same images.
        assert.deepEqual(all.map((x) => [...x.similarities]), a.map((x) => [...x.similarities]));
        const few = await ivf.nearestImages(item.vectors, 20, { exclude: item.id, probes: 8 });
        few.forEach((x, j) => {
          const truth = new Set(a[j].similarities);
          found += [...x.similarities].filter((s) => truth.has(s)).length;
          total += a[j].similarities.length;
          assert.ok(x.items.every((id) => id !== item.id));
        });
      }
      assert.ok(found / total > 0.6, `8 of ${lists} lists: ${found}/${total} of the nearest images`);
    } finally {
      await flat.close();
      await ivf.close();
    }
    // Search through the lists gives results scored by the same exact re-rank.
    const session = await SearchSession.open(ivfDir);
    try {
      const query = await session.itemQuery(synthetic.items[5].id);
      const exact = await session.search(query, { k: 10, exact: true });
      const listed = await session.search(query, { k: 10, nprobes: lists });
      assert.deepEqual(listed.results.map((r) => r.item_id), exact.results.map((r) => r.item_id));
    } finally {
      await session.close();
    }
    assert.deepEqual((await checkIndex(input.catalog, ivfDir, input.files)).problems, []);
  });
});
