import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCatalog } from "../../lib/catalog/mod.ts";
import {
  arrow,
  buildIndex,
  checkIndex,
  type ImageEmbedder,
  loadImageEmbedder,
  loadTextEmbedder,
  openIndex,
  readColumn,
  vectorColumn,
  VectorFile,
} from "../../lib/index/mod.ts";
import * as lancedb from "@lancedb/lancedb";
import { makeShopCatalog, SHOP_ITEMS, writeShot } from "./shop.ts";
import { runScript, withTempDir } from "./helpers.ts";

/** An embedder that counts what it embeds (wrapping the real one). */
function counting(inner: ImageEmbedder): ImageEmbedder & { seen: string[] } {
  const seen: string[] = [];
  return {
    model: inner.model,
    fingerprint: inner.fingerprint,
    dim: inner.dim,
    seen,
    embed(paths) {
      seen.push(...paths);
      return inner.embed(paths);
    },
  };
}

Deno.test("index: build, rebuild unchanged, then add/remove/change items: only the difference is embedded", async () => {
  await withTempDir("setsim-index-", async (tmp) => {
    const { dir, manifest } = await makeShopCatalog(join(tmp, "shop"));
    const indexDir = join(tmp, "shop.index");
    const config = { cacheDir: join(tmp, "cache") };
    const base = await loadImageEmbedder({ config });
    try {
      const embedder = counting(base);
      const build = async () =>
        buildIndex((await loadCatalog(manifest)).catalog, indexDir, { embedder, progress: false });
      const first = await build();
      assert.equal(first.full, true);
      assert.equal(first.items, 5);
      assert.equal(first.images, 11);
      assert.equal(embedder.seen.length, 11);
      assert.equal((await checkIndex((await loadCatalog(manifest)).catalog, indexDir)).ok, true);

      const again = await build();
      assert.equal(again.full, false);
      assert.equal(again.unchanged, 5);
      assert.equal(embedder.seen.length, 11, "an unchanged catalog embeds nothing");
      assert.equal(again.hashed, 0, "unchanged files (same size and mtime) are not even re-hashed");

      // Change: a new item, one removed, one image of an item replaced, a title edited.
      const lines = (await Deno.readTextFile(manifest)).trim().split("\n");
      const kept = lines.filter((l) => !l.startsWith("yellow-sneaker,"))
        .map((l) => l.replace("Blue strap sandal", '"Blue strap sandal, wide"'));
      await Deno.mkdir(join(dir, "photos", "purple-clog"));
      await writeShot(join(dir, "photos", "purple-clog", "1.png"), {
        shape: "circle",
        color: "#8010a0",
        dx: 0,
        scale: 1,
      });
      kept.push("purple-clog,photos/purple-clog/1.png,Purple clog,Clogs,Acme");
      await Deno.writeTextFile(manifest, kept.join("\n") + "\n");
      await writeShot(join(dir, "photos", "green-shoe", "2.png"), {
        shape: "triangle",
        color: "#10a030",
        dx: 9,
        scale: 0.6,
      });

      const third = await build();
      assert.deepEqual(third.added, ["purple-clog"]);
      assert.deepEqual(third.removed, ["yellow-sneaker"]);
      assert.deepEqual(third.changed.sort(), ["blue-sandal", "green-shoe"]);
      assert.equal(third.unchanged, 2);
      assert.deepEqual(
        embedder.seen.slice(11).map((p) => p.slice(dir.length + 1)).sort(),
        ["photos/green-shoe/2.png", "photos/purple-clog/1.png"],
        "only new content is embedded; the sandal's vectors (title change only) are reused",
      );
      assert.equal(third.reused, 3);
      assert.equal(third.items, 5);
      assert.equal(third.images, 11 - 1 + 1);
      const check = await checkIndex((await loadCatalog(manifest)).catalog, indexDir);
      assert.deepEqual(check.problems, []);

      const reader = await openIndex(indexDir);
      try {
        const ids = readColumn<string>(await reader.images.query().select(["item_id"]).toArrow(), "item_id");
        assert.equal(ids.filter((id) => id === "yellow-sneaker").length, 0, "stale rows are dropped");
        assert.equal(ids.filter((id) => id === "green-shoe").length, 2);
        const titles = await reader.items.query().where("item_id = 'blue-sandal'").select(["title"])
          .toArray();
        assert.equal(titles[0].title, "Blue strap sandal, wide");
      } finally {
        reader.close();
      }

      // --check names drift: a file touched after the build.
      await writeShot(join(dir, "photos", "red-boot", "1.png"), {
        shape: "square",
        color: "#000000",
        dx: 0,
        scale: 1,
      });
      const drift = await checkIndex((await loadCatalog(manifest)).catalog, indexDir);
      assert.equal(drift.ok, false);
      assert.deepEqual(drift.problems.map((p) => [p.item_id, p.image, p.problem]), [[
        "red-boot",
        "photos/red-boot/1.png",
        "file content changed since the index was built",
      ]]);
    } finally {
      await base.dispose?.();
    }
  });
});

