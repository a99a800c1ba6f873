/**
 * The steps of `buildIndex` called one by one (lib/index/build.ts), on a tiny catalog with fake
 * files and a fake embedder: no model, no images on disk.
 * @module
 */

import assert from "node:assert/strict";
import * as lancedb from "@lancedb/lancedb";
import { join } from "node:path";
import {
  buildIndex,
  classifyItems,
  embedImages,
  type ImageEmbedder,
  type ImageFiles,
  type IndexCatalog,
  type IndexCatalogItem,
  LOCK_FILE,
  type OldItem,
  openCommitted,
  scanImages,
} from "../../lib/index/mod.ts";
import type { CatalogItem } from "../../lib/catalog/mod.ts";
import { fakeEmbedder, withTempDir } from "./helpers.ts";

const catalog: IndexCatalog = {
  name: "tiny",
  root: "/shop",
  items: [
    { id: "a", images: ["/shop/a/1.png", "/shop/a/2.png"] },
    { id: "b", images: ["/shop/b/1.png"] },
    { id: "c", images: ["/shop/c/1.png", "/shop/c/gone.png"] },
  ],
};

const files: ImageFiles = {
  stat: (path) =>
    path.endsWith("gone.png")
      ? Promise.reject(new Error("no such file"))
      : Promise.resolve({ size: 10, mtimeMs: 5 }),
  hash: (path) => Promise.resolve(`hash:${path}`),
};

/** Three-dimensional unit vectors; files named `bad` fail. */
const embedder: ImageEmbedder = fakeEmbedder((p) => p.includes("bad") ? undefined : Float32Array.of(1, 0, 0));

Deno.test("build steps: openCommitted on an empty folder is a full build; scan hashes only touched files and reports unreadable ones; classify splits the catalog", async () => {
  await withTempDir("setsim-steps-", async (dir) => {
    const db = await lancedb.connect(dir);
    try {
      const state = await openCommitted(db, dir, catalog, { embedder });
      assert.deepEqual([state.full, state.old.size, state.textModel], [true, 0, undefined]);
    } finally {
      db.close();
    }
  });
  const old = new Map<string, OldItem>([
    ["a", {
      images: [
        { image: "a/1.png", hash: "hash:/shop/a/1.png", size: 10, mtimeMs: 5, position: 0 },
        { image: "a/2.png", hash: "stale", size: 10, mtimeMs: 4, position: 1 },
      ],
      signature: JSON.stringify([null, null, null, "{}"]),
      title: null,
    }],
    ["b", {
      images: [{ image: "b/1.png", hash: "hash:/shop/b/1.png", size: 10, mtimeMs: 5, position: 0 }],
      signature: JSON.stringify([null, null, null, "{}"]),
      title: null,
    }],
    ["z", { images: [], signature: "", title: null }],
  ]);
  const scan = await scanImages(catalog, old, { files, progress: false });
  assert.equal(scan.hashed, 2, "a/2.png (mtime changed) and c/1.png (new); the rest keep their hash");
  assert.deepEqual(scan.failures.map((f) => [f.item_id, f.image]), [["c", "c/gone.png"]]);
  assert.deepEqual(scan.entries.get("a")!.map((e) => e.hash), ["hash:/shop/a/1.png", "hash:/shop/a/2.png"]);
  const classes = classifyItems(catalog, scan.entries, old);
  assert.deepEqual(
    [classes.added, classes.changed, classes.removed, classes.unchanged],
    [["c"], ["a"], ["z"], 1],
  );
  assert.deepEqual(classes.todo.map(({ item, images }) => [item.id, images.length]), [["a", 2], ["c", 1]]);
});

