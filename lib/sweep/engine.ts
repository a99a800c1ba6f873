/**
 * The sweep engine: expand the grid, skip cells already in the journal, prepare each group's
 * similarity once and each method's reusable state once, evaluate the remaining cells on every
 * core, journal each as it finishes, then write the result files atomically.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runSweep } from "./engine.ts";
 * const plan = {
 *   datasets: ["coil100"], protocols: { coil100: ["unordered"] }, methods: ["greedy"],
 *   s: [null, 0.8], m: [1, null], seed: 0, model: "mobilenet-v2", bootstrap: 0, options: {},
 * };
 * const backendUrl = new URL("./setsim_backend.ts", import.meta.url).href;
 * const outDir = await Deno.makeTempDir();
 * const outcome = await runSweep({ plan, backendUrl, outDir, threads: 1, quiet: true });
 * assert.deepEqual([outcome.evaluated, outcome.reused], [4, 0]);
 * assert.deepEqual(outcome.files, [`${outDir}/sweep.csv`, `${outDir}/sweep.json`]);
 * assert.deepEqual(outcome.rows.map((r) => r.metrics.map.value.toFixed(4)), ["0.9950", "0.9950", "0.9950", "0.9883"]);
 * // A rerun (or a resumed, interrupted one) takes every finished cell from the journal.
 * const again = await runSweep({ plan, backendUrl, outDir, threads: 1, quiet: true });
 * assert.deepEqual([again.evaluated, again.reused], [0, 4]);
 * ```
 * @module
 */

import { join } from "node:path";
import { createProgress, type Progress } from "../progress/mod.ts";
import type { CellMetrics, PrepareContext, SweepBackend } from "./backend.ts";
import { cellHash, expandCells, groupKey, type SweepCell, type SweepPlan } from "./cell.ts";
import { formatMatchCap, formatThreshold } from "./grid.ts";
import { CellJournal } from "./journal.ts";
import { createCellRunner } from "./pool.ts";
import { type BestCell, bestCells, cellEstimates, type CellResult, toCsv, toJson } from "./output.ts";
import { commitFiles, type FileEntry } from "../io/mod.ts";

/** File names inside the output folder. */
export const SWEEP_FILES = {
  journal: "cells.jsonl",
  csv: "sweep.csv",
  json: "sweep.json",
} as const;

/**
 * Renders extra files (figures) from the finished rows; they are committed in one group with
 * the CSV and JSON (lib/io/commit.ts), so tables and figures on disk always come from one run.
 */
export type FigureWriter = (rows: CellResult[], outDir: string, metric: string) => Promise<FileEntry[]>;

/** Options for {@link runSweep}. */
export interface RunSweepOptions {
  plan: SweepPlan;
  /** URL of the module exporting the backend as `backend` (workers import it). */
  backendUrl: string;
  /** Folder for the journal and the result files. */
  outDir: string;
  /** Evaluation threads (1 = in this thread). */
  threads: number;
  /** Metric that picks the best cell (default `map`). */
  metric?: string;
  /** Writes the figures; omitted = no figures. */
  figures?: FigureWriter;
  /** No progress output. */
  quiet?: boolean;
  /** Force the progress style (default: bar iff stderr is a terminal). */
  tty?: boolean;
  /** Status lines (default: stderr). */
  log?: (message: string) => void;
}

/** What a sweep did. */
export interface SweepOutcome {
  /** Every cell of the grid, in grid order. */
  rows: CellResult[];
  /** Cells computed in this run. */
  evaluated: number;
  /** Cells reused from the journal. */
  reused: number;
  /** Best cell per (dataset, protocol, method). */
  best: BestCell[];
  /** Files written (absolute paths). */
  files: string[];
  /** Wall time of the run, seconds. */
  seconds: number;
  /**
   * Where the time went, seconds: `prepare` (data, embeddings, similarity), `match` (match lists
   * per method), `cells` (evaluating cells, wall time), `write` (tables and figures).
   */
  timing: { prepare: number; match: number; cells: number; write: number };
}

function describeCell(cell: SweepCell): string {
  return `${cell.dataset}/${cell.protocol} ${cell.method} s=${formatThreshold(cell.s)} m=${
    formatMatchCap(cell.m)
  }`;
}

function checkMetrics(cell: SweepCell, result: CellMetrics): CellMetrics {
  const where = describeCell(cell);
  if (!result || typeof result.metrics !== "object") throw new Error(`${where}: backend returned no metrics`);
  for (const [name, value] of Object.entries(result.metrics)) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new Error(`${where}: metric ${name} is ${value}, expected a finite number`);
    }
  }
  for (const [name, bounds] of Object.entries(result.ci95 ?? {})) {
    if (!Array.isArray(bounds) || bounds.length !== 2 || !bounds.every(Number.isFinite)) {
      throw new Error(`${where}: ci95.${name} is ${JSON.stringify(bounds)}, expected [low, high]`);
    }
  }
  return { metrics: result.metrics, ci95: result.ci95 ?? {}, provenance: result.provenance };
}

/** A cell still to evaluate, with its hash. */
interface PendingCell {
  cell: SweepCell;
  hash: string;
}

/** What {@link planSweep} decides: every cell in grid order and those the journal lacks, grouped. */
export interface SweepSchedule {
  cells: SweepCell[];
  hashes: string[];
  /** Remaining cells: group key → method → cells, in first-appearance order. */
  groups: Map<string, Map<string, PendingCell[]>>;
  remaining: number;
}

