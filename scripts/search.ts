/**
 * Find the items most similar to a query set of images.
 *
 *   deno task search --index DIR --query ITEM_ID|FOLDER|FILE... [--k 10] [--method M] [--s X] [--m N]
 *                    [--text "…"] [--text-weight W] [--where "category = 'Sports Shoes'"] [--exact]
 *                    [--shortlist images|centroid|fde] [--candidates N] [--nprobes N] [--json] [--report FILE.html]
 *
 * The shortlist proposes candidate items from each query image's nearest images (or the nearest item
 * centroids); each candidate is scored exactly with the set method (default chamfer). `--exact`
 * scores every item. A query item excludes itself. With --json stdout is one object:
 * { query, method, k, results: [{ rank, item_id, score, pairs: [{ a, b, similarity, counted }],
 *   unmatched_query, unmatched_item, text_score? }], shortlist: { candidates, exact } }.
 * @module
 */

import { applyConfigFlags, UsageError } from "../lib/cli/mod.ts";
import { formatUsage, runTask } from "../lib/cli/table.ts";
import type { MatchMethod } from "../lib/matching/mod.ts";
import { embedQueryText, resolveQuery, SearchSession } from "../lib/search/mod.ts";
import { writeSearchReport } from "../lib/report/mod.ts";
import { formatSearchTable } from "../lib/search/format.ts";
import { search } from "./tasks.ts";

const USAGE = formatUsage(search);

await runTask(search, async ({ values, positionals }) => {
  const inputs = [...(values.query ?? []), ...positionals];
  if (inputs.length === 0) throw new UsageError(`--query ITEM_ID|FOLDER|FILE... is required\n${USAGE}`);
  const method = values.method as MatchMethod; // one of MATCH_METHODS (the table checks)
  if (values.shortlist !== undefined && values.exact) {
    throw new UsageError("--exact and --shortlist exclude each other");
  }
  const { k } = values;
  const textWeight = values["text-weight"];
  const config = applyConfigFlags(values);
  const session = await SearchSession.open(values.index);
  try {
    const query = await resolveQuery(session, inputs, { config });
    const text = values.text ?? (textWeight !== undefined && textWeight > 0 ? query.title : undefined);
    if (textWeight !== undefined && textWeight > 0 && text === undefined) {
      throw new UsageError(
        "--text-weight needs a query text: give --text, or query an item that has a title",
      );
    }
    const textVector = text !== undefined ? await embedQueryText(session, text) : undefined;
    const result = await session.search(query, {
      k,
      match: { method, s: values.s, m: values.m },
      text,
      textWeight,
      where: values.where,
      exact: values.exact,
      shortlist: values.shortlist,
      candidates: values.candidates,
      nprobes: values.nprobes,
    }, textVector).catch((error) => {
      // Bad --where, --s or --m values are the user's input.
      const message = (error as Error).message;
      if (error instanceof RangeError || /lance error: Invalid user input|SQL|parse/i.test(message)) {
        throw new UsageError(
          values.where && !(error instanceof RangeError)
            ? `--where "${values.where}": ${message}`
            : message.replace(/options\./g, "--"),
        );
      }
      throw error;
    });
    if (values.report) await writeSearchReport(values.report, result);
    if (values.json) console.log(JSON.stringify(result));
    else console.log(formatSearchTable(result));
  } finally {
    await session.close();
  }
});
