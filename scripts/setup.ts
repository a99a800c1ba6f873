/**
 * `deno task setup [--quiet] [--force]`: build the offline models setsim needs.
 *
 * Converts the networks that the npm package `nsfwjs` ships (TF.js format) into ONNX models in
 * the transformers.js local layout under `resolveConfig().modelsDir/<name>/`. Idempotent: a
 * stamp file records the hash of the source files and the converter version, so a second run
 * only reads that stamp (well under a second).
 * @module
 */

import { parseFlags, runCli } from "../lib/cli/mod.ts";

await runCli(async (argv) => {
  const { values } = parseFlags(argv, { quiet: { type: "boolean" }, force: { type: "boolean" } });
  // Conversion lands in lib/embedding/convert; until then there is nothing to build.
  const convert = await import("../lib/embedding/convert/setup.ts").catch(() => undefined);
  if (convert === undefined) {
    if (!values.quiet) console.error("setup: no model converter yet; nothing to do");
    return;
  }
  await convert.setupModels({ quiet: values.quiet ?? false, force: values.force ?? false });
});
