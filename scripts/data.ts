/**
 * Fetch a dataset from its original public source and lay it out where the loaders look.
 *
 *   deno task data <coil100|grocery|myntra_footwear|all> [--url URL] [--file ZIP] [--force]
 *                  [--keep-archive] [--data-dir DIR] [--source kaggle|hf]
 *   deno task data list            # what is known and what is installed
 *
 * Downloads resume after an interruption (run the same command again), are verified (HTTP
 * length, SHA-256 where published, file counts) and are installed atomically under
 * `<dataDir>/<folder>` (SETSIM_DATA_DIR). myntra_footwear needs a Kaggle API token
 * (KAGGLE_USERNAME + KAGGLE_KEY, or ~/.kaggle/kaggle.json) or a browser-downloaded `--file`;
 * `--source hf` gets it without an account from the Hugging Face mirror (dataset viewer rows API).
 * Exit code 2 on bad usage or a missing credential, 1 when a download or check fails.
 * @module
 */

import { join } from "node:path";
import { UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import { resolveConfig } from "../lib/config/mod.ts";
import { DATASET_NAMES, exists, listDatasets, resolveDatasetName } from "../lib/data/datasets.ts";
import { loadCoil100, loadGrocery, loadMyntraFootwear } from "../lib/data/loaders.ts";
import { DATASET_SOURCES, displayPath, installDataset } from "../lib/data/sources.ts";
import { data } from "./tasks.ts";

await runTask(data, async ({ values, positionals }) => {
  const { dataDir } = resolveConfig({ dataDir: values["data-dir"] });
  const target = positionals[0];

  if (target === "list") {
    for (const info of listDatasets()) {
      const installed = await exists(join(dataDir, info.folder, "labels.csv"));
      console.log(`${info.name.padEnd(16)} ${installed ? "installed" : "missing  "}  ${info.description}`);
      console.log(`${"".padEnd(16)} source: ${DATASET_SOURCES[info.name].url}`);
      console.log(`${"".padEnd(16)} terms: ${info.terms}`);
    }
    console.log(`data directory: ${dataDir}`);
    return;
  }
  let names: string[];
  try {
    names = target === "all" ? [...DATASET_NAMES] : [resolveDatasetName(target)];
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if ((values.url || values.file) && names.length > 1) {
    throw new UsageError("--url and --file need one dataset");
  }
  for (const name of names) {
    const result = await installDataset(name, {
      dataDir,
      url: values.url,
      file: values.file,
      force: values.force,
      keepArchive: values["keep-archive"],
      source: values.source as "kaggle" | "hf" | undefined, // checked by the table
    });
    // Prove the layout is what the loaders read.
    const load = name === "coil100" ? loadCoil100 : name === "grocery" ? loadGrocery : loadMyntraFootwear;
    const records = await load({ dataDir });
    console.log(
      result.installed
        ? `${name}: installed ${records.length} images in ${displayPath(result.dir)}`
        : `${name}: already installed (${records.length} images in ${
          displayPath(result.dir)
        }); --force replaces it`,
    );
  }
});
