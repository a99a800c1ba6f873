/**
 * `eval` and `sweep` take `--dataset PATH` of a user catalog, as subprocesses. The sweep runs on the
 * real-data backend with stand-in embeddings (`tests/sweep/fake_embedding_backend.ts`, through the
 * documented hook `SETSIM_SWEEP_BACKEND`), so no model files are needed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCatalog, writeFolderCatalog } from "../../lib/catalog/mod.ts";
import { makeTinyDataDir } from "../fixtures/data/tiny.ts";

const SWEEP = new URL("../../scripts/sweep.ts", import.meta.url).pathname;
const EVAL = new URL("../../scripts/eval.ts", import.meta.url).pathname;
const HOOK = new URL("../sweep/fake_embedding_backend.ts", import.meta.url).href;

async function run(script: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("sweep --dataset PATH: a folder catalog with protocol items, cells named by the catalog path", async () => {
  const dataDir = await makeTinyDataDir({ coilObjects: 4 });
  const { catalog } = await loadCatalog("coil100", { dataDir });
  const root = await Deno.makeTempDir({ prefix: "setsim-catalog-sweep-" });
  const folder = join(root, "objects");
  await writeFolderCatalog(catalog, folder);
  const args = [
    "--dataset",
    folder,
    "--method",
    "greedy",
    "--s",
    "none,0.6",
    "--m",
    "1,all",
    "--bootstrap",
    "50",
  ];
  const result = await run(
    SWEEP,
    [...args, "--json", "--quiet", "--no-figures", "--out", join(root, "out")],
    {
      SETSIM_SWEEP_BACKEND: HOOK,
    },
  );
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(await Deno.readTextFile(join(root, "out", "sweep.json")));
  assert.deepEqual(doc.grid.protocols, { [folder]: ["items"] });
  assert.equal(doc.cells.length, 4);
  for (const cell of doc.cells) {
    assert.equal(cell.dataset, folder);
    assert.equal(cell.provenance.n_queries, 4);
  }
  const wrong = await run(SWEEP, [...args, "--protocol", "grocery", "--out", join(root, "x")], {
    SETSIM_SWEEP_BACKEND: HOOK,
  });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--protocol: unknown "grocery"|does not apply|applies to dataset/);
});

Deno.test("eval --dataset PATH: bad paths and protocols exit 2 naming them", async () => {
  const root = await Deno.makeTempDir({ prefix: "setsim-catalog-eval-" });
  const missing = await run(EVAL, ["--dataset", join(root, "nope"), "--method", "greedy"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /catalog .*nope does not exist/);
  const unknown = await run(EVAL, ["--dataset", "imagenet", "--method", "greedy"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown dataset "imagenet"/);
  const wrong = await run(EVAL, ["--dataset", root, "--protocol", "single", "--method", "greedy"]);
  assert.equal(wrong.code, 2);
  assert.match(
    wrong.stderr,
    /--protocol "single" applies to dataset "myntra_footwear" only; a catalog takes items or group/,
  );
  const empty = await run(EVAL, ["--dataset", root, "--method", "greedy", "--no-record"]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /has no usable item/);
});

Deno.test("sweep --dataset PATH: a changed catalog is evaluated again, an unchanged one reuses its journal", async () => {
  const dataDir = await makeTinyDataDir({ coilObjects: 3 });
  const { catalog } = await loadCatalog("coil100", { dataDir });
  const root = await Deno.makeTempDir({ prefix: "setsim-catalog-sweep-" });
  const folder = join(root, "objects");
  await writeFolderCatalog(catalog, folder);
  const args = ["--dataset", folder, "--method", "greedy", "--s", "none", "--m", "all", "--bootstrap", "20"];
  const sweep = () =>
    run(SWEEP, [...args, "--json", "--quiet", "--no-figures", "--out", join(root, "out")], {
      SETSIM_SWEEP_BACKEND: HOOK,
    });
  const cells = (r: { stdout: string }) => JSON.parse(r.stdout).cells;
  const first = await sweep();
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(cells(first), { total: 1, evaluated: 1, reused: 0 });
  assert.deepEqual(cells(await sweep()), { total: 1, evaluated: 0, reused: 1 });
  await Deno.remove(join(folder, "3"), { recursive: true });
  const changed = await sweep();
  assert.deepEqual(cells(changed), { total: 1, evaluated: 1, reused: 0 });
  const missing = await run(SWEEP, [...args, "--dataset", join(root, "gone"), "--out", join(root, "x")], {
    SETSIM_SWEEP_BACKEND: HOOK,
  });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /catalog .*gone does not exist/);
});
