/**
 * `deno task embed` under faults (issue 10 cases 2, 5, 10, 11): a full disk between the array
 * and its manifest, symlinked images and loops, hostile file names, a cache on a full or
 * read-only disk, SIGKILL at seeded random points, and two processes writing one output.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeNpy, readFileGroup, sha256Hex } from "../../lib/io/mod.ts";
import {
  killAfter,
  listDir,
  mountSmallDisk,
  mountUnavailable,
  runCli,
  seeded,
  writeImages,
} from "./helpers.ts";

const SKIP = mountUnavailable ? ` (SKIPPED: ${mountUnavailable})` : "";
const tmp = (prefix: string) => Deno.makeTempDir({ prefix: `setsim-faults-${prefix}-` });

/** An embed output pair as read through the commit protocol, with the manifest's timestamp dropped. */
async function readPair(npyPath: string) {
  const [npy, manifestBytes] = await readFileGroup([npyPath, npyPath.replace(/\.npy$/, ".manifest.json")]);
  const { created: _, ...manifest } = JSON.parse(new TextDecoder().decode(manifestBytes));
  return { npy, manifest };
}

/** The pair agrees with itself: the manifest's pinned size, hash and row count match the array. */
async function assertConsistent(npyPath: string) {
  const { npy, manifest } = await readPair(npyPath);
  assert.equal(manifest.data.bytes, npy.length);
  assert.equal(manifest.data.sha256, await sha256Hex(npy));
  assert.equal(decodeNpy(npy).rows, manifest.count);
  return { npy, manifest };
}

