/**
 * Groups of near-duplicate items (the same product listed twice) in an index.
 *
 *   deno task dedup --index DIR --threshold T [--method M] [--s X] [--m N] [--candidates N]
 *                   [--exact] [--where "…"] [--json] [--csv FILE] [--report FILE.html]
 *
 * Prints CSV (group, size, item_id, best_match, score) on stdout, or with --json one object
 * { threshold, method, items, groups: [{ group, size, items, pairs: [{ a, b, score }] }] };
 * largest groups first.
 * @module
 */

import {
  applyConfigFlags,
  CONFIG_FLAGS,
  joinNegativeValues,
  parseFlags,
  parseIntegerFlag,
  parseNumberFlag,
  runCli,
  UsageError,
} from "../lib/cli/mod.ts";
import { toCsv, writeFileAtomic } from "../lib/io/mod.ts";
import { MATCH_METHODS, type MatchMethod } from "../lib/matching/mod.ts";
import { renderDedupReport, writeReport } from "../lib/report/mod.ts";
import { dedupCsvRows, findDuplicates, SearchSession } from "../lib/search/mod.ts";

const USAGE =
  `usage: deno task dedup --index DIR --threshold T [--method ${MATCH_METHODS.join("|")}] [--s X] [--m N] ` +
  `[--candidates N] [--exact] [--where "…"] [--json] [--csv FILE] [--report FILE.html] [--quiet]`;

await runCli(async (argv) => {
  const { values } = parseFlags(joinNegativeValues(argv, ["--s", "--threshold"]), {
    ...CONFIG_FLAGS,
    index: { type: "string" },
    threshold: { type: "string" },
    method: { type: "string", default: "chamfer" },
    s: { type: "string" },
    m: { type: "string" },
    candidates: { type: "string" },
    exact: { type: "boolean" },
    where: { type: "string" },
    json: { type: "boolean" },
    csv: { type: "string" },
    report: { type: "string" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE);
  if (!values.index) throw new UsageError(`--index DIR is required\n${USAGE}`);
  const threshold = parseNumberFlag("threshold", values.threshold);
  if (threshold === undefined) throw new UsageError(`--threshold T is required\n${USAGE}`);
  const method = values.method as MatchMethod;
  if (!MATCH_METHODS.includes(method)) {
    throw new UsageError(`--method must be one of ${MATCH_METHODS.join(", ")}; got "${values.method}"`);
  }
  applyConfigFlags(values);
  const session = await SearchSession.open(values.index);
  try {
    const result = await findDuplicates(session, {
      threshold,
      match: { method, s: parseNumberFlag("s", values.s), m: parseIntegerFlag("m", values.m, 1) },
      candidates: parseIntegerFlag("candidates", values.candidates, 1),
      exact: values.exact,
      where: values.where,
      progress: !values.quiet,
    }).catch((error) => {
      if (error instanceof RangeError) throw new UsageError(error.message.replace(/options\./g, "--"));
      throw error;
    });
    const csv = toCsv(dedupCsvRows(result), ["group", "size", "item_id", "best_match", "score"]);
    if (values.csv) await writeFileAtomic(values.csv, csv);
    if (values.report) await writeReport(values.report, await renderDedupReport(result, session));
    if (values.json) console.log(JSON.stringify(result));
    else Deno.stdout.writeSync(new TextEncoder().encode(csv));
  } finally {
    await session.close();
  }
});
