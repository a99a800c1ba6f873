/**
 * `deno task setup [--quiet] [--force] [--only name,...]`: build the offline models setsim needs.
 * `deno task setup --calibrate`: re-measure the int8 variants' activation ranges on the datasets
 * (`SETSIM_DATA_DIR`) and write `lib/embedding/model_build/calibration/*.json` (committed), then build.
 *
 * Converts the networks that the npm package `nsfwjs` ships (TF.js format) into ONNX models in
 * the transformers.js local layout under `resolveConfig().modelsDir/<name>/` (see
 * `lib/embedding/model_build/setup.ts`). Idempotent: a stamp per model records what it was built
 * from, so a second run only reads the stamps.
 * @module
 */

import { parseFlags, parseListFlag, runCli } from "../lib/cli/mod.ts";
import { calibrateVariants, setupModels } from "../lib/embedding/model_build/setup.ts";

await runCli(async (argv) => {
  const { values } = parseFlags(argv, {
    quiet: { type: "boolean" },
    force: { type: "boolean" },
    only: { type: "string" },
    calibrate: { type: "boolean" },
  });
  if (values.calibrate) await calibrateVariants({ quiet: values.quiet ?? false });
  await setupModels({
    quiet: values.quiet ?? false,
    force: values.force ?? false,
    only: parseListFlag(values.only),
  });
});
