/**
 * `compare --method all --figure F` saves one figure per method (F with the method's name before
 * the extension) and names every file it wrote; one method writes F itself.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runScript, withTempDir } from "../index/helpers.ts";
import { makeShopCatalog } from "../index/shop.ts";

Deno.test("compare --method all --figure F writes F-METHOD.svg for every method with a match, and says so", async () => {
  await withTempDir("setsim-compare-figure-", async (tmp) => {
    const { dir } = await makeShopCatalog(join(tmp, "shop"));
    const env = { SETSIM_CACHE_DIR: join(tmp, "cache") };
    const a = join(dir, "photos", "red-boot");
    const b = join(dir, "photos", "red-boot-2");
    const figure = join(tmp, "figs", "match.svg");
    const all = await runScript(
      "scripts/compare.ts",
      [a, b, "--method", "all", "--figure", figure, "--json"],
      env,
    );
    assert.equal(all.code, 0, all.stderr);
    const methods: { method: string; score: number | null }[] = JSON.parse(all.stdout).methods;
    assert.ok(methods.length > 1);
    const written = [...all.stderr.matchAll(/^compare: wrote (\S+) \((\w+)\)$/gm)].map((m) => [m[2], m[1]]);
    assert.ok(written.length >= 5, all.stderr);
    for (const [method, path] of written) {
      assert.equal(path, join(tmp, "figs", `match-${method}.svg`));
      const svg = await Deno.readTextFile(path);
      assert.match(svg, /^<svg|<svg /);
      assert.ok(svg.includes(`${method}:`), `${path} is the ${method} figure`);
    }
    // Every method is accounted for: a file written, or a line saying why not.
    for (const { method } of methods) {
      assert.ok(
        written.some(([m]) => m === method) || all.stderr.includes(`no figure for ${method}`),
        `${method}: ${all.stderr}`,
      );
    }
    await assert.rejects(Deno.stat(figure), Deno.errors.NotFound, "several methods: no bare F");

    const single = join(tmp, "greedy.svg");
    const one = await runScript("scripts/compare.ts", [a, b, "--method", "greedy", "--figure", single], env);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stderr, /compare: wrote .*greedy\.svg \(greedy\)/);
    assert.ok((await Deno.readTextFile(single)).includes("greedy:"));
  });
});
