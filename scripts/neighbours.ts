/**
 * Similar-products lists: every item's k most similar items, for a site to read.
 *
 *   deno task neighbours --index DIR --k 10 --out FILE.{parquet,jsonl,csv} [--method M] [--s X] [--m N]
 *                        [--exact | --shortlist S] [--candidates C] [--nprobes N] [--where "…"] [--items a,b]
 *                        [--incremental] [--workers N] [--chunk N] [--queue redis://HOST:PORT/N] [--attempts N]
 *                        [--quiet] [--json]
 *
 * One row per (item_id, rank, neighbour_id, score, pairs, method), by item id then rank; the
 * searches are `deno task search --query ITEM`'s (same shortlist, re-rank and ties). `--where`
 * restricts the candidates, `--items` the items whose lists are computed. A killed run resumes
 * from `OUT.partial/` and writes the same bytes; the output and its sidecar `OUT.setsim.json`
 * are committed together. `--incremental` recomputes only the lists that can have changed since
 * the previous OUT (rule: lib/neighbours/incremental.ts) and says how many. `--queue` turns the
 * chunks into BullMQ jobs for `deno task worker` processes (docs/distributed.md).
 * @module
 */

import {
  joinNegativeValues,
  parseFlags,
  parseIntegerFlag,
  parseListFlag,
  parseNumberFlag,
  runCli,
  UsageError,
} from "../lib/cli/mod.ts";
import { MATCH_METHODS, type MatchMethod } from "../lib/matching/mod.ts";
import { SHORTLISTS } from "../lib/search/mod.ts";
import { formatOfPath, type NeighbourSearch, runNeighbours } from "../lib/neighbours/mod.ts";
import { queueExecutor } from "../lib/neighbours/queue.ts";
import { parseQueueUrl } from "../lib/queue/mod.ts";

const USAGE = `usage: deno task neighbours --index DIR --k 10 --out FILE.{parquet,jsonl,csv} ` +
  `[--method ${MATCH_METHODS.join("|")}] [--s X] [--m N] [--exact | --shortlist ${
    Object.keys(SHORTLISTS).join("|")
  }] [--candidates C] [--nprobes N] [--where "category = 'Boots'"] [--items a,b] [--incremental] ` +
  `[--workers N] [--chunk N] [--queue redis://HOST:PORT/N] [--attempts N] [--quiet] [--json]

  --out FILE      .parquet, .jsonl or .csv: one row per (item_id, rank, neighbour_id, score, pairs, method)
  --where SQL     restrict the candidates (Lance SQL on the metadata columns)
  --items a,b     compute the lists of these items only
  --incremental   recompute only the lists that can have changed since the previous FILE (its sidecar
                  FILE.setsim.json names the index version); prints how many
  --workers N     local worker threads (default: the cores; 0 = this process)
  --chunk N       items per chunk: the unit of resuming and of queue jobs (default 50)
  --queue URL     send the chunks as BullMQ jobs to Redis; run deno task worker --queue URL --index DIR
                  on any machine that sees the index folder (docs/distributed.md)
  --attempts N    tries of a queue job that fails before it is reported with its items (default 3)`;

await runCli(async (argv) => {
  const { values } = parseFlags(joinNegativeValues(argv, ["--s"]), {
    index: { type: "string" },
    k: { type: "string", default: "10" },
    out: { type: "string" },
    method: { type: "string", default: "chamfer" },
    s: { type: "string" },
    m: { type: "string" },
    exact: { type: "boolean" },
    shortlist: { type: "string" },
    candidates: { type: "string" },
    nprobes: { type: "string" },
    where: { type: "string" },
    items: { type: "string" },
    incremental: { type: "boolean" },
    workers: { type: "string" },
    chunk: { type: "string" },
    queue: { type: "string" },
    attempts: { type: "string" },
    quiet: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE);
  if (!values.index) throw new UsageError(`--index DIR is required\n${USAGE}`);
  if (!values.out) throw new UsageError(`--out FILE.{parquet,jsonl,csv} is required\n${USAGE}`);
  try {
    formatOfPath(values.out);
  } catch (error) {
    throw new UsageError(`--out: ${(error as Error).message}`);
  }
  const method = values.method as MatchMethod;
  if (!MATCH_METHODS.includes(method)) {
    throw new UsageError(`--method must be one of ${MATCH_METHODS.join(", ")}; got "${values.method}"`);
  }
  if (values.shortlist !== undefined && values.exact) {
    throw new UsageError("--exact and --shortlist exclude each other");
  }
  if (values.shortlist !== undefined && !(values.shortlist in SHORTLISTS)) {
    throw new UsageError(
      `--shortlist must be one of ${Object.keys(SHORTLISTS).join(", ")}; got "${values.shortlist}"`,
    );
  }
  const items = parseListFlag(values.items);
  if (items !== undefined && items.length === 0) throw new UsageError(`--items needs at least one item id`);
  const search: NeighbourSearch = { k: parseIntegerFlag("k", values.k, 1)!, method };
  const s = parseNumberFlag("s", values.s), m = parseIntegerFlag("m", values.m, 1);
  if (s !== undefined) search.s = s;
  if (m !== undefined) search.m = m;
  if (values.where !== undefined) search.where = values.where;
  if (values.exact) search.exact = true;
  if (values.shortlist !== undefined) search.shortlist = values.shortlist;
  const candidates = parseIntegerFlag("candidates", values.candidates, 1);
  if (candidates !== undefined) search.candidates = candidates;
  const nprobes = parseIntegerFlag("nprobes", values.nprobes, 1);
  if (nprobes !== undefined) search.nprobes = nprobes;
  const attempts = parseIntegerFlag("attempts", values.attempts, 1);
  let queueUrl;
  try {
    queueUrl = values.queue === undefined ? undefined : parseQueueUrl(values.queue);
  } catch (error) {
    throw new UsageError(`--queue: ${(error as Error).message}`);
  }
  const report = await runNeighbours({
    index: values.index,
    out: values.out,
    search,
    items,
    incremental: values.incremental,
    workers: parseIntegerFlag("workers", values.workers, 0),
    chunkSize: parseIntegerFlag("chunk", values.chunk, 1),
    executor: queueUrl === undefined ? undefined : queueExecutor(queueUrl, values.index, { attempts }),
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
