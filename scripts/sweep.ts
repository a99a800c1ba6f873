/**
 * `deno task sweep`: evaluate every (s, m) cell of a hyperparameter grid, resumably.
 * Flags → validated plan → `runSweep` (lib/sweep/engine.ts) → summary. `--help` lists the flags.
 *
 * Every flag is checked before any work starts (no data is loaded for a bad `--s`).
 *
 * Test hook (not for users): the environment variable `SETSIM_SWEEP_BACKEND` names a module
 * (path or URL) exporting another `SweepBackend` as `backend`; tests point it at a
 * synthetic backend so they can exercise the real command (journal, workers, kill and resume)
 * without images or models.
 *
 * @example
 * ```ts ignore
 * import { sweepMain } from "./sweep.ts";
 * await sweepMain(["--dataset", "coil100", "--s", "0.6:0.9:0.1", "--m", "1,3,all", "--json"]);
 * ```
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { applyConfigFlags, runCli, UsageError } from "../lib/cli/mod.ts";
import { formatHelp, parseTask } from "../lib/cli/table.ts";
import { catalogFingerprint } from "../lib/catalog/mod.ts";
import type { SweepBackend } from "../lib/sweep/backend.ts";
import { expandCells, type SweepPlan } from "../lib/sweep/cell.ts";
import { runSweep, type SweepOutcome } from "../lib/sweep/engine.ts";
import { parseMatchCapGrid, parseNameList, parseThresholdGrid } from "../lib/sweep/grid.ts";
import { sweepHeatmapFiles } from "../lib/sweep/heatmap.ts";
import { valuesOf } from "../lib/evaluation/estimate.ts";
import { describeBest, rowCi95 } from "../lib/sweep/output.ts";
import { sweep as sweepTask } from "./tasks.ts";

/** Usage text of `deno task sweep` (from the command table). */
export const SWEEP_USAGE = formatHelp(sweepTask);

/** Everything a sweep run needs, parsed and validated. */
export interface SweepInvocation {
  plan: SweepPlan;
  outDir: string;
  threads: number;
  metric: string;
  figures: boolean;
  json: boolean;
  quiet: boolean;
  backendUrl: string;
}

