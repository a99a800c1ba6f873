import { strict as assert } from "node:assert";
import sharp from "sharp";
import { neighbourGalleryRows, parseColour, similarityRasterOptions, topK } from "../../lib/retrieval/mod.ts";
import { renderPlot } from "../../lib/figures/mod.ts";

Deno.test("similarityRasterOptions paints one pixel per cell in display order", async () => {
  const matrix = { rows: 3, cols: 3, data: Float32Array.from([1, 0, 0.5, 0, 1, 0.5, 0.5, 0.5, 1]) };
  const options = await similarityRasterOptions({
    matrix,
    order: [2, 0, 1],
    groups: ["a", "b", "a"],
    domain: [0, 1],
    scheme: "greys",
    title: "t",
  });
  const figure = renderPlot(options);
  const href = /href="data:image\/png;base64,([^"]+)"/.exec(figure.svg);
  assert.ok(href, "the raster is embedded as a PNG data URI");
  const { data, info } = await sharp(Uint8Array.from(atob(href[1]), (c) => c.charCodeAt(0))).raw()
    .toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 3);
  assert.equal(info.height, 3);
  // Display row 0 is item 2: values (item2, item2) = 1, (item2, item0) = 0.5, (item2, item1) = 0.5.
  // "greys" maps 1 to the darkest grey and 0 to white; equal values give equal pixels.
  const px = (r: number, c: number) => data[(r * 3 + c) * info.channels];
  assert.equal(px(0, 1), px(0, 2));
  assert.ok(px(0, 0) < px(0, 1));
  assert.ok(px(1, 2) > px(0, 1)); // (item0, item1) = 0 is lighter than 0.5
  assert.ok(figure.svg.includes("a (2)") && figure.svg.includes("b (1)"));
});

Deno.test("similarityRasterOptions rejects bad input, naming it", async () => {
  const matrix = { rows: 2, cols: 2, data: Float32Array.from([1, 0, 0, 1]) };
  await assert.rejects(() => similarityRasterOptions({ matrix, order: [0, 0] }), /permutation of 0..1/);
  await assert.rejects(
    () => similarityRasterOptions({ matrix: { rows: 1, cols: 2, data: new Float32Array(2) } }),
    /must be square/,
  );
  await assert.rejects(
    () => similarityRasterOptions({ matrix, transform: () => NaN }),
    /value at \(0, 0\) is NaN/,
  );
});

Deno.test("parseColour reads hex and rgb()", () => {
  assert.deepEqual(parseColour("#ff0010"), [255, 0, 16]);
  assert.deepEqual(parseColour("rgb(1, 2, 3)"), [1, 2, 3]);
  assert.throws(() => parseColour("teal"), /cannot parse colour "teal"/);
});

Deno.test("neighbourGalleryRows outlines same-label neighbours green and others red", () => {
  const scores = { rows: 3, cols: 3, data: Float64Array.from([1, 0.8, 0.9, 0.8, 1, 0.1, 0.9, 0.1, 1]) };
  const t = topK(scores, 2, { excluded: Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) });
  const items = [
    { image: "q.png", label: "x" },
    { image: "a.png", label: "x" },
    { image: "b.png", label: "y" },
  ];
  const [row] = neighbourGalleryRows([0], t, items);
  assert.equal(row.label, "x");
  assert.deepEqual(row.images.map((i) => i.input), ["q.png", "b.png", "a.png"]);
  assert.deepEqual(row.images.slice(1).map((i) => i.border), ["#d73027", "#1a9850"]);
  assert.equal(row.images[1].caption, "0.900 y");
  assert.throws(() => neighbourGalleryRows([5], t, items), /query 5 is not a row/);
});
