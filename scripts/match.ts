/**
 * Score one similarity matrix with a set-matching method.
 *
 *   deno task match --matrix FILE [--method greedy|optimal|lp|ordered|chamfer|hausdorff|sinkhorn]
 *                   [--s X] [--m N] [--symmetric] [--epsilon E] [--max-iterations N] [--tolerance T]
 *                   [--any-range] [--json]
 *
 * FILE: CSV (rows = set A, columns = set B; optional header row and first column of labels) or JSON
 * (a 2-D array); see `lib/matching/matrix_file.ts` for what counts as a number, a header and labels.
 * Values must be cosine similarities in [−1, 1] unless --any-range is given. With --json, stdout is exactly one JSON object
 * {"method", "score" (null when no match passed s), "pairs": [{"a", "b", "similarity", "counted",
 * "excludedBy"?}], "unmatchedA", "unmatchedB", "reason"?}, with 0-based indices and pairs in the
 * order taken (greedy) or best first (others); sinkhorn adds "converged", "iterations" and
 * "marginal_error", and warns on stderr when it did not converge. Exit code 2 on bad flags or a bad
 * file.
 * @module
 */

import { UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import {
  convergenceWarning,
  formatResultTable,
  type MatchMethod,
  type MatchOptions,
  matrixMethods,
  methodSpec,
  readMatrixFile,
  resolveOptions,
  resultToJson,
  scoreSimilarityMatrix,
  unusedOptions,
  validateOptions,
} from "../lib/matching/mod.ts";
import { match } from "./tasks.ts";

/** The CLI flag of each method-specific option. */
const FLAG_OF: Record<string, string> = {
  symmetric: "--symmetric",
  epsilon: "--epsilon",
  maxIterations: "--max-iterations",
  tolerance: "--tolerance",
};

await runTask(match, async ({ values }) => {
  const method = values.method as MatchMethod;
  if (!matrixMethods().includes(method)) {
    let known = true;
    try {
      methodSpec(method);
    } catch {
      known = false;
    }
    throw new UsageError(
      known
        ? `--method ${method} needs embeddings, not a similarity matrix; use matchSets() from lib/matching`
        : `--method must be one of ${matrixMethods().join(", ")}; got "${values.method}"`,
    );
  }
  const options: MatchOptions = {
    method,
    s: values.s,
    m: values.m,
    epsilon: values.epsilon,
    maxIterations: values["max-iterations"],
    tolerance: values.tolerance,
  };
  if (values.symmetric) options.symmetric = true;
  for (const key of ["s", "m", "epsilon", "maxIterations", "tolerance"] as const) {
    if (options[key] === undefined) delete options[key];
  }
  try {
    validateOptions(options);
  } catch (error) {
    throw new UsageError(
      (error as Error).message.replace(/options\.(\w+)/g, (_, key) => FLAG_OF[key] ?? `--${key}`),
    );
  }
  // One method is asked for, so an option it would ignore is a mistake worth stopping on.
  const [unused] = unusedOptions(options);
  if (unused) {
    throw new UsageError(
      `${FLAG_OF[unused.option]} applies only to --method ${
        unused.usedBy.join(", ")
      }; got --method ${method}`,
    );
  }
  const { matrix, rowLabels, colLabels } = await readMatrixFile(values.matrix, {
    anyRange: values["any-range"],
  });
  let result;
  try {
    result = scoreSimilarityMatrix(matrix, options);
  } catch (error) {
    // Remaining failures are about the matrix's shape for this method (e.g. ordered needs a square one).
    if (error instanceof RangeError) throw new UsageError(`${values.matrix}: ${error.message}`);
    throw error;
  }
  const warning = convergenceWarning(result, resolveOptions(options).maxIterations);
  if (warning) console.error(`match: ${warning}`);
  if (values.json) console.log(JSON.stringify(resultToJson(result)));
  else console.log(formatResultTable(result, { rowLabels, colLabels }));
});
