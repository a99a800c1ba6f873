/**
 * Faults of the stored shortlist parts (lib/index/shortlist_parts.ts): a flipped bit (or a missing
 * file) in each part is named by `index --check`, never used by a search (the `centroid` and `fde`
 * shortlists compute their structures instead: same answer, one warning), and written again by the
 * next `index` run.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCatalog } from "../../lib/catalog/mod.ts";
import { buildIndex, checkIndex, loadImageEmbedder, openIndex } from "../../lib/index/mod.ts";
import { SearchSession } from "../../lib/search/mod.ts";
import { makeShopCatalog } from "../index/shop.ts";
import { withTempDir } from "../index/helpers.ts";

const PARTS = ["items.json", "sketches.f32", "fde.f32", "fde_centre.f32"];

/** Both stored-part shortlists' answers for one query, and what the session printed on stderr. */
async function answers(dir: string): Promise<{ answer: string[]; errors: string[]; stored: boolean }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
  try {
    const session = await SearchSession.open(dir);
    try {
      const query = await session.itemQuery("red-boot");
      const answer: string[] = [];
      for (const shortlist of ["centroid", "fde", "centroid"]) {
        const result = await session.search(query, { k: 4, shortlist, candidates: 8 });
        answer.push(...result.results.map((r) => `${shortlist} ${r.item_id} ${r.score?.toFixed(5)}`));
      }
      return { answer, errors, stored: await session.storedParts() !== undefined };
    } finally {
      await session.close();
    }
  } finally {
    console.error = original;
  }
}

async function partsFolder(dir: string): Promise<string> {
  const reader = await openIndex(dir);
  reader.close();
  return join(dir, reader.manifest.shortlists!.folder);
}

Deno.test("faults: each damaged stored shortlist part is named by --check, never used (same answer, one warning), and written again by the next index run", async () => {
  await withTempDir("setsim-faults-parts-", async (tmp) => {
    const { manifest } = await makeShopCatalog(join(tmp, "shop"));
    const { catalog } = await loadCatalog(manifest);
    const embedder = await loadImageEmbedder({ config: { cacheDir: join(tmp, "cache") } });
    try {
      const base = join(tmp, "base.index");
      await buildIndex(catalog, base, { embedder, progress: false });
      const reference = await answers(base);
      assert.deepEqual([reference.stored, reference.errors], [true, []]);
      assert.deepEqual((await checkIndex(catalog, base)).problems, []);
      const present = [...Deno.readDirSync(await partsFolder(base))].map((e) => e.name).sort();
      assert.deepEqual(present, [...PARTS].sort());

      const damages = [
        ...PARTS.map((part) => ({
          name: `bit flip in ${part}`,
          names: new RegExp(part.replace(".", "\\.")),
          damage: async (folder: string) => {
            const bytes = await Deno.readFile(join(folder, part));
            bytes[Math.floor((bytes.length - 1) / 2)] ^= 0x10;
            await Deno.writeFile(join(folder, part), bytes);
          },
        })),
        {
          name: "missing fde.f32",
          names: /fde\.f32: missing/,
          damage: (folder: string) => Deno.remove(join(folder, "fde.f32")),
        },
      ];
      for (const [k, { name, names, damage }] of damages.entries()) {
        const dir = join(tmp, `damaged-${k}.index`);
        assert.equal((await new Deno.Command("cp", { args: ["-a", base, dir] }).output()).code, 0);
        await damage(await partsFolder(dir));

        const check = await checkIndex(catalog, dir);
        assert.equal(check.ok, false, `${name}: --check finds it`);
        assert.ok(
          check.problems.some((p) => names.test(p.problem)),
          `${name}: ${JSON.stringify(check.problems)}`,
        );

        const damaged = await answers(dir);
        assert.equal(damaged.stored, false, `${name}: the damaged parts are not used`);
        assert.deepEqual(damaged.answer, reference.answer, `${name}: computed per process, the same answer`);
        assert.equal(damaged.errors.length, 1, `${name}: one warning, got ${damaged.errors.join("\n")}`);
        assert.match(damaged.errors[0], names, name);
        assert.match(damaged.errors[0], /the next deno task index .* writes them again/, name);

        const repair = await buildIndex(catalog, dir, { embedder, progress: false });
        assert.equal(repair.embedded, 0, `${name}: a repair embeds nothing`);
        assert.equal(repair.repaired.length, 1, `${name}: ${JSON.stringify(repair.repaired)}`);
        assert.match(repair.repaired[0], /stored shortlist parts/, name);
        assert.match(repair.repaired[0], names, name);
        assert.deepEqual((await checkIndex(catalog, dir)).problems, [], `${name}: repaired`);
        const after = await answers(dir);
        assert.deepEqual([after.stored, after.errors, after.answer], [true, [], reference.answer], name);
        await Deno.remove(dir, { recursive: true });
      }
    } finally {
      await embedder.dispose?.();
    }
  });
});