Deno.test("index: titles get text vectors; a killed build leaves the last commit readable and the rerun completes", async () => {
  await withTempDir("setsim-index-crash-", async (tmp) => {
    const { manifest } = await makeShopCatalog(join(tmp, "shop"));
    const indexDir = join(tmp, "shop.index");
    const env = { SETSIM_CACHE_DIR: join(tmp, "cache") };
    const first = await runScript(
      "scripts/index.ts",
      [manifest, "--index", indexDir, "--json", "--quiet"],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    const committed = JSON.parse(first.stdout);
    assert.equal(committed.items, SHOP_ITEMS.length);

    // Add an item, then kill the build right after the images table was written (before the commit).
    const dir = join(tmp, "shop");
    await Deno.mkdir(join(dir, "photos", "purple-clog"));
    await writeShot(join(dir, "photos", "purple-clog", "1.png"), {
      shape: "circle",
      color: "#8010a0",
      dx: 0,
      scale: 1,
    });
    await Deno.writeTextFile(manifest, "purple-clog,photos/purple-clog/1.png,Purple clog,Clogs,Acme\n", {
      append: true,
    });
    for (const phase of ["embedded-chunk", "images-written", "items-written", "vector-file-written"]) {
      const killed = await runScript("tests/index/crash_runner.ts", [manifest, indexDir, phase], env);
      assert.equal(killed.code, 137, `${phase}: ${killed.stderr}`);
      const reader = await openIndex(indexDir);
      try {
        assert.equal(await reader.images.countRows(), 11, `${phase}: readers still see the last commit`);
        assert.equal(await reader.items.countRows(), 5);
        // ... and its vector file, whole (the killed build's new one is not named by the manifest).
        const file = await VectorFile.open(indexDir, reader.manifest.vectorFile!);
        assert.equal(file.rows, 11, phase);
        await file.close();
      } finally {
        reader.close();
      }
    }
    const resumed = await runScript(
      "scripts/index.ts",
      [manifest, "--index", indexDir, "--json", "--quiet"],
      env,
    );
    assert.equal(resumed.code, 0, resumed.stderr);
    const report = JSON.parse(resumed.stdout);
    assert.deepEqual(report.added, ["purple-clog"]);
    assert.equal(report.cacheHits, 1, "the killed runs' embedding is reused from the cache");
    const check = await runScript(
      "scripts/index.ts",
      [manifest, "--index", indexDir, "--check", "--json"],
      env,
    );
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(JSON.parse(check.stdout).ok, true);
    // The killed builds' vector-file segments (complete or temporary) are gone; the committed ones stay.
    const folders = [...Deno.readDirSync(indexDir)].map((e) => e.name).filter((n) => n.includes("vectors-v"));
    const segments = (await openIndex(indexDir)).manifest.vectorFile!.segments.map((s) => s.folder);
    assert.deepEqual(folders.sort(), segments.sort());

    const reader = await openIndex(indexDir);
    try {
      assert.equal(reader.manifest.textModel, "use");
      const rows = await reader.items.query().where("item_id = 'purple-clog'").select(["text_vector"])
        .toArray();
      assert.equal(rows[0].text_vector.length, 512);
    } finally {
      reader.close();
    }
    // The text model embeds the titles like a query text would be embedded.
    const text = await loadTextEmbedder("use");
    try {
      assert.equal(text.dim, 512);
    } finally {
      await text.dispose?.();
    }
  });
});

Deno.test("index: a bad catalog path and a missing --index are usage errors", async () => {
  const missing = await runScript("scripts/index.ts", ["/nonexistent/catalog.csv", "--index", "/tmp/x"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nonexistent/);
  const noIndex = await runScript("scripts/index.ts", ["coil100"]);
  assert.equal(noIndex.code, 2);
  assert.match(noIndex.stderr, /--index DIR is required/);
});

Deno.test("arrow: tables from lib/index/arrow.ts reach LanceDB (the ESM apache-arrow build would write zero rows)", async () => {
  await withTempDir("setsim-arrow-", async (tmp) => {
    const db = await lancedb.connect(tmp);
    const data = Float32Array.from({ length: 40 }, (_, i) => i);
    const table = await db.createTable("t", new arrow.Table({ vector: vectorColumn(data, 4) }));
    assert.equal(await table.countRows(), 10);
    const esm = await import("apache-arrow");
    const foreign = new esm.Table({ x: esm.vectorFromArray([1, 2, 3]) });
    const other = await db.createTable("u", foreign as unknown as import("apache-arrow").Table).catch(() =>
      undefined
    );
    // Documented hazard: if this starts holding 3 rows, LanceDB fixed the instance check and arrow.ts may go.
    if (other !== undefined) assert.equal(await other.countRows(), 0);
    db.close();
  });
});

Deno.test("index: an image that cannot be embedded is reported; its item keeps the rest; --check names it; a fix is picked up", async () => {
  await withTempDir("setsim-index-bad-", async (tmp) => {
    const { dir, manifest } = await makeShopCatalog(join(tmp, "shop"));
    const indexDir = join(tmp, "shop.index");
    const env = { SETSIM_CACHE_DIR: join(tmp, "cache") };
    // A PNG signature followed by garbage: passes the catalog's signature check, fails to decode.
    const bad = join(dir, "photos", "blue-sandal", "2.png");
    await Deno.writeFile(
      bad,
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 1, 2, 3, 4, 5, 6, 7, 8]),
    );
    const build = () =>
      runScript("scripts/index.ts", [
        manifest,
        "--index",
        indexDir,
        "--json",
        "--quiet",
        "--text-model",
        "none",
      ], env);
    const first = await build();
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    assert.equal(report.images, 10);
    assert.deepEqual(report.failures.map((f: { item_id: string; image: string }) => [f.item_id, f.image]), [[
      "blue-sandal",
      "photos/blue-sandal/2.png",
    ]]);
    const check = await runScript("scripts/index.ts", [manifest, "--index", indexDir, "--check"], env);
    assert.equal(check.code, 1);
    assert.match(
      check.stdout,
      /blue-sandal \/ photos\/blue-sandal\/2\.png: failed to embed at the last build/,
    );
    await writeShot(bad, { shape: "stripes", color: "#1030c0", dx: 4, scale: 1.2 });
    const fixed = await build();
    const again = JSON.parse(fixed.stdout);
    assert.deepEqual(again.changed, ["blue-sandal"]);
    assert.deepEqual(again.failures, []);
    assert.equal(again.images, 11);
    const ok = await runScript("scripts/index.ts", [manifest, "--index", indexDir, "--check"], env);
    assert.equal(ok.code, 0, ok.stdout);
  });
});
