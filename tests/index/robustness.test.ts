/**
 * The failures of issue #20 ("One index you can trust"), one test each; every one of them failed on
 * the code before the fix: a build that bricks the index, `--where` that crashes or half-applies,
 * catalog paths outside the root, a moved catalog, `--check --deep`, a reused PID in the lock file.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCatalog } from "../../lib/catalog/mod.ts";
import {
  buildIndex,
  checkIndex,
  IndexError,
  loadImageEmbedder,
  LOCK_FILE,
  openIndex,
  readColumn,
} from "../../lib/index/mod.ts";
import { findDuplicates, SearchSession } from "../../lib/search/mod.ts";
import { indexShop, makeShopCatalog, SHOP_ITEMS, withShopEmbedder } from "./shop.ts";
import { runScript, withTempDir } from "./helpers.ts";

const GARBAGE_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 1, 2, 3, 4, 5, 6, 7, 8]);

async function breakEveryImage(dir: string): Promise<void> {
  for (const item of SHOP_ITEMS) {
    for (let k = 1; k <= item.shots.length; k++) {
      await Deno.writeFile(join(dir, "photos", item.id, `${k}.png`), GARBAGE_PNG);
    }
  }
}

Deno.test("robustness: a build whose every image fails keeps the last commit; --allow-shrink commits 0 items and every reader still works; restoring the images rebuilds", async () => {
  await withTempDir("setsim-robust-", async (tmp) => {
    const index = join(tmp, "shop.index");
    await withShopEmbedder(tmp, async ({ dir, manifest, embedder }) => {
      const build = async (options: { allowShrink?: boolean } = {}) =>
        await buildIndex((await loadCatalog(manifest, { check: "none" })).catalog, index, {
          embedder,
          progress: false,
          ...options,
        });
      await build();
      const session = await SearchSession.open(index);
      const query = await session.itemQuery("red-boot");
      await session.close();

      await breakEveryImage(dir);
      await assert.rejects(build, (error: Error) => {
        assert.ok(error instanceof IndexError);
        assert.match(error.message, /would commit 0 item\(s\) where the last commit has 5/);
        assert.match(error.message, /11 image\(s\) failed/);
        assert.match(error.message, /--allow-shrink/);
        return true;
      });
      const kept = await openIndex(index);
      assert.equal(kept.manifest.counts.items, 5, "the last commit is kept");
      kept.close();

      const empty = await build({ allowShrink: true });
      assert.equal(empty.items, 0);
      const reader = await SearchSession.open(index);
      try {
        assert.deepEqual(await reader.itemIds(), []);
        assert.deepEqual((await reader.search(query, { k: 3 })).results, []);
        assert.deepEqual((await reader.search(query, { k: 3, exact: true })).results, []);
        assert.deepEqual((await findDuplicates(reader, { threshold: 0.9, progress: false })).groups, []);
      } finally {
        await reader.close();
      }
      const check = await checkIndex((await loadCatalog(manifest, { check: "none" })).catalog, index);
      assert.equal(check.items, 0);
      assert.ok(check.problems.some((p) => /not in the index/.test(p.problem)));

      await makeShopCatalog(dir);
      const restored = await build();
      assert.deepEqual([restored.items, restored.images], [5, 11]);
      assert.deepEqual((await checkIndex((await loadCatalog(manifest)).catalog, index)).problems, []);
    });
  });
});

Deno.test("robustness: --where is one bounded expression; a filter matching nothing gives no results; the CLI prints (no results) and exits 0", async () => {
  await withTempDir("setsim-robust-where-", async (tmp) => {
    const { index, env } = await indexShop(tmp, { text: false });
    const session = await SearchSession.open(index);
    try {
      const query = await session.itemQuery("red-boot");
      for (const exact of [false, true]) {
        const none = await session.search(query, { k: 3, where: "category = 'Hats'", exact });
        assert.deepEqual(none.results, []);
      }
      assert.deepEqual(await session.itemIds("category = 'Hats'"), []);
      await assert.rejects(
        () => session.search(query, { where: "category = 'Boots'; AND brand = 'Nope'" }),
        /options\.where: ";" at character 19/,
      );
      const many = Array.from({ length: 700 }, (_, k) => `brand = 'b${k}'`).join(" OR ").slice(0, 4000);
      await assert.rejects(
        () => session.search(query, { where: many }),
        /terms joined by AND\/OR, at most 200/,
      );
      await assert.rejects(() => session.itemIds("x".repeat(5000)), /5000 characters, at most 4096/);
    } finally {
      await session.close();
    }
    const search = (where: string, json: boolean) =>
      runScript("scripts/search.ts", [
        "--index",
        index,
        "--query",
        "red-boot",
        "--where",
        where,
        ...(json ? ["--json"] : []),
      ], env);
    const text = await search("category = 'Hats'", false);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\(no results\)/);
    const json = await search("category = 'Hats'", true);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).results, []);
    const huge = await search(Array.from({ length: 700 }, (_, k) => `brand = 'b${k}'`).join(" OR "), true);
    assert.equal(huge.code, 2, huge.stderr);
    assert.match(huge.stderr, /--where: 700[0-9]* characters|--where: .*at most/);
  });
});

Deno.test("robustness: images outside the catalog folder are problems, never indexed, unless allowed; stored paths are relative so a moved catalog keeps working; --check --deep sees a same-size same-mtime change; a live PID in the lock file does not block", async () => {
  await withTempDir("setsim-robust-paths-", async (tmp) => {
    const { dir, manifest } = await makeShopCatalog(join(tmp, "shop"));
    const outside = join(tmp, "secret.png");
    await Deno.copyFile(join(dir, "photos", "red-boot", "1.png"), outside);
    await Deno.copyFile(join(dir, "photos", "red-boot", "2.png"), join(tmp, "other.png"));
    await Deno.symlink(outside, join(dir, "photos", "red-boot", "link.png"));
    const lines = (await Deno.readTextFile(manifest)).trim().split("\n");
    lines.push(`red-boot,${outside},Red leather boot,Boots,Acme`);
    lines.push(`red-boot,photos/red-boot/link.png,Red leather boot,Boots,Acme`);
    lines.push(`red-boot,../other.png,Red leather boot,Boots,Acme`);
    await Deno.writeTextFile(manifest, lines.join("\n") + "\n");
    const loaded = await loadCatalog(manifest, { allowOutsideRoot: false });
    const outsideProblems = loaded.problems.filter((p) => p.kind === "outside-root");
    assert.equal(outsideProblems.length, 3, JSON.stringify(loaded.problems));
    assert.equal(loaded.catalog.items.find((i) => i.id === "red-boot")!.images.length, 3);
    const allowed = await loadCatalog(manifest);
    assert.equal(allowed.catalog.items.find((i) => i.id === "red-boot")!.images.length, 6);

    const index = join(tmp, "shop.index");
    const embedder = await loadImageEmbedder({ config: { cacheDir: join(tmp, "cache") } });
    try {
      // The index command confines by default: the three are reported, none is indexed.
      const cli = await runScript(
        "scripts/index.ts",
        [manifest, "--index", index, "--json", "--text-model", "none"],
        { SETSIM_CACHE_DIR: join(tmp, "cache") },
      );
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stderr, /3 outside-root/);
      assert.equal(JSON.parse(cli.stdout).images, 11);
      // A reused PID: the lock file names a live process (this one); the flock decides, and nobody holds it.
      await Deno.writeTextFile(join(index, LOCK_FILE), `${Deno.pid}\n`);
      await buildIndex(loaded.catalog, index, { embedder, progress: false });
      const reader = await openIndex(index);
      const paths = readColumn<string>(await reader.images.query().select(["path"]).toArrow(), "path");
      reader.close();
      assert.ok(paths.every((p) => !p.startsWith("/")), `relative paths: ${paths.join(", ")}`);

      // Move the catalog folder: one index run, no embedding, results point into the new folder.
      const moved = join(tmp, "moved-shop");
      await Deno.rename(dir, moved);
      const again = await buildIndex(
        (await loadCatalog(join(moved, "catalog.csv"), { allowOutsideRoot: false })).catalog,
        index,
        {
          embedder,
          progress: false,
        },
      );
      assert.deepEqual([again.added.length, again.changed.length, again.embedded], [0, 0, 0]);
      const session = await SearchSession.open(index);
      try {
        const found = await session.search(await session.itemQuery("red-boot"), { k: 2 });
        for (const r of found.results) {
          for (const image of r.images) assert.ok(image.startsWith(moved), image);
        }
      } finally {
        await session.close();
      }

      // The same size and mtime, other content: only --deep hashes it.
      const image = join(moved, "photos", "green-shoe", "1.png");
      const { mtime } = await Deno.stat(image);
      const bytes = await Deno.readFile(image);
      bytes[bytes.length - 20] ^= 0xff;
      await Deno.writeFile(image, bytes);
      await Deno.utime(image, mtime!, mtime!);
      const catalog = (await loadCatalog(join(moved, "catalog.csv"), { allowOutsideRoot: false })).catalog;
      assert.deepEqual((await checkIndex(catalog, index)).problems, []);
      const deep = await checkIndex(catalog, index, undefined, { deep: true });
      assert.deepEqual(deep.problems.map((p) => [p.item_id, p.problem]), [[
        "green-shoe",
        "file content changed since the index was built",
      ]]);
    } finally {
      await embedder.dispose?.();
    }
  });
});
