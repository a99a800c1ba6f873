/**
 * Issue 10 case 9: paths given to a task resolve where the user stands. `deno task` runs every
 * task in the project root and records the user's folder in INIT_CWD; commands go back there
 * (lib/cli runCli → lib/config enterInvocationDir) before reading their arguments.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT, resolveConfig } from "../../lib/config/mod.ts";

/** `deno task ARGS` typed in `cwd` (a folder inside the project). */
async function task(cwd: string, args: string[], env: Record<string, string> = {}) {
  // deno task keeps an INIT_CWD it inherits: a user's shell has none (the test task unsets it too).
  const inherited = Deno.env.toObject();
  delete inherited.INIT_CWD;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", ...args],
    cwd,
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

async function withSubFolder(body: (top: string, sub: string) => Promise<void>) {
  const top = await Deno.makeTempDir({ dir: join(PROJECT_ROOT, "tests", "cli"), prefix: ".tmp-user-" });
  const sub = join(top, "sub");
  await Deno.mkdir(sub);
  try {
    await body(top, sub);
  } finally {
    await Deno.remove(top, { recursive: true });
  }
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("embed ../x.webp --out zz.npy from a sub-folder reads and writes beside the user", async () => {
  await withSubFolder(async (top, sub) => {
    const coil = join(resolveConfig().dataDir, "coil100");
    const first = (await Deno.readTextFile(join(coil, "labels.csv"))).split("\n")[1].split(",")[0];
    await Deno.copyFile(join(coil, first), join(top, "x.webp"));
    // The cache folder is relative too: it must land in the user's folder, not in the project root.
    const r = await task(sub, ["embed", "../x.webp", "--out", "zz.npy", "--quiet"], {
      SETSIM_CACHE_DIR: "cache",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(await exists(join(sub, "zz.npy")), "zz.npy is written where the user stands");
    assert.ok(await exists(join(sub, "zz.manifest.json")));
    assert.ok(await exists(join(sub, "cache")), "a relative SETSIM_CACHE_DIR resolves where the user stands");
    assert.equal(await exists(join(PROJECT_ROOT, "zz.npy")), false, "nothing is written in the project root");
    const manifest = JSON.parse(await Deno.readTextFile(join(sub, "zz.manifest.json")));
    assert.equal(manifest.count, 1);
  });
});

Deno.test("match --matrix m.csv from a sub-folder reads the user's file", async () => {
  await withSubFolder(async (_top, sub) => {
    await Deno.writeTextFile(join(sub, "m.csv"), "0.9,0.1\n0.2,0.8\n");
    const r = await task(sub, ["match", "--matrix", "m.csv", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout.trim().split("\n").at(-1)!).score > 0);
  });
});

Deno.test("reproduce --list from a sub-folder runs (children that need deno.json run in the project)", async () => {
  await withSubFolder(async (_top, sub) => {
    const r = await task(sub, ["reproduce", "--list"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^figures\s+yes/m);
  });
});
