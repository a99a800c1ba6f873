import assert from "node:assert/strict";
import type { Coil100Image, FootwearProduct, GroceryImage } from "../../lib/data/loaders.ts";
import { drawGrocery, drawOrdered, drawSingle, drawUnordered } from "../../lib/evaluation/protocols.ts";
import { createRng, sampleWithoutReplacement, shuffle } from "../../lib/random/mod.ts";

function coilViews(objects: number, missing: string[] = []): Coil100Image[] {
  const views: Coil100Image[] = [];
  for (let o = 1; o <= objects; o++) {
    for (let angle = 0; angle < 360; angle += 5) {
      if (missing.includes(`obj${o}__${angle}`)) continue;
      views.push({
        path: `/d/obj${o}__${angle}.png`,
        file: `obj${o}__${angle}.png`,
        objectId: o,
        angleDeg: angle,
      });
    }
  }
  return views;
}

Deno.test("random: seeded streams are reproducible and independent", () => {
  const a = createRng(5, "x"), b = createRng(5, "x"), c = createRng(5, "y");
  const xs = [a(), a(), a()];
  assert.deepEqual(xs, [b(), b(), b()]);
  assert.notDeepEqual(xs, [c(), c(), c()]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.deepEqual(shuffle([1, 2, 3, 4, 5], createRng(1)).sort(), [1, 2, 3, 4, 5]);
  assert.throws(() => sampleWithoutReplacement([1, 2], 3, createRng(1)), /cannot draw 3 of 2/);
  assert.throws(() => createRng(-1), /seed/);
});

Deno.test("unordered: disjoint a/b views per object, seeded", () => {
  const views = coilViews(6);
  const draw = drawUnordered(views, { seed: 3 });
  assert.equal(draw.querySets.length, 6);
  assert.equal(draw.gallerySets.length, 6);
  draw.querySets.forEach((q, i) => {
    const g = draw.gallerySets[i];
    assert.equal(q.images.length, 4);
    assert.equal(g.images.length, 5);
    assert.equal(q.label, g.label);
    assert.equal(new Set([...q.images, ...g.images]).size, 9, "query and gallery views are disjoint");
    assert.ok([...q.images, ...g.images].every((p) => p.startsWith(`/d/${q.label}__`)));
  });
  assert.deepEqual(drawUnordered(views, { seed: 3 }), draw);
  assert.notDeepEqual(drawUnordered(views, { seed: 4 }).querySets, draw.querySets);
  const custom = drawUnordered(views, { seed: 3, a: 2, b: 3 });
  assert.equal(custom.querySets[0].images.length, 2);
  assert.throws(() => drawUnordered(views, { seed: 3, a: 0 }), /a must be an integer/);
});

Deno.test("ordered: canonical views against views shifted by delta; missing views substituted", () => {
  const draw = drawOrdered(coilViews(3, ["obj2__100"]), { delta: 10 });
  assert.deepEqual(draw.querySets[0].images, [
    "/d/obj1__0.png",
    "/d/obj1__90.png",
    "/d/obj1__180.png",
    "/d/obj1__270.png",
  ]);
  assert.deepEqual(draw.gallerySets[0].images, [
    "/d/obj1__10.png",
    "/d/obj1__100.png",
    "/d/obj1__190.png",
    "/d/obj1__280.png",
  ]);
  // obj2 lacks 100°: 95° and 105° are equally near; the later angle (direction of the shift) wins
  assert.equal(draw.gallerySets[1].images[1], "/d/obj2__105.png");
  assert.deepEqual(draw.params.substitutions, ["obj2: 100° → 105°"]);
  const wrapped = drawOrdered(coilViews(2), { delta: 95 });
  assert.equal(wrapped.gallerySets[0].images[3], "/d/obj1__5.png", "270 + 95 wraps to 5");
});

function groceryPhotos(): GroceryImage[] {
  const photos: GroceryImage[] = [];
  const classes = [
    { fine: "Golden-Delicious", coarse: "Apple", sup: "Fruit", n: 20 },
    { fine: "Granny-Smith", coarse: "Apple", sup: "Fruit", n: 9 },
    { fine: "Oatghurt", coarse: "Oatghurt", sup: "Packages", n: 30 },
    { fine: "Tiny", coarse: "Tiny", sup: "Vegetables", n: 5 },
  ];
  classes.forEach((c, id) => {
    for (let k = 0; k < c.n; k++) {
      photos.push({
        path: `/g/${c.fine}_${k}.jpg`,
        file: `${c.fine}_${k}.jpg`,
        split: k % 2 ? "val" : "test",
        superCategory: c.sup,
        fineClassId: id,
        fineClass: c.fine,
        coarseClassId: id === 1 ? 0 : id,
        coarseClass: c.coarse,
        iconicImage: `/g/${c.fine}_Iconic.jpg`,
      });
    }
  });
  return photos;
}

Deno.test("grocery: disjoint sets per fine class, capped pairs, small classes skipped", () => {
  const draw = drawGrocery(groceryPhotos(), { seed: 1 });
  // 20 photos → 2 pairs, 9 → 1, 30 → 2 (cap), 5 → skipped
  assert.deepEqual(draw.querySets.map((s) => s.label), [
    "Golden-Delicious",
    "Golden-Delicious",
    "Granny-Smith",
    "Oatghurt",
    "Oatghurt",
  ]);
  assert.deepEqual(draw.params.skipped, ["Tiny"]);
  const all = [...draw.querySets, ...draw.gallerySets].flatMap((s) => s.images);
  assert.equal(new Set(all).size, all.length, "no photo is used twice");
  assert.equal(draw.querySets[2].coarseLabel, "Apple");
  assert.equal(draw.querySets[3].category, "Packages");
  const valOnly = drawGrocery(groceryPhotos(), { seed: 1, splits: ["val"], setsPerClass: 5 });
  assert.ok(
    valOnly.querySets.flatMap((s) => s.images).every((p) => Number(p.match(/_(\d+)\.jpg/)![1]) % 2 === 1),
  );
});

Deno.test("single: stratified seeded sample, query and gallery sides identical", () => {
  const types = ["Casual Shoes", "Formal Shoes", "Sports Shoes", "Heels"];
  const products: FootwearProduct[] = [];
  for (let i = 0; i < 400; i++) {
    products.push({
      path: `/f/${i}.jpg`,
      file: `${i}.jpg`,
      id: i,
      productDisplayName: `shoe ${i}`,
      masterCategory: "Footwear",
      subCategory: "Shoes",
      articleType: types[i % 4],
      baseColour: "Black",
      usage: "Casual",
    });
  }
  const draw = drawSingle(products, { seed: 9, perCategory: 20 });
  assert.equal(draw.querySets.length, 60);
  assert.equal(draw.querySets, draw.gallerySets);
  const counts = new Map<string, number>();
  for (const s of draw.querySets) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  assert.deepEqual([...counts.values()], [20, 20, 20]);
  assert.equal(new Set(draw.querySets.map((s) => s.id)).size, 60);
  assert.throws(() => drawSingle(products, { seed: 9, perCategory: 101 }), /has 100 shoes, need 101/);
});
