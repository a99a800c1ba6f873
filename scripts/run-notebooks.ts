/**
 * `deno task figures`: execute notebooks headless with the Deno kernel, saving outputs into
 * each `.ipynb` and figures into `results/`.
 *
 * Usage: `deno task figures [--fast] [--timeout SECONDS] [NOTEBOOK_OR_PREFIX...]`
 *
 * - no names: every `notebooks/*.ipynb`, in name order;
 * - a name may be a path or a prefix such as `04` or `04-recursive-matching`;
 * - `--fast` sets `SETSIM_FAST=1`: notebooks then use their documented small configuration (CI).
 *
 * Jupyter comes from Debian (`python3-nbclient`, `jupyter-core`); the kernelspec is the committed
 * `jupyter/kernels/deno`, found through `JUPYTER_PATH`, with `deno` from `node_modules/.bin`.
 * @module
 */

import { join } from "node:path";
import { parseFlags, parseNumberFlag, runCli, UsageError } from "../lib/cli/mod.ts";
import { PROJECT_ROOT } from "../lib/config/mod.ts";

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

/** Resolve notebook names or prefixes to paths under `notebooks/`. */
export function resolveNotebooks(names: string[], available: string[]): string[] {
  if (names.length === 0) return available;
  return names.map((name) => {
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

await runCli(async (argv) => {
  const { values, positionals } = parseFlags(argv, {
    fast: { type: "boolean" },
    timeout: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log("usage: deno task figures [--fast] [--timeout SECONDS] [NOTEBOOK_OR_PREFIX...]");
    return;
  }
  const timeout = parseNumberFlag("timeout", values.timeout) ?? 3600;
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
  const binDir = join(PROJECT_ROOT, "node_modules", ".bin");
  const env: Record<string, string> = {
    JUPYTER_PATH: [join(PROJECT_ROOT, "jupyter"), Deno.env.get("JUPYTER_PATH")].filter(Boolean).join(":"),
    PATH: `${binDir}:${Deno.env.get("PATH") ?? ""}`,
    NO_COLOR: "1",
    SETSIM_NOTEBOOK_HEADLESS: "1",
  };
  if (values.fast) env.SETSIM_FAST = "1";
  const started = performance.now();
  const { code } = await new Deno.Command(PYTHON, {
    args: [join(PROJECT_ROOT, "scripts", "notebook_runner.py"), "--timeout", String(timeout), ...notebooks],
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