Deno.test("build steps: embedImages reuses nothing on a full build, embeds each content once, skips items with no vector", async () => {
  const tiny: IndexCatalog = {
    name: "tiny",
    root: "/shop",
    items: [
      { id: "a", images: ["/shop/a/1.png", "/shop/a/copy.png"] },
      { id: "bad", images: ["/shop/bad/1.png"] },
    ],
  };
  const sameContent: ImageFiles = {
    ...files,
    hash: (path) => Promise.resolve(path.includes("bad") ? "x" : "same"),
  };
  const scan = await scanImages(tiny, new Map(), { files: sameContent, progress: false });
  const classes = classifyItems(tiny, scan.entries, new Map());
  const state = { manifest: undefined, full: true, textModel: undefined, columns: [], old: new Map() };
  const rows = await embedImages(state, classes, { embedder, progress: false });
  assert.equal(rows.embedded, 1, "two files of the same content are embedded once (the bad one fails)");
  assert.deepEqual(rows.rows.item_id, ["a", "a"]);
  assert.deepEqual(rows.rows.position, [0, 1]);
  assert.deepEqual(rows.skippedItems, ["bad"]);
  assert.deepEqual(rows.failures.map((f) => [f.item_id, f.reason]), [["bad", "cannot decode"]]);
  assert.deepEqual([...rows.centroids.row(0)], [1, 0, 0]);
  assert.equal(rows.rows.vectors.rows, 2);
  rows.close();
});

