import assert from "node:assert/strict";
import { join } from "node:path";
import { indexShop } from "./shop.ts";
import { runScript, withTempDir } from "./helpers.ts";

Deno.test("compare and dedup on the tiny shop: JSON, figure, CSV, groups largest first", async () => {
  await withTempDir("setsim-compare-", async (tmp) => {
    const { dir, index, env } = await indexShop(tmp, { text: false });

    // Folder vs a comma-separated file list, every method.
    const a = join(dir, "photos", "red-boot");
    const b = [1, 3].map((k) => join(dir, "photos", "red-boot-2", `${k}.png`)).join(",");
    const figure = join(tmp, "match.png");
    const all = await runScript("scripts/compare.ts", [a, b, "--json", "--figure", figure], env);
    assert.equal(all.code, 0, all.stderr);
    const out = JSON.parse(all.stdout);
    assert.equal(out.a.images.length, 3);
    assert.equal(out.b.images.length, 2);
    const byMethod = Object.fromEntries(out.methods.map((m: { method: string }) => [m.method, m]));
    assert.deepEqual(Object.keys(byMethod).sort(), [
      "centroid",
      "chamfer",
      "greedy",
      "hausdorff",
      "lp",
      "optimal",
      "ordered",
      "sinkhorn",
    ]);
    assert.equal(byMethod.ordered.score, null);
    assert.match(byMethod.ordered.reason, /equal size/);
    assert.equal(byMethod.greedy.pairs.length, 2);
    assert.equal(byMethod.greedy.unmatched_a.length, 1, "3 vs 2 images: one of A is unmatched");
    assert.ok(byMethod.greedy.score > 0.9);
    assert.equal(out.similarity.length, 3);
    const png = await Deno.readFile(join(tmp, "match-greedy.png")); // one figure per method
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG figure");

    // Item ids through the index, one method with a threshold.
    const ids = await runScript(
      "scripts/compare.ts",
      ["red-boot", "blue-sandal", "--index", index, "--method", "greedy", "--s", "0.99", "--json"],
      env,
    );
    assert.equal(ids.code, 0, ids.stderr);
    const greedy = JSON.parse(ids.stdout).methods[0];
    assert.equal(greedy.score, null, "nothing passes s = 0.99 between a boot and a sandal");
    assert.ok(greedy.pairs.every((p: { counted: boolean }) => !p.counted));
    const text = await runScript("scripts/compare.ts", [
      "red-boot",
      "red-boot-2",
      "--index",
      index,
      "--method",
      "greedy",
    ], env);
    assert.match(text.stdout, /greedy: 0\.9\d+/);
    assert.match(text.stdout, /1\. A\d ↔ B\d/);
    const noIndex = await runScript("scripts/compare.ts", ["red-boot", "blue-sandal"], env);
    assert.equal(noIndex.code, 2);
    assert.match(noIndex.stderr, /item ids need --index/);

    // Dedup: the re-shoot pairs with the original; nothing else is that close.
    const csvPath = join(tmp, "dupes.csv");
    const dd = await runScript("scripts/dedup.ts", [
      "--index",
      index,
      "--threshold",
      "0.95",
      "--csv",
      csvPath,
      "--quiet",
    ], env);
    assert.equal(dd.code, 0, dd.stderr);
    assert.equal(
      dd.stdout,
      await Deno.readTextFile(csvPath),
      "stdout and --csv hold the same CSV",
    );
    const rows = dd.stdout.trim().split("\n");
    assert.equal(rows[0], "group,size,item_id,best_match,score");
    assert.deepEqual(rows.slice(1).map((r) => r.split(",").slice(0, 4).join(",")), [
      "1,2,red-boot,red-boot-2",
      "1,2,red-boot-2,red-boot",
    ]);
    const loose = await runScript("scripts/dedup.ts", [
      "--index",
      index,
      "--threshold",
      "0.7",
      "--json",
      "--exact",
      "--quiet",
    ], env);
    const groups = JSON.parse(loose.stdout).groups;
    assert.ok(groups.length >= 1);
    for (let g = 1; g < groups.length; g++) {
      assert.ok(groups[g - 1].size >= groups[g].size, "largest groups first");
    }
    const missing = await runScript("scripts/dedup.ts", ["--index", index], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--threshold T is required/);
  });
});
