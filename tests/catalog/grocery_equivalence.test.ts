/**
 * Integration on real images (the shared grocery photos, the default model, the shared warm
 * embedding cache): `eval --dataset PATH` on the grocery photos as a folder of class folders gives
 * exactly the numbers of `eval --dataset grocery`, with the same protocol and seed.
 *
 * The folder is built the way a user would: one symlink per photo named `<split>_<file name>`
 * (val and test photos share names), so the test also shows that file names do not matter.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { exists } from "../../lib/data/datasets.ts";
import { loadGrocery } from "../../lib/data/loaders.ts";

const config = resolveConfig();
const ready = await exists(join(config.dataDir, "grocery_store", "labels.csv")) &&
  await exists(join(config.modelsDir, "mobilenet-v2-pool"));
const script = new URL("../../scripts/eval.ts", import.meta.url).pathname;

async function evalJson(args: string[]): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args, "--json", "--no-record"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

const METRICS = ["n_queries", "n_gallery", "recall_at_1", "recall_at_5", "recall_at_10", "map", "ci95"];

Deno.test({
  name:
    "real grocery photos: eval --dataset FOLDER equals eval --dataset grocery (items protocol, same seed)",
  ignore: !ready,
  async fn() {
    const folder = join(await Deno.makeTempDir({ prefix: "setsim-grocery-catalog-" }), "grocery-photos");
    for (const photo of await loadGrocery()) {
      await Deno.mkdir(join(folder, photo.fineClass), { recursive: true });
      await Deno.symlink(photo.path, join(folder, photo.fineClass, `${photo.split}_${basename(photo.path)}`));
    }
    const flags = ["--protocol", "items", "--a", "4", "--b", "5", "--method", "greedy", "--seed", "7"];
    const fromDataset = await evalJson(["--dataset", "grocery", ...flags]);
    const fromFolder = await evalJson(["--dataset", folder, ...flags]);
    assert.equal(fromDataset.n_queries, 81);
    for (const key of METRICS) assert.deepEqual(fromFolder[key], fromDataset[key], key);
    assert.deepEqual(fromFolder.greedy_vs_optimal, fromDataset.greedy_vs_optimal);
    // Not a vacuous equality: the protocol is hard enough to have errors.
    assert.ok((fromDataset.recall_at_1 as number) < 1 && (fromDataset.recall_at_1 as number) > 0.5);
    assert.equal(
      (fromFolder.protocol_meta as { catalog: { source: { kind: string } } }).catalog.source.kind,
      "folder",
    );
    await Deno.remove(folder, { recursive: true });
  },
});
