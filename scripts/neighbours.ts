/**
 * Similar-products lists: every item's k most similar items, for a site to read.
 *
 *   deno task neighbours --index DIR --k 10 --out FILE.{parquet,jsonl,csv} [--method M] [--where "…"]
 *                        [--items a,b] [--incremental] [--workers N | --queue redis://HOST:PORT/N] [options]
 *
 * Flags, defaults and validation: the `neighbours` entry of the command table (scripts/tasks.ts;
 * `deno task neighbours --help`). One row per (item_id, rank, neighbour_id, score, pairs, method),
 * by item id then rank; the searches are `deno task search --query ITEM`'s (same shortlist,
 * re-rank and ties). `--where` restricts the candidates, `--items` the items whose lists are
 * computed. A killed run resumes from `OUT.partial/` and writes the same bytes; the output and its
 * sidecar `OUT.setsim.json` are committed together. `--incremental` recomputes only the lists that
 * can have changed since the previous OUT (rule: lib/neighbours/incremental.ts) and says how many.
 * `--queue` turns the chunks into BullMQ jobs for `deno task worker` processes (docs/distributed.md).
 * @module
 */

import { UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import type { MatchMethod } from "../lib/matching/mod.ts";
import { type NeighbourSearch, runNeighbours } from "../lib/neighbours/mod.ts";
import { queueExecutor } from "../lib/neighbours/queue.ts";
import { parseQueueUrl } from "../lib/queue/mod.ts";
import { neighbours } from "./tasks.ts";

await runTask(neighbours, async ({ values }) => {
  if (values.shortlist !== undefined && values.exact) {
    throw new UsageError("--exact and --shortlist exclude each other");
  }
  // The table checked the method against MATCH_METHODS.
  const search: NeighbourSearch = { k: values.k, method: values.method as MatchMethod };
  if (values.s !== undefined) search.s = values.s;
  if (values.m !== undefined) search.m = values.m;
  if (values.where !== undefined) search.where = values.where;
  if (values.exact) search.exact = true;
  if (values.shortlist !== undefined) search.shortlist = values.shortlist;
  if (values.candidates !== undefined) search.candidates = values.candidates;
  if (values.nprobes !== undefined) search.nprobes = values.nprobes;
  // The table checked the address; the executor connects only when there is work to queue.
  const executor = values.queue === undefined
    ? undefined
    : queueExecutor(parseQueueUrl(values.queue), values.index, { attempts: values.attempts });
  const report = await runNeighbours({
    index: values.index,
    out: values.out,
    search,
    items: values.items,
    incremental: values.incremental,
    workers: values.workers,
    chunkSize: values.chunk,
    executor,
    progress: !values.quiet,
  }).catch((error) => {
    // Unknown --items, a bad --where, --s or --m, an unusable previous output: the user's input.
    if (error instanceof RangeError) throw new UsageError(error.message.replace(/options\./g, "--"));
    throw error;
  });
  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(
      `${report.out}: ${report.items} items, ${report.rows} rows (${report.format}); computed ${report.computed} lists in ${report.chunks} chunks${
        report.resumed_chunks > 0 ? ` (${report.resumed_chunks} resumed)` : ""
      } on ${report.executor}; ${report.seconds.toFixed(1)} s`,
    );
  }
});
