import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import { makeShopCatalog } from "../index/shop.ts";

/** The first TypeScript block of docs/library.md: the snippet users copy, run as it is written. */
async function librarySnippet(): Promise<string> {
  const docs = await Deno.readTextFile(join(PROJECT_ROOT, "docs", "library.md"));
  const block = docs.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (block === undefined) throw new Error("docs/library.md has no ```ts block");
  return block;
}

Deno.test("setsim as a library: a separate project imports it by path, builds an index, searches and serves", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "setsim-library-" });
  try {
    const { manifest } = await makeShopCatalog(join(tmp, "shop"));
    const project = join(tmp, "project");
    await Deno.mkdir(project);
    await Deno.writeTextFile(
      join(project, "deno.json"),
      JSON.stringify(
        {
          imports: { setsim: `${join(PROJECT_ROOT, "lib", "mod.ts")}` },
          nodeModulesDir: "manual",
        },
        null,
        2,
      ),
    );
    const snippet = await librarySnippet();
    assert.match(snippet, /from "setsim"/);
    await Deno.writeTextFile(join(project, "main.ts"), snippet);

    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", manifest, join(tmp, "shop.index")],
      cwd: project,
      env: { NO_COLOR: "1", SETSIM_CACHE_DIR: join(tmp, "cache"), DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const [searched, served] = new TextDecoder().decode(output.stdout).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.equal(searched.length, 3);
    assert.equal(searched[0][0], "red-boot-2", "the re-shoot is the nearest item");
    assert.deepEqual(served, searched, "the server answers as the library does");
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
});
