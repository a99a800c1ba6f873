/**
 * lib/io/commit.ts under faults: a full disk, a read-only folder, a crash between the commit
 * point and the last rename, leftovers of dead processes, and two writers of one group.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { commitFiles, readFileGroup, recoverDir } from "../../lib/io/mod.ts";
import { listDir, mountSmallDisk, mountUnavailable, ROOT } from "./helpers.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test({
  name: `commitFiles on a full disk keeps the old group whole${
    mountUnavailable ? ` (SKIPPED: ${mountUnavailable})` : ""
  }`,
  ignore: mountUnavailable !== undefined,
  fn: async () => {
    const disk = await mountSmallDisk(256 * 1024);
    try {
      const a = join(disk.dir, "x.npy"), b = join(disk.dir, "x.manifest.json");
      await commitFiles([{ path: a, content: "old data" }, { path: b, content: "old manifest" }]);
      await disk.fillLeaving(8192);
      // The first file fits, the second does not: nothing may change.
      await assert.rejects(
        commitFiles([{ path: a, content: "n".repeat(4000) }, { path: b, content: "m".repeat(20_000) }]),
        /No space left|ENOSPC|os error 28/i,
      );
      assert.equal(await Deno.readTextFile(a), "old data");
      assert.equal(await Deno.readTextFile(b), "old manifest");
      assert.deepEqual(listDir(disk.dir).filter((n) => !n.startsWith("filler")), [
        "x.manifest.json",
        "x.npy",
      ]);
    } finally {
      await disk.close();
    }
  },
});

Deno.test({
  name: `commitFiles into a read-only folder fails naming the error and changes nothing${
    mountUnavailable ? ` (SKIPPED: ${mountUnavailable})` : ""
  }`,
  ignore: mountUnavailable !== undefined,
  fn: async () => {
    const disk = await mountSmallDisk(64 * 1024);
    try {
      const a = join(disk.dir, "t.csv"), b = join(disk.dir, "t.json");
      await commitFiles([{ path: a, content: "old csv" }, { path: b, content: "old json" }]);
      await disk.readOnly();
      await assert.rejects(
        commitFiles([{ path: a, content: "new" }, { path: b, content: "new" }]),
        /read-only|EROFS|os error 30/i,
      );
      assert.deepEqual((await readFileGroup([a, b])).map(text), ["old csv", "old json"]);
    } finally {
      await disk.close();
    }
  },
});

Deno.test("a crash after the commit point is rolled forward by the next reader or writer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-commit-" });
  const a = join(dir, "x.npy"), b = join(dir, "x.manifest.json");
  await commitFiles([{ path: a, content: "old A" }, { path: b, content: "old B" }]);
  // The state a SIGKILL right after the first rename leaves: the journal names both renames,
  // the first one is done, the second temporary is still there.
  const deadPid = 4_000_000 + Math.floor(Math.random() * 100_000);
  const tempA = `${a}.${deadPid}.0badc0de.tmp`, tempB = `${b}.${deadPid}.0badc0de.tmp`;
  await Deno.writeTextFile(tempA, "new A");
  await Deno.writeTextFile(tempB, "new B");
  await Deno.writeTextFile(
    join(dir, `.setsim-commit-x.npy.${deadPid}.journal.json`),
    JSON.stringify({
      format: "setsim-commit/1",
      pid: deadPid,
      renames: [{ temp: tempA, path: a }, { temp: tempB, path: b }],
    }),
  );
  await Deno.rename(tempA, a);
  assert.equal(await Deno.readTextFile(b), "old B"); // torn, as raw files
  assert.deepEqual((await readFileGroup([a, b])).map(text), ["new A", "new B"]);
  assert.deepEqual(listDir(dir), ["x.manifest.json", "x.npy"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("temporaries of dead processes are removed; a live writer's are left alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-commit-" });
  const path = join(dir, "sweep.csv");
  const dead = `${path}.${4_100_000 + Math.floor(Math.random() * 100_000)}.deadbeef.tmp`;
  const live = `${path}.${Deno.pid}.cafef00d.tmp`;
  await Deno.writeTextFile(dead, "half");
  await Deno.writeTextFile(live, "in progress");
  const report = await recoverDir(dir);
  assert.deepEqual(report.removedTemporaries, [dead]);
  assert.deepEqual(listDir(dir), [live.slice(dir.length + 1)]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two processes committing the same group never leave a mixed pair", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-commit-" });
  const a = join(dir, "x.npy"), b = join(dir, "x.manifest.json");
  const writer = (name: string) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { commitFiles } from "${join(ROOT, "lib/io/mod.ts")}";
         for (let i = 0; i < 40; i++) {
           const v = "${name}-" + i + "-" + "x".repeat(1000 * (i % 7));
           await commitFiles([{ path: "${a}", content: v }, { path: "${b}", content: v }]);
         }`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
  const running = Promise.all([writer("p"), writer("q")]);
  let reads = 0, done = false;
  running.then(() => (done = true));
  while (!done) {
    try {
      const [x, y] = (await readFileGroup([a, b])).map(text);
      assert.equal(x, y, "a reader saw a mixed pair");
      reads++;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  for (const out of await running) assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const [x, y] = (await readFileGroup([a, b])).map(text);
  assert.equal(x, y);
  assert.match(x, /^[pq]-39-/);
  assert.ok(reads > 0);
  assert.deepEqual(listDir(dir), ["x.manifest.json", "x.npy"]);
  await Deno.remove(dir, { recursive: true });
});
