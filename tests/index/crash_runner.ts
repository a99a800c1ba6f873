/**
 * Fault injection for the index tests: build CATALOG into DIR and die (exit 137, as after SIGKILL,
 * with no cleanup) when the build reaches PHASE.
 *
 *   deno run -A tests/index/crash_runner.ts CATALOG DIR PHASE
 * @module
 */

import { loadCatalog } from "../../lib/catalog/mod.ts";
import { buildIndex, type BuildPhase, loadImageEmbedder, loadTextEmbedder } from "../../lib/index/mod.ts";

const [catalogPath, dir, phase] = Deno.args;
const { catalog } = await loadCatalog(catalogPath);
const embedder = await loadImageEmbedder();
await buildIndex(catalog, dir, {
  embedder,
  textEmbedder: () => loadTextEmbedder("use"),
  textModel: "use",
  progress: false,
  onPhase: (reached: BuildPhase) => {
    if (reached === phase) Deno.exit(137);
  },
});
console.error(`crash_runner: phase ${phase} never reached`);
Deno.exit(1);
