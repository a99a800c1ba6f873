/**
 * `deno task reproduce`: the main job. Regenerates every result and figure from the datasets in
 * the configured data directory, step by step, each step a task a user can also run alone.
 *
 * Usage: `deno task reproduce [--fast] [--all] [--from STEP] [--only STEP[,STEP...]] [--list]`
 *
 * - the default run: every step marked "default" in `--list` (the contract: `--list` shows which
 *   steps the default run includes); the nine-variant model study (`embedding-layers`, ~40 min on
 *   a cold cache) is not among them;
 * - `--all`: every step, the model study included (it then records the command that made its
 *   results in `results/embedding-layers.provenance.json`);
 * - `--fast`: the small configuration CI runs (`SETSIM_FAST=1`): notebooks in fast mode, and every
 *   output under the git-ignored `results/fast/`, so committed results and notebooks stay as they are;
 * - `--only` picks steps by name (any step, default or not); `--from` resumes at a step.
 *
 * The configuration is resolved once, here, where the user ran the command, and every step gets
 * it with absolute paths (`deno task` runs steps in the project root, notebook kernels run in
 * `notebooks/`). Every step is idempotent and resumable (embeddings are cached; the sweep skips
 * finished cells), so an interrupted run continues where it stopped when started again.
 * @module
 */

