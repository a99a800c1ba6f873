/**
 * The index fault suite: every file of a small index is damaged in turn (a bit flip in each
 * vector-file part, NaN in the codes, truncation, a missing segment, a deleted Lance version and
 * data file, an invalid manifest), and for each the test shows that `index --check` names it, that
 * a search is either the undamaged search's answer (through the tables, with one warning) or stops
 * with an error that says what to run, and that `index` repairs it or says exactly what to run.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildIndex,
  checkIndex,
  type ImageEmbedder,
  type IndexCatalog,
  IndexError,
  openIndex,
} from "../../lib/index/mod.ts";
import { findDuplicates, SearchSession } from "../../lib/search/mod.ts";
import { withShopEmbedder } from "../index/shop.ts";
import { runScript, withTempDir } from "../index/helpers.ts";

interface Fixture {
  tmp: string;
  catalog: IndexCatalog;
  manifest: string;
  base: string;
  embedder: ImageEmbedder;
  cacheDir: string;
}

/** The shop catalog indexed once (with inverted lists, so every vector-file part exists). */
async function withFixture(body: (fixture: Fixture) => Promise<void>): Promise<void> {
  await withTempDir("setsim-faults-", async (tmp) => {
    await withShopEmbedder(tmp, async ({ catalog, manifest, embedder, cacheDir }) => {
      const base = join(tmp, "base.index");
      await buildIndex(catalog, base, { embedder, progress: false, vectorIvfMinRows: 4 });
      await body({ tmp, catalog, manifest, base, embedder, cacheDir });
    });
  });
}

async function copyIndex(from: string, to: string): Promise<string> {
  const { code } = await new Deno.Command("cp", { args: ["-a", from, to] }).output();
  assert.equal(code, 0, `cp -a ${from} ${to}`);
  return to;
}

/** Run `body` capturing console.error lines. */
async function capturingErrors<T>(body: () => Promise<T>): Promise<{ value: T; errors: string[] }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
  try {
    return { value: await body(), errors };
  } finally {
    console.error = original;
  }
}

/** The query the suite searches with, and its answer: ids and rounded scores. */
async function searchAnswer(
  dir: string,
  options: { verifyBytes?: number } = {},
): Promise<{ answer: string[]; errors: string[]; mapped: boolean; opened: boolean }> {
  const { value, errors } = await capturingErrors(async () => {
    const session = await SearchSession.open(dir, options);
    try {
      const opened = session.vectorFile !== undefined;
      const query = await session.itemQuery("red-boot");
      const result = await session.search(query, { k: 4 });
      const where = await session.search(query, { k: 4, where: "category = 'Boots'" });
      return {
        answer: [...result.results, ...where.results].map((r) =>
          `${r.item_id} ${r.score?.toFixed(5)} ${r.images.length}`
        ),
        mapped: session.vectorFile !== undefined,
        opened,
      };
    } finally {
      await session.close();
    }
  });
  return { ...value, errors };
}

async function segmentFolder(dir: string): Promise<string> {
  const reader = await openIndex(dir);
  reader.close();
  const segments = reader.manifest.vectorFile!.segments;
  assert.equal(segments.length, 1);
  return join(dir, segments[0].folder);
}

async function flipBit(path: string, at = 0.5): Promise<void> {
  const bytes = await Deno.readFile(path);
  assert.ok(bytes.length > 0, `${path} is empty`);
  bytes[Math.floor((bytes.length - 1) * at)] ^= 0x10;
  await Deno.writeFile(path, bytes);
}

const VECTOR_FILE_PARTS = [
  "vectors.f32",
  "codes.f32",
  "basis.f32",
  "mean.f32",
  "item_rows.u32",
  "item_offsets.u32",
  "row_items.u32",
  "ivf_centroids.f32",
  "ivf_offsets.u32",
  "ivf_rows.u32",
  "vectors.blocks.u32",
  "codes.blocks.u32",
  "vectors.json",
];

