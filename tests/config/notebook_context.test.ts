import assert from "node:assert/strict";
import { isFastMode, notebookContext } from "../../lib/notebook/mod.ts";
import { heatmapOptions, renderPlot } from "../../lib/figures/mod.ts";

Deno.test("notebookContext writes figures, tables and galleries with provenance into results/<name>", async () => {
  const resultsDir = await Deno.makeTempDir();
  const nb = notebookContext("04-test", { resultsDir, seed: 3, fast: true, model: "m" });
  assert.deepEqual(nb.meta, { notebook: "04-test", model: "m", seed: 3, fast: true });
  await nb.saveFigure(renderPlot(heatmapOptions({ values: [[1]] })), "fig", { method: "greedy" });
  await nb.saveTable([{ a: 1 }], "table");
  await nb.saveGallery(new Uint8Array([1, 2, 3]), "neighbours");
  const files = [...Deno.readDirSync(nb.outDir)].map((e) => e.name).sort();
  assert.deepEqual(files, [
    "fig.json",
    "fig.png",
    "fig.svg",
    "neighbours-gallery.png",
    "table.csv",
    "table.json",
  ]);
  const meta = JSON.parse(await Deno.readTextFile(`${nb.outDir}/fig.json`));
  assert.deepEqual(meta, { notebook: "04-test", model: "m", seed: 3, fast: true, method: "greedy" });
  assert.throws(() => notebookContext("../escape"), /plain file name/);
  await Deno.remove(resultsDir, { recursive: true });
});

Deno.test("fast mode follows SETSIM_FAST", () => {
  const before = Deno.env.get("SETSIM_FAST");
  Deno.env.set("SETSIM_FAST", "1");
  assert.equal(isFastMode(), true);
  Deno.env.set("SETSIM_FAST", "0");
  assert.equal(isFastMode(), false);
  if (before === undefined) Deno.env.delete("SETSIM_FAST");
  else Deno.env.set("SETSIM_FAST", before);
});

Deno.test("headless runs show a note instead of embedding gallery photos", async () => {
  const resultsDir = await Deno.makeTempDir();
  const nb = notebookContext("01-x", { resultsDir });
  const before = Deno.env.get("SETSIM_NOTEBOOK_HEADLESS");
  const display = Symbol.for("Jupyter.display");
  try {
    Deno.env.set("SETSIM_NOTEBOOK_HEADLESS", "1");
    const note = await nb.saveGallery(new Uint8Array([1]), "g") as unknown as Record<symbol, () => object>;
    assert.deepEqual(Object.keys(note[display]()), ["text/markdown", "text/plain"]);
    assert.match(JSON.stringify(note[display]()), /01-x\/g-gallery\.png/);
    Deno.env.delete("SETSIM_NOTEBOOK_HEADLESS");
    const image = await nb.saveGallery(new Uint8Array([1]), "g") as unknown as Record<symbol, () => object>;
    assert.deepEqual(Object.keys(image[display]()), ["image/png"]);
  } finally {
    if (before === undefined) Deno.env.delete("SETSIM_NOTEBOOK_HEADLESS");
    else Deno.env.set("SETSIM_NOTEBOOK_HEADLESS", before);
    await Deno.remove(resultsDir, { recursive: true });
  }
});
