/**
 * The command table's machinery: a task is described once, declaratively ({@link TaskSpec}: name,
 * purpose, usage, flags with type, default, description and validation, one example), and its
 * `--help` text ({@link formatHelp}), parsing and validation ({@link parseTask}) all come from that
 * description. The table itself (one entry per `deno task`) is `scripts/tasks.ts`.
 *
 * Validation happens before any work: a number outside its range, a value outside its choices, a
 * missing required flag, an unknown flag or a stray argument is a {@link UsageError} (exit code 2)
 * that names the flag and says what is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineTask, formatHelp, parseTask } from "./table.ts";
 * const task = defineTask({
 *   name: "demo",
 *   purpose: "show the table",
 *   usage: ["--k N [--json]"],
 *   flags: {
 *     k: { type: "integer", min: 1, default: 10, value: "N", description: "results to return" },
 *     threshold: { type: "number", min: 0, minExclusive: true, max: 1, description: "a set similarity" },
 *     json: { type: "boolean", description: "one JSON object on stdout" },
 *   },
 *   example: "deno task demo --k 3",
 * });
 * const parsed = parseTask(task, ["--threshold", "0.9"]);
 * assert.deepEqual([parsed.values.k, parsed.values.threshold, parsed.values.json], [10, 0.9, false]);
 * assert.throws(() => parseTask(task, ["--threshold", "2"]), /--threshold must be a finite number in \(0, 1\], got "2"/);
 * assert.throws(() => parseTask(task, ["--kk", "2"]), /unknown flag --kk/);
 * assert.match(formatHelp(task), /--k N\s+results to return \(integer ≥ 1; default 10\)/);
 * ```
 * @module
 */

import { parseArgs } from "node:util";
import { parseDecimal } from "../io/decimal.ts";
import { joinNegativeValues, runCli, UsageError } from "./mod.ts";

/** What a flag's value is: `list` is a comma-separated list of strings. */
export type FlagType = "boolean" | "string" | "number" | "integer" | "list";

/** One flag of a task. */
export interface FlagDef {
  type: FlagType;
  /** One line (or a short paragraph) for `--help`. */
  description: string;
  /** The value's placeholder in `--help` (`N`, `DIR`); default by type. */
  value?: string;
  /** Applied when the flag is absent, and shown in `--help`. */
  default?: string | number | boolean;
  /** Shown in `--help` as the default when the default is not a constant ("SETSIM_MODEL, else mobilenet-v2"). */
  defaultText?: string;
  /** A one-letter alias (`-h`). */
  short?: string;
  /** The flag may be given several times (string flags; the value is then a list). */
  multiple?: boolean;
  /** The flag must be given. */
  required?: boolean;
  /** Numbers: the range (inclusive unless `minExclusive` / `maxExclusive`). */
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** Strings and list items: the accepted values. */
  choices?: readonly string[];
  /** Further validation of a string (or each list item): returns what is wrong, or undefined. */
  check?: (value: string) => string | undefined;
  /**
   * How a value is quoted in error messages, when it may hold a secret (a queue address's
   * password); default: as given.
   */
  display?: (value: string) => string;
  /** A heading that groups flags in `--help`. */
  group?: string;
}

/** The bare arguments a task takes. */
export interface PositionalDef {
  /** Placeholder, as in the usage line (`CATALOG`, `A B`). */
  name: string;
  description: string;
  min?: number;
  max?: number;
}

/** The declarative description of one task. */
export interface TaskSpec {
  /** The task name (`deno task NAME`). */
  name: string;
  /** What it does, one line. */
  purpose: string;
  /** Usage lines after the command (`--index DIR --query ID... [options]`). */
  usage: readonly string[];
  /** How the task is run; default `deno task NAME`. */
  command?: string;
  flags: Readonly<Record<string, FlagDef>>;
  positionals?: PositionalDef;
  /**
   * Arguments after the first bare argument are handed on unparsed (`bench NAME FLAGS...` passes
   * the flags to the benchmark); they are returned as `rest`.
   */
  passThrough?: boolean;
  /** One example command, runnable as written. */
  example: string;
  /** More text for `--help`, after the flags. */
  notes?: string;
}

/** Identity, keeping the literal types so parsed values are typed by the table. */
export function defineTask<const S extends TaskSpec>(spec: S): S {
  return spec;
}

type ValueOf<F extends FlagDef> = F extends { type: "boolean" } ? boolean
  : F extends { type: "number" | "integer" } ? number
  : F extends { type: "list" } ? string[]
  : F extends { multiple: true } ? string[]
  : string;

/** Parsed flag values: present when given, defaulted or required (booleans are always present). */
export type TaskValues<S extends TaskSpec> = {
  -readonly [K in keyof S["flags"]]: S["flags"][K] extends { type: "boolean" } ? boolean
    : S["flags"][K] extends { default: unknown } | { required: true } ? ValueOf<S["flags"][K]>
    : ValueOf<S["flags"][K]> | undefined;
};

