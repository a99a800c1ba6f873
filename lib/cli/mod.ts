/**
 * Shared plumbing for setsim's command-line tasks: flag parsing with clear errors, exit codes,
 * and a uniform way to report failures.
 *
 * Exit codes: 0 success, 1 failure while working, 2 bad usage or bad input.
 *
 * A command runs in the folder the user ran it from (`INIT_CWD` under `deno task`), so relative
 * paths typed on the command line resolve there; see `invocationDir` in lib/config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags, runCli, UsageError } from "./mod.ts";
 * await runCli((argv) => {
 *   const { values } = parseFlags(argv, { json: { type: "boolean" }, s: { type: "string" } });
 *   assert.deepEqual([values.json, values.s], [true, "0.5"]);
 * }, ["--json", "--s", "0.5"]);
 * // A mistyped flag is a usage error (runCli prints it and exits 2).
 * assert.throws(() => parseFlags(["--jsn"], { json: { type: "boolean" } }), UsageError);
 * ```
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { enterInvocationDir, exportConfig, type SetsimConfig } from "../config/mod.ts";
import { parseDecimal } from "../io/decimal.ts";
import { displayText } from "../io/display.ts";

/** An error caused by the user's input (flags, files); reported without a stack, exit code 2. */
export class UsageError extends Error {
  /** The error's name (`UsageError`). */
  override name = "UsageError";
}

/** Option specification, as for `node:util` `parseArgs`. */
export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

/** What {@link parseFlags} returns for the flags `T`: `values` by flag name, and `positionals`. */
export type ParsedFlags<T extends FlagSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>
>;

/**
 * Parse command-line flags strictly: unknown flags and missing values are {@link UsageError}s.
 *
 * @param argv the arguments (usually `Deno.args`).
 * @param options the accepted flags.
 * @param allowPositionals whether bare arguments are accepted.
 */
export function parseFlags<T extends FlagSpec>(
  argv: string[],
  options: T,
  allowPositionals = false,
): ParsedFlags<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parse a flag value as a finite number, naming the flag on failure. */
export function parseNumberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDecimal(value);
  if (n === undefined) {
    throw new UsageError(`--${name} must be a finite number, got "${value}" (a decimal such as 0.8)`);
  }
  return n;
}

/** Parse a flag value as an integer ≥ `min`, naming the flag on failure. */
export function parseIntegerFlag(name: string, value: string | undefined, min = 0): number | undefined {
  const n = parseNumberFlag(name, value);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  }
  return n;
}

/**
 * Join `--s -0.5` into `--s=-0.5` for the given flags: thresholds are often negative, and parseArgs
 * reads "-0.5" as a flag of its own.
 */
export function joinNegativeValues(argv: string[], flags: Iterable<string>): string[] {
  const numeric = new Set(flags);
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    if (numeric.has(argv[k]) && /^-(\d|\.\d)/.test(argv[k + 1] ?? "")) {
      out.push(`${argv[k]}=${argv[k + 1]}`);
      k++;
    } else out.push(argv[k]);
  }
  return out;
}

/** Split a comma-separated flag value into trimmed, non-empty items. */
export function parseListFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(",").map((item) => item.trim()).filter((item) => item.length > 0);
}

/**
 * Run a command's `main`, turning errors into messages and exit codes.
 * A {@link UsageError} (or any error carrying `exitCode: 2`) exits 2; any other error exits 1.
 */
export async function runCli(
  main: (argv: string[]) => Promise<void> | void,
  argv = Deno.args,
): Promise<void> {
  try {
    // `deno task` runs every task in the project root: go back to where the user stood, so that
    // relative paths on the command line mean what they say (see lib/config invocationDir).
    enterInvocationDir();
    await main(argv);
  } catch (error) {
    const err = error as Error & { exitCode?: number };
    const usage = err instanceof UsageError || err.exitCode === 2;
    // Messages quote paths and values given by users: escape control characters (ANSI escapes,
    // carriage returns) line by line, keeping the message's own line breaks (lib/io/display.ts).
    const message = String(err.message ?? error).split("\n").map(displayText).join("\n");
    console.error(`error: ${message}`);
    if (!usage && Deno.env.get("SETSIM_DEBUG")) console.error(err.stack);
    Deno.exit(usage ? 2 : 1);
  }
}

/**
 * Flags every setsim command accepts for configuration; spread into a command's own spec:
 * `parseFlags(argv, { ...CONFIG_FLAGS, json: { type: "boolean" } })`.
 */
export const CONFIG_FLAGS = {
  "data-dir": { type: "string" },
  "cache-dir": { type: "string" },
  "models-dir": { type: "string" },
  model: { type: "string" },
} as const satisfies FlagSpec;

/** Turn parsed {@link CONFIG_FLAGS} values into `resolveConfig` overrides (flags win over env). */
export function configOverridesFromFlags(
  values: Partial<Record<keyof typeof CONFIG_FLAGS, string | boolean | (string | boolean)[] | undefined>>,
): { dataDir?: string; cacheDir?: string; modelsDir?: string; model?: string } {
  const pick = (key: keyof typeof CONFIG_FLAGS) => {
    const value = values[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "") throw new UsageError(`--${key} needs a value`);
    return value;
  };
  const overrides: { dataDir?: string; cacheDir?: string; modelsDir?: string; model?: string } = {};
  const dataDir = pick("data-dir"),
    cacheDir = pick("cache-dir"),
    modelsDir = pick("models-dir"),
    model = pick("model");
  if (dataDir !== undefined) overrides.dataDir = dataDir;
  if (cacheDir !== undefined) overrides.cacheDir = cacheDir;
  if (modelsDir !== undefined) overrides.modelsDir = modelsDir;
  if (model !== undefined) overrides.model = model;
  return overrides;
}

/**
 * Apply parsed {@link CONFIG_FLAGS} for the whole run: the configuration (flags over environment
 * over defaults) is resolved once, where the user ran the command, and exported with absolute
 * paths to this process's environment, so that worker threads and child processes see the same
 * values as the command whatever their working directory. Returns the resolved configuration.
 */
export function applyConfigFlags(
  values: Parameters<typeof configOverridesFromFlags>[0],
): SetsimConfig {
  return exportConfig(configOverridesFromFlags(values));
}
