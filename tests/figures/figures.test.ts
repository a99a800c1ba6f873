import assert from "node:assert/strict";
import sharp from "sharp";
import {
  composeGallery,
  heatmapCells,
  heatmapOptions,
  Plot,
  renderPlot,
  saveFigure,
  saveTable,
  table,
  toCsv,
} from "../../lib/figures/mod.ts";

Deno.test("renderPlot draws title and ordinal legend into one standalone SVG that rasterises", async () => {
  const figure = renderPlot({
    title: "Two points",
    caption: "a caption",
    color: { legend: true },
    marks: [Plot.dot([{ x: 1, y: 2, k: "alpha" }, { x: 2, y: 3, k: "beta" }], { x: "x", y: "y", fill: "k" })],
  });
  assert.match(figure.svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(figure.svg, /Two points/);
  assert.match(figure.svg, />alpha</);
  assert.match(figure.svg, /a caption/);
  assert.doesNotMatch(figure.svg, /<figure|<div|<canvas/);
  const png = await figure.png(1);
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, "png");
  assert.equal(meta.width, figure.width);
  assert.equal(meta.height, figure.height);
});

Deno.test("continuous colour legend is an SVG gradient, not a canvas", () => {
  const figure = renderPlot(heatmapOptions({ values: [[0.1, 0.9], [0.5, 0.2]], label: "similarity" }));
  assert.match(figure.svg, /<linearGradient/);
  assert.match(figure.svg, /similarity/);
});

Deno.test("heatmapCells reads nested and dense matrices alike, with highlights and labels", () => {
  const nested = heatmapCells({ values: [[1, 2, 3], [4, 5, 6]], highlight: [[1, 2]] });
  const dense = heatmapCells({ values: { rows: 2, cols: 3, data: new Float64Array([1, 2, 3, 4, 5, 6]) } });
  assert.deepEqual(nested.map((c) => c.value), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(dense.map((c) => c.value), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(nested.filter((c) => c.highlighted).map((c) => [c.i, c.j]), [[1, 2]]);
  assert.equal(nested[4].label, "5.00");
  assert.throws(
    () => heatmapCells({ values: [[1, 2]], rowLabels: ["a", "b"] }),
    /rowLabels has 2 labels for 1 rows/,
  );
});

Deno.test("saveFigure writes svg, png and metadata; saveTable writes csv and json", async () => {
  const dir = await Deno.makeTempDir();
  const figure = renderPlot(heatmapOptions({ values: [[1]] }));
  const files = await saveFigure(figure, `${dir}/fig`, { meta: { seed: 7, model: "m" } });
  assert.deepEqual(files.map((f) => f.slice(dir.length + 1)).sort(), ["fig.json", "fig.png", "fig.svg"]);
  assert.match(
    await Deno.readTextFile(`${dir}/fig.svg`),
    /<metadata><!\[CDATA\[\{"seed":7,"model":"m"\}\]\]><\/metadata>/,
  );
  await saveTable([{ a: 1, b: "x,y" }, { a: 2, c: 'q"' }], `${dir}/t`, { meta: { seed: 1 } });
  assert.equal(await Deno.readTextFile(`${dir}/t.csv`), 'a,b,c\n1,"x,y",\n2,,"q"""\n');
  const json = JSON.parse(await Deno.readTextFile(`${dir}/t.json`));
  assert.deepEqual(json.meta, { seed: 1 });
  assert.equal(json.rows.length, 2);
  assert.equal([...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".tmp")).length, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("toCsv quotes fields per RFC 4180", () => {
  assert.equal(toCsv([{ x: "a\nb" }]), 'x\n"a\nb"\n');
});

Deno.test("composeGallery lays out rows and names unreadable images", async () => {
  const red = await sharp({ create: { width: 10, height: 20, channels: 3, background: "red" } }).png()
    .toBuffer();
  const png = await composeGallery([
    { label: "q", images: [{ input: red, caption: "0.9", border: "green" }] },
    {
      images: [{ input: red }, { input: red }],
    },
  ], { cellWidth: 50, cellHeight: 50, gap: 4, labelWidth: 30 });
  const meta = await sharp(png).metadata();
  assert.equal(meta.width, 30 + 2 * 54 + 4);
  await assert.rejects(
    () => composeGallery([{ images: [{ input: "/nonexistent/x.png" }] }]),
    /cannot read gallery image \/nonexistent\/x\.png/,
  );
});

Deno.test("table formats text and markdown", () => {
  const t = table([{ method: "greedy", r: 0.91234 }, { method: "optimal", r: 1 }]);
  assert.equal(t.markdown.split("\n")[2], "| greedy | 0.912 |");
  assert.match(t.text, /^method {3}r\n-{7} {2}-{5}\n/);
});

Deno.test("rendering the same figure twice gives identical bytes", () => {
  const options = () => heatmapOptions({ values: [[0.1, 0.9], [0.5, 0.2]], title: "t" });
  assert.equal(renderPlot(options()).svg, renderPlot(options()).svg);
});
