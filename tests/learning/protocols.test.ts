import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { exists } from "../../lib/data/datasets.ts";
import type { Coil100Image, GroceryImage } from "../../lib/data/loaders.ts";
import {
  assertNoLeakage,
  checkLearningProtocol,
  LeakageError,
  type LearningSplit,
  loadLearningSplit,
  splitCatalogItems,
  splitCoilUnseenObjects,
  splitGroceryNewPhotos,
  splitGroceryUnseenClasses,
} from "../../lib/learning/mod.ts";

const views: Coil100Image[] = Array.from({ length: 100 }, (_, o) => o + 1).flatMap((objectId) =>
  Array.from(
    { length: 18 },
    (_, k) => ({ path: `obj${objectId}__${20 * k}.png`, file: "", objectId, angleDeg: 20 * k }),
  )
);

function grocery(split: string, classes: number, perClass: number): GroceryImage[] {
  return Array.from({ length: classes }, (_, c) =>
    Array.from({ length: perClass }, (_, k) => ({
      path: `${split}/c${c}/${k}.jpg`,
      file: `${split}/c${c}/${k}.jpg`,
      split,
      superCategory: c % 2 ? "Fruit" : "Packages",
      fineClassId: c,
      fineClass: `class-${c}`,
      coarseClassId: Math.floor(c / 2),
      coarseClass: `coarse-${Math.floor(c / 2)}`,
      iconicImage: "",
    }))).flat();
}

/** Every image and item id a split's training side touches. */
function seenByTraining(split: LearningSplit) {
  const items = [...split.train, ...split.validation];
  return { images: new Set(items.flatMap((i) => i.images)), ids: new Set(items.map((i) => i.id)) };
}

Deno.test("coil100-unseen-objects: training (and validation) objects are 1–50, test objects 51–100", () => {
  const split = splitCoilUnseenObjects(views);
  const seen = seenByTraining(split);
  assert.equal(seen.ids.size, 50);
  for (const id of seen.ids) assert.ok(Number(id.slice(3)) <= 50, id);
  assert.equal(split.test.querySets.length, 50);
  for (const set of [...split.test.querySets, ...split.test.gallerySets]) {
    assert.ok(Number(set.label.slice(3)) > 50, set.label);
    for (const p of set.images) assert.ok(!seen.images.has(p));
  }
  assert.ok(split.validation.length >= 2 && split.train.length + split.validation.length === 50);
  assertNoLeakage(split);
});

Deno.test("grocery-unseen-classes: 40 training classes from any split, the other 41 tested on val+test only", () => {
  const photos = [...grocery("train", 81, 12), ...grocery("val", 81, 3), ...grocery("test", 81, 9)];
  const split = splitGroceryUnseenClasses(photos);
  const seen = seenByTraining(split);
  assert.equal(seen.ids.size, 40);
  const testLabels = new Set(split.test.querySets.map((s) => s.label));
  assert.equal(testLabels.size, 41);
  for (const label of testLabels) assert.ok(!seen.ids.has(label), `${label} leaked`);
  for (const set of [...split.test.querySets, ...split.test.gallerySets]) {
    for (const p of set.images) assert.ok(!p.startsWith("train/"), p);
  }
  // Same split seed → same classes; another → different.
  assert.deepEqual(splitGroceryUnseenClasses(photos).params.trainClasses, split.params.trainClasses);
  assert.notDeepEqual(
    splitGroceryUnseenClasses(photos, { splitSeed: 1 }).params.trainClasses,
    split.params.trainClasses,
  );
  assertNoLeakage(split);
});

Deno.test("grocery-new-photos: train split only in training, validation photos disjoint from training ones", () => {
  const split = splitGroceryNewPhotos(grocery("train", 5, 20), [
    ...grocery("val", 5, 4),
    ...grocery("test", 5, 10),
  ]);
  const train = new Set(split.train.flatMap((i) => i.images));
  for (const p of train) assert.ok(p.startsWith("train/"));
  for (const p of split.validation.flatMap((i) => i.images)) {
    assert.ok(!train.has(p) && p.startsWith("train/"));
  }
  for (const set of split.test.querySets) for (const p of set.images) assert.ok(!p.startsWith("train/"));
  assert.throws(() => splitGroceryNewPhotos(grocery("val", 2, 9), grocery("test", 2, 9)), /train split/);
  assertNoLeakage(split);
});

Deno.test("catalog-items: a seeded share of groups is tested, never trained on", () => {
  const images = Array.from(
    { length: 20 },
    (_, g) => Array.from({ length: 6 }, (_, k) => ({ path: `g${g}/${k}.jpg`, group: `sku-${g}` })),
  ).flat();
  const split = splitCatalogItems(images, { splitSeed: 3 });
  const seen = seenByTraining(split);
  assert.equal(split.test.querySets.length, 10);
  for (const set of split.test.querySets) assert.ok(!seen.ids.has(set.label));
  assertNoLeakage(split);
});

Deno.test("assertNoLeakage catches a shared image, an item seen in training, and validation overlapping training", () => {
  const split = splitCoilUnseenObjects(views);
  const image = split.test.querySets[0].images[0];
  const withImage = { ...split, train: [...split.train, { id: "extra", images: [image] }] };
  assert.throws(
    () => assertNoLeakage(withImage),
    (e) => e instanceof LeakageError && e.message.includes(image),
  );
  const label = split.test.querySets[0].label;
  const withItem = { ...split, train: [...split.train, { id: label, images: ["elsewhere.png"] }] };
  assert.throws(() => assertNoLeakage(withItem), new RegExp(`${label} were seen in training`));
  const overlap = { ...split, validation: [{ id: "v", images: [split.train[0].images[0]] }] };
  assert.throws(() => assertNoLeakage(overlap), /validation image/);
  // New-photos protocols share labels by design: only images count.
  assert.doesNotThrow(() => assertNoLeakage({ ...withItem, unseen: "photos" }));
});

Deno.test("checkLearningProtocol accepts full names and dataset-relative ones, and names the valid ones", () => {
  assert.equal(checkLearningProtocol("unseen-classes", "grocery"), "grocery-unseen-classes");
  assert.equal(checkLearningProtocol("coil100-unseen-objects"), "coil100-unseen-objects");
  assert.throws(() => checkLearningProtocol("unordered", "coil100"), /choose from coil100-unseen-objects/);
});

const dataDir = resolveConfig().dataDir;
const realData = await exists(join(dataDir, "grocery_store", "labels-train.csv")) &&
  await exists(join(dataDir, "coil100", "labels.csv"));

Deno.test({
  name: "real datasets: every learning protocol's split is leakage-free",
  ignore: !realData,
  fn: async () => {
    for (const protocol of ["coil100-unseen-objects", "grocery-unseen-classes", "grocery-new-photos"]) {
      const split = await loadLearningSplit(protocol); // throws a LeakageError on any leak
      const seen = seenByTraining(split);
      const test = [...split.test.querySets, ...split.test.gallerySets];
      assert.ok(test.every((s) => s.images.every((p) => !seen.images.has(p))), protocol);
      if (protocol !== "grocery-new-photos") assert.ok(test.every((s) => !seen.ids.has(s.label)), protocol);
    }
  },
});
