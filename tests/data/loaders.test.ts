import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { datasetDir, exists, resolveDatasetName } from "../../lib/data/datasets.ts";
import {
  loadCoil100,
  loadGrocery,
  loadGroceryClasses,
  loadMyntraFootwear,
  parseCoil100FileName,
} from "../../lib/data/loaders.ts";
import { drawGrocery, drawOrdered, drawSingle, drawUnordered } from "../../lib/evaluation/protocols.ts";
import { makeTinyDataDir } from "../fixtures/data/tiny.ts";

const sharedDir = resolveConfig().dataDir;
const hasShared = await exists(join(sharedDir, "coil100", "labels.csv"));

Deno.test("dataset names and aliases", () => {
  assert.equal(resolveDatasetName("grocery_store"), "grocery");
  assert.equal(resolveDatasetName("Footwear"), "myntra_footwear");
  assert.equal(resolveDatasetName("myntra"), "myntra_footwear");
  assert.throws(() => resolveDatasetName("mnist"), /unknown dataset "mnist"; known datasets: coil100/);
  assert.equal(datasetDir("grocery", "/d"), "/d/grocery_store");
  assert.deepEqual(parseCoil100FileName("images/obj12__355.png"), { objectId: 12, angleDeg: 355 });
  assert.deepEqual(parseCoil100FileName("obj1__0.webp"), { objectId: 1, angleDeg: 0 });
  assert.equal(parseCoil100FileName("obj1_0.png"), null);
});

Deno.test("loaders on a tiny data directory: typed records, quoted names, missing data errors", async () => {
  const dataDir = await makeTinyDataDir({ coilObjects: 2 });
  const coil = await loadCoil100({ dataDir });
  assert.equal(coil.length, 144);
  assert.deepEqual([coil[1].objectId, coil[1].angleDeg], [1, 5]);
  assert.ok(coil[0].path.startsWith(dataDir) && coil[0].path.endsWith(".png"));
  const shoes = await loadMyntraFootwear({ dataDir });
  assert.equal(shoes[0].productDisplayName, 'Brand, Casual Shoes "0"');
  const classes = await loadGroceryClasses({ dataDir });
  assert.deepEqual(classes.map((c) => c.coarseClass), ["Apple", "Apple", "Oatghurt"]);
  assert.equal(classes[0].description, "Golden-Delicious description");

  const empty = await Deno.makeTempDir();
  await assert.rejects(loadCoil100({ dataDir: empty }), (error: Error) => {
    assert.match(error.message, /dataset "coil100" not found/);
    assert.match(error.message, /deno task data coil100/);
    assert.match(error.message, /SETSIM_DATA_DIR/);
    return true;
  });
  await Deno.remove(join(dataDir, "coil100", "images", "obj2__5.png"));
  await assert.rejects(loadCoil100({ dataDir }), /1 of 144 image files listed in labels.csv are missing/);
  assert.equal((await loadCoil100({ dataDir, checkFiles: false })).length, 144);
  await Deno.writeTextFile(join(dataDir, "grocery_store", "labels.csv"), "path,split\na.jpg,val\n");
  await assert.rejects(loadGrocery({ dataDir }), /lacks column\(s\) super_category/);
});

Deno.test({
  name: "shared data: loaders read all three datasets with the documented counts",
  ignore: !hasShared,
  fn: async () => {
    const coil = await loadCoil100({ dataDir: sharedDir });
    assert.equal(coil.length, 7168);
    assert.equal(new Set(coil.map((v) => v.objectId)).size, 100);
    assert.ok(coil.every((v) => v.angleDeg % 5 === 0 && v.angleDeg < 360));
    assert.ok(!coil.some((v) => v.objectId === 10 && v.angleDeg === 35), "obj10__35 is a known missing view");
    const grocery = await loadGrocery({ dataDir: sharedDir });
    assert.equal(grocery.length, 2781);
    assert.equal(new Set(grocery.map((p) => p.fineClassId)).size, 81);
    assert.deepEqual([...new Set(grocery.map((p) => p.superCategory))].sort(), [
      "Fruit",
      "Packages",
      "Vegetables",
    ]);
    const classes = await loadGroceryClasses({ dataDir: sharedDir });
    assert.equal(classes.length, 81);
    assert.ok(classes.every((c) => c.description.length > 0));
    const shoes = await loadMyntraFootwear({ dataDir: sharedDir });
    assert.equal(shoes.length, 9197);
    assert.ok(shoes.every((s) => s.masterCategory === "Footwear"));
  },
});

Deno.test({
  name: "shared data: protocols draw the documented set sizes",
  ignore: !hasShared,
  fn: async () => {
    const coil = await loadCoil100({ dataDir: sharedDir, checkFiles: false });
    const unordered = drawUnordered(coil, { seed: 0 });
    assert.equal(unordered.querySets.length, 100);
    assert.equal(unordered.gallerySets[99].images.length, 5);
    const ordered = drawOrdered(coil, { delta: 10 });
    assert.equal(ordered.querySets.length, 100);
    // obj1 lacks 180° (a query view) and obj22 lacks 190° and 275° … substitutions are reported
    assert.ok((ordered.params.substitutions as string[]).includes("obj1: 180° → 185°"));
    const grocery = drawGrocery(await loadGrocery({ dataDir: sharedDir, checkFiles: false }), { seed: 0 });
    // every class gives 2 pairs of 4 + 5 photos but the two with 13 and 17 photos (one pair each)
    assert.equal(grocery.querySets.length, 2 * 81 - 2);
    const single = drawSingle(await loadMyntraFootwear({ dataDir: sharedDir, checkFiles: false }), {
      seed: 0,
    });
    assert.equal(single.querySets.length, 315);
  },
});