/** The result of {@link parseTask}. */
export interface ParsedTask<S extends TaskSpec> {
  values: TaskValues<S>;
  positionals: string[];
  /** With `passThrough`: the arguments after the first bare one. */
  rest: string[];
  /** `--help` or `-h` was given: print {@link formatHelp} and do nothing else. */
  help: boolean;
}

/** The command a task is run with. */
export function taskCommand(spec: TaskSpec): string {
  return spec.command ?? `deno task ${spec.name}`;
}

const placeholder = (flag: FlagDef): string =>
  flag.value ??
    (flag.type === "integer" ? "N" : flag.type === "number" ? "X" : flag.type === "list" ? "LIST" : "VALUE");

/** The accepted range of a number flag, as help and errors say it: `≥ 1`, `in (0, 1]`. */
export function describeRange(flag: FlagDef): string | undefined {
  const { min, max } = flag;
  if (min !== undefined && max !== undefined) {
    return `in ${flag.minExclusive ? "(" : "["}${min}, ${max}${flag.maxExclusive ? ")" : "]"}`;
  }
  if (min !== undefined) return `${flag.minExclusive ? ">" : "≥"} ${min}`;
  if (max !== undefined) return `${flag.maxExclusive ? "<" : "≤"} ${max}`;
  return undefined;
}

function describeValue(flag: FlagDef): string | undefined {
  const parts: string[] = [];
  if (flag.type === "integer" || flag.type === "number") {
    const range = describeRange(flag);
    parts.push(`${flag.type}${range ? ` ${range}` : ""}`);
  }
  if (flag.choices) parts.push(`${flag.type === "list" ? "each of" : "one of"}: ${flag.choices.join(", ")}`);
  if (flag.required) parts.push("required");
  if (flag.multiple) parts.push("repeatable");
  const shown = flag.defaultText ?? (flag.default === undefined ? undefined : String(flag.default));
  if (shown !== undefined) parts.push(`default ${shown}`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}

/** The usage lines of a task (`Usage:` and one line per form), for `--help` and usage errors. */
export function formatUsage(spec: TaskSpec): string {
  const command = taskCommand(spec);
  return ["Usage:", ...spec.usage.map((usage) => `  ${command} ${usage}`.trimEnd())].join("\n");
}

/** The `--help` text of a task: purpose, usage, flags (with type, range, choices, default), example. */
export function formatHelp(spec: TaskSpec): string {
  const command = taskCommand(spec);
  const lines = [`${command}: ${spec.purpose}`, "", formatUsage(spec)];
  if (spec.positionals) lines.push("", `${spec.positionals.name}: ${spec.positionals.description}`);
  const entries: [string, string, string | undefined][] = [];
  const groups = new Map<string, [string, string][]>();
  for (const [name, flag] of Object.entries(spec.flags)) {
    const left = `${flag.short ? `-${flag.short}, ` : ""}--${name}${
      flag.type === "boolean" ? "" : ` ${placeholder(flag)}`
    }`;
    const detail = describeValue(flag);
    entries.push([left, `${flag.description}${detail ? ` (${detail})` : ""}`, flag.group]);
  }
  entries.push(["-h, --help", "this text", undefined]);
  const width = Math.min(28, Math.max(...entries.map(([left]) => left.length)) + 2);
  for (const [left, text, group] of entries) {
    const key = group ?? "Flags";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push([left, text]);
  }
  for (const [group, rows] of groups) {
    lines.push("", `${group}:`);
    for (const [left, text] of rows) {
      const pad = left.length + 2 <= width ? left.padEnd(width) : `${left}\n${"".padEnd(width + 2)}`;
      lines.push(`  ${pad}${wrap(text, 110 - width - 2).join(`\n${"".padEnd(width + 2)}`)}`);
    }
  }
  if (spec.notes) lines.push("", ...spec.notes.trim().split("\n").flatMap((line) => wrap(line, 108)));
  lines.push("", "Example:", `  ${spec.example}`);
  return lines.join("\n") + "\n";
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** What `node:util`'s parseArgs says, in the task's words. */
function usageErrorFrom(error: Error & { code?: string }, spec: TaskSpec): UsageError {
  const see = `(${taskCommand(spec)} --help lists the flags)`;
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
    return new UsageError(`unknown flag ${option} ${see}`);
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    const name = option.replace(/^-+/, "");
    const flag = spec.flags[name];
    return new UsageError(
      flag && flag.type !== "boolean"
        ? `${option} needs a value (${option} ${placeholder(flag)})`
        : `${option} takes no value ${see}`,
    );
  }
  if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const arg = /'([^']*)'/.exec(error.message)?.[1];
    return new UsageError(
      `unexpected argument${arg ? ` "${arg}"` : ""}: ${taskCommand(spec)} takes only flags`,
    );
  }
  return new UsageError(`${error.message} ${see}`);
}

