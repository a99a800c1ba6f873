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

import { applyConfigFlags, UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import { writeFileAtomic } from "../lib/io/mod.ts";
import type { MatchMethod } from "../lib/matching/mod.ts";
import { renderDedupReport, writeReport } from "../lib/report/mod.ts";
import { findDuplicates, SearchSession } from "../lib/search/mod.ts";
import { formatDedupCsv } from "../lib/search/format.ts";
import { dedup } from "./tasks.ts";

await runTask(dedup, async ({ values }) => {
  const { threshold } = values; // in (0, 1]: a set similarity (the table checks)
  const method = values.method as MatchMethod; // one of MATCH_METHODS (the table checks)
  applyConfigFlags(values);
  const session = await SearchSession.open(values.index);
  try {
    const result = await findDuplicates(session, {
      threshold,
      match: { method, s: values.s, m: values.m },
      candidates: values.candidates,
      exact: values.exact,
      where: values.where,
      progress: !values.quiet,
    }).catch((error) => {
      if (error instanceof RangeError) throw new UsageError(error.message.replace(/options\./g, "--"));
      throw error;
    });
    // The file and --json keep the exact ids; on a terminal, control characters are shown escaped.
    if (values.csv) await writeFileAtomic(values.csv, formatDedupCsv(result, { display: false }));
    if (values.report) await writeReport(values.report, await renderDedupReport(result, session));
    if (values.json) console.log(JSON.stringify(result));
    else {
      const csv = formatDedupCsv(result, { display: Deno.stdout.isTerminal() });
      Deno.stdout.writeSync(new TextEncoder().encode(csv));
    }
  } finally {
    await session.close();
  }
});
