/**
 * Helpers of the index/search tests: run a task script as a subprocess, a fresh cache per test.
 * @module
 */

import { PROJECT_ROOT } from "../../lib/config/mod.ts";
import type { ImageEmbedder } from "../../lib/index/mod.ts";

/** Run `scripts/<script>` with args; env adds to the current one. */
export async function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** A temporary folder removed after `body`. */
export async function withTempDir<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * An in-memory 3-d embedder for build-step tests: `vectorOf(path)` gives a path's vector, or
 * undefined for a picture that cannot be decoded (reported as a failure naming it).
 */
export function fakeEmbedder(vectorOf: (path: string) => Float32Array | undefined): ImageEmbedder {
  return {
    model: "fake",
    fingerprint: "fake-1",
    dim: 3,
    embed: (paths) => {
      const vectors = paths.map(vectorOf);
      return Promise.resolve({
        vectors,
        failures: paths.filter((_, i) => vectors[i] === undefined).map((input) => ({
          input,
          reason: "cannot decode",
        })),
        cacheHits: 0,
      });
    },
  };
}
