/**
 * Evaluate set matching on real data.
 *
 *   deno task eval --dataset coil100|grocery|myntra_footwear|PATH
 *                  [--protocol unordered|ordered|grocery|single|items|group]
 *                  --method greedy|optimal|lp|ordered|centroid|chamfer|hausdorff|sinkhorn[,more]
 *                  [--s X] [--m N] [--model NAME] [--seed N] [--json]
 *                  [--a N] [--b N] [--delta DEG] [--sets-per-class N] [--per-category N]
 *                  [--augment all|rot90,rot180,rot270,flop,flip,mirror] [--bootstrap N] [--epsilon E] [--symmetric]
 *                  [--no-compare] [--no-record] [--results FILE] [--data-dir DIR]
 *   deno task eval --table [--model NAME] [--seed N] [--results FILE] [--out PREFIX]
 *
 * PATH is a user catalog (a folder of item folders, or a CSV/JSONL manifest; see lib/catalog):
 * protocol `items` (default; each item's images split into a seeded query half and a gallery
 * half, --a/--b cap the halves) or `group` (items with the same group are relevant; --per-category
 * N samples N query items per group). The bundled datasets take these two protocols as well.
 * Catalog problems (missing files, duplicate ids, …) are reported on stderr; the rest is used.
 *
 * With --json (one method), stdout is exactly one JSON object: dataset, protocol, method, model,
 * fingerprint, seed, s, m, n_queries, n_gallery, recall_at_1/5/10, precision_at_1/5/10, map, ci95
 * ({metric: [lo, hi]}), per_category, levels (grocery: coarse), greedy_vs_optimal (greedy and
 * optimal), failures, protocol_meta, config, timestamp, duration_s. Every run is appended to
 * results/eval/runs.jsonl (or --results). Several methods (comma-separated) share one embedding
 * and similarity matrix and print one line each. --table writes the latest default runs per
 * dataset/protocol/method as results/eval/summary.md and .csv (or --out PREFIX).
 * Exit code 2 on bad flags or a missing dataset, 1 on failures while working.
 * @module
 */

import { join } from "node:path";
import { applyConfigFlags, parseListFlag, UsageError } from "../lib/cli/mod.ts";
import { formatUsage, runTask } from "../lib/cli/table.ts";
import { commitFiles, displayText } from "../lib/io/mod.ts";
import { CatalogError, type CatalogProblem, checkCatalogName, formatProblems } from "../lib/catalog/mod.ts";
import { DatasetError } from "../lib/data/datasets.ts";
import {
  checkProtocol,
  DEFAULT_AUGMENTATIONS,
  defaultProtocol,
  defaultRunsFile,
  type EvaluationResult,
  parseAugmentations,
  prepareProtocol,
  readRuns,
  runEvaluation,
  summarizeRuns,
  summaryCsv,
  summaryMarkdown,
} from "../lib/evaluation/mod.ts";
import { type MatchMethod, validateOptions } from "../lib/matching/mod.ts";
import { evaluate } from "./tasks.ts";

const USAGE = formatUsage(evaluate);

const pct = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "–");
/** "value [lo, hi]"; the value alone when the run has no interval (no bootstrap resamples). */
const ci = (r: EvaluationResult, k: keyof EvaluationResult["ci95"]) => {
  const interval = r.ci95[k];
  return interval === undefined ? pct(r[k]) : `${pct(r[k])} [${pct(interval[0])}, ${pct(interval[1])}]`;
};

function describe(result: EvaluationResult): string {
  const lines = [
    `${result.dataset}/${result.protocol} ${result.method}${result.s !== null ? ` s=${result.s}` : ""}${
      result.m !== null ? ` m=${result.m}` : ""
    } model=${result.model} seed=${result.seed}: ${result.n_queries} queries × ${result.n_gallery} gallery sets`,
    `  Recall@1 ${ci(result, "recall_at_1")}  Recall@5 ${ci(result, "recall_at_5")}  ` +
    `Recall@10 ${ci(result, "recall_at_10")}  mAP ${ci(result, "map")}` +
    (result.bootstrap === 0 ? "  (no intervals: --bootstrap 0)" : ""),
  ];
  for (const [level, m] of Object.entries(result.levels)) {
    lines.push(`  ${level}: Recall@1 ${pct(m.recall_at_1)}  mAP ${pct(m.map)}`);
  }
  const categories = Object.entries(result.per_category);
  if (categories.length > 0 && categories.length <= 12) {
    for (const [name, m] of categories) {
      lines.push(
        `  ${name} (${m.n_queries}): P@1 ${pct(m.precision_at_1)}  P@5 ${pct(m.precision_at_5)}  mAP ${
          pct(m.map)
        }`,
      );
    }
  }
  if (result.greedy_vs_optimal) {
    const a = result.greedy_vs_optimal;
    lines.push(
      `  greedy vs optimal: same top-1 ${pct(a.same_top1_rate)}, mean gap (optimal − greedy) ${
        a.mean_score_gap.toExponential(2)
      }, max |gap| ${a.max_abs_score_gap.toExponential(2)}`,
    );
  }
  if (result.failures.length > 0) {
    lines.push(
      `  ${result.failures.length} image(s) could not be embedded and were dropped, e.g. ${
        displayText(result.failures[0].input)
      }: ${displayText(result.failures[0].reason)}`,
    );
  }
  return lines.join("\n");
}

