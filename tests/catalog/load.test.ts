import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { resolveConfig } from "../../lib/config/mod.ts";
import { exists } from "../../lib/data/datasets.ts";
import { loadCoil100, loadGrocery, loadMyntraFootwear } from "../../lib/data/loaders.ts";
import {
  CatalogError,
  type CatalogProblem,
  formatProblems,
  isBundledDataset,
  loadCatalog,
  parseManifest,
  sniffImageFormat,
} from "../../lib/catalog/mod.ts";
import { makeTinyDataDir } from "../fixtures/data/tiny.ts";

async function png(path: string, shade = 100): Promise<void> {
  const image = sharp({
    create: { width: 4, height: 4, channels: 3, background: { r: shade, g: 50, b: 50 } },
  });
  await Deno.writeFile(path, new Uint8Array(await image.png().toBuffer()));
}

const kinds = (problems: CatalogProblem[]) => problems.map((p) => p.kind).sort();

Deno.test("folder catalog: item = folder, images sorted, every problem named by path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-catalog-" });
  await Deno.mkdir(join(dir, "boot", "detail"), { recursive: true });
  await Deno.mkdir(join(dir, "sandal"));
  await Deno.mkdir(join(dir, "empty"));
  await Deno.mkdir(join(dir, "broken"));
  await png(join(dir, "boot", "b.png"));
  await png(join(dir, "boot", "a.png"));
  await png(join(dir, "boot", "detail", "c.png"));
  await Deno.writeTextFile(join(dir, "boot", "notes.txt"), "hello");
  await Deno.writeTextFile(join(dir, "boot", ".DS_Store"), "ignored silently");
  await png(join(dir, "sandal", "x.png"));
  await Deno.writeFile(join(dir, "sandal", "empty.jpg"), new Uint8Array());
  await Deno.writeTextFile(join(dir, "broken", "fake.jpg"), "not a jpeg");
  await png(join(dir, "loose.png"));

  const { catalog, problems } = await loadCatalog(dir);
  assert.equal(catalog.source.kind, "folder");
  assert.equal(catalog.root, dir);
  assert.deepEqual(catalog.items.map((i) => i.id), ["boot", "sandal"]);
  assert.deepEqual(catalog.items[0].images, [
    join(dir, "boot/a.png"),
    join(dir, "boot/b.png"),
    join(dir, "boot/detail/c.png"),
  ]);
  assert.deepEqual(catalog.items[1].images, [join(dir, "sandal/x.png")]);
  assert.deepEqual(kinds(problems), [
    "no-images",
    "no-images",
    "stray-file",
    "unreadable-image",
    "unreadable-image",
    "unsupported-file",
  ]);
  const byKind = (k: string) => problems.filter((p) => p.kind === k);
  assert.equal(byKind("stray-file")[0].path, join(dir, "loose.png"));
  assert.equal(byKind("unsupported-file")[0].path, join(dir, "boot/notes.txt"));
  assert.deepEqual(byKind("unreadable-image").map((p) => p.path).sort(), [
    join(dir, "broken/fake.jpg"),
    join(dir, "sandal/empty.jpg"),
  ]);
  assert.deepEqual(byKind("no-images").map((p) => p.item).sort(), ["broken", "empty"]);
  for (const p of problems) assert.ok(p.message.includes(p.path ?? p.item!), p.message);
  const report = formatProblems(problems);
  assert.match(report, /^6 catalog problem\(s\): /);
  assert.match(report, /fake\.jpg/);
});