/** The backend module URL: the test hook `SETSIM_SWEEP_BACKEND` or setsim's own. */
export function backendUrlFromEnv(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string {
  const hook = env("SETSIM_SWEEP_BACKEND")?.trim();
  if (!hook) return new URL("../lib/sweep/setsim_backend.ts", import.meta.url).href;
  if (/^[a-z]+:\/\//i.test(hook)) return hook;
  return pathToFileURL(isAbsolute(hook) ? hook : resolve(hook)).href;
}

/**
 * `catalog:<path>` → fingerprint of every catalog path among the datasets, entered into the cell
 * hashes so a changed catalog is evaluated again instead of reusing journaled cells; a missing
 * catalog fails here, before any work (exit code 2).
 */
async function catalogFingerprints(datasets: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const dataset of datasets.filter((d) => isAbsolute(d))) {
    out[`catalog:${dataset}`] = await catalogFingerprint(dataset);
  }
  return out;
}

/**
 * Parse and validate the flags into a {@link SweepInvocation}. Returns `undefined` after printing
 * the usage for `--help`.
 *
 * @throws {UsageError} naming the flag and value on any bad input.
 */
export async function parseSweepArgs(
  argv: string[],
  backend: SweepBackend,
  backendUrl: string,
): Promise<SweepInvocation | undefined> {
  const { values, help } = parseTask(sweepTask, argv);
  if (help) {
    console.log(SWEEP_USAGE);
    return undefined;
  }
  const datasetText = values.dataset;
  const resolved = backend.resolveDataset
    ? datasetText.split(",").map((d) => backend.resolveDataset!(d.trim()))
    : datasetText.split(",");
  // A catalog path (resolved to an absolute path) is accepted beside the backend's dataset names.
  const datasets = parseNameList("dataset", resolved.join(","), [
    ...backend.datasets,
    ...resolved.filter((d) => isAbsolute(d)),
  ]);
  const methods = parseNameList("method", values.method, backend.methods);
  const s = parseThresholdGrid(values.s);
  const m = parseMatchCapGrid(values.m);
  const { seed, bootstrap, metric } = values;
  const requestedThreads = values.workers;
  if (!backend.metrics.includes(metric)) {
    throw new UsageError(`--metric: unknown metric "${metric}" (valid: ${backend.metrics.join(", ")})`);
  }

  const protocols: Record<string, string[]> = {};
  if (values.protocol === undefined) {
    for (const dataset of datasets) protocols[dataset] = [backend.defaultProtocol(dataset)];
  } else {
    const all = new Set(datasets.flatMap((d) => backend.protocols(d)));
    const asked = parseNameList("protocol", values.protocol, [...all]);
    for (const dataset of datasets) {
      const own = asked.filter((p) => backend.protocols(dataset).includes(p));
      if (own.length === 0) {
        throw new UsageError(
          `--protocol: none of ${asked.join(", ")} applies to dataset "${dataset}" (its protocols: ${
            backend.protocols(dataset).join(", ")
          })`,
        );
      }
      protocols[dataset] = own;
    }
  }

  const config = applyConfigFlags(values);
  const identity = backend.identify ? await backend.identify(config.model) : {};
  const plan: SweepPlan = {
    datasets,
    protocols,
    methods,
    s,
    m,
    seed,
    model: config.model,
    bootstrap,
    options: { ...identity, ...(await catalogFingerprints(datasets)) },
  };
  const cells = expandCells(plan).length;
  if (cells === 0) throw new UsageError("the grid is empty");
  const threads = usefulThreads(requestedThreads, cells);
  const outDir = values.out === undefined ? join(config.resultsDir, "sweep") : resolve(values.out);
  return {
    plan,
    outDir,
    threads,
    metric,
    figures: !values["no-figures"],
    json: values.json,
    quiet: values.quiet,
    backendUrl,
  };
}

/**
 * Evaluation threads worth starting: at most one per core (cells are CPU-bound; more threads only
 * compete for the cores and each costs a worker's memory) and one per cell. A larger `--workers`
 * is capped, with a note on stderr.
 */
export function usefulThreads(
  requested: number | undefined,
  cells: number,
  cores: number = navigator.hardwareConcurrency ?? 1,
): number {
  const useful = Math.max(1, Math.min(cores, cells));
  if (requested === undefined) return useful;
  if (requested > useful) {
    console.error(
      `sweep: --workers ${requested}: using ${useful} thread(s) — ${cores} core(s), ${cells} cell(s); ` +
        "more threads than either would only wait",
    );
    return useful;
  }
  return requested;
}

/** The `--json` summary object. */
export function summaryJson(invocation: SweepInvocation, outcome: SweepOutcome): Record<string, unknown> {
  return {
    out: invocation.outDir,
    files: outcome.files,
    cells: {
      total: outcome.rows.length,
      evaluated: outcome.evaluated,
      reused: outcome.reused,
    },
    threads: invocation.threads,
    seconds: Math.round(outcome.seconds * 100) / 100,
    timing: Object.fromEntries(
      Object.entries(outcome.timing).map(([k, v]) => [k, Math.round(v * 100) / 100]),
    ),
    metric: invocation.metric,
    best: outcome.best.map(({ dataset, protocol, method, row }) => ({
      dataset,
      protocol,
      method,
      s: row.setting.s === null ? "none" : row.setting.s,
      m: row.setting.m === null ? "all" : row.setting.m,
      hash: row.hash,
      metrics: valuesOf(row.metrics),
      ci95: rowCi95(row),
    })),
  };
}

/** Run the command (see `SWEEP_USAGE`). */
export async function sweepMain(argv: string[]): Promise<void> {
  const backendUrl = backendUrlFromEnv();
  const module = await import(backendUrl);
  const backend = module.backend as SweepBackend | undefined;
  if (!backend || typeof backend.prepare !== "function") {
    throw new Error(`${backendUrl} does not export a sweep backend named "backend"`);
  }
  const invocation = await parseSweepArgs(argv, backend, backendUrl);
  if (!invocation) return;
  const log = (message: string) => {
    if (!invocation.quiet) console.error(message);
  };

  // The journal is fsynced per cell, so stopping at any point loses only cells in flight.
  const onSignal = (signal: Deno.Signal) => () => {
    console.error(
      `\nsweep: ${signal} — finished cells are saved in ${
        join(invocation.outDir, "cells.jsonl")
      }; rerun the same command to resume.`,
    );
    Deno.exit(130);
  };
  const handlers: [Deno.Signal, () => void][] = [["SIGINT", onSignal("SIGINT")], [
    "SIGTERM",
    onSignal("SIGTERM"),
  ]];
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  try {
    const outcome = await runSweep({
      plan: invocation.plan,
      backendUrl: invocation.backendUrl,
      outDir: invocation.outDir,
      threads: invocation.threads,
      metric: invocation.metric,
      figures: invocation.figures ? sweepHeatmapFiles : undefined,
      quiet: invocation.quiet,
      log,
    });
    if (invocation.json) {
      console.log(JSON.stringify(summaryJson(invocation, outcome)));
      return;
    }
    console.log(
      `${outcome.rows.length} cells (${outcome.evaluated} evaluated, ${outcome.reused} reused) in ${
        outcome.seconds.toFixed(1)
      } s on ${invocation.threads} thread(s)`,
    );
    console.log(`best cell per method (max ${invocation.metric}; 95% bootstrap CI in brackets):`);
    for (const best of outcome.best) console.log(`  ${describeBest(best)}`);
    console.log("files:");
    for (const file of outcome.files) console.log(`  ${file}`);
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  }
}

if (import.meta.main) await runCli(sweepMain);