Deno.test({
  name: `embed on a full disk: the old .npy and manifest stay a matching pair (case 2)${SKIP}`,
  ignore: mountUnavailable !== undefined,
  fn: async () => {
    const work = await tmp("full");
    const env = { SETSIM_CACHE_DIR: join(work, "cache") };
    // Long names make the manifest need more pages than the old array frees when replaced.
    const many = await writeImages(join(work, "many"), 60, "p".repeat(200));
    const one = await writeImages(join(work, "one"), 1);
    const reference = join(work, "ref", "x.npy");
    let r = await runCli("embed", [join(work, "many"), "--out", reference, "--quiet"], env);
    assert.equal(r.code, 0, r.stderr);
    const disk = await mountSmallDisk(1024 * 1024);
    try {
      const out = join(disk.dir, "x.npy");
      r = await runCli("embed", [one[0], "--out", out, "--quiet"], env);
      assert.equal(r.code, 0, r.stderr);
      const old = await assertConsistent(out);
      const newNpyBytes = (await Deno.stat(reference)).size;
      const filler = await disk.fillLeaving((Math.ceil(newNpyBytes / 4096) + 1) * 4096);
      r = await runCli("embed", [join(work, "many"), "--out", out, "--quiet"], env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /No space left|os error 28/i);
      assert.deepEqual(await assertConsistent(out), old, "the old pair must survive whole");
      assert.deepEqual(listDir(disk.dir), [filler.slice(disk.dir.length + 1), "x.manifest.json", "x.npy"]);
      // With space again, a rerun gives exactly what a run never disturbed gives.
      await Deno.remove(filler);
      r = await runCli("embed", [join(work, "many"), "--out", out, "--quiet"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(many.length, 60);
      assert.deepEqual(await assertConsistent(out), await readPair(reference));
    } finally {
      await disk.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test("embed follows symlinked images and folders, reports broken links and loops (case 5)", async () => {
  const work = await tmp("links");
  const images = join(work, "images");
  await writeImages(images, 1, "a");
  await writeImages(join(work, "elsewhere"), 1, "b");
  await writeImages(join(work, "other-folder"), 1, "c");
  await Deno.symlink(join(work, "elsewhere", "b000.png"), join(images, "linked.png"));
  await Deno.symlink(join(work, "other-folder"), join(images, "linked-folder"));
  await Deno.symlink(join(work, "other-folder"), join(images, "same-folder-again"));
  await Deno.symlink(images, join(images, "loop"));
  await Deno.symlink(join(work, "missing.png"), join(images, "broken.png"));
  await Deno.symlink(join(images, "self.png"), join(images, "self.png"));
  const out = join(work, "out", "x.npy");
  const r = await runCli("embed", [images, "--out", out, "--quiet"], {
    SETSIM_CACHE_DIR: join(work, "cache"),
  });
  assert.equal(r.code, 0, r.stderr);
  const { manifest } = await assertConsistent(out);
  assert.deepEqual(manifest.rows.map((row: { path: string }) => row.path.slice(images.length + 1)), [
    "a000.png",
    "linked-folder/c000.png",
    "linked.png",
  ]);
  const skipped = Object.fromEntries(
    manifest.skipped.map((
      s: { path: string; reason: string },
    ) => [s.path.slice(images.length + 1), s.reason]),
  );
  assert.match(skipped["broken.png"], /broken symbolic link/);
  assert.match(skipped["loop"], /symbolic link loop/);
  assert.match(skipped["self.png"], /symbolic link loop/);
  assert.match(skipped["same-folder-again"], /same folder as .*linked-folder/);
  assert.match(r.stderr, /skipped .*broken\.png: broken symbolic link/);
  assert.match(r.stderr, /skipped .*loop: symbolic link loop/);
  await Deno.remove(work, { recursive: true });
});

Deno.test("embed escapes newlines and ANSI escapes in file names on stderr; JSON keeps them exact (case 10)", async () => {
  const work = await tmp("names");
  const images = join(work, "images");
  await writeImages(images, 1);
  const hostile = "bad\nerror: forged line\u001b[2J\u001b[31m.png";
  await Deno.writeTextFile(join(images, hostile), "not an image");
  await Deno.symlink(join(work, "gone\u001b[0m.png"), join(images, "link\r\u009b.png"));
  const out = join(work, "x.npy");
  const r = await runCli("embed", [images, "--out", out], { SETSIM_CACHE_DIR: join(work, "cache") });
  assert.equal(r.code, 0, r.stderr);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(r.stderr, /\u001b|\u009b|\r/, "no raw escape or carriage return reaches the terminal");
  assert.doesNotMatch(r.stderr, /^error: forged line/m, "no forged line");
  assert.ok(r.stderr.includes("bad\\nerror: forged line\\x1b[2J\\x1b[31m.png"), r.stderr);
  assert.ok(r.stderr.includes("link\\r\\x9b.png"), r.stderr);
  const { manifest } = await assertConsistent(out);
  assert.deepEqual(manifest.failures.map((f: { input: string }) => f.input), [join(images, hostile)]);
  assert.deepEqual(manifest.skipped.map((s: { path: string }) => s.path), [join(images, "link\r\u009b.png")]);
  await Deno.remove(work, { recursive: true });
});

for (const kind of ["read-only", "full"] as const) {
  Deno.test({
    name:
      `embed with the cache on a ${kind} disk warns naming the cache and --no-cache, and delivers (case 11)${SKIP}`,
    ignore: mountUnavailable !== undefined,
    fn: async () => {
      const work = await tmp(`cache-${kind}`);
      await writeImages(join(work, "images"), 12);
      const disk = await mountSmallDisk(kind === "full" ? 40 * 1024 : 64 * 1024);
      try {
        const cacheDir = join(disk.dir, "cache");
        if (kind === "read-only") await disk.readOnly();
        const out = join(work, "x.npy");
        const r = await runCli(
          "embed",
          [join(work, "images"), "--out", out, "--quiet", "--batch-size", "4"],
          {
            SETSIM_CACHE_DIR: cacheDir,
          },
        );
        assert.equal(r.code, 0, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(`warning: embedding cache ${cacheDir}/embeddings\\.sqlite cannot be used`),
        );
        assert.match(r.stderr, kind === "full" ? /disk is full/ : /read-only/);
        assert.match(r.stderr, /--no-cache/);
        assert.equal(r.stderr.match(/warning: embedding cache/g)?.length, 1, "warned once");
        const { manifest } = await assertConsistent(out);
        assert.equal(manifest.count, 12);
        // Every vector equals the one a run without any cache computes.
        const reference = join(work, "ref.npy");
        const clean = await runCli("embed", [
          join(work, "images"),
          "--out",
          reference,
          "--quiet",
          "--no-cache",
        ]);
        assert.equal(clean.code, 0, clean.stderr);
        assert.deepEqual(await Deno.readFile(out), await Deno.readFile(reference));
      } finally {
        await disk.close();
        await Deno.remove(work, { recursive: true });
      }
    },
  });
}

Deno.test("embed killed at seeded random points leaves the old or the new pair; a rerun matches an undisturbed run", async () => {
  const work = await tmp("kill");
  await writeImages(join(work, "images"), 24);
  await writeImages(join(work, "old"), 3, "old");
  const args = (out: string) => [join(work, "images"), "--out", out, "--quiet", "--batch-size", "4"];
  const started = performance.now();
  const reference = join(work, "ref", "x.npy");
  let r = await runCli("embed", args(reference), { SETSIM_CACHE_DIR: join(work, "cache-ref") });
  assert.equal(r.code, 0, r.stderr);
  const duration = performance.now() - started;
  const expected = await readPair(reference);
  const random = seeded(10);
  const outcomes: string[] = [];
  for (let k = 0; k < 3; k++) {
    const dir = join(work, `run${k}`);
    const out = join(dir, "x.npy");
    const env = { SETSIM_CACHE_DIR: join(dir, "cache") };
    r = await runCli("embed", [join(work, "old"), "--out", out, "--quiet"], env);
    assert.equal(r.code, 0, r.stderr);
    const old = await readPair(out);
    const killed = await killAfter("embed", args(out), env, Math.round(random() * duration * 1.1));
    const after = await assertConsistent(out);
    if (killed.signal === "SIGKILL") {
      assert.ok(
        JSON.stringify(after) === JSON.stringify(old) || JSON.stringify(after) === JSON.stringify(expected),
        "after a kill the pair is the old one or the new one",
      );
    }
    outcomes.push(killed.signal ?? `exit ${killed.code}`);
    r = await runCli("embed", args(out), env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await readPair(out), expected);
    assert.deepEqual(listDir(dir).filter((n) => !n.startsWith("cache")), ["x.manifest.json", "x.npy"]);
  }
  console.log(`embed kill points: ${outcomes.join(", ")}`);
  await Deno.remove(work, { recursive: true });
});

Deno.test("two embed processes writing the same --out leave one complete pair", async () => {
  const work = await tmp("race");
  await writeImages(join(work, "a"), 5, "a");
  await writeImages(join(work, "b"), 7, "b");
  const env = { SETSIM_CACHE_DIR: join(work, "cache") };
  const refs = [];
  for (const set of ["a", "b"]) {
    const r = await runCli("embed", [join(work, set), "--out", join(work, `ref-${set}.npy`), "--quiet"], env);
    assert.equal(r.code, 0, r.stderr);
    refs.push(JSON.stringify(await readPair(join(work, `ref-${set}.npy`))));
  }
  const out = join(work, "out", "x.npy");
  for (let round = 0; round < 2; round++) {
    const results = await Promise.all(
      ["a", "b"].map((set) => runCli("embed", [join(work, set), "--out", out, "--quiet"], env)),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const pair = await assertConsistent(out);
    // Same rows and the same array bytes as one writer's undisturbed output (the file name differs).
    const same = (ref: string) => {
      const parsed = JSON.parse(ref);
      return JSON.stringify(parsed.manifest.rows) === JSON.stringify(pair.manifest.rows) &&
        parsed.manifest.data.sha256 === pair.manifest.data.sha256;
    };
    assert.ok(same(refs[0]) || same(refs[1]), "the pair is one writer's complete output");
  }
  assert.deepEqual(listDir(join(work, "out")), ["x.manifest.json", "x.npy"]);
  await Deno.remove(work, { recursive: true });
});

Deno.test("catalog folders: a symlink loop inside an item is reported once, not walked 40 levels deep (case 5)", async () => {
  const root = await tmp("catalog-links");
  await writeImages(join(root, "item1"), 2);
  await writeImages(join(root, "item2"), 1);
  await writeImages(join(root, "shared"), 1, "s");
  await Deno.symlink(join(root, "item1"), join(root, "item1", "loop"));
  await Deno.symlink(join(root, "shared", "s000.png"), join(root, "item2", "linked.png"));
  await Deno.symlink(join(root, "nope.png"), join(root, "item2", "broken.png"));
  const { loadCatalog } = await import("../../lib/catalog/mod.ts");
  const { catalog, problems } = await loadCatalog(join(root, "item1", ".."));
  const items = Object.fromEntries(
    catalog.items.map((i) => [i.id, i.images.map((p) => p.slice(root.length + 1))]),
  );
  assert.deepEqual(items.item1, ["item1/img000.png", "item1/img001.png"]);
  assert.deepEqual(items.item2, ["item2/img000.png", "item2/linked.png"]);
  const loop = problems.filter((p) => p.item === "item1");
  assert.equal(loop.length, 1);
  assert.match(loop[0].message, /item1\/loop in item "item1": symbolic link loop/);
  assert.ok(problems.some((p) => p.kind === "missing-file" && p.path === join(root, "item2", "broken.png")));
  await Deno.remove(root, { recursive: true });
});
