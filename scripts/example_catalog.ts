/**
 * Build the small example catalog (20 items: 10 grocery products each listed twice, 4 photos
 * per listing) that the README's "bring your own catalog" section uses.
 *
 *   deno run -A scripts/example_catalog.ts DIR [--products N] [--photos N] [--with-problems] [--data-dir DIR]
 *
 * Writes DIR/images/*.jpg and DIR/catalog.csv (and with --with-problems DIR/broken.csv, which has
 * a missing file, a duplicate id and a bad row); prints the manifest path. Exit code 2 on bad flags.
 * @module
 */

import { resolve } from "node:path";
import { applyConfigFlags } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import { buildExampleCatalog } from "../lib/catalog/mod.ts";
import { exampleCatalog } from "./tasks.ts";

if (import.meta.main) {
  await runTask(exampleCatalog, async ({ values, positionals }) => {
    const config = applyConfigFlags(values);
    const { manifest, catalog, broken } = await buildExampleCatalog(resolve(positionals[0]), {
      dataDir: config.dataDir,
      products: values.products,
      photos: values.photos,
      withProblems: values["with-problems"],
    });
    const images = catalog.items.reduce((n, i) => n + i.images.length, 0);
    console.error(
      `example catalog: ${catalog.items.length} items, ${images} images${broken ? `; ${broken}` : ""}`,
    );
    console.log(manifest);
  });
}