/** Phase 1: expand the grid, skip journaled cells, group the rest (one prepare per group and method). */
export function planSweep(plan: SweepPlan, journal: Pick<CellJournal, "get">): SweepSchedule {
  const cells = expandCells(plan);
  const hashes = cells.map(cellHash);
  const pending = cells.map((cell, i) => ({ cell, hash: hashes[i] })).filter((c) => !journal.get(c.hash));
  const groups = new Map<string, Map<string, PendingCell[]>>();
  for (const [key, entries] of Map.groupBy(pending, ({ cell }) => groupKey(cell))) {
    groups.set(key, Map.groupBy(entries, ({ cell }) => cell.method));
  }
  return { cells, hashes, groups, remaining: pending.length };
}

/**
 * Phase 2: prepare each group once and each method once on this thread, evaluate its cells on the
 * runner's threads, journal every cell as it finishes. Adds the time of each step to `timing`.
 */
async function evaluateSchedule(
  schedule: SweepSchedule,
  journal: CellJournal,
  options: RunSweepOptions,
  log: (message: string) => void,
  timing: SweepOutcome["timing"],
): Promise<number> {
  const module = await import(options.backendUrl);
  const backend = module.backend as SweepBackend;
  const runner = await createCellRunner({ backendUrl: options.backendUrl, threads: options.threads });
  const context: PrepareContext = { log, quiet: options.quiet ?? false };
  const clock = () => performance.now() / 1000;
  let evaluated = 0;
  // Created once the first group is prepared, so embedding time does not distort the rate/ETA.
  let progress: Progress | undefined;
  try {
    for (const [key, methods] of schedule.groups) {
      const first = methods.values().next().value![0].cell;
      let t0 = clock();
      const shared = await backend.prepare(first, context);
      timing.prepare += clock() - t0;
      runner.setState(key, shared);
      for (const [method, entries] of methods) {
        const methodKey = `${key}\u0000${method}`;
        t0 = clock();
        const methodShared = backend.prepareMethod
          ? await backend.prepareMethod(shared, method, context)
          : undefined;
        timing.match += clock() - t0;
        runner.setState(methodKey, methodShared);
        t0 = clock();
        progress ??= createProgress({
          label: "sweep cells",
          total: schedule.remaining,
          tty: options.tty,
          silent: options.quiet,
        });
        const bar = progress;
        await Promise.all(entries.map(async ({ cell, hash }) => {
          const result = checkMetrics(cell, await runner.run(key, methodKey, cell));
          journal.append({
            hash,
            cell: cell as unknown as Record<string, unknown>,
            metrics: result.metrics,
            ci95: result.ci95,
            ...(result.provenance ? { provenance: result.provenance } : {}),
          });
          evaluated++;
          bar.tick(1, `${cell.dataset} ${cell.method}`);
        }));
        timing.cells += clock() - t0;
        runner.dropState(methodKey);
      }
      runner.dropState(key);
    }
    progress?.done();
  } finally {
    runner.close();
  }
  return evaluated;
}

/**
 * Phase 3: `sweep.csv`, `sweep.json` and the figures, committed as one group (all or none);
 * returns the paths.
 */
export async function writeSweepFiles(
  plan: SweepPlan,
  rows: CellResult[],
  options: Pick<RunSweepOptions, "outDir" | "figures"> & { metric: string },
): Promise<string[]> {
  const group: FileEntry[] = [
    { path: join(options.outDir, SWEEP_FILES.csv), content: toCsv(rows) },
    { path: join(options.outDir, SWEEP_FILES.json), content: toJson(plan, rows, options.metric) },
    ...(options.figures ? await options.figures(rows, options.outDir, options.metric) : []),
  ];
  await commitFiles(group);
  return group.map((f) => f.path);
}

/** Run (or resume) a sweep: {@link planSweep}, evaluate what is missing, {@link writeSweepFiles}. */
export async function runSweep(options: RunSweepOptions): Promise<SweepOutcome> {
  const started = performance.now();
  const log = options.log ?? ((message: string) => console.error(message));
  const metric = options.metric ?? "map";
  await Deno.mkdir(options.outDir, { recursive: true });
  const journal = CellJournal.open(join(options.outDir, SWEEP_FILES.journal));
  const timing = { prepare: 0, match: 0, cells: 0, write: 0 };
  try {
    if (journal.dropped > 0) log(`sweep: dropped ${journal.dropped} torn line(s) from ${journal.path}`);
    const schedule = planSweep(options.plan, journal);
    const { cells, hashes, remaining } = schedule;
    if (!options.quiet) {
      log(
        `sweep: ${cells.length} cells, ${
          cells.length - remaining
        } already in ${journal.path}, ${remaining} to evaluate` +
          (remaining > 0 ? ` on ${options.threads} thread(s)` : ""),
      );
    }
    const evaluated = remaining > 0 ? await evaluateSchedule(schedule, journal, options, log, timing) : 0;

    const rows: CellResult[] = cells.map((cell, i) => {
      const record = journal.get(hashes[i])!;
      return {
        hash: hashes[i],
        setting: cell,
        metrics: cellEstimates(record.metrics, record.ci95),
        provenance: record.provenance,
      };
    });
    const writeStart = performance.now();
    const files = await writeSweepFiles(options.plan, rows, {
      outDir: options.outDir,
      figures: options.figures,
      metric,
    });
    timing.write = (performance.now() - writeStart) / 1000;
    return {
      rows,
      evaluated,
      reused: cells.length - evaluated,
      best: bestCells(rows, metric),
      files,
      seconds: (performance.now() - started) / 1000,
      timing,
    };
  } finally {
    journal.close();
  }
}
