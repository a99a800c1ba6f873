/**
 * The one place setsim reads its configuration from.
 *
 * Precedence, highest first: explicit overrides (CLI flags), environment variables, defaults.
 *
 * | setting    | env var            | default                       |
 * | ---------- | ------------------ | ----------------------------- |
 * | `dataDir`  | `SETSIM_DATA_DIR`  | `<project>/data`              |
 * | `model`    | `SETSIM_MODEL`     | {@link DEFAULT_MODEL}         |
 * | `cacheDir` | `SETSIM_CACHE_DIR` | `<project>/.cache`            |
 * | `modelsDir`| `SETSIM_MODELS_DIR`| `<project>/models`            |
 * | `resultsDir`| `SETSIM_RESULTS_DIR`| `<project>/results`, in fast mode `<project>/results/fast` |
 *
 * Fast mode (`SETSIM_FAST=1`, set by `--fast`) is the small configuration CI runs; its outputs
 * go to the git-ignored `results/fast/` by default so that they never replace the committed
 * full-mode results and notebooks.
 *
 * Paths are resolved ONCE, where the user ran the command ({@link invocationDir}), and handed to
 * children as absolute paths ({@link exportConfig}, {@link configEnv}): `deno task` runs every task
 * in the project root and a Jupyter kernel runs in `notebooks/`, so a relative path resolved against
 * the process's own working directory would mean something else in each of them.
 * `SETSIM_DATA_DIR=../shared/data deno task reproduce` therefore means `../shared/data` seen from
 * where you typed it, in the eval step, the sweep workers and every notebook kernel alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./mod.ts";
 * const env = (name: string) => ({ SETSIM_DATA_DIR: "../shared/data", SETSIM_MODEL: "clip" } as Record<string, string>)[name];
 * const config = resolveConfig({ model: "mobilenet-v2" }, env, { cwd: "/work/main", kernel: false });
 * assert.equal(config.model, "mobilenet-v2"); // the override wins over SETSIM_MODEL
 * assert.equal(config.dataDir, "/work/shared/data"); // relative to where the command was typed
 * ```
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Default image model name (see `lib/embedding` for the registry). */
export const DEFAULT_MODEL = "mobilenet-v2";

/** Absolute path of the project root (the folder holding `deno.json`). */
export const PROJECT_ROOT: string = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Resolved configuration. All paths are absolute. */
export interface SetsimConfig {
  /** Folder holding one sub-folder per dataset (`coil100/`, `myntra_footwear/`, `grocery_store/`). */
  dataDir: string;
  /** Image model name from the embedding registry, or a Hugging Face model id. */
  model: string;
  /** Folder for the embedding cache and other derived, re-creatable files. */
  cacheDir: string;
  /** Folder holding converted local models in the transformers.js layout. */
  modelsDir: string;
  /** Folder where experiments write tables and figures. */
  resultsDir: string;
}

/** Values that override environment and defaults; `undefined` means "not given". */
export type ConfigOverrides = Partial<SetsimConfig>;

const ENV_NAMES: Record<keyof SetsimConfig, string> = {
  dataDir: "SETSIM_DATA_DIR",
  model: "SETSIM_MODEL",
  cacheDir: "SETSIM_CACHE_DIR",
  modelsDir: "SETSIM_MODELS_DIR",
  resultsDir: "SETSIM_RESULTS_DIR",
};

