import assert from "node:assert/strict";
import { join } from "node:path";
import type { Catalog, CatalogItem } from "../../lib/catalog/mod.ts";
import {
  buildExampleCatalog,
  loadCatalog,
  writeFolderCatalog,
  writeManifestCatalog,
} from "../../lib/catalog/mod.ts";
import { drawGroup, drawItems } from "../../lib/evaluation/catalog_protocols.ts";
import { checkProtocol, defaultProtocol, prepareProtocol } from "../../lib/evaluation/prepare.ts";
import { fakeEmbed, makeTinyDataDir } from "../fixtures/data/tiny.ts";

function catalogOf(sizes: Record<string, number>, groups: Record<string, string> = {}): Catalog {
  const items: CatalogItem[] = Object.entries(sizes).map(([id, n]) => ({
    id,
    images: Array.from({ length: n }, (_, k) => `/shop/${id}/${k}.jpg`),
    metadata: {},
    ...(groups[id] ? { group: groups[id] } : {}),
  }));
  return { name: "shop", root: "/shop", items, source: { kind: "folder", path: "/shop" } };
}

Deno.test("items protocol: seeded halves, disjoint, one-image items gallery-only, order-invariant", () => {
  const catalog = catalogOf({ boot: 7, clog: 2, mule: 1, pump: 10 });
  const draw = drawItems(catalog, { seed: 3 });
  assert.deepEqual(draw.querySets.map((s) => [s.id, s.images.length]), [
    ["boot/query", 3],
    ["clog/query", 1],
    [
      "pump/query",
      5,
    ],
  ]);
  assert.deepEqual(draw.gallerySets.map((s) => [s.id, s.images.length]), [
    ["boot/gallery", 4],
    ["clog/gallery", 1],
    ["mule/gallery", 1],
    ["pump/gallery", 5],
  ]);
  assert.deepEqual(draw.params.gallery_only, ["mule"]);
  for (const q of draw.querySets) {
    const g = draw.gallerySets.find((s) => s.label === q.label)!;
    assert.equal(q.images.filter((p) => g.images.includes(p)).length, 0, "halves are disjoint");
    const item = catalog.items.find((i) => i.id === q.label)!;
    assert.deepEqual([...q.images, ...g.images].sort(), [...item.images].sort(), "halves cover the item");
  }
  assert.deepEqual(drawItems(catalog, { seed: 3 }), draw, "same seed → same split");
  const other = drawItems(catalog, { seed: 4 });
  assert.notDeepEqual(other.querySets.map((s) => s.images), draw.querySets.map((s) => s.images));
  // Reversed item and image order, another root: the same sets (an item's split depends on its id).
  const reversed: Catalog = {
    ...catalog,
    items: catalog.items.map((i) => ({ ...i, images: [...i.images].reverse() })).reverse(),
  };
  assert.deepEqual(drawItems(reversed, { seed: 3 }).querySets, draw.querySets);
  // Adding an item does not change the other items' splits.
  const grown = catalogOf({ boot: 7, clog: 2, mule: 1, pump: 10, aaa: 6 });
  assert.deepEqual(drawItems(grown, { seed: 3 }).querySets.filter((s) => s.label !== "aaa"), draw.querySets);
  // Caps.
  const capped = drawItems(catalog, { seed: 3, a: 2, b: 3 });
  assert.deepEqual(capped.querySets.map((s) => s.images.length), [2, 1, 2]);
  assert.deepEqual(capped.gallerySets.map((s) => s.images.length), [3, 1, 1, 3]);
  assert.throws(() => drawItems(catalogOf({ a: 2, b: 1 }), { seed: 0 }), /needs ≥ 2 items with ≥ 2 images/);
  assert.throws(() => drawItems(catalog, { seed: 0, a: 0 }), /a must be an integer ≥ 1/);
});

Deno.test("items protocol: content keys decide the order, not file names", () => {
  const a = catalogOf({ x: 4, y: 4 });
  const keys = new Map(a.items.flatMap((i) => i.images.map((p, k) => [p, `h${i.id}${3 - k}`] as const)));
  // The same contents under other names, in another root.
  const b: Catalog = {
    ...a,
    root: "/elsewhere",
    items: a.items.map((i) => ({ ...i, images: i.images.map((p) => p.replace("/shop/", "/elsewhere/z-")) })),
  };
  const keysB = new Map([...keys].map(([p, h]) => [p.replace("/shop/", "/elsewhere/z-"), h]));
  const strip = (d: ReturnType<typeof drawItems>) =>
    d.querySets.map((s) => s.images.map((p) => keys.get(p) ?? keysB.get(p)));
  assert.deepEqual(
    strip(drawItems(b, { seed: 1, imageKeys: keysB })),
    strip(drawItems(a, { seed: 1, imageKeys: keys })),
  );
});

