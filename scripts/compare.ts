/**
 * Compare two image sets with one or every set-matching method.
 *
 *   deno task compare A B [--method M|all] [--s X] [--m N] [--index DIR] [--json]
 *                     [--figure FILE.svg|FILE.png] [--report FILE.html]
 *
 * A and B: a folder of images, image files separated by commas, or (with --index) an item id.
 * Prints each method's score, the matched pairs in the method's order and the unmatched images; the
 * figure is the explained match matrix with the thumbnails of both sets; with several methods, one
 * file per method (`--figure match.png` → `match-greedy.png`, `match-optimal.png`, …).
 * @module
 */

import { extname } from "node:path";
import { applyConfigFlags, UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import { svgToPng } from "../lib/figures/mod.ts";
import { loadImageEmbedder } from "../lib/index/mod.ts";
import { commitFiles, displayText } from "../lib/io/mod.ts";
import type { MatchMethod } from "../lib/matching/mod.ts";
import { comparisonFigures, renderCompareReport, writeReport } from "../lib/report/mod.ts";
import { compareSets, comparisonToJson, type ImageSet } from "../lib/search/compare.ts";
import { figurePaths, formatScore } from "../lib/search/format.ts";
import { embedImageSet, listImages, SearchSession } from "../lib/search/mod.ts";
import { compare } from "./tasks.ts";

await runTask(compare, async ({ values, positionals }) => {
  // Each item is a method or "all" (the table checks); "all" stands alone.
  if (values.method.includes("all") && values.method.length > 1) {
    throw new UsageError(`--method all stands alone; got "${values.method.join(",")}"`);
  }
  const methods = values.method[0] === "all" ? "all" : values.method as MatchMethod[];
  if (values.figure && ![".svg", ".png"].includes(extname(values.figure).toLowerCase())) {
    throw new UsageError(`--figure must end in .svg or .png, got "${values.figure}"`);
  }
  const config = applyConfigFlags(values);
  const session = values.index ? await SearchSession.open(values.index) : undefined;
  const embedder = await loadImageEmbedder({ model: session?.manifest.model ?? config.model, config });
  try {
    if (session && embedder.fingerprint !== session.manifest.fingerprint) {
      throw new UsageError(
        `the index was built with ${session.manifest.fingerprint}, this model is ${embedder.fingerprint}`,
      );
    }
    const resolveSet = async (arg: string): Promise<ImageSet> => {
      if (session && await session.hasItem(arg)) {
        const q = await session.itemQuery(arg);
        return { label: arg, images: q.images, vectors: q.vectors };
      }
      const files = arg.split(",").map((s) => s.trim()).filter(Boolean);
      const exists = await Promise.all(files.map((f) => Deno.stat(f).then(() => true, () => false)));
      const missing = files.filter((_, k) => !exists[k]);
      if (missing.length > 0) {
        throw new UsageError(
          `${missing.join(", ")}: no such file or folder${
            session ? ` and not an item of ${values.index}` : " (item ids need --index DIR)"
          }`,
        );
      }
      const images = await listImages(files);
      return { label: arg, images, vectors: await embedImageSet(images, embedder) };
    };
    const a = await resolveSet(positionals[0]);
    const b = await resolveSet(positionals[1]);
    let comparison;
    try {
      comparison = compareSets(a, b, methods, {
        s: values.s,
        m: values.m,
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message.replace(/options\./g, "--"));
      throw error;
    }
    if (values.figure) {
      // One figure per method (FILE-METHOD.ext when several methods were asked for), written
      // together, each named on stderr (stdout may be --json).
      const figures = await comparisonFigures(comparison);
      if (figures.size === 0) throw new UsageError("no method produced a match to draw");
      const png = values.figure.toLowerCase().endsWith(".png");
      const paths = figurePaths(values.figure, comparison.methods.map((m) => m.method));
      const files = [];
      for (const [method, path] of paths) {
        const svg = figures.get(method);
        if (svg !== undefined) files.push({ path, content: png ? await svgToPng(svg) : svg });
      }
      await commitFiles(files);
      for (const [method, path] of paths) {
        console.error(
          figures.has(method)
            ? `compare: wrote ${displayText(path)} (${method})`
            : `compare: no figure for ${method} (it produced no match)`,
        );
      }
    }
    if (values.report) await writeReport(values.report, await renderCompareReport(comparison));
    if (values.json) {
      console.log(JSON.stringify(comparisonToJson(comparison)));
      return;
    }
    console.log(
      `A = ${displayText(a.label)} (${a.images.length} images), B = ${
        displayText(b.label)
      } (${b.images.length} images)`,
    );
    for (const m of comparison.methods) {
      console.log(`\n${m.method}: ${formatScore(m.score)}${m.reason ? ` (${m.reason})` : ""}`);
      m.pairs.forEach((p, k) =>
        console.log(
          `  ${k + 1}. A${p.a + 1} ↔ B${p.b + 1}  ${p.similarity.toFixed(4)}${
            p.counted ? "" : "  (not counted)"
          }`,
        )
      );
      if (m.pairs.length > 0) {
        console.log(
          `  unmatched A: ${m.unmatched_a.map((i) => `A${i + 1}`).join(", ") || "none"}; unmatched B: ${
            m.unmatched_b.map((i) => `B${i + 1}`).join(", ") || "none"
          }`,
        );
      }
    }
  } finally {
    await embedder.dispose?.();
    await session?.close();
  }
});