function readEnv(name: string, env: (name: string) => string | undefined): string | undefined {
  const value = env(name);
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function currentDir(): string {
  try {
    return Deno.cwd();
  } catch {
    // Without --allow-read the working directory is unknown: fall back to the project root.
    return PROJECT_ROOT;
  }
}

/** Is this code running inside a Deno Jupyter kernel (`deno jupyter --kernel`)? */
export function inJupyterKernel(): boolean {
  try {
    // The getter throws outside the kernel.
    return typeof Deno.jupyter === "object";
  } catch {
    return false;
  }
}

/** Where the process runs and how it was started; injectable for tests of {@link invocationDir}. */
export interface InvocationContext {
  /** The process's working directory (default `Deno.cwd()`). */
  cwd?: string;
  /** How to read an environment variable (default `Deno.env.get`). */
  env?: (name: string) => string | undefined;
  /** Whether the process is a Jupyter kernel (default {@link inJupyterKernel}). */
  kernel?: boolean;
}

/**
 * The directory the user stood in when they started the command: relative paths the user gives
 * (configuration, flags, positional file names) are resolved against it.
 *
 * - `deno task` (and `npm run`) run a task in the project root and record where the user stood
 *   in `INIT_CWD`: when the working directory is the project root and `INIT_CWD` is an absolute
 *   path, that is where the user stood.
 * - A Jupyter kernel runs in the notebook's folder, chosen by Jupyter, not by the user: there
 *   `INIT_CWD` if set, else the project root (where one starts `jupyter notebook`).
 * - Anything else (`deno run` from any folder, a child started with an explicit `cwd`): the
 *   working directory.
 */
export function invocationDir(context: InvocationContext = {}): string {
  const cwd = context.cwd ?? currentDir();
  const env = context.env ?? defaultEnv;
  const kernel = context.kernel ?? inJupyterKernel();
  const init = readEnv("INIT_CWD", env);
  const recorded = init !== undefined && isAbsolute(init) ? resolve(init) : undefined;
  if (kernel) return recorded ?? PROJECT_ROOT;
  if (recorded !== undefined && resolve(cwd) === PROJECT_ROOT) return recorded;
  return cwd;
}

/**
 * Resolve a path the user gave (a flag value, a positional argument) against
 * {@link invocationDir}; absolute paths are returned unchanged (normalised).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveUserPath } from "./mod.ts";
 * const context = { cwd: "/project", env: () => undefined, kernel: false };
 * assert.equal(resolveUserPath("../x.webp", context), "/x.webp");
 * assert.equal(resolveUserPath("/data/y.webp", context), "/data/y.webp"); // absolute: unchanged
 * ```
 */
export function resolveUserPath(path: string, context: InvocationContext = {}): string {
  return resolve(invocationDir(context), path);
}

/**
 * Make the process's working directory the one the user stood in ({@link invocationDir}), so that
 * every relative path the user typed — positional file names, `--out`, `--matrix`, any flag —
 * resolves where they typed it, in every command at once. `runCli` calls this before a command
 * starts; children that must run in the project (`deno task ...`) are given `cwd: PROJECT_ROOT`.
 * Returns the working directory now in effect.
 */
export function enterInvocationDir(): string {
  const dir = invocationDir();
  try {
    if (dir !== Deno.cwd()) Deno.chdir(dir);
  } catch {
    // A recorded folder that no longer exists (or no permission): stay where we are.
  }
  return currentDir();
}

function absolute(path: string, base: string): string {
  return isAbsolute(path) ? resolve(path) : resolve(base, path);
}

/**
 * Resolve the configuration from overrides, the environment and defaults.
 *
 * @param overrides values given on the command line or in code; they win over the environment.
 * @param env how to read an environment variable (injectable for tests).
 */
export function resolveConfig(
  overrides: ConfigOverrides = {},
  env: (name: string) => string | undefined = defaultEnv,
  context: Omit<InvocationContext, "env"> = {},
): SetsimConfig {
  const pick = (key: keyof SetsimConfig, fallback: string): string =>
    overrides[key] ?? readEnv(ENV_NAMES[key], env) ?? fallback;
  const base = invocationDir({ ...context, env });
  return {
    dataDir: absolute(pick("dataDir", join(PROJECT_ROOT, "data")), base),
    model: pick("model", DEFAULT_MODEL),
    cacheDir: absolute(pick("cacheDir", join(PROJECT_ROOT, ".cache")), base),
    modelsDir: absolute(pick("modelsDir", join(PROJECT_ROOT, "models")), base),
    resultsDir: absolute(pick("resultsDir", defaultResultsDir(isFastMode(env))), base),
  };
}

/** `<project>/results`, or in fast mode the git-ignored `<project>/results/fast`. */
export function defaultResultsDir(fast: boolean): string {
  return join(PROJECT_ROOT, "results", ...(fast ? ["fast"] : []));
}

/** Is fast mode on (`SETSIM_FAST` is `1`, `true` or `yes`)? */
export function isFastMode(env: (name: string) => string | undefined = defaultEnv): boolean {
  return ["1", "true", "yes"].includes((readEnv("SETSIM_FAST", env) ?? "").toLowerCase());
}

/**
 * The environment a child process, worker or kernel needs to see exactly this configuration:
 * every setting under its variable, paths absolute, and Deno's update check off (it would make
 * a DNS lookup in every child).
 */
export function configEnv(config: SetsimConfig): Record<string, string> {
  const env: Record<string, string> = { DENO_NO_UPDATE_CHECK: "1" };
  for (const key of Object.keys(ENV_NAMES) as (keyof SetsimConfig)[]) env[ENV_NAMES[key]] = config[key];
  return env;
}

/**
 * Resolve the configuration once and export it (absolute) into this process's environment, so
 * that every worker, child process and kernel started from here inherits the same values, whatever
 * its working directory. Entry points call this first; returns the configuration.
 */
export function exportConfig(overrides: ConfigOverrides = {}): SetsimConfig {
  const config = resolveConfig(overrides);
  for (const [name, value] of Object.entries(configEnv(config))) Deno.env.set(name, value);
  return config;
}

function defaultEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    // Without --allow-env we behave as if the variable were unset.
    return undefined;
  }
}

/** The environment variable that sets each configuration key (for help texts and errors). */
export function envNameOf(key: keyof SetsimConfig): string {
  return ENV_NAMES[key];
}