/** Check one string value of a flag against its choices and check (the error names the flag). */
function checkString(name: string, flag: FlagDef, value: string): void {
  const shown = flag.display?.(value) ?? value;
  if (flag.choices && !flag.choices.includes(value)) {
    throw new UsageError(`--${name} must be one of ${flag.choices.join(", ")}; got "${shown}"`);
  }
  const problem = flag.check?.(value);
  if (problem) throw new UsageError(`--${name} "${shown}": ${problem}`);
}

/** Parse and validate one value of a flag. */
function convert(name: string, flag: FlagDef, raw: string): unknown {
  if (flag.type === "number" || flag.type === "integer") {
    const n = parseDecimal(raw);
    const range = describeRange(flag);
    const kind = flag.type === "integer" ? "an integer" : "a finite number";
    const fail = () => new UsageError(`--${name} must be ${kind}${range ? ` ${range}` : ""}, got "${raw}"`);
    if (n === undefined || (flag.type === "integer" && !Number.isInteger(n))) throw fail();
    const below = flag.min !== undefined && (flag.minExclusive ? n <= flag.min : n < flag.min);
    const above = flag.max !== undefined && (flag.maxExclusive ? n >= flag.max : n > flag.max);
    if (below || above) throw fail();
    return n;
  }
  if (flag.type === "list") {
    const items = raw.split(",").map((item) => item.trim()).filter((item) => item.length > 0);
    if (items.length === 0) throw new UsageError(`--${name} needs at least one item, got "${raw}"`);
    for (const item of items) checkString(name, flag, item);
    return items;
  }
  if (flag.type === "string") checkString(name, flag, raw);
  return raw;
}

/**
 * Parse `argv` by a task's table entry: unknown flags, missing values, stray arguments, values out
 * of range or outside their choices, and missing required flags are {@link UsageError}s naming the
 * flag. Defaults are applied; numbers come back as numbers and lists as arrays. Number-valued
 * flags accept negative values (`--s -0.5`).
 */
export function parseTask<S extends TaskSpec>(spec: S, argv: readonly string[]): ParsedTask<S> {
  let args = [...argv];
  let rest: string[] = [];
  if (spec.passThrough) {
    const first = args.findIndex((arg) => !arg.startsWith("-"));
    if (first >= 0) {
      rest = args.slice(first + 1);
      args = args.slice(0, first + 1);
    }
  }
  const valued = Object.entries(spec.flags).filter(([, f]) => f.type === "number" || f.type === "integer");
  args = joinNegativeValues(args, valued.map(([name]) => `--${name}`));
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = {
      type: flag.type === "boolean" ? "boolean" : "string",
      ...(flag.short ? { short: flag.short } : {}),
      ...(flag.multiple ? { multiple: true } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: spec.positionals !== undefined, strict: true });
  } catch (error) {
    throw usageErrorFrom(error as Error & { code?: string }, spec);
  }
  const raw = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (raw.help) return { values: {} as TaskValues<S>, positionals: parsed.positionals, rest, help: true };
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const given = raw[name];
    if (given === undefined) {
      if (flag.required) {
        throw new UsageError(
          `--${name} ${placeholder(flag)} is required (${taskCommand(spec)} --help)`,
        );
      }
      // Defaults go through the same conversion as typed values (a list default becomes a list).
      values[name] = flag.type === "boolean"
        ? (flag.default ?? false)
        : flag.default === undefined
        ? undefined
        : convert(name, flag, String(flag.default));
    } else if (flag.type === "boolean") values[name] = given;
    else if (Array.isArray(given)) values[name] = given.map((v) => convert(name, flag, v));
    else values[name] = convert(name, flag, given as string);
  }
  const positional = spec.positionals;
  if (positional) {
    const n = parsed.positionals.length;
    if (
      positional.min !== undefined && n < positional.min || positional.max !== undefined && n > positional.max
    ) {
      const count = positional.min === positional.max
        ? `exactly ${positional.min}`
        : positional.max === undefined
        ? `at least ${positional.min}`
        : `${positional.min ?? 0} to ${positional.max}`;
      throw new UsageError(
        `expected ${count} ${positional.name} argument(s), got ${n}${
          n > 0 ? ` (${parsed.positionals.join(" ")})` : ""
        } (${taskCommand(spec)} --help)`,
      );
    }
  }
  return { values: values as TaskValues<S>, positionals: parsed.positionals, rest, help: false };
}

/**
 * Run a task: parse `argv` by its table entry, print the help for `--help`/`-h`, else call `main`
 * with the parsed values (errors and exit codes as {@link runCli}).
 */
export async function runTask<S extends TaskSpec>(
  spec: S,
  main: (parsed: ParsedTask<S>) => Promise<void> | void,
  argv: string[] = Deno.args,
): Promise<void> {
  await runCli(async (args) => {
    const parsed = parseTask(spec, args);
    if (parsed.help) {
      console.log(formatHelp(spec).trimEnd());
      return;
    }
    await main(parsed);
  }, argv);
}
