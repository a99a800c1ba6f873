/**
 * Build, update or check a catalog's persistent index.
 *
 *   deno task index CATALOG --index DIR [--model NAME] [--text-model use|none] [--check [--deep]] [--json] [--quiet]
 *                   [--rebuild] [--allow-shrink] [--allow-outside-root]
 *   deno task index --index DIR --export parquet OUT.parquet
 *
 * CATALOG: a folder of item folders, a CSV/JSONL manifest, or a bundled dataset name (see lib/catalog).
 * Rerunning embeds only new or changed images and drops stale rows; an interrupted run resumes (the
 * embedding cache keeps finished batches; the last commit stays readable). `--check` verifies the
 * committed index against the catalog and exits 1 when they disagree. `--export parquet OUT` writes
 * the committed per-image rows (ids, paths, metadata, vectors) as one Parquet file (lib/index/export.ts).
 * `--check --deep` hashes every image file; `--rebuild` builds afresh from the catalog and swaps the
 * result in (the way out of damaged tables or manifest); a build that would keep less than half of
 * the last commit's items fails and keeps it, unless `--allow-shrink`. Images outside the catalog
 * folder (once links are resolved) are left out as problems unless `--allow-outside-root`.
 * @module
 */

import { applyConfigFlags, CONFIG_FLAGS, parseFlags, runCli, UsageError } from "../lib/cli/mod.ts";
import { formatProblems, loadCatalog } from "../lib/catalog/mod.ts";
import {
  buildIndex,
  checkIndex,
  loadImageEmbedder,
  loadTextEmbedder,
  openIndex,
  whilePending,
} from "../lib/index/mod.ts";
import { exportParquet } from "../lib/index/export.ts";
import { parseQueueUrl, queueImageEmbedder } from "../lib/queue/mod.ts";

const USAGE = `usage: deno task index CATALOG --index DIR [--model NAME] [--text-model use|none] ` +
  `[--vector-index-min N] [--check [--deep]] [--rebuild] [--allow-shrink] [--allow-outside-root] [--queue redis://HOST:PORT/N] [--json] [--quiet]
       deno task index --index DIR --export parquet OUT.parquet`;

await runCli(async (argv) => {
  const { values, positionals } = parseFlags(argv, {
    ...CONFIG_FLAGS,
    index: { type: "string" },
    "text-model": { type: "string", default: "use" },
    "vector-index-min": { type: "string" },
    check: { type: "boolean" },
    deep: { type: "boolean" },
    rebuild: { type: "boolean" },
    "allow-shrink": { type: "boolean" },
    "allow-outside-root": { type: "boolean" },
    export: { type: "string" },
    queue: { type: "string" },
    json: { type: "boolean" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) return console.log(USAGE);
  if (values.export !== undefined) {
    if (values.export !== "parquet") {
      throw new UsageError(`--export: only "parquet" is supported, got "${values.export}"`);
    }
    if (positionals.length !== 1 || !values.index) {
      throw new UsageError(`give --index DIR and one OUT file\n${USAGE}`);
    }
    const reader = await openIndex(values.index);
    try {
      const rows = await exportParquet(reader, positionals[0]);
      console.log(`${positionals[0]}: ${rows} image rows of ${values.index} (Parquet)`);
    } finally {
      reader.close();
    }
    return;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one CATALOG\n${USAGE}`);
  if (!values.index) throw new UsageError(`--index DIR is required\n${USAGE}`);
  const config = applyConfigFlags(values);
  const { catalog, problems } = await loadCatalog(positionals[0], {
    dataDir: config.dataDir,
    allowOutsideRoot: values["allow-outside-root"] === true,
  });
  if (problems.length > 0 && !values.quiet) {
    console.error(
      `catalog ${catalog.name}: ${problems.length} problem(s); the rest is used:\n${
        formatProblems(problems, { max: 20 })
      }`,
    );
  }
  if (values.check) {
    const report = await checkIndex(catalog, values.index, undefined, { deep: values.deep });
    if (values.json) console.log(JSON.stringify(report));
    else {
      console.log(
        `${values.index}: ${report.items} items, ${report.images} images — ${
          report.ok ? "consistent with the catalog" : `${report.problems.length} problem(s)`
        }`,
      );
      for (const p of report.problems.slice(0, 50)) {
        console.log(`  ${[p.item_id, p.image].filter(Boolean).join(" / ")}: ${p.problem}`);
      }
    }
    if (!report.ok) Deno.exitCode = 1;
    return;
  }
  const textModel = values["text-model"]!;
  const minImages = values["vector-index-min"] === undefined ? undefined : Number(values["vector-index-min"]);
  if (minImages !== undefined && !(Number.isInteger(minImages) && minImages >= 0)) {
    throw new UsageError(`--vector-index-min must be an integer ≥ 0, got "${values["vector-index-min"]}"`);
  }
  let queueUrl;
  try {
    queueUrl = values.queue === undefined ? undefined : parseQueueUrl(values.queue);
  } catch (error) {
    throw new UsageError(`--queue: ${(error as Error).message}`);
  }
  const local = await loadImageEmbedder({ model: config.model, config });
  // --queue: the same model's vectors, embedded by `deno task worker` processes (lib/queue/embed.ts).
  const embedder = queueUrl === undefined
    ? local
    : queueImageEmbedder(queueUrl, local, { root: catalog.root });
  try {
    const report = await whilePending(`index ${values.index}`, () =>
      buildIndex(catalog, values.index!, {
        embedder,
        ...(textModel === "none" ? {} : { textEmbedder: () => loadTextEmbedder(textModel), textModel }),
        progress: !values.quiet,
        vectorIndexMinImages: minImages,
        rebuild: values.rebuild,
        allowShrink: values["allow-shrink"],
        // With --queue a chunk is split into jobs of 32 images: 2048 keeps 64 jobs in flight for the workers.
        ...(queueUrl === undefined ? {} : { chunkSize: 2048 }),
      }));
    if (values.json) {
      console.log(JSON.stringify(report));
    } else {
      const s = report.seconds;
      console.log(
        `${report.dir}: ${report.items} items, ${report.images} images${
          report.full ? " (full build)" : ""
        }; ` +
          `added ${report.added.length}, changed ${report.changed.length}, removed ${report.removed.length}, ` +
          `unchanged ${report.unchanged}; embedded ${report.embedded} (${report.cacheHits} from the cache), ` +
          `reused ${report.reused}; ${s.total.toFixed(1)} s (scan ${s.scan.toFixed(1)}, embed ${
            s.embed.toFixed(1)
          }, write ${s.write.toFixed(1)})`,
      );
      for (const r of report.repaired) console.log(`repaired: ${r}`);
      for (const f of report.failures) console.error(`failed: ${f.item_id} / ${f.image}: ${f.reason}`);
      for (const id of report.skippedItems) {
        console.error(`skipped item ${id}: none of its images could be embedded`);
      }
    }
  } finally {
    await local.dispose?.();
  }
});
