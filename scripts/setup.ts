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

import { runTask } from "../lib/cli/table.ts";
import { calibrateVariants, setupModels } from "../lib/embedding/model_build/setup.ts";
import { setup } from "./tasks.ts";

await runTask(setup, async ({ values }) => {
  if (values.calibrate) await calibrateVariants({ quiet: values.quiet });
  await setupModels({ quiet: values.quiet, force: values.force, only: values.only });
});
