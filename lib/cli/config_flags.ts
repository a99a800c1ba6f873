/**
 * The configuration flags every model-using task takes, as command-table entries
 * ({@link CONFIG_FLAG_DEFS}), with `--model` checked against the image model registry before any
 * work starts: a mistyped name is an error listing the known models, not a silent default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelNameProblem } from "./config_flags.ts";
 * assert.equal(modelNameProblem("mobilenet-v2"), undefined);
 * assert.equal(modelNameProblem("mobilenet-v2+head:grocery-proj"), undefined);
 * assert.equal(modelNameProblem("Xenova/clip-vit-base-patch32"), undefined);
 * assert.match(modelNameProblem("nope")!, /unknown image model; known: mobilenet-v2, /);
 * ```
 * @module
 */

import { isClipName } from "../embedding/registry.ts";
import { findVariant, LOCAL_VARIANTS, VARIANT_ALIASES } from "../embedding/variants.ts";
import type { FlagDef } from "./table.ts";

/** The model names `--model` accepts, as listed in errors and help. */
export function knownModelNames(): string[] {
  return [
    ...Object.keys(VARIANT_ALIASES),
    ...LOCAL_VARIANTS.map((v) => v.name),
    "any CLIP id (owner/name)",
    "BASE+head:NAME",
  ];
}

/**
 * What is wrong with an image model name, or undefined when the registry knows it: a local
 * variant or alias, a CLIP id (`owner/name` or a name containing "clip"), or `BASE+head:NAME`
 * over a known base. Whether a model is built or a head exists is checked when it loads.
 */
export function modelNameProblem(name: string): string | undefined {
  const head = /^(.+)\+head:([A-Za-z0-9][\w.-]*)$/.exec(name);
  const base = head ? head[1] : name;
  if (findVariant(base) !== undefined || isClipName(base)) return undefined;
  return `unknown image model; known: ${knownModelNames().join(", ")}`;
}

/** `--data-dir`, `--cache-dir`, `--models-dir`, `--model`: configuration that overrides the environment. */
export const CONFIG_FLAG_DEFS = {
  "data-dir": {
    type: "string",
    value: "DIR",
    defaultText: "SETSIM_DATA_DIR, else data/",
    description: "where the datasets are",
    group: "Configuration",
  },
  "cache-dir": {
    type: "string",
    value: "DIR",
    defaultText: "SETSIM_CACHE_DIR, else .cache/",
    description: "the embedding cache",
    group: "Configuration",
  },
  "models-dir": {
    type: "string",
    value: "DIR",
    defaultText: "SETSIM_MODELS_DIR, else models/",
    description: "the converted models",
    group: "Configuration",
  },
  model: {
    type: "string",
    value: "NAME",
    defaultText: "SETSIM_MODEL, else mobilenet-v2",
    description: "image model (`deno task embed --list-models` lists them)",
    check: modelNameProblem,
    group: "Configuration",
  },
} as const satisfies Record<string, FlagDef>;