await runTask(evaluate, async ({ values }) => {
  const config = applyConfigFlags(values);
  const runsFile = values.results ?? defaultRunsFile(config.resultsDir);
  const seed = values.seed;

  if (values.table) {
    const rows = summarizeRuns(await readRuns(runsFile), { model: config.model, seed });
    if (rows.length === 0) {
      throw new UsageError(`no default runs with model ${config.model}, seed ${seed} in ${runsFile}`);
    }
    const prefix = values.out ?? join(config.resultsDir, "eval", "summary");
    await commitFiles([ // the two views of one table: replaced together or not at all
      { path: `${prefix}.md`, content: summaryMarkdown(rows) },
      { path: `${prefix}.csv`, content: summaryCsv(rows) },
    ]);
    console.log(summaryMarkdown(rows));
    console.error(`wrote ${prefix}.md and ${prefix}.csv`);
    return;
  }

  if (!values.dataset) throw new UsageError(`--dataset is required\n${USAGE}`);
  if (!values.method) throw new UsageError(`--method is required\n${USAGE}`);
  let dataset: string;
  let protocol;
  try {
    dataset = await checkCatalogName(values.dataset);
    protocol = checkProtocol(dataset, values.protocol ?? defaultProtocol(dataset));
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^protocol/, "--protocol"));
  }
  const methods = values.method; // each one of MATCH_METHODS (the table checks)
  if (values.json && methods.length > 1) throw new UsageError("--json takes exactly one --method");
  const { s, m, epsilon } = values;
  const matchOptions = {
    ...(epsilon !== undefined ? { epsilon } : {}),
    ...(values.symmetric ? { symmetric: true } : {}),
  };
  for (const method of methods) {
    try {
      validateOptions({ method: method as MatchMethod, s, m, ...matchOptions });
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/options\./g, "--"));
    }
  }
  let augment;
  try {
    augment = values.augment === "all"
      ? [...DEFAULT_AUGMENTATIONS]
      : parseAugmentations(parseListFlag(values.augment) ?? []);
  } catch (error) {
    throw new UsageError(`--augment: ${(error as Error).message}`);
  }
  const options = {
    dataset,
    protocol,
    seed,
    model: config.model,
    config: { dataDir: config.dataDir, resultsDir: config.resultsDir },
    augment,
    a: values.a,
    b: values.b,
    delta: values.delta,
    setsPerClass: values["sets-per-class"],
    perCategory: values["per-category"],
    progress: !values.json || Deno.stderr.isTerminal(),
  };
  let prepared;
  try {
    prepared = await prepareProtocol(options);
  } catch (error) {
    if (error instanceof DatasetError || error instanceof CatalogError || error instanceof RangeError) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
  const catalogProblems = prepared.meta.catalog_problems as CatalogProblem[] | undefined;
  if (catalogProblems && catalogProblems.length > 0) console.error(formatProblems(catalogProblems));
  for (const method of methods) {
    const run = () =>
      runEvaluation({
        ...options,
        prepared,
        method: method as MatchMethod,
        s,
        m,
        matchOptions,
        bootstrap: values.bootstrap,
        compare: !values["no-compare"],
        record: values["no-record"] ? false : runsFile,
      });
    let result;
    try {
      result = await run();
    } catch (error) {
      if (/^method "ordered" needs/.test((error as Error).message)) {
        throw new UsageError((error as Error).message);
      }
      throw error;
    }
    if (values.json) console.log(JSON.stringify(result));
    else console.log(describe(result));
  }
});