import { basename, join } from "node:path";
import { UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import { configEnv, exportConfig, PROJECT_ROOT, type SetsimConfig } from "../lib/config/mod.ts";
import { sha256File, writeFileAtomic } from "../lib/io/mod.ts";
import { formatDuration } from "../lib/progress/mod.ts";
import { reproduce } from "./tasks.ts";

/** One step of the main job. */
export interface Step {
  name: string;
  what: string;
  /** Part of the default run (`--all` adds the others). */
  default: boolean;
  /** One or more `deno task` argument lists, run in order. */
  commands: (fast: boolean) => string[][];
  /** Files (relative to the results folder) whose provenance the step records after it ran. */
  provenanceOf?: string[];
}

const ALL_SET_METHODS = "greedy,optimal,lp,centroid,chamfer,hausdorff,sinkhorn";

/** The steps, in order. Each is `deno task <args>`. */
export const STEPS: Step[] = [
  { name: "setup", what: "convert the offline models", default: true, commands: () => [["setup"]] },
  {
    name: "embedding-layers",
    what:
      "model study: nine layer/model variants by retrieval quality (results/embedding-layers; ~40 min cold)",
    default: false,
    commands: () => [["bench", "embedding-layers"]],
    provenanceOf: ["embedding-layers.csv", "embedding-layers.json"],
  },
  {
    name: "eval",
    what: "Recall@1 / mAP per method on coil100 and grocery (results/eval/summary)",
    default: true,
    commands: () => [
      ["eval", "--dataset", "coil100", "--protocol", "unordered", "--method", ALL_SET_METHODS],
      ["eval", "--dataset", "coil100", "--protocol", "ordered", "--method", `ordered,${ALL_SET_METHODS}`],
      ["eval", "--dataset", "grocery", "--protocol", "grocery", "--method", ALL_SET_METHODS],
      ["eval", "--dataset", "myntra_footwear", "--protocol", "single", "--method", "greedy"],
      ["eval", "--table"],
    ],
  },
  {
    name: "sweep",
    what: "s × m sweep on coil100 + grocery (results/sweep)",
    default: true,
    commands: () => [["sweep"]],
  },
  {
    name: "figures",
    what: "execute every notebook, saving figures and tables",
    default: true,
    commands: (fast) => [["figures", ...(fast ? ["--fast"] : [])]],
  },
];

/** The steps a run executes, in order, for the given flags; unknown names are usage errors. */
export function selectSteps(
  options: { all?: boolean; only?: string[]; from?: string },
  steps: Step[] = STEPS,
): Step[] {
  const names = steps.map((s) => s.name);
  for (const name of [...(options.only ?? []), ...(options.from ? [options.from] : [])]) {
    if (!names.includes(name)) throw new UsageError(`unknown step "${name}" (steps: ${names.join(", ")})`);
  }
  const start = options.from ? names.indexOf(options.from) : 0;
  return steps.filter((step, i) =>
    i >= start && (options.only ? options.only.includes(step.name) : options.all || step.default)
  );
}

/** The `--list` text: every step, whether this run includes it, and its commands. */
export function listSteps(selected: Step[], fast: boolean, steps: Step[] = STEPS): string {
  const lines = [
    "step               in this run  what",
    ...steps.map((step) => {
      const mark = selected.includes(step) ? "yes" : step.default ? "no (not selected)" : "no (--all)";
      const commands = step.commands(fast).map((args) => `${"".padEnd(32)}$ deno task ${args.join(" ")}`);
      return [`${step.name.padEnd(18)} ${mark.padEnd(12)} ${step.what}`, ...commands].join("\n");
    }),
  ];
  return lines.join("\n");
}

/** The command line that is running, as a user would type it (`deno task reproduce ...`). */
function commandLine(argv: string[]): string {
  return ["deno task reproduce", ...argv].join(" ");
}

/** Record which command made a step's result files, with their hashes (no timestamp: deterministic). */
async function writeProvenance(config: SetsimConfig, step: Step, argv: string[]): Promise<void> {
  if (!step.provenanceOf) return;
  const files: Record<string, string> = {};
  for (const file of step.provenanceOf) files[file] = await sha256File(join(config.resultsDir, file));
  const record = {
    made_by: commandLine(argv),
    step: step.name,
    commands: step.commands(Deno.env.get("SETSIM_FAST") === "1").map((args) => `deno task ${args.join(" ")}`),
    model: config.model,
    data_dir: basename(config.dataDir),
    sha256: files,
  };
  const path = join(config.resultsDir, `${step.name}.provenance.json`);
  await writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n");
  console.error(`reproduce: wrote ${path}`);
}

if (import.meta.main) {
  const argv = Deno.args;
  await runTask(reproduce, async ({ values }) => {
    const fast = values.fast;
    const selected = selectSteps({ all: values.all, only: values.only, from: values.from });
    if (values.list) {
      console.log(listSteps(selected, fast));
      return;
    }
    // Fast mode for the whole run: its outputs default to the git-ignored results/fast/.
    if (fast) Deno.env.set("SETSIM_FAST", "1");
    const config = exportConfig();
    console.error(
      `reproduce: data ${config.dataDir}, model ${config.model}, results ${config.resultsDir}` +
        (fast ? " (fast mode)" : ""),
    );
    const began = performance.now();
    for (const [k, step] of selected.entries()) {
      const stepStart = performance.now();
      console.error(`\n[${k + 1}/${selected.length}] ${step.name}: ${step.what}`);
      for (const args of step.commands(fast)) {
        console.error(`$ deno task ${args.join(" ")}`);
        const { code } = await new Deno.Command(Deno.execPath(), {
          args: ["task", "--quiet", ...args],
          // `deno task` finds deno.json from its working directory; ours may be the user's folder.
          cwd: PROJECT_ROOT,
          env: configEnv(config),
          stdout: "inherit",
          stderr: "inherit",
        }).output();
        if (code !== 0) {
          throw new Error(
            `step "${step.name}" failed: "deno task ${args.join(" ")}" exited ${code}; fix it, then resume ` +
              `with "deno task reproduce --from ${step.name}${fast ? " --fast" : ""}"`,
          );
        }
      }
      await writeProvenance(config, step, argv);
      const took = formatDuration((performance.now() - stepStart) / 1000);
      console.error(`[${k + 1}/${selected.length}] ${step.name} done in ${took}`);
    }
    console.error(`\nreproduce: all done in ${formatDuration((performance.now() - began) / 1000)}`);
  });
}