Deno.test("CSV manifest: several rows per item and ;-lists, metadata, each error kind with its line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-catalog-" });
  await Deno.mkdir(join(dir, "img"));
  for (const name of ["a1", "a2", "a3", "b1", "c1"]) await png(join(dir, "img", `${name}.png`));
  await Deno.writeTextFile(join(dir, "img", "bad.png"), "text");
  const csv = [
    "item_id,image,title,category,group,colour",
    "A,img/a1.png,Boot A,Shoes,boots,black", // 2
    "A,img/a2.png;img/a3.png,,,,black", // 3
    'B,img/b1.png,"Sandal, B",Shoes,sandals,brown', // 4
    "B,img/b1.png,,,,brown", // 5: same image again
    "A,img/c1.png,Another A,Shoes,boots,red", // 6: duplicate id (different title)
    ",img/c1.png,,,,", // 7: no item id
    "C,img/missing.png,,,,", // 8: missing file → C has no image
    "D,img/bad.png;img/c1.png,,,,", // 9: one unreadable, one fine
    "E,img/c1.png,too,many,fields,x,y", // 10
    "F,,,,,", // 11: no image
  ].join("\n") + "\n";
  await Deno.writeTextFile(join(dir, "products.csv"), csv);
  const { catalog, problems } = await loadCatalog(join(dir, "products.csv"));
  assert.equal(catalog.name, "products");
  assert.equal(catalog.source.kind, "manifest");
  assert.deepEqual(catalog.items.map((i) => i.id), ["A", "B", "D"]);
  const [a, b, d] = catalog.items;
  assert.deepEqual(a.images, ["a1", "a2", "a3"].map((n) => join(dir, "img", `${n}.png`)));
  assert.equal(a.title, "Boot A");
  assert.equal(a.category, "Shoes");
  assert.equal(a.group, "boots");
  assert.deepEqual(a.metadata, { colour: "black" });
  assert.equal(b.title, "Sandal, B");
  assert.deepEqual(d.images, [join(dir, "img", "c1.png")]);
  const at = (kind: string) => problems.filter((p) => p.kind === kind).map((p) => p.line);
  assert.deepEqual(at("duplicate-image"), [5]);
  assert.deepEqual(at("duplicate-id"), [6]);
  assert.deepEqual(at("bad-row"), [7, 10, 11]);
  assert.deepEqual(at("missing-file"), [8]);
  assert.deepEqual(at("no-images"), [8]);
  assert.deepEqual(at("unreadable-image"), [9]);
  assert.match(
    problems.find((p) => p.kind === "duplicate-id")!.message,
    /"A".*line 6.*"Another A".*line 2.*"Boot A"/,
  );
  for (const p of problems) assert.ok(p.path, `${p.kind} names a path`);
  assert.equal(problems.find((p) => p.kind === "missing-file")!.path, join(dir, "img", "missing.png"));
});

Deno.test("JSONL manifest (found as catalog.jsonl in a folder): arrays, numbers, bad JSON lines", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-catalog-" });
  await png(join(dir, "1.png"));
  await png(join(dir, "2.png"));
  const lines = [
    JSON.stringify({ item_id: 7, image: ["1.png", "2.png"], title: "Seven", price: 12.5, tags: ["x"] }),
    "{not json",
    "",
    JSON.stringify([1, 2]),
    JSON.stringify({ item_id: "8", image: join(dir, "2.png") }),
  ];
  await Deno.writeTextFile(join(dir, "catalog.jsonl"), lines.join("\n"));
  const { catalog, problems } = await loadCatalog(dir);
  assert.equal(catalog.name, dir.split("/").pop());
  assert.deepEqual(catalog.items.map((i) => [i.id, i.images.length, i.title]), [["7", 2, "Seven"], [
    "8",
    1,
    undefined,
  ]]);
  assert.deepEqual(catalog.items[0].metadata, { price: "12.5", tags: '["x"]' });
  assert.deepEqual(problems.map((p) => [p.kind, p.line]), [["bad-row", 2], ["bad-row", 4]]);
});

