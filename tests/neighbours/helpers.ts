/**
 * Helpers of the neighbours and queue tests: a small synthetic index built in process (no model,
 * a second or two), with items changed (new versions), dropped or added between builds.
 * @module
 */

import { buildIndex, projectRows } from "../../lib/index/mod.ts";
import { createRng } from "../../lib/random/mod.ts";
import { syntheticCatalog, syntheticIndexInput } from "../../bench/support/synthetic.ts";

/** What differs from the first build. */
export interface SyntheticVersion {
  /** Item number → version (a new draw of its images). */
  versions?: Map<number, number>;
  /** Item numbers left out of the catalog. */
  drop?: Set<number>;
}

/** Build (or update) a synthetic index of `images` images (about images / 4.5 items) in `dir`. */
export async function buildSyntheticIndex(
  dir: string,
  options: { images?: number; seed?: number } & SyntheticVersion = {},
): Promise<void> {
  const seed = options.seed ?? 3;
  const rng = createRng(seed, "neighbours-test-sources");
  const count = 40, dim = 16;
  const data = projectRows(new Float32Array(count * dim).map(() => rng() - 0.5), dim, dim, 1);
  const synthetic = syntheticCatalog(
    { vectors: { data, count, dim }, groups: Array.from({ length: count }, (_, r) => `g${r % 4}`) },
    { images: options.images ?? 400, seed },
  );
  const input = syntheticIndexInput(synthetic, { seed, versions: options.versions });
  const drop = options.drop ?? new Set<number>();
  const catalog = { ...input.catalog, items: input.catalog.items.filter((_, k) => !drop.has(k)) };
  await buildIndex(catalog, dir, { embedder: input.embedder, files: input.files, progress: false });
}

/** Run a script of the project as a subprocess (piped output). */
export function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: new URL("../../", import.meta.url).pathname,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Wait until `check` holds (polling every 20 ms), failing after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The finished chunk files in a journal folder, not counting temporaries being written (0 when there is none). */
export function chunkFiles(dir: string): number {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => /^chunk-\d{6}\.jsonl$/.test(e.name)).length;
  } catch {
    return 0;
  }
}
