/**
 * `deno task bench [NAME [FLAGS...]] | --list`: setsim's benchmarks, each a script `bench/<NAME>.ts`
 * that measures its own baseline in the same run and prints ratios against it.
 *
 * - With no argument, every benchmark runs in its quick mode (`QUICK_ARGS`; each adds `--json`),
 *   one after another; one screen shows each one's headline figures with their baselines and
 *   targets, and `results/bench/<NAME>.json` keeps the full report, so a regression shows at a
 *   glance. A benchmark that fails is reported and the others still run (exit code 1 at the end).
 * - With a name, exactly that benchmark runs (names are file names without `.ts`; `embedding` is
 *   not `embedding-layers`), with the remaining flags passed on (`--json`, `--quick`, …) and its
 *   own output as it is. A `--` before the flags is accepted and dropped.
 * @module
 */

import { join } from "node:path";
import { type BenchFigure, formatFigure } from "../lib/bench/mod.ts";
import { UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import { PROJECT_ROOT, resolveConfig } from "../lib/config/mod.ts";
import { writeFileAtomic } from "../lib/io/mod.ts";
import { formatDuration } from "../lib/progress/mod.ts";
import { bench } from "./tasks.ts";

/** Flags that make each benchmark's quick mode, for the no-argument run. Unlisted: `--quick --json`. */
export const QUICK_ARGS: Readonly<Record<string, string[]>> = {
  "serve": ["--quick", "--source", "random", "--json"],
  "sweep": ["--repeats", "1"],
  "text-encoders": ["--n", "300"],
};

/** The benchmark names (`bench/*.ts`, without the extension), sorted. */
export function benchmarkNames(benchDir = join(PROJECT_ROOT, "bench")): string[] {
  return [...Deno.readDirSync(benchDir)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts"))
    .map((entry) => entry.name.slice(0, -3))
    .sort();
}

/** The benchmark a name selects: exactly one, or a usage error listing the names. */
export function selectBenchmark(name: string, names: readonly string[]): string {
  if (names.includes(name)) return name;
  throw new UsageError(`no benchmark named "${name}" (have: ${names.join(", ")})`);
}

/** The arguments a benchmark gets in the no-argument run. */
export function quickArgs(name: string): string[] {
  return QUICK_ARGS[name] ?? ["--quick", "--json"];
}

/** Pull the JSON report out of a benchmark's stdout (the last top-level `{…}` block). */
export function parseReport(stdout: string): Record<string, unknown> | undefined {
  const trimmed = stdout.trim();
  for (let start = trimmed.lastIndexOf("\n{");; start = trimmed.lastIndexOf("\n{", start - 1)) {
    const from = start < 0 ? 0 : start + 1;
    try {
      const value = JSON.parse(trimmed.slice(from));
      if (value !== null && typeof value === "object" && !Array.isArray(value)) return value;
    } catch {
      // not (the start of) the report
    }
    if (start < 0) return undefined;
  }
}

async function runOne(script: string, args: string[], capture: boolean) {
  return await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    stdout: capture ? "piped" : "inherit",
    stderr: capture ? "piped" : "inherit",
  }).output();
}

async function runAll(names: string[], benchDir: string, outDir: string): Promise<string[]> {
  const failed: string[] = [];
  const text = new TextDecoder();
  console.log(`# deno task bench — every benchmark in its quick mode (full reports: ${outDir}/)`);
  for (const name of names) {
    const args = quickArgs(name);
    const started = performance.now();
    const out = await runOne(join(benchDir, `${name}.ts`), args, true);
    const seconds = (performance.now() - started) / 1000;
    const stdout = text.decode(out.stdout);
    console.log(`\n## ${name}  (${args.join(" ")}; ${formatDuration(seconds)})`);
    if (out.code !== 0) {
      failed.push(name);
      const tail = text.decode(out.stderr).trim().split("\n").slice(-4);
      console.log(`FAILED (exit ${out.code}):\n  ${tail.join("\n  ")}`);
      continue;
    }
    const report = parseReport(stdout) ?? { benchmark: name, quick: true, output: stdout.trim().split("\n") };
    report.command = `deno task bench ${name} ${args.join(" ")}`;
    report.seconds = Number(seconds.toFixed(1));
    await writeFileAtomic(join(outDir, `${name}.json`), JSON.stringify(report, null, 2) + "\n");
    const figures = Array.isArray(report.figures) ? report.figures as BenchFigure[] : [];
    if (figures.length > 0) {
      for (const f of figures) console.log(formatFigure(f));
    } else {
      // A benchmark without a JSON report: its last lines are its summary.
      for (const line of stdout.trim().split("\n").slice(-6)) console.log(`  ${line}`);
    }
  }
  return failed;
}

if (import.meta.main) {
  await runTask(bench, async ({ values, positionals, rest }) => {
    const benchDir = join(PROJECT_ROOT, "bench");
    const names = benchmarkNames(benchDir);
    if (values.list) {
      for (const name of names) {
        console.log(`${name.padEnd(18)} deno task bench ${name}   (quick: ${quickArgs(name).join(" ")})`);
      }
      return;
    }
    if (positionals.length === 0) {
      const failed = await runAll(names, benchDir, join(resolveConfig().resultsDir, "bench"));
      if (failed.length > 0) throw new Error(`benchmarks failed: ${failed.join(", ")}`);
      return;
    }
    const name = selectBenchmark(positionals[0], names);
    const passOn = rest.filter((a, i) => !(i === 0 && a === "--"));
    const { code } = await runOne(join(benchDir, `${name}.ts`), passOn, false);
    if (code !== 0) {
      throw Object.assign(new Error(`benchmark ${name} failed (exit ${code})`), { exitCode: code });
    }
  });
}
