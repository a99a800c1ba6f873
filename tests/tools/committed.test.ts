import assert from "node:assert/strict";
import { committedChanges, snapshotCommitted } from "./committed.ts";

async function git(root: string, ...args: string[]) {
  const { code, stderr } = await new Deno.Command("git", {
    args: ["-C", root, "-c", "user.name=t", "-c", "user.email=t@t", ...args],
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

Deno.test("the committed-files guard names every rewrite, change, deletion and new visible file", async () => {
  const root = await Deno.makeTempDir({ prefix: "setsim-committed-" });
  try {
    await Deno.mkdir(`${root}/results/04`, { recursive: true });
    await Deno.mkdir(`${root}/notebooks`);
    await Deno.writeTextFile(`${root}/.gitignore`, "/results/fast/\n");
    await Deno.writeTextFile(`${root}/results/04/a.csv`, "a\n1\n");
    await Deno.writeTextFile(`${root}/results/04/b.csv`, "b\n2\n");
    await Deno.writeTextFile(`${root}/notebooks/04.ipynb`, "{}\n");
    await Deno.writeTextFile(`${root}/other.txt`, "outside the guarded folders\n");
    await git(root, "init", "-q");
    await git(root, "add", ".");
    await git(root, "commit", "-q", "-m", "committed results");
    const folders = ["results", "notebooks"];
    const before = await snapshotCommitted(root, folders);
    assert.equal(before.files.size, 3);

    // Git-ignored and unguarded places: allowed.
    await Deno.mkdir(`${root}/results/fast/04`, { recursive: true });
    await Deno.writeTextFile(`${root}/results/fast/04/a.csv`, "fast\n");
    await Deno.writeTextFile(`${root}/other.txt`, "changed, but not guarded\n");
    assert.deepEqual(committedChanges(before, await snapshotCommitted(root, folders)), []);

    // Same bytes written again (a later modification time), other bytes, a deletion, a new file.
    await Deno.writeTextFile(`${root}/results/04/a.csv`, "a\n1\n");
    await Deno.utime(`${root}/results/04/a.csv`, new Date(), new Date(Date.now() + 5_000));
    await Deno.writeTextFile(`${root}/results/04/b.csv`, "b\n3\n");
    await Deno.remove(`${root}/notebooks/04.ipynb`);
    await Deno.writeTextFile(`${root}/results/04/c.csv`, "c\n");
    assert.deepEqual(committedChanges(before, await snapshotCommitted(root, folders)), [
      "notebooks/04.ipynb: deleted",
      "results/04/a.csv: rewritten",
      "results/04/b.csv: changed",
      "results/04/c.csv: new file git would see",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
