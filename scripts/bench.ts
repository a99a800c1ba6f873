/**
 * `deno task bench [NAME...]`: run the benchmark scripts in `bench/` one after another.
 *
 * Each `bench/<name>.ts` is a standalone script that measures its own baseline in the same run
 * and prints ratios against it (never absolute timings checked against a fixed number).
 * Names select scripts by prefix (`deno task bench matching`). Extra flags after `--` are passed on.
 * @module
 */

import { join } from "node:path";
import { runCli, UsageError } from "../lib/cli/mod.ts";
import { PROJECT_ROOT } from "../lib/config/mod.ts";

await runCli(async (argv) => {
  const split = argv.indexOf("--");
  const names = split >= 0 ? argv.slice(0, split) : argv;
  const passOn = split >= 0 ? argv.slice(split + 1) : [];
  const benchDir = join(PROJECT_ROOT, "bench");
  const scripts = [...Deno.readDirSync(benchDir)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts"))
    .map((entry) => entry.name)
    .sort();
  const selected = names.length === 0 ? scripts : scripts.filter((s) => names.some((n) => s.startsWith(n)));
  if (selected.length === 0) {
    throw new UsageError(`no benchmark matches ${names.join(", ")} (have: ${scripts.join(", ")})`);
  }
  const failures: string[] = [];
  for (const script of selected) {
    console.log(`\n## bench/${script}`);
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(benchDir, script), ...passOn],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (code !== 0) failures.push(script);
  }
  if (failures.length > 0) throw new Error(`benchmarks failed: ${failures.join(", ")}`);
});
