import assert from "node:assert/strict";
import { writeFileAtomic } from "../../lib/io/mod.ts";

Deno.test("writeFileAtomic replaces whole files, creates folders and leaves no temporary files", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/a/b/out.txt`;
  await writeFileAtomic(path, "first");
  await writeFileAtomic(path, new Uint8Array([115, 101, 99, 111, 110, 100]));
  assert.equal(await Deno.readTextFile(path), "second");
  assert.deepEqual([...Deno.readDirSync(`${dir}/a/b`)].map((e) => e.name), ["out.txt"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeFileAtomic fails cleanly when the target is a folder, keeping it intact", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/taken`);
  await assert.rejects(() => writeFileAtomic(`${dir}/taken`, "x"));
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["taken"]);
  await Deno.remove(dir, { recursive: true });
});
