import assert from "node:assert/strict";
import { join } from "node:path";
import { configEnv, DEFAULT_MODEL, PROJECT_ROOT, resolveConfig } from "../../lib/config/mod.ts";
import {
  CONFIG_FLAGS,
  configOverridesFromFlags,
  parseFlags,
  parseIntegerFlag,
  parseListFlag,
  parseNumberFlag,
  UsageError,
} from "../../lib/cli/mod.ts";
import { createProgress, formatDuration } from "../../lib/progress/mod.ts";

const noEnv = () => undefined;

Deno.test("defaults live under the project root", () => {
  const config = resolveConfig({}, noEnv);
  assert.equal(config.dataDir, join(PROJECT_ROOT, "data"));
  assert.equal(config.cacheDir, join(PROJECT_ROOT, ".cache"));
  assert.equal(config.model, DEFAULT_MODEL);
});

Deno.test("env overrides defaults, overrides win over env, relative paths resolve from cwd", () => {
  const env = (name: string) =>
    ({ SETSIM_DATA_DIR: "rel/data", SETSIM_MODEL: "clip", SETSIM_CACHE_DIR: " " })[name];
  const fromEnv = resolveConfig({}, env);
  assert.equal(fromEnv.dataDir, join(Deno.cwd(), "rel/data"));
  assert.equal(fromEnv.model, "clip");
  assert.equal(fromEnv.cacheDir, join(PROJECT_ROOT, ".cache"), "a blank variable counts as unset");
  const flagged = resolveConfig({ dataDir: "/abs", model: "x" }, env);
  assert.equal(flagged.dataDir, "/abs");
  assert.equal(flagged.model, "x");
});

Deno.test("config flags become overrides; empty values are usage errors", () => {
  const { values } = parseFlags(["--data-dir", "/d", "--model", "m"], { ...CONFIG_FLAGS });
  assert.deepEqual(configOverridesFromFlags(values), { dataDir: "/d", model: "m" });
  assert.throws(() => configOverridesFromFlags({ model: "" }), UsageError);
  assert.throws(() => parseFlags(["--nope"], { ...CONFIG_FLAGS }), UsageError);
});

Deno.test("number, integer and list flags name the flag on bad values", () => {
  assert.equal(parseNumberFlag("s", "0.5"), 0.5);
  assert.equal(parseNumberFlag("s", undefined), undefined);
  assert.throws(() => parseNumberFlag("s", "abc"), /--s must be a finite number, got "abc"/);
  assert.throws(() => parseNumberFlag("s", ""), /--s/);
  // Issue 10 case 12's class: Number() reads these as numbers; a flag must not.
  for (const bad of ["0x1", " 1", "1_0", "1e400", "Infinity", "0b1"]) {
    assert.throws(() => parseNumberFlag("s", bad), /--s must be a finite number/, bad);
  }
  assert.equal(parseNumberFlag("s", "-.5"), -0.5);
  assert.equal(parseNumberFlag("s", "1e-3"), 0.001);
  assert.throws(() => parseIntegerFlag("m", "1.5", 1), /--m must be an integer ≥ 1/);
  assert.throws(() => parseIntegerFlag("m", "0", 1), /--m must be an integer ≥ 1/);
  assert.deepEqual(parseListFlag(" a, b,,c "), ["a", "b", "c"]);
});

Deno.test("progress: plain lines when piped, throttled; a redrawn bar on a TTY", () => {
  const lines: string[] = [];
  let t = 0;
  const plain = createProgress({
    label: "embed",
    total: 4,
    tty: false,
    plainIntervalMs: 1000,
    write: (s) => lines.push(s),
    now: () => t,
  });
  plain.tick();
  t = 500;
  plain.tick();
  t = 2000;
  plain.tick();
  plain.done();
  assert.deepEqual(lines.map((l) => l.split(" ")[1]), ["1/4", "3/4"]); // done() does not repeat 3/4
  assert.ok(lines.every((l) => l.endsWith("\n") && l.startsWith("embed: ")));
  const drawn: string[] = [];
  const bar = createProgress({
    label: "cells",
    total: 2,
    tty: true,
    write: (s) => drawn.push(s),
    now: () => 0,
  });
  bar.tick();
  bar.done();
  assert.ok(drawn[0].startsWith("\r\x1b[2Kcells [############------------] 1/2 50%"), drawn[0]);
  assert.equal(drawn.at(-1), "\n");
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(65), "1m05s");
});

Deno.test("applyConfigFlags exports flags to the environment so workers and children agree", async () => {
  const { applyConfigFlags } = await import("../../lib/cli/mod.ts");
  // applyConfigFlags exports EVERY setting (results folder included) into the process environment,
  // which `deno test --parallel` shares between test files: restore them all, or a later test
  // (the notebook UI test) inherits the committed results folder.
  const names = Object.keys(configEnv(resolveConfig())); // the variables exportConfig sets
  const before = new Map(names.map((name) => [name, Deno.env.get(name)]));
  try {
    const config = applyConfigFlags({ "cache-dir": "/tmp/setsim-flag-cache" });
    assert.equal(config.cacheDir, "/tmp/setsim-flag-cache");
    assert.equal(Deno.env.get("SETSIM_CACHE_DIR"), "/tmp/setsim-flag-cache");
    assert.equal(resolveConfig().cacheDir, "/tmp/setsim-flag-cache");
  } finally {
    for (const [name, value] of before) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
});
