/**
 * Plot how cost grows with the catalog (issue 13): build time and search latency against images.
 *
 *   deno run -A scripts/catalog_scale.ts [--candidates C] --out DIR BENCH.json...
 *
 * Each BENCH.json is the stdout of `deno task bench catalog --images N --json`. Writes
 * DIR/catalog-scale.svg and DIR/catalog-scale.csv together (both or neither).
 * @module
 */

import { join } from "node:path";
import { UsageError } from "../lib/cli/mod.ts";
import { type ParsedTask, runTask } from "../lib/cli/table.ts";
import { Plot, renderPlot } from "../lib/figures/mod.ts";
import { commitFiles, toCsv } from "../lib/io/mod.ts";
import { type CatalogBenchResult, scaleRows } from "../lib/search/scale.ts";
import { catalogScale } from "./tasks.ts";

async function main({ values, positionals }: ParsedTask<typeof catalogScale>) {
  const { candidates } = values;
  const results: CatalogBenchResult[] = [];
  for (const path of positionals) {
    const parsed = JSON.parse(await Deno.readTextFile(path));
    if (typeof parsed?.images !== "number" || !Array.isArray(parsed?.strategies)) {
      throw new UsageError(`${path}: not a bench catalog --json object (no images/strategies)`);
    }
    results.push(parsed);
  }
  const rows = scaleRows(results, candidates);
  const figure = renderPlot({
    title: "setsim catalog scale: build time and search latency",
    subtitle:
      `synthetic catalogs from real embeddings, 2 cores; shortlists re-rank C = ${candidates} items exactly`,
    x: { type: "log", label: "images in the catalog", nice: true },
    y: { type: "log", label: "seconds", grid: true, nice: true },
    color: { legend: true },
    marks: [
      Plot.line(rows, { x: "images", y: "seconds", stroke: "series", z: "series" }),
      Plot.dot(rows, { x: "images", y: "seconds", stroke: "series", fill: "series" }),
    ],
  });
  const csv = toCsv(
    rows.map((r) => ({ ...r, recall_at_10: r.recall_at_10 ?? "" })),
    ["images", "series", "seconds", "recall_at_10"],
  );
  await Deno.mkdir(values.out, { recursive: true });
  await commitFiles([
    { path: join(values.out, "catalog-scale.svg"), content: figure.svg },
    { path: join(values.out, "catalog-scale.csv"), content: csv },
  ]);
  console.log(`wrote ${join(values.out, "catalog-scale.svg")} (${rows.length} points)`);
}

if (import.meta.main) await runTask(catalogScale, main);
