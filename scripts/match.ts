/**
 * Score one similarity matrix with a set-matching method.
 *
 *   deno task match --matrix FILE [--method greedy|optimal|lp|ordered|chamfer|hausdorff|sinkhorn]
 *                   [--s X] [--m N] [--symmetric] [--epsilon E] [--json]
 *
 * FILE: CSV (rows = set A, columns = set B; optional header row and first column of labels) or JSON
 * (a 2-D array). With --json, stdout is exactly one JSON object
 * {"method", "score" (null when no match passed s), "pairs": [{"a", "b", "similarity", "counted",
 * "excludedBy"?}], "unmatchedA", "unmatchedB", "reason"?}, with 0-based indices and pairs in the
 * order taken (greedy) or best first (others). Exit code 2 on bad flags or a bad file.
 * @module
 */

import { parseFlags, parseIntegerFlag, parseNumberFlag, runCli, UsageError } from "../lib/cli/mod.ts";
import {
  formatResultTable,
  type MatchMethod,
  type MatchOptions,
  MATRIX_METHODS,
  readMatrixFile,
  resultToJson,
  scoreSimilarityMatrix,
  validateOptions,
} from "../lib/matching/mod.ts";

const USAGE = `usage: deno task match --matrix FILE [--method ${MATRIX_METHODS.join("|")}] ` +
  `[--s X] [--m N] [--symmetric] [--epsilon E] [--json]`;

const NUMERIC_FLAGS = new Set(["--s", "--m", "--epsilon"]);

/** Join `--s -0.5` into `--s=-0.5`: thresholds are often negative, and parseArgs reads "-0.5" as a flag. */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    if (NUMERIC_FLAGS.has(argv[k]) && /^-(\d|\.\d)/.test(argv[k + 1] ?? "")) {
      out.push(`${argv[k]}=${argv[k + 1]}`);
      k++;
    } else out.push(argv[k]);
  }
  return out;
}

await runCli(async (argv) => {
  const { values } = parseFlags(joinNegativeValues(argv), {
    matrix: { type: "string" },
    method: { type: "string", default: "greedy" },
    s: { type: "string" },
    m: { type: "string" },
    symmetric: { type: "boolean" },
    epsilon: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.matrix) throw new UsageError(`--matrix FILE is required\n${USAGE}`);
  const method = values.method as MatchMethod;
  if (!MATRIX_METHODS.includes(method)) {
    throw new UsageError(
      method === "centroid"
        ? `--method centroid needs embeddings, not a similarity matrix; use matchSets() from lib/matching`
        : `--method must be one of ${MATRIX_METHODS.join(", ")}; got "${values.method}"`,
    );
  }
  const options: MatchOptions = {
    method,
    s: parseNumberFlag("s", values.s),
    m: parseIntegerFlag("m", values.m, 1),
    epsilon: parseNumberFlag("epsilon", values.epsilon),
  };
  if (values.symmetric) options.symmetric = true;
  for (const key of ["s", "m", "epsilon"] as const) if (options[key] === undefined) delete options[key];
  try {
    validateOptions(options);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^options\./, "--").replace(/options\./g, "--"));
  }
  const { matrix, rowLabels, colLabels } = await readMatrixFile(values.matrix);
  let result;
  try {
    result = scoreSimilarityMatrix(matrix, options);
  } catch (error) {
    // Remaining failures are about the matrix's shape for this method (e.g. ordered needs a square one).
    if (error instanceof RangeError) throw new UsageError(`${values.matrix}: ${error.message}`);
    throw error;
  }
  if (values.json) console.log(JSON.stringify(resultToJson(result)));
  else console.log(formatResultTable(result, { rowLabels, colLabels }));
});
