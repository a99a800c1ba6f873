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

import { applyConfigFlags, UsageError } from "../lib/cli/mod.ts";
import { displayText } from "../lib/io/mod.ts";
import { formatUsage, runTask } from "../lib/cli/table.ts";
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
import { index } from "./tasks.ts";

const USAGE = formatUsage(index);

await runTask(index, async ({ values, positionals }) => {
  if (values.export !== undefined) {
    if (positionals.length !== 1) {
      throw new UsageError(`give --index DIR and one OUT file\n${USAGE}`);
    }
    const reader = await openIndex(values.index);
    try {
      const rows = await exportParquet(reader, positionals[0]);
      console.log(
        `${displayText(positionals[0])}: ${rows} image rows of ${displayText(values.index)} (Parquet)`,
      );
    } finally {
      reader.close();
    }
    return;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one CATALOG\n${USAGE}`);
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
        `${displayText(values.index)}: ${report.items} items, ${report.images} images — ${
          report.ok ? "consistent with the catalog" : `${report.problems.length} problem(s)`
        }`,
      );
      for (const p of report.problems.slice(0, 50)) {
        console.log(
          `  ${displayText([p.item_id, p.image].filter(Boolean).join(" / "))}: ${displayText(p.problem)}`,
        );
      }
    }
    if (!report.ok) Deno.exitCode = 1;
    return;
  }
  const textModel = values["text-model"];
  const minImages = values["vector-index-min"];
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
        `${displayText(report.dir)}: ${report.items} items, ${report.images} images${
          report.full ? " (full build)" : ""
        }; ` +
          `added ${report.added.length}, changed ${report.changed.length}, removed ${report.removed.length}, ` +
          `unchanged ${report.unchanged}; embedded ${report.embedded} (${report.cacheHits} from the cache), ` +
          `reused ${report.reused}; ${s.total.toFixed(1)} s (scan ${s.scan.toFixed(1)}, embed ${
            s.embed.toFixed(1)
          }, write ${s.write.toFixed(1)})`,
      );
      for (const r of report.repaired) console.log(`repaired: ${displayText(r)}`);
      for (const f of report.failures) {
        console.error(`failed: ${displayText(`${f.item_id} / ${f.image}: ${f.reason}`)}`);
      }
      for (const id of report.skippedItems) {
        console.error(`skipped item ${displayText(id)}: none of its images could be embedded`);
      }
    }
  } finally {
    await local.dispose?.();
  }
});
