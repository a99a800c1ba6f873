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
import { MATCH_METHODS, type MatchMethod } from "../lib/matching/mod.ts";
import { embedQueryText, resolveQuery, SearchSession, SHORTLISTS } from "../lib/search/mod.ts";
import { writeSearchReport } from "../lib/report/mod.ts";
import { formatSearchTable } from "../lib/search/format.ts";

const USAGE = `usage: deno task search --index DIR --query ITEM_ID|FOLDER|FILE... [--k 10] ` +
  `[--method ${MATCH_METHODS.join("|")}] [--s X] [--m N] [--text "…"] [--text-weight W] ` +
  `[--where "category = 'Sports Shoes'"] [--exact] [--shortlist ${Object.keys(SHORTLISTS).join("|")}] ` +
  `[--candidates N] [--nprobes N] [--json] [--report FILE.html]`;

await runCli(async (argv) => {
  const { values, positionals } = parseFlags(joinNegativeValues(argv, ["--s"]), {
    ...CONFIG_FLAGS,
    index: { type: "string" },
    query: { type: "string", multiple: true },
    k: { type: "string", default: "10" },
    method: { type: "string", default: "chamfer" },
    s: { type: "string" },
    m: { type: "string" },
    text: { type: "string" },
    "text-weight": { type: "string" },
    where: { type: "string" },
    exact: { type: "boolean" },
    shortlist: { type: "string" },
    candidates: { type: "string" },
    nprobes: { type: "string" },
    json: { type: "boolean" },
    report: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) return console.log(USAGE);
  if (!values.index) throw new UsageError(`--index DIR is required\n${USAGE}`);
  const inputs = [...(values.query ?? []), ...positionals];
  if (inputs.length === 0) throw new UsageError(`--query ITEM_ID|FOLDER|FILE... is required\n${USAGE}`);
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
  const k = parseIntegerFlag("k", values.k, 1)!;
  const textWeight = parseNumberFlag("text-weight", values["text-weight"]);
  if (textWeight !== undefined && !(textWeight >= 0 && textWeight <= 1)) {
    throw new UsageError(`--text-weight must be in [0, 1], got "${values["text-weight"]}"`);
  }
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
      match: { method, s: parseNumberFlag("s", values.s), m: parseIntegerFlag("m", values.m, 1) },
      text,
      textWeight,
      where: values.where,
      exact: values.exact,
      shortlist: values.shortlist,
      candidates: parseIntegerFlag("candidates", values.candidates, 1),
      nprobes: parseIntegerFlag("nprobes", values.nprobes, 1),
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