Deno.test("unusable catalogs throw a CatalogError naming the input", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-catalog-" });
  await assert.rejects(() => loadCatalog(join(dir, "nope")), CatalogError);
  await assert.rejects(
    () => loadCatalog("mnist"),
    /unknown dataset "mnist": not a bundled dataset \(known datasets: coil100/,
  );
  await Deno.writeTextFile(join(dir, "m.csv"), "id,path\n1,a.png\n");
  await assert.rejects(
    () => loadCatalog(join(dir, "m.csv")),
    /m\.csv lacks column\(s\) item_id, image \(its header is: id, path\)/,
  );
  await Deno.writeTextFile(join(dir, "open.csv"), 'item_id,image\n1,"a.png\n');
  await assert.rejects(
    () => loadCatalog(join(dir, "open.csv")),
    /open\.csv: CSV ends inside a quoted field \(opened on line 2/,
  );
  await Deno.writeTextFile(join(dir, "none.csv"), "item_id,image\n1,missing.png\n");
  await assert.rejects(() => loadCatalog(join(dir, "none.csv")), /has no usable item:\n.*missing-file/s);
  assert.equal(isBundledDataset("footwear"), true);
  assert.equal(isBundledDataset("./coil100"), false);
  assert.equal(isBundledDataset("x.csv"), false);
});

Deno.test("manifest parsing is pure and reports the starting line of records with quoted newlines", () => {
  const { entries, problems } = parseManifest(
    'item_id,image,title\n1,a.png,"two\nlines"\n2,,x\n',
    "m.csv",
    "csv",
  );
  assert.deepEqual(entries.map((e) => [e.itemId, e.line, e.title]), [["1", 2, "two\nlines"]]);
  assert.deepEqual(problems.map((p) => p.line), [4]);
  assert.equal(sniffImageFormat(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 ")), "webp");
  assert.equal(sniffImageFormat(new TextEncoder().encode("hello world")), null);
});

Deno.test("bundled datasets are catalogs through the same manifest path (tiny data dir)", async () => {
  const dataDir = await makeTinyDataDir();
  const coil = await loadCatalog("coil100", { dataDir });
  assert.equal(coil.catalog.source.kind, "dataset");
  assert.deepEqual(coil.catalog.items.map((i) => i.id), ["1", "2", "3"]);
  assert.equal(coil.catalog.items[0].images.length, 72);
  assert.equal(coil.catalog.items[0].imageMetadata![1].angle_deg, "5");
  const grocery = await loadCatalog("grocery_store", { dataDir });
  assert.equal(grocery.catalog.name, "grocery");
  assert.deepEqual(grocery.catalog.items.map((i) => [i.id, i.category, i.group]), [
    ["Golden-Delicious", "Fruit", "Apple"],
    ["Granny-Smith", "Fruit", "Apple"],
    ["Oatghurt", "Packages", "Oatghurt"],
  ]);
  const shoes = await loadCatalog("footwear", { dataDir });
  assert.equal(shoes.catalog.items[0].title, 'Brand, Casual Shoes "0"');
  assert.equal(shoes.catalog.items[0].group, "Casual Shoes");
  assert.deepEqual(shoes.problems, []);
  await assert.rejects(
    () => loadCatalog("coil100", { dataDir: join(dataDir, "nowhere") }),
    /deno task data coil100/,
  );
});

const sharedDir = resolveConfig().dataDir;
const hasShared = await exists(join(sharedDir, "coil100", "labels.csv")) &&
  await exists(join(sharedDir, "grocery_store", "labels.csv")) &&
  await exists(join(sharedDir, "myntra_footwear", "labels.csv"));

Deno.test({
  name: "shared data: the three datasets as catalogs hold exactly the loaders' images",
  ignore: !hasShared,
  fn: async () => {
    const cases = [
      ["coil100", (await loadCoil100()).map((r) => [String(r.objectId), r.path])],
      ["grocery", (await loadGrocery()).map((r) => [r.fineClass, r.path])],
      ["myntra_footwear", (await loadMyntraFootwear()).map((r) => [String(r.id), r.path])],
    ] as const;
    for (const [name, records] of cases) {
      const { catalog, problems } = await loadCatalog(name);
      assert.deepEqual(problems, [], name);
      const fromCatalog = catalog.items.flatMap((i) => i.images.map((p) => `${i.id}\t${p}`)).sort();
      assert.deepEqual(fromCatalog, records.map(([id, p]) => `${id}\t${p}`).sort(), name);
    }
  },
});
