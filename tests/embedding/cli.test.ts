import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";

const script = new URL("../../scripts/embed.ts", import.meta.url).pathname;

async function run(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("embed CLI: a folder → .npy + manifest, bad files listed with reasons", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-cli-" });
  const images = join(dir, "images");
  await Deno.mkdir(join(images, "nested"), { recursive: true });
  const dataDir = resolveConfig().dataDir;
  const rows = (await Deno.readTextFile(join(dataDir, "coil100", "labels.csv"))).trim().split("\n").slice(
    1,
    3,
  );
  await Deno.copyFile(join(dataDir, "coil100", rows[0].split(",")[0]), join(images, "a.webp"));
  await Deno.copyFile(join(dataDir, "coil100", rows[1].split(",")[0]), join(images, "nested", "b.webp"));
  await Deno.writeTextFile(join(images, "broken.jpg"), "not a jpeg");
  await Deno.writeTextFile(join(images, "readme.txt"), "ignored: not an image extension");
  const out = join(dir, "out", "vectors.npy");
  const r = await run([images, "--out", out, "--quiet"], { SETSIM_CACHE_DIR: join(dir, "cache") });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped .*broken\.jpg: not an image/);
  const manifest = JSON.parse(await Deno.readTextFile(join(dir, "out", "vectors.manifest.json")));
  assert.equal(manifest.model, "mobilenet-v2");
  assert.equal(manifest.count, 2);
  assert.deepEqual(manifest.rows.map((r: { path: string }) => r.path.slice(images.length)), [
    "/a.webp",
    "/nested/b.webp",
  ]);
  assert.equal(manifest.failures.length, 1);
  const npy = await Deno.readFile(out);
  const headerLength = new DataView(npy.buffer).getUint16(8, true);
  const header = new TextDecoder().decode(npy.subarray(10, 10 + headerLength));
  assert.match(
    header,
    new RegExp(`'descr': '<f4', 'fortran_order': False, 'shape': \\(2, ${manifest.dim}\\)`),
  );
  assert.equal((10 + headerLength) % 64, 0);
  assert.equal(npy.length, 10 + headerLength + 2 * manifest.dim * 4);
});

Deno.test("embed CLI: unknown model and bad flags are usage errors (exit 2)", async () => {
  const r = await run(["/nonexistent-folder", "--model", "no-such-model"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--model "no-such-model": unknown image model; known: mobilenet-v2/);
  const s = await run(["/nonexistent-folder", "--size", "big"]);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /--size must look like 240x180/);
});

Deno.test("embed CLI: when no image can be embedded it fails and writes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-cli-" });
  await Deno.writeTextFile(join(dir, "broken.jpg"), "not a jpeg");
  const out = join(dir, "out", "vectors.npy");
  const r = await run([join(dir, "broken.jpg"), "--out", out, "--quiet"], {
    SETSIM_CACHE_DIR: join(dir, "cache"),
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /skipped .*broken\.jpg: not an image/);
  assert.match(r.stderr, /no image could be embedded \(1 failed\); nothing written/);
  await assert.rejects(() => Deno.stat(join(dir, "out")), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});
