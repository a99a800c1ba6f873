/**
 * `deno task figures`: execute notebooks headless with the Deno kernel, saving outputs into
 * each `.ipynb` and figures into `results/`.
 *
 * Usage: `deno task figures [--fast] [--timeout SECONDS] [NOTEBOOK_OR_PREFIX...]`
 *
 * - no names: every `notebooks/*.ipynb`, in name order;
 * - a name may be a prefix such as `04` or `04-recursive-matching`, or the path of any `.ipynb`
 *   file (relative to where you run the command) — it must live inside the project, so that its
 *   kernel finds `deno.json`;
 * - `--fast` sets `SETSIM_FAST=1`: notebooks then use their documented small configuration (CI),
 *   and everything they write goes to the git-ignored `results/fast/` — the executed notebooks to
 *   `results/fast/notebooks/` — so a fast run never replaces committed notebooks or results.
 *
 * The configuration is resolved once, here, where the user ran the command, and the kernels get
 * it with absolute paths: a kernel runs in `notebooks/`, where a relative `SETSIM_DATA_DIR` would
 * mean another folder. A notebook that fails is written beside its saved copy as
 * `NAME.failed.ipynb` (git-ignored); the saved copy keeps its last good outputs.
 *
 * Jupyter comes from Debian (`python3-nbclient`, `jupyter-core`); the kernelspec is the committed
 * `jupyter/kernels/deno`, found through `JUPYTER_PATH`, with `deno` from `node_modules/.bin`.
 * @module
 */

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import { notebookPlan } from "../lib/catalog/mod.ts";
import { configEnv, exportConfig, PROJECT_ROOT } from "../lib/config/mod.ts";
import { figures } from "./tasks.ts";

const PYTHON = "/usr/bin/python3";

async function pythonHasJupyter(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(PYTHON, {
      args: ["-c", "import jupyter_client, nbformat"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Resolve notebook names or prefixes to paths under `notebooks/`; an existing `.ipynb` path is kept. */
export function resolveNotebooks(names: string[], available: string[]): string[] {
  if (names.length === 0) return available;
  return names.map((name) => {
    if (name.endsWith(".ipynb") && existsSync(name)) return resolve(name);
    const base = name.replace(/^.*\//, "").replace(/\.ipynb$/, "");
    const matches = available.filter((path) => path.replace(/^.*\//, "").startsWith(base));
    if (matches.length === 0) {
      throw new UsageError(
        `no notebook matches "${name}" (have: ${available.map((p) => p.replace(/^.*\//, "")).join(", ")})`,
      );
    }
    if (matches.length > 1) {
      throw new UsageError(`"${name}" matches several notebooks: ${matches.join(", ")}`);
    }
    return matches[0];
  });
}

/**
 * Where executed notebooks are saved. Full runs save them in place (their outputs are committed);
 * fast runs beside the fast results. A run on a user catalog (`SETSIM_CATALOG`) is never the committed
 * one: its notebooks go with the catalog's results (`results/catalogs/NAME/notebooks/`), and the
 * catalog path is returned resolved here, where the user typed it — the kernel runs in `notebooks/`
 * and would resolve a relative path from there.
 */
function notebookDestination(
  options: { fast: boolean; resultsDir: string; env?: (name: string) => string | undefined },
): { outDir?: string; catalog?: string } {
  const plan = notebookPlan([], { resultsDir: options.resultsDir, env: options.env });
  if (plan.catalog) {
    return { outDir: join(plan.overrides.resultsDir!, "notebooks"), catalog: plan.catalog.path };
  }
  return options.fast ? { outDir: join(options.resultsDir, "notebooks") } : {};
}

await runTask(figures, async ({ values, positionals }) => {
  const { timeout } = values;
  const notebooksDir = join(PROJECT_ROOT, "notebooks");
  const available = [...Deno.readDirSync(notebooksDir)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".ipynb"))
    .map((entry) => join(notebooksDir, entry.name))
    .sort();
  const notebooks = resolveNotebooks(positionals, available);
  if (!(await pythonHasJupyter())) {
    throw new Error(
      `${PYTHON} cannot import jupyter_client/nbformat: install Jupyter from Debian with ` +
        "`apt-get install python3-nbclient python3-ipykernel jupyter-core` (and jupyter-notebook for the UI)",
    );
  }
  if (values.fast) Deno.env.set("SETSIM_FAST", "1");
  const config = exportConfig();
  const { outDir, catalog } = notebookDestination({
    fast: values.fast === true,
    resultsDir: config.resultsDir,
  });
  if (catalog) Deno.env.set("SETSIM_CATALOG", catalog);
  const binDir = join(PROJECT_ROOT, "node_modules", ".bin");
  const env: Record<string, string> = {
    ...configEnv(config),
    JUPYTER_PATH: [join(PROJECT_ROOT, "jupyter"), Deno.env.get("JUPYTER_PATH")].filter(Boolean).join(":"),
    PATH: `${binDir}:${Deno.env.get("PATH") ?? ""}`,
    NO_COLOR: "1",
    SETSIM_NOTEBOOK_HEADLESS: "1",
  };
  if (values.fast) env.SETSIM_FAST = "1";
  console.error(
    `figures: data ${config.dataDir}, results ${config.resultsDir}${values.fast ? " (fast mode)" : ""}`,
  );
  const started = performance.now();
  const { code } = await new Deno.Command(PYTHON, {
    args: [
      join(PROJECT_ROOT, "scripts", "notebook_runner.py"),
      "--timeout",
      String(timeout),
      ...(outDir ? ["--out-dir", outDir] : []),
      ...notebooks,
    ],
    env,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    const error = new Error(`notebook execution failed (see above) after ${seconds} s`) as Error & {
      exitCode: number;
    };
    error.exitCode = code === 2 ? 2 : 1;
    throw error;
  }
  console.error(`figures: ${notebooks.length} notebook(s) executed in ${seconds} s`);
});