Deno.test("group protocol: relevant = same group, self left out, ungrouped and single-item groups gallery-only", () => {
  const catalog = catalogOf({ a: 2, b: 1, c: 3, d: 1, e: 1 }, {
    a: "boots",
    b: "boots",
    c: "clogs",
    d: "boots",
  });
  const draw = drawGroup(catalog, { seed: 0 });
  assert.deepEqual(draw.querySets.map((s) => s.id), ["a", "b", "d"]);
  assert.deepEqual(draw.gallerySets.map((s) => s.id), ["a", "b", "c", "d", "e"]);
  assert.deepEqual(draw.params.ungrouped_items, ["e"]);
  assert.deepEqual(draw.params.single_item_groups, ["clogs"]);
  assert.equal(draw.gallerySets[0].label, draw.gallerySets[1].label);
  assert.notEqual(draw.gallerySets[4].label, draw.gallerySets[2].label);
  const sampled = drawGroup(catalog, { seed: 0, perGroup: 2 });
  assert.equal(sampled.querySets.length, 2);
  assert.deepEqual(drawGroup(catalog, { seed: 0, perGroup: 2 }), sampled);
  assert.throws(() => drawGroup(catalogOf({ a: 1, b: 1 }), { seed: 0 }), /needs a group with ≥ 2 items/);
});

Deno.test("protocol names: catalogs take items and group; dataset protocols stay with their datasets", () => {
  assert.equal(defaultProtocol("/some/catalog"), "items");
  assert.equal(defaultProtocol("grocery"), "grocery");
  assert.equal(checkProtocol("/some/catalog", "group"), "group");
  assert.equal(checkProtocol("coil100", "items"), "items");
  assert.throws(
    () => checkProtocol("/some/catalog", "grocery"),
    /applies to dataset "grocery" only; a catalog takes items or group/,
  );
  assert.throws(() => checkProtocol("coil100", "single"), /use unordered, ordered, items, group/);
});

const dataDir = await makeTinyDataDir();
const base = { config: { dataDir }, embed: fakeEmbed, progress: false };

Deno.test("prepareProtocol on catalogs: a folder (items) and a manifest (group) made from the tiny grocery give the dataset's numbers", async () => {
  const { catalog } = await loadCatalog("grocery", { dataDir });
  const tmp = await Deno.makeTempDir({ prefix: "setsim-catalog-" });
  const folder = join(tmp, "grocery-folder");
  await writeFolderCatalog(catalog, folder, { mode: "copy" });
  const manifest = join(tmp, "grocery.csv");
  await writeManifestCatalog(catalog, manifest);
  for (const [protocol, dataset] of [["items", folder], ["group", manifest]] as const) {
    const a = await prepareProtocol({ ...base, dataset: "grocery", protocol, seed: 2, a: 3 });
    const b = await prepareProtocol({ ...base, dataset, protocol, seed: 2, a: 3 });
    assert.equal(b.dataset, dataset);
    assert.deepEqual([...b.similarity.data], [...a.similarity.data], protocol);
    assert.deepEqual(b.querySets, a.querySets);
    assert.deepEqual(b.gallerySets, a.gallerySets);
    assert.deepEqual([...b.relevance], [...a.relevance]);
  }
  // group on the dataset: fine classes of one coarse class (the apples) are relevant to each other.
  const group = await prepareProtocol({ ...base, dataset: "grocery", protocol: "group", seed: 0 });
  assert.deepEqual(group.queries.map((q) => q.id), ["Golden-Delicious", "Granny-Smith"]);
  assert.equal(group.gallery.length, 3);
  assert.deepEqual([...group.excluded!], [1, 0, 0, 0, 1, 0]);
});

Deno.test("prepareProtocol on a manifest with problems: they are in meta, the rest is evaluated", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-catalog-" });
  const { broken } = await buildExampleCatalog(dir, { dataDir, products: 3, photos: 4, withProblems: true });
  const prepared = await prepareProtocol({ ...base, dataset: broken!, protocol: "group", seed: 0 });
  const problems = prepared.meta.catalog_problems as { kind: string }[];
  assert.deepEqual(problems.map((p) => p.kind).sort(), [
    "bad-row",
    "duplicate-id",
    "missing-file",
    "no-images",
  ]);
  assert.equal(prepared.queries.length, 6);
  assert.equal((prepared.meta.catalog as { items: number }).items, 6);
  await assert.rejects(
    prepareProtocol({ ...base, dataset: join(dir, "nothing-here"), protocol: "items" }),
    /catalog .*nothing-here does not exist/,
  );
});
