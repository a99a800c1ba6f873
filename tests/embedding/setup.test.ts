import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { setupModels } from "../../lib/embedding/model_build/setup.ts";

Deno.test("setup: builds the transformers.js layout once, then only checks stamps", async () => {
  const modelsDir = await Deno.makeTempDir({ prefix: "setsim-models-" });
  const only = ["mobilenet-v2-block10"];
  assert.deepEqual(await setupModels({ modelsDir, only, quiet: true }), only);
  const dir = join(modelsDir, only[0]);
  for (const file of ["config.json", "preprocessor_config.json", "onnx/model.onnx", "setsim-stamp.json"]) {
    assert.ok((await Deno.stat(join(dir, file))).isFile, file);
  }
  const config = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
  assert.equal(config.model_type, "mobilenet_v2");
  assert.equal(config.setsim.layer, "block_10_project_BN");
  assert.deepEqual(await setupModels({ modelsDir, only, quiet: true }), [], "up to date: nothing rebuilt");

  // Same bytes as the project's own build (deterministic conversion).
  const ours = await Deno.readFile(join(dir, "onnx", "model.onnx"));
  const project = await Deno.readFile(join(resolveConfig().modelsDir, only[0], "onnx", "model.onnx"));
  assert.deepEqual(ours, project);

  // A damaged or edited file is noticed and rebuilt.
  await Deno.writeFile(join(dir, "onnx", "model.onnx"), ours.subarray(0, 1000));
  assert.deepEqual(await setupModels({ modelsDir, only, quiet: true }), only);
  await Deno.writeTextFile(join(dir, "preprocessor_config.json"), "{}");
  assert.deepEqual(await setupModels({ modelsDir, only, quiet: true }), only);
  assert.deepEqual(await Deno.readFile(join(dir, "onnx", "model.onnx")), project);
  await Deno.remove(modelsDir, { recursive: true });
});
