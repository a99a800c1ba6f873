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
 * | `resultsDir`| `SETSIM_RESULTS_DIR`| `<project>/results`          |
 *
 * Relative paths are resolved against the current working directory, so
 * `SETSIM_DATA_DIR=../shared/data` means what it says from wherever the user runs a task.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./mod.ts";
 * const config = resolveConfig({ model: "mobilenet-v2" });
 * console.log(config.dataDir, config.model);
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

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(Deno.cwd(), path);
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
): SetsimConfig {
  const pick = (key: keyof SetsimConfig, fallback: string): string =>
    overrides[key] ?? readEnv(ENV_NAMES[key], env) ?? fallback;
  return {
    dataDir: absolute(pick("dataDir", join(PROJECT_ROOT, "data"))),
    model: pick("model", DEFAULT_MODEL),
    cacheDir: absolute(pick("cacheDir", join(PROJECT_ROOT, ".cache"))),
    modelsDir: absolute(pick("modelsDir", join(PROJECT_ROOT, "models"))),
    resultsDir: absolute(pick("resultsDir", join(PROJECT_ROOT, "results"))),
  };
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