Deno.test("build steps: embedImages streams rows to its spill in chunks; content met in a later chunk is read back, not embedded again", async () => {
  const items = [
    { id: "a", images: ["/shop/a/1.png"] },
    { id: "b", images: ["/shop/b/1.png", "/shop/b/2.png"] },
    { id: "c", images: ["/shop/c/1.png", "/shop/c/dup-of-a.png"] },
  ];
  const shop: IndexCatalog = { name: "shop", root: "/shop", items };
  const byContent: ImageFiles = {
    ...files,
    hash: (path) => Promise.resolve(path.includes("dup-of-a") ? "/shop/a/1.png" : path),
  };
  const vectorOf = (path: string) => {
    const v = new Float32Array(3);
    v[path.length % 3] = 1;
    v[(path.length + 1) % 3] = path.endsWith("2.png") ? 1 : 0;
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const asked: string[][] = [];
  const counting: ImageEmbedder = {
    model: "fake",
    fingerprint: "fake",
    dim: 3,
    embed(paths) {
      asked.push(paths);
      return Promise.resolve({ vectors: paths.map(vectorOf), failures: [], cacheHits: 0 });
    },
  };
  await withTempDir("setsim-spill-", async (dir) => {
    const scan = await scanImages(shop, new Map(), { files: byContent, progress: false });
    const classes = classifyItems(shop, scan.entries, new Map());
    const state = { manifest: undefined, full: true, textModel: undefined, columns: [], old: new Map() };
    const rows = await embedImages(state, classes, {
      embedder: counting,
      progress: false,
      chunkSize: 1,
      spillDir: dir,
    });
    try {
      assert.deepEqual(asked.flat(), ["/shop/a/1.png", "/shop/b/1.png", "/shop/b/2.png", "/shop/c/1.png"]);
      assert.ok(asked.every((chunk) => chunk.length === 1), "chunks of chunkSize");
      assert.deepEqual(rows.rows.item_id, ["a", "b", "b", "c", "c"]);
      const expected = ["/shop/a/1.png", "/shop/b/1.png", "/shop/b/2.png", "/shop/c/1.png", "/shop/a/1.png"];
      expected.forEach((path, r) => assert.deepEqual(rows.rows.vectors.row(r), vectorOf(path)));
      // Unit centroid of b: the normalised sum of its two rows.
      const sum = vectorOf("/shop/b/1.png").map((x, d) => x + vectorOf("/shop/b/2.png")[d]);
      const norm = Math.hypot(...sum);
      rows.centroids.row(1).forEach((x, d) => assert.ok(Math.abs(x - sum[d] / norm) < 1e-6));
      assert.equal(rows.centroids.rows, 3);
      assert.ok([...Deno.readDirSync(dir)].some((e) => e.name.startsWith(".spill-")));
    } finally {
      rows.close();
    }
    assert.deepEqual([...Deno.readDirSync(dir)], [], "close removes the spill files");
  });
});

Deno.test("build steps: scan failures come in catalog order whichever file answers first (the one limiter keeps input order)", async () => {
  const ids = Array.from({ length: 12 }, (_, k) => `item-${String(k).padStart(2, "0")}`);
  const wide: IndexCatalog = {
    name: "wide",
    root: "/shop",
    items: ids.map((id) => ({ id, images: [`/shop/${id}/gone.png`] })),
  };
  // Later files fail sooner: completion order is the reverse of catalog order.
  const slowFirst: ImageFiles = {
    stat: (path) => {
      const k = ids.findIndex((id) => path.includes(id));
      return new Promise((_, reject) => setTimeout(() => reject(new Error("no such file")), (12 - k) * 3));
    },
    hash: files.hash,
  };
  const scan = await scanImages(wide, new Map(), { files: slowFirst, progress: false });
  assert.deepEqual(scan.failures.map((f) => f.item_id), ids);
});

Deno.test("build steps: an item whose image vectors cancel gets no zero centroid: it is left out with a failure per image", async () => {
  const opposite: ImageEmbedder = {
    ...embedder,
    embed: (paths) =>
      Promise.resolve({
        vectors: paths.map((p) => p.includes("minus") ? Float32Array.of(-1, 0, 0) : Float32Array.of(1, 0, 0)),
        failures: [],
        cacheHits: 0,
      }),
  };
  const tiny: IndexCatalog = {
    name: "tiny",
    root: "/shop",
    items: [
      { id: "ok", images: ["/shop/ok/1.png"] },
      { id: "cancel", images: ["/shop/cancel/plus.png", "/shop/cancel/minus.png"] },
    ],
  };
  const scan = await scanImages(tiny, new Map(), { files, progress: false });
  const classes = classifyItems(tiny, scan.entries, new Map());
  const state = { manifest: undefined, full: true, textModel: undefined, columns: [], old: new Map() };
  const rows = await embedImages(state, classes, { embedder: opposite, progress: false });
  assert.deepEqual(rows.written.map((w) => w.item.id), ["ok"]);
  assert.deepEqual(rows.rows.item_id, ["ok"]);
  assert.deepEqual(rows.skippedItems, ["cancel"]);
  assert.deepEqual(rows.failures.map((f) => [f.item_id, f.image]), [
    ["cancel", "cancel/plus.png"],
    ["cancel", "cancel/minus.png"],
  ]);
  assert.match(rows.failures[0].reason, /cancel out/);
});

Deno.test("build steps: the index reads the one item type, CatalogItem (a loaded catalog's items are index items as they are)", () => {
  // Compile-time: IndexCatalogItem is exactly CatalogItem's fields (metadata optional), so the two
  // cannot drift apart.
  type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
  type Expected =
    & Pick<CatalogItem, "id" | "images" | "title" | "category" | "group">
    & Partial<Pick<CatalogItem, "metadata">>;
  const same: Same<IndexCatalogItem, Expected> = true;
  const item: CatalogItem = { id: "a", images: ["/shop/a/1.png"], metadata: { brand: "Acme" } };
  const indexed: IndexCatalogItem = item;
  assert.deepEqual([same, indexed.metadata], [true, { brand: "Acme" }]);
});

Deno.test("build lock: a build waits while another process's flock is held on the lock file, then runs", async () => {
  await withTempDir("setsim-lock-", async (dir) => {
    const tiny: IndexCatalog = {
      name: "tiny",
      root: "/shop",
      items: [{ id: "a", images: ["/shop/a/1.png"] }],
    };
    const options = { embedder, files, progress: false };
    await buildIndex(tiny, dir, options);
    // Another holder of the lock (an open file description of its own, as another process has).
    const holder = await Deno.open(join(dir, LOCK_FILE), { read: true });
    await holder.lock(true);
    let done = false;
    const second = buildIndex(tiny, dir, options).then((report) => {
      done = true;
      return report;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(done, false, "the second build waits for the lock");
    holder.close();
    assert.equal((await second).unchanged, 1);
  });
});