Deno.test("faults: each damaged vector-file part is named by --check, never used by search (same answer, one warning), and rewritten by the next index run", async () => {
  await withFixture(async ({ tmp, catalog, base, embedder }) => {
    const reference = await searchAnswer(base);
    assert.equal(reference.mapped, true, "the undamaged index searches through its vector file");
    assert.deepEqual(reference.errors, []);
    assert.deepEqual((await checkIndex(catalog, base)).problems, []);
    const folder = await segmentFolder(base);
    const present = [...Deno.readDirSync(folder)].map((e) => e.name).sort();
    assert.deepEqual(present, [...VECTOR_FILE_PARTS].sort(), "the fixture has every part");

    const damages: { name: string; names: RegExp; damage: (segment: string) => Promise<void> }[] = [
      ...VECTOR_FILE_PARTS.map((part) => ({
        name: `bit flip in ${part}`,
        names: new RegExp(part.replace(".", "\\.")),
        damage: (segment: string) => flipBit(join(segment, part)),
      })),
      {
        name: "NaN in the codes",
        names: /codes\.f32/,
        damage: async (segment: string) => {
          const bytes = await Deno.readFile(join(segment, "codes.f32"));
          new Float32Array(bytes.buffer)[3] = NaN;
          await Deno.writeFile(join(segment, "codes.f32"), bytes);
        },
      },
      {
        name: "truncated vectors",
        names: /vectors\.f32/,
        damage: (segment: string) => Deno.truncate(join(segment, "vectors.f32"), 100),
      },
      {
        name: "missing segment folder",
        names: /vectors\.json: missing/,
        damage: (segment: string) => Deno.remove(segment, { recursive: true }),
      },
    ];
    for (const [k, { name, names, damage }] of damages.entries()) {
      const dir = await copyIndex(base, join(tmp, `damaged-${k}.index`));
      await damage(await segmentFolder(dir));

      const check = await checkIndex(catalog, dir);
      assert.equal(check.ok, false, `${name}: --check finds it`);
      assert.ok(
        check.problems.some((p) => names.test(p.problem)),
        `${name}: ${JSON.stringify(check.problems)}`,
      );

      const damaged = await searchAnswer(dir);
      assert.equal(damaged.mapped, false, `${name}: the damaged vector file is not used`);
      assert.deepEqual(damaged.answer, reference.answer, `${name}: the tables give the same answer`);
      assert.equal(damaged.errors.length, 1, `${name}: one warning, got ${damaged.errors.join("\n")}`);
      assert.match(damaged.errors[0], names, name);
      assert.match(damaged.errors[0], /the next deno task index .* writes it again/, name);

      const repair = await buildIndex(catalog, dir, { embedder, progress: false, vectorIvfMinRows: 4 });
      assert.equal(repair.embedded, 0, `${name}: a repair embeds nothing`);
      assert.equal(repair.repaired.length, 1, `${name}: the build says what it repaired`);
      assert.match(repair.repaired[0], names, name);
      assert.deepEqual((await checkIndex(catalog, dir)).problems, [], `${name}: repaired`);
      const after = await searchAnswer(dir);
      assert.deepEqual([after.mapped, after.errors, after.answer], [true, [], reference.answer], name);
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("faults: vectors too large to hash at open are checked block by block as a search reads them; a flipped bit stops their use mid-search, with one warning and the same answer", async () => {
  await withFixture(async ({ tmp, base }) => {
    const reference = await searchAnswer(base);
    const clean = await searchAnswer(base, { verifyBytes: 0 });
    assert.deepEqual([clean.opened, clean.mapped, clean.errors, clean.answer], [
      true,
      true,
      [],
      reference.answer,
    ]);
    const dir = await copyIndex(base, join(tmp, "blocks.index"));
    await flipBit(join(await segmentFolder(dir), "vectors.f32"), 0.7);
    const damaged = await searchAnswer(dir, { verifyBytes: 0 });
    assert.equal(damaged.opened, true, "opening does not hash the vectors (budget 0)");
    assert.equal(damaged.mapped, false, "the first search that reads the block drops the vector file");
    assert.deepEqual(damaged.answer, reference.answer);
    assert.equal(damaged.errors.length, 1, damaged.errors.join("\n"));
    assert.match(damaged.errors[0], /vectors\.f32: checksum mismatch in block 0 .*the next deno task index/);
  });
});

Deno.test("faults: codes too large to hash at open are checked block by block as a scan reads them: NaN or a flipped bit in a code block is never used silently (whole scan and inverted lists)", async () => {
  await withFixture(async ({ tmp, base, catalog, embedder }) => {
    const reference = await searchAnswer(base);
    // The whole-scan layout (no inverted lists) beside the fixture's list-ordered codes.
    const flat = join(tmp, "flat.index");
    await buildIndex(catalog, flat, { embedder, progress: false });
    const flatReference = await searchAnswer(flat);
    assert.deepEqual(flatReference.answer, reference.answer);
    for (const [name, source] of [["inverted lists", base], ["whole scan", flat]] as const) {
      const clean = await searchAnswer(source, { verifyBytes: 0 });
      assert.deepEqual([clean.opened, clean.mapped, clean.errors], [true, true, []], name);
      for (const damage of ["nan", "bit"] as const) {
        const dir = await copyIndex(source, join(tmp, `codes-${damage}-${source === flat}.index`));
        const codes = join(await segmentFolder(dir), "codes.f32");
        if (damage === "bit") await flipBit(codes, 0.3);
        else {
          const bytes = await Deno.readFile(codes);
          new Float32Array(bytes.buffer)[3] = NaN;
          await Deno.writeFile(codes, bytes);
        }
        const damaged = await searchAnswer(dir, { verifyBytes: 0 });
        const what = `${name}, ${damage}`;
        assert.equal(damaged.opened, true, `${what}: opening does not hash the codes (budget 0)`);
        assert.equal(
          damaged.mapped,
          false,
          `${what}: the first scan that reads the block drops the vector file`,
        );
        assert.deepEqual(damaged.answer, reference.answer, what);
        assert.equal(damaged.errors.length, 1, damaged.errors.join("\n"));
        assert.match(
          damaged.errors[0],
          /codes\.f32: checksum mismatch in block \d+ .*the next deno task index/,
        );
        const check = await checkIndex(catalog, dir);
        assert.ok(check.problems.some((p) => /codes\.f32/.test(p.problem)), `${what}: --check names it`);
      }
    }
  });
});

Deno.test("faults: dedup over a vector file whose block fails its checksum mid-run compares from the tables: one warning, the same groups", async () => {
  await withFixture(async ({ tmp, base }) => {
    const groupsOf = async (dir: string, exact: boolean) =>
      await capturingErrors(async () => {
        const session = await SearchSession.open(dir, { verifyBytes: 0 });
        try {
          const opened = session.vectorFile !== undefined;
          const result = await findDuplicates(session, { threshold: 0.9, exact, progress: false });
          return { opened, groups: result.groups };
        } finally {
          await session.close();
        }
      });
    for (const exact of [false, true]) {
      const clean = await groupsOf(base, exact);
      assert.deepEqual(clean.errors, []);
      assert.deepEqual(clean.value.groups.map((g) => g.items), [["red-boot", "red-boot-2"]]);
      for (const part of ["vectors.f32", "codes.f32"]) {
        const dir = await copyIndex(base, join(tmp, `dedup-${exact}-${part}.index`));
        await flipBit(join(await segmentFolder(dir), part), 0.7);
        const damaged = await groupsOf(dir, exact);
        if (exact && part === "codes.f32") {
          // An exact dedup reads no codes: nothing damaged is read, nothing to warn about.
          assert.deepEqual([damaged.errors, damaged.value.groups], [[], clean.value.groups]);
          continue;
        }
        assert.equal(damaged.value.opened, true, "opening does not hash the vectors (budget 0)");
        assert.deepEqual(damaged.value.groups, clean.value.groups, `${part}, exact ${exact}`);
        assert.equal(damaged.errors.length, 1, damaged.errors.join("\n"));
        assert.match(
          damaged.errors[0],
          new RegExp(
            `${part.replace(".", "\\.")}: checksum mismatch in block \\d+ .*searching the tables instead`,
          ),
        );
      }
    }
  });
});

Deno.test("faults: a vector file without block checksums (an older index) is hashed whole at open, whatever its size", async () => {
  await withFixture(async ({ tmp, base }) => {
    const reference = await searchAnswer(base);
    const dir = await copyIndex(base, join(tmp, "old.index"));
    const folder = await segmentFolder(dir);
    // An older segment: no block files listed (and the manifest's digest of vectors.json updated).
    const list = JSON.parse(await Deno.readTextFile(join(folder, "vectors.json")));
    for (const name of ["vectors.blocks.u32", "codes.blocks.u32"]) {
      delete list.files[name];
      delete list.digests[name];
      await Deno.remove(join(folder, name));
    }
    const text = JSON.stringify(list);
    await Deno.writeTextFile(join(folder, "vectors.json"), text);
    const manifestPath = join(dir, "setsim-index.json");
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
    manifest.vectorFile.segments[0].listDigest = [...digest].map((b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
    await Deno.writeTextFile(manifestPath, JSON.stringify(manifest));
    const clean = await searchAnswer(dir, { verifyBytes: 0 });
    assert.deepEqual([clean.opened, clean.errors, clean.answer], [true, [], reference.answer]);
    await flipBit(join(folder, "codes.f32"), 0.3);
    const damaged = await searchAnswer(dir, { verifyBytes: 0 });
    assert.equal(
      damaged.opened,
      false,
      "the codes are hashed at open: the damage is found before any search",
    );
    assert.deepEqual(damaged.answer, reference.answer);
    assert.match(damaged.errors.join("\n"), /codes\.f32: checksum mismatch \(changed since the build\)/);
  });
});

Deno.test("faults: a deleted Lance version or data file and an invalid manifest are reported with the rebuild to run; --rebuild restores the index", async () => {
  await withFixture(async ({ tmp, catalog, base, embedder }) => {
    const reference = await searchAnswer(base);
    const lance = (dir: string, sub: string) => join(dir, "images.lance", sub);
    const damages: { name: string; damage: (dir: string) => Promise<void>; searchMayAnswer: boolean }[] = [
      {
        name: "deleted table version",
        searchMayAnswer: false,
        damage: async (dir) => {
          const reader = await openIndex(dir);
          reader.close();
          const versions = [...Deno.readDirSync(lance(dir, "_versions"))].map((e) => e.name);
          // Lance names version v `v.manifest`, or `(2^64 − 1 − v).manifest` in its newer layout.
          const v = reader.manifest.versions.images;
          const names = [`${v}.manifest`, `${(1n << 64n) - 1n - BigInt(v)}.manifest`];
          const committed = versions.find((name) => names.includes(name));
          assert.ok(committed !== undefined, versions.join(", "));
          await Deno.remove(lance(dir, join("_versions", committed)));
        },
      },
      {
        name: "deleted data file",
        // The vector file can answer without the images table's vectors; the results' details read it.
        searchMayAnswer: true,
        damage: async (dir) => {
          for (const e of Deno.readDirSync(lance(dir, "data"))) {
            await Deno.remove(lance(dir, join("data", e.name)));
          }
        },
      },
      {
        name: "invalid manifest",
        searchMayAnswer: false,
        damage: (dir) => Deno.writeTextFile(join(dir, "setsim-index.json"), "{ not json"),
      },
    ];
    for (const [k, { name, damage, searchMayAnswer }] of damages.entries()) {
      const dir = await copyIndex(base, join(tmp, `lance-${k}.index`));
      await damage(dir);
      const advice = new RegExp(`deno task index .* --index ${dir.replaceAll(".", "\\.")} --rebuild`);

      await assert.rejects(() => checkIndex(catalog, dir), (e: Error) => {
        assert.ok(e instanceof IndexError, `${name}: ${e.stack}`);
        assert.match(e.message, advice, name);
        return true;
      });
      try {
        const answer = await searchAnswer(dir);
        assert.ok(searchMayAnswer, `${name}: search answered`);
        assert.deepEqual(answer.answer, reference.answer, `${name}: a search that answers is right`);
      } catch (error) {
        assert.ok(error instanceof IndexError, `${name}: ${(error as Error).stack}`);
        assert.match(error.message, advice, name);
      }
      await assert.rejects(
        () => buildIndex(catalog, dir, { embedder, progress: false }),
        (e: Error) => e instanceof IndexError && advice.test(e.message),
        `${name}: index says what to run`,
      );
      const rebuilt = await buildIndex(catalog, dir, { embedder, progress: false, rebuild: true });
      assert.equal(rebuilt.full, true);
      assert.equal(rebuilt.dir, dir);
      assert.deepEqual((await checkIndex(catalog, dir)).problems, [], `${name}: --rebuild restores it`);
      assert.deepEqual((await searchAnswer(dir)).answer, reference.answer, name);
      const siblings = [...Deno.readDirSync(tmp)].map((e) => e.name).filter((n) =>
        n.startsWith(`lance-${k}`)
      );
      assert.deepEqual(siblings, [`lance-${k}.index`], `${name}: no temporary folder is left`);
    }
  });
});

Deno.test("faults: the CLI — search warns once and answers from the tables; index --check exits 1 naming the part; index repairs it", async () => {
  await withFixture(async ({ tmp, manifest, base, cacheDir }) => {
    const env = { SETSIM_CACHE_DIR: cacheDir };
    const dir = await copyIndex(base, join(tmp, "cli.index"));
    const search = () =>
      runScript("scripts/search.ts", ["--index", dir, "--query", "red-boot", "--json", "--k", "3"], env);
    const before = await search();
    assert.equal(before.code, 0, before.stderr);
    await flipBit(join(await segmentFolder(dir), "vectors.f32"));
    const damaged = await search();
    assert.equal(damaged.code, 0, damaged.stderr);
    const strip = (out: string) =>
      JSON.parse(out).results.map((r: { item_id: string; score: number }) => [r.item_id, r.score]);
    assert.deepEqual(strip(damaged.stdout), strip(before.stdout));
    assert.equal(damaged.stderr.trim().split("\n").length, 1, damaged.stderr);
    assert.match(damaged.stderr, /vectors\.f32: checksum mismatch.*the next deno task index/);

    const check = await runScript("scripts/index.ts", [manifest, "--index", dir, "--check"], env);
    assert.equal(check.code, 1, check.stdout + check.stderr);
    assert.match(check.stdout, /vector file damaged: vectors-v\d+\/vectors\.f32: checksum mismatch/);
    const index = await runScript("scripts/index.ts", [
      manifest,
      "--index",
      dir,
      "--quiet",
      "--text-model",
      "none",
    ], env);
    assert.equal(index.code, 0, index.stderr);
    assert.match(index.stdout, /repaired: vector file \(vectors-v\d+\/vectors\.f32: checksum mismatch/);
    const after = await search();
    assert.deepEqual([after.code, after.stderr], [0, ""]);

    // An invalid manifest: index says what to run (exit 2), and that command repairs it.
    await Deno.writeTextFile(join(dir, "setsim-index.json"), "{ not json");
    const index2 = ["--index", dir, "--quiet", "--text-model", "none"];
    const refused = await runScript("scripts/index.ts", [manifest, ...index2], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /not valid JSON .*run deno task index CATALOG --index .* --rebuild/);
    const rebuilt = await runScript("scripts/index.ts", [manifest, ...index2, "--rebuild"], env);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    const healed = await search();
    assert.deepEqual([healed.code, strip(healed.stdout)], [0, strip(before.stdout)]);
  });
});
