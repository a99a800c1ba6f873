/**
 * Issue 10 cases 0 and 9: every configured path is resolved once, where the user ran the command
 * (`INIT_CWD` under `deno task`, the project root in a Jupyter kernel, else the working
 * directory), and handed to children as absolute paths.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  configEnv,
  defaultResultsDir,
  invocationDir,
  PROJECT_ROOT,
  resolveConfig,
  resolveUserPath,
} from "../../lib/config/mod.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("invocationDir: INIT_CWD under deno task, the project root in a kernel, else the cwd", () => {
  const sub = join(PROJECT_ROOT, "tests", "some-sub-folder");
  // `deno task` runs in the project root and records where the user stood.
  assert.equal(invocationDir({ cwd: PROJECT_ROOT, env: envOf({ INIT_CWD: sub }), kernel: false }), sub);
  // A kernel runs in notebooks/, a folder the user did not choose.
  const notebooks = join(PROJECT_ROOT, "notebooks");
  assert.equal(invocationDir({ cwd: notebooks, env: envOf({}), kernel: true }), PROJECT_ROOT);
  assert.equal(invocationDir({ cwd: notebooks, env: envOf({ INIT_CWD: sub }), kernel: true }), sub);
  // Started some other way (a child with an explicit cwd, `deno run` from a folder): the cwd.
  assert.equal(invocationDir({ cwd: "/tmp/x", env: envOf({ INIT_CWD: sub }), kernel: false }), "/tmp/x");
  assert.equal(
    invocationDir({ cwd: PROJECT_ROOT, env: envOf({ INIT_CWD: "rel" }), kernel: false }),
    PROJECT_ROOT,
  );
});

Deno.test("resolveConfig resolves relative settings where the user stood, not in the process's cwd", () => {
  const user = join(PROJECT_ROOT, "sub");
  const env = envOf({ SETSIM_DATA_DIR: "../shared/data", SETSIM_CACHE_DIR: "c", INIT_CWD: user });
  // Inside a kernel (cwd notebooks/) started by `deno task figures` from `sub/`.
  const inKernel = resolveConfig({}, env, { cwd: join(PROJECT_ROOT, "notebooks"), kernel: true });
  assert.equal(inKernel.dataDir, join(user, "..", "shared", "data"));
  assert.equal(inKernel.cacheDir, join(user, "c"));
  // The same from the project root, as `deno task` runs it.
  const inTask = resolveConfig({}, env, { cwd: PROJECT_ROOT, kernel: false });
  assert.deepEqual(inTask, inKernel);
  // The README's command: relative to the repository root; a kernel without INIT_CWD agrees.
  const readme = envOf({ SETSIM_DATA_DIR: "../shared/data" });
  const kernel = resolveConfig({}, readme, { cwd: join(PROJECT_ROOT, "notebooks"), kernel: true });
  assert.equal(kernel.dataDir, join(PROJECT_ROOT, "..", "shared", "data"));
  // Flags too.
  assert.equal(
    resolveConfig({ modelsDir: "m" }, env, { cwd: PROJECT_ROOT, kernel: false }).modelsDir,
    join(user, "m"),
  );
});

Deno.test("resolveUserPath: a path typed in a sub-folder resolves in that sub-folder", () => {
  const context = {
    cwd: PROJECT_ROOT,
    env: envOf({ INIT_CWD: join(PROJECT_ROOT, "a", "b") }),
    kernel: false,
  };
  assert.equal(resolveUserPath("../x.webp", context), join(PROJECT_ROOT, "a", "x.webp"));
  assert.equal(resolveUserPath("/abs/x", context), "/abs/x");
});

Deno.test("configEnv hands every path absolute to children, with Deno's update check off", () => {
  const config = resolveConfig({}, envOf({ SETSIM_RESULTS_DIR: "r" }), { cwd: "/w", kernel: false });
  const env = configEnv(config);
  assert.equal(env.SETSIM_RESULTS_DIR, "/w/r");
  assert.equal(env.SETSIM_DATA_DIR, join(PROJECT_ROOT, "data"));
  assert.equal(env.DENO_NO_UPDATE_CHECK, "1");
  for (const name of ["SETSIM_DATA_DIR", "SETSIM_CACHE_DIR", "SETSIM_MODELS_DIR", "SETSIM_RESULTS_DIR"]) {
    assert.ok(env[name].startsWith("/"), `${name} is absolute`);
  }
});

Deno.test("fast mode writes its results to the git-ignored results/fast/ by default", async () => {
  const fast = resolveConfig({}, envOf({ SETSIM_FAST: "1" }), { cwd: PROJECT_ROOT, kernel: false });
  assert.equal(fast.resultsDir, defaultResultsDir(true));
  assert.equal(fast.resultsDir, join(PROJECT_ROOT, "results", "fast"));
  const full = resolveConfig({}, envOf({}), { cwd: PROJECT_ROOT, kernel: false });
  assert.equal(full.resultsDir, join(PROJECT_ROOT, "results"));
  // An explicit results folder is used as given.
  const own = resolveConfig({}, envOf({ SETSIM_FAST: "1", SETSIM_RESULTS_DIR: "/o" }), { kernel: false });
  assert.equal(own.resultsDir, "/o");
  for (const path of ["results/fast/08-sweep/x.csv", "results/fast/notebooks/01-single-image.ipynb"]) {
    const { code } = await new Deno.Command("git", { args: ["check-ignore", "-q", path], cwd: PROJECT_ROOT })
      .output();
    assert.equal(code, 0, `${path} is git-ignored`);
  }
});
