/**
 * `deno task setup [--quiet] [--force] [--only name,...]`: build the offline models setsim needs.
 *
 * Converts the networks that the npm package `nsfwjs` ships (TF.js format) into ONNX models in
 * the transformers.js local layout under `resolveConfig().modelsDir/<name>/` (see
 * `lib/embedding/convert/setup.ts`). Idempotent: a stamp per model records what it was built
 * from, so a second run only reads the stamps.
 * @module
 */

import { parseFlags, parseListFlag, runCli } from "../lib/cli/mod.ts";
import { setupModels } from "../lib/embedding/convert/setup.ts";

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    quiet: { type: "boolean" },
    force: { type: "boolean" },
    only: { type: "string" },
  });
  await setupModels({
    quiet: values.quiet ?? false,
    force: values.force ?? false,
    only: parseListFlag(values.only),
  });
});
