/**
 * `deno task reproduce`: the main job. Regenerates every result and figure from the datasets in
 * the configured data directory, step by step, each step a task a user can also run alone.
 *
 * Usage: `deno task reproduce [--fast] [--from STEP] [--only STEP[,STEP...]] [--list]`
 *
 * Every step is idempotent and resumable (embeddings are cached; the sweep skips finished
 * cells), so an interrupted run continues where it stopped when started again.
 * @module
 */

import { parseFlags, parseListFlag, runCli, UsageError } from "../lib/cli/mod.ts";
import { resolveConfig } from "../lib/config/mod.ts";
import { formatDuration } from "../lib/progress/mod.ts";

interface Step {
  name: string;
  what: string;
  /** One or more `deno task` argument lists, run in order. */
  commands: (fast: boolean) => string[][];
}

const ALL_SET_METHODS = "greedy,optimal,lp,centroid,chamfer,hausdorff,sinkhorn";

/** The steps, in order. Each is `deno task <args>`. */
export const STEPS: Step[] = [
  { name: "setup", what: "convert the offline models", commands: () => [["setup"]] },
  {
    name: "embedding-layers",
    what: "compare candidate layers/models by retrieval quality (results/embedding-layers)",
    commands: () => [["bench", "embedding-layers"]],
  },
  {
    name: "eval",
    what: "Recall@1 / mAP per method on coil100 and grocery (results/eval/summary)",
    commands: () => [
      ["eval", "--dataset", "coil100", "--protocol", "unordered", "--method", ALL_SET_METHODS],
      ["eval", "--dataset", "coil100", "--protocol", "ordered", "--method", `ordered,${ALL_SET_METHODS}`],
      ["eval", "--dataset", "grocery", "--protocol", "grocery", "--method", ALL_SET_METHODS],
      ["eval", "--dataset", "myntra_footwear", "--protocol", "single", "--method", "greedy"],
      ["eval", "--table"],
    ],
  },
  { name: "sweep", what: "s × m sweep on coil100 + grocery (results/sweep)", commands: () => [["sweep"]] },
  {
    name: "figures",
    what: "execute every notebook, saving figures and tables",
    commands: (fast) => [["figures", ...(fast ? ["--fast"] : [])]],
  },
];

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    fast: { type: "boolean" },
    from: { type: "string" },
    only: { type: "string" },
    list: { type: "boolean" },
  });
  if (values.list) {
    for (const step of STEPS) console.log(`${step.name.padEnd(18)} ${step.what}`);
    return;
  }
  const names = STEPS.map((s) => s.name);
  const only = parseListFlag(values.only);
  for (const name of [...(only ?? []), ...(values.from ? [values.from] : [])]) {
    if (!names.includes(name)) throw new UsageError(`unknown step "${name}" (steps: ${names.join(", ")})`);
  }
  const start = values.from ? names.indexOf(values.from) : 0;
  const selected = STEPS.filter((s, i) => i >= start && (!only || only.includes(s.name)));
  const config = resolveConfig();
  console.error(`reproduce: data ${config.dataDir}, model ${config.model}, results ${config.resultsDir}`);
  const began = performance.now();
  for (const [k, step] of selected.entries()) {
    const stepStart = performance.now();
    console.error(`\n[${k + 1}/${selected.length}] ${step.name}: ${step.what}`);
    for (const args of step.commands(Boolean(values.fast))) {
      console.error(`$ deno task ${args.join(" ")}`);
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: ["task", ...args],
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      if (code !== 0) {
        throw new Error(
          `step "${step.name}" failed: "deno task ${
            args.join(" ")
          }" exited ${code}; fix it, then resume with ` +
            `"deno task reproduce --from ${step.name}"`,
        );
      }
    }
    const took = formatDuration((performance.now() - stepStart) / 1000);
    console.error(`[${k + 1}/${selected.length}] ${step.name} done in ${took}`);
  }
  console.error(`\nreproduce: all done in ${formatDuration((performance.now() - began) / 1000)}`);
});
