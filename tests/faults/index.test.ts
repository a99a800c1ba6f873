/**
 * `deno task index` killed at seeded random points: the committed index is always the previous
 * complete one or the new complete one (checked with `index --check` against each catalog
 * version), and a rerun gives the same search results as an index built undisturbed.
 * Runs only where `scripts/index.ts` exists.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { killAfter, ROOT, runCli, seeded, writeImages } from "./helpers.ts";

const hasIndex = await Deno.stat(join(ROOT, "scripts", "index.ts")).then(() => true, () => false);

/** Item folders of two photos each in `dir`, distinct colours per item. */
async function writeItems(dir: string, names: string[]): Promise<void> {
  for (const [k, name] of names.entries()) await writeImages(join(dir, name), 2, `v${k}-`, 2 * k);
}

async function checkOk(catalog: string, index: string, env: Record<string, string>): Promise<boolean> {
  const r = await runCli("index", [catalog, "--index", index, "--check", "--json", "--quiet"], env);
  if (r.code !== 0 && r.code !== 1) throw new Error(`index --check failed: ${r.stderr}`);
  return JSON.parse(r.stdout).ok === true;
}

async function searchResults(index: string, env: Record<string, string>) {
  const r = await runCli("search", ["--index", index, "--query", "item-a", "--json", "--exact"], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).results.map((x: { item_id: string; score: number }) => [x.item_id, x.score]);
}

Deno.test({
  name: `index killed at seeded random points keeps the old or the new committed index; a rerun matches${
    hasIndex ? "" : " (SKIPPED: no scripts/index.ts in this checkout)"
  }`,
  ignore: !hasIndex,
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "setsim-faults-index-" });
    const env = { SETSIM_CACHE_DIR: join(work, "cache") };
    const OLD = ["item-a", "item-b", "item-c"], EXTRA = ["item-d", "item-e"];
    // The undisturbed reference: the new catalog indexed in one go.
    const refCatalog = join(work, "ref-catalog");
    await writeItems(refCatalog, [...OLD, ...EXTRA]);
    let r = await runCli("index", [
      refCatalog,
      "--index",
      join(work, "ref-index"),
      "--text-model",
      "none",
      "--quiet",
    ], env);
    assert.equal(r.code, 0, r.stderr);
    const expected = await searchResults(join(work, "ref-index"), env);
    const random = seeded(12);
    const outcomes: string[] = [];
    for (let k = 0; k < 2; k++) {
      const catalog = join(work, `catalog${k}`),
        index = join(work, `index${k}`),
        extra = join(work, `extra${k}`);
      await writeItems(catalog, OLD);
      await writeItems(extra, [...OLD, ...EXTRA]);
      // A cache of its own, so the killed run really embeds the new items.
      const env = { SETSIM_CACHE_DIR: join(work, `cache${k}`) };
      const began = performance.now();
      r = await runCli("index", [catalog, "--index", index, "--text-model", "none", "--quiet"], env);
      assert.equal(r.code, 0, r.stderr);
      const duration = performance.now() - began;
      for (const name of EXTRA) await Deno.rename(join(extra, name), join(catalog, name)); // the catalog grows
      const killed = await killAfter(
        "index",
        [catalog, "--index", index, "--text-model", "none", "--quiet"],
        env,
        Math.round(random() * duration * 1.1),
      );
      outcomes.push(killed.signal ?? `exit ${killed.code}`);
      let matches = await checkOk(catalog, index, env) ? "new" : undefined;
      if (!matches) {
        for (const name of EXTRA) await Deno.rename(join(catalog, name), join(extra, name));
        matches = await checkOk(catalog, index, env) ? "old" : undefined;
        for (const name of EXTRA) await Deno.rename(join(extra, name), join(catalog, name));
      }
      assert.ok(matches, "after a kill the committed index is the old or the new one, complete");
      r = await runCli("index", [catalog, "--index", index, "--text-model", "none", "--quiet"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(await checkOk(catalog, index, env));
      assert.deepEqual(await searchResults(index, env), expected);
      outcomes[outcomes.length - 1] += ` → ${matches}`;
    }
    console.log(`index kill points: ${outcomes.join(", ")}`);
    await Deno.remove(work, { recursive: true });
  },
});
