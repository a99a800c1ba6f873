/**
 * `deno task embed <dir|files...> [--model name] [--out embeddings.npy] [options]`
 *
 * Embed images and write the vectors plus a manifest:
 * - `--out x.npy` (default `embeddings.npy`): a float32 NumPy array `[count, dim]` (rows
 *   L2-normalised) and `x.manifest.json` (model, fingerprint, preprocessing, one entry per row
 *   with its path, and every failure with its reason);
 * - `--out x.json`: one JSON file holding the manifest and the vectors.
 *
 * Folders are searched recursively for image files (jpg, jpeg, png, webp, gif, tif, tiff, avif);
 * symbolic links to images are followed, links to folders walked once; broken links and link
 * loops are reported (`skipped PATH: reason`, and under `skipped` in the manifest). Files named
 * explicitly are always tried. The `.npy` and its manifest are committed together (a crash or a
 * full disk leaves the previous pair intact); the manifest pins the array's `bytes` and `sha256`
 * under `data`. Unreadable images are listed with their reason; the
 * exit code is 1 only if nothing could be embedded.
 *
 * Options: `--batch-size N`, `--size 240x180`, `--fit pad|crop|stretch`, `--pad-color 255,255,255`,
 * `--augment rot90|rot180|rot270|flip|flop`, `--no-cache`, `--quiet`, `--list-models`.
 * @module
 */

import { basename, extname, resolve } from "node:path";
import { collectFiles, commitFiles, displayText, encodeNpy, sha256Hex } from "../lib/io/mod.ts";
import { applyConfigFlags, parseListFlag, UsageError } from "../lib/cli/mod.ts";
import { runTask } from "../lib/cli/table.ts";
import {
  type AugmentKind,
  embedImages,
  type FitMode,
  listImageModels,
  loadImageModel,
  resolvePreprocess,
} from "../lib/embedding/mod.ts";
import { embed } from "./tasks.ts";

const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif"];

/** The manifest beside `x.npy`: `x.manifest.json`. */
export function manifestPath(npyPath: string): string {
  return npyPath.replace(/\.npy$/, ".manifest.json");
}

if (import.meta.main) {
  await runTask(embed, async ({ values, positionals }) => {
    const config = applyConfigFlags(values);
    if (values["list-models"]) {
      for (const m of await listImageModels(config.modelsDir)) {
        console.log(`${m.name.padEnd(30)} ${m.offline ? "offline" : "not built"}  ${m.description}`);
      }
      return;
    }
    if (positionals.length === 0) {
      throw new UsageError("give image files or folders to embed (deno task embed --help)");
    }
    let width: number | undefined, height: number | undefined;
    if (values.size !== undefined) {
      const m = /^(\d+)x(\d+)$/.exec(values.size);
      if (!m) throw new UsageError(`--size must look like 240x180, got "${values.size}"`);
      [width, height] = [Number(m[1]), Number(m[2])];
    }
    const padColor = parseListFlag(values["pad-color"])?.map(Number) as [number, number, number] | undefined;
    let preprocess;
    try {
      preprocess = resolvePreprocess({ width, height, fit: values.fit as FitMode | undefined, padColor });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const augment = values.augment as AugmentKind | undefined; // one of AUGMENT_KINDS (the table checks)
    const out = resolve(values.out);
    if (![".npy", ".json"].includes(extname(out))) {
      throw new UsageError(`--out must end in .npy or .json, got "${displayText(out)}"`);
    }

    // Load first so a bad --model fails before a long folder walk.
    const model = await loadImageModel(config.model, { modelsDir: config.modelsDir });
    const { files: paths, skipped } = await collectFiles(positionals, { extensions: IMAGE_EXTENSIONS });
    for (const s of skipped) console.error(`skipped ${displayText(s.path)}: ${displayText(s.reason)}`);
    if (paths.length === 0) {
      throw new UsageError(`no image files found in ${positionals.map(displayText).join(", ")}`);
    }
    const result = await embedImages(paths, {
      model,
      config,
      batchSize: values["batch-size"],
      preprocess,
      augment,
      cache: !values["no-cache"],
      progress: !values.quiet,
    }).finally(() => model.dispose?.());
    const manifest = {
      model: result.model,
      fingerprint: result.fingerprint,
      preprocess: { ...preprocess, augment: augment ?? null },
      count: result.embeddings.count,
      dim: result.embeddings.dim,
      created: new Date().toISOString(),
      rows: result.index.map((i, row) => ({ row, path: paths[i] })),
      failures: result.failures,
      skipped,
    };
    const report = () => {
      for (const f of result.failures) {
        console.error(`skipped ${displayText(f.input)}: ${displayText(f.reason)}`);
      }
    };
    if (result.embeddings.count === 0) {
      report();
      // Nothing to write: an empty .npy would look like a successful run to the next tool.
      throw new Error(`no image could be embedded (${result.failures.length} failed); nothing written`);
    }
    if (extname(out) === ".npy") {
      // The array and its manifest are one group: both replaced or neither (lib/io/commit.ts).
      // The manifest also pins the array's size and SHA-256 so a mismatched pair is detectable.
      const npy = encodeNpy(result.embeddings.data, result.embeddings.count, result.embeddings.dim);
      const pinned = {
        ...manifest,
        data: { file: basename(out), bytes: npy.length, sha256: await sha256Hex(npy) },
      };
      await commitFiles([
        { path: out, content: npy },
        { path: manifestPath(out), content: JSON.stringify(pinned, null, 2) + "\n" },
      ]);
    } else {
      const vectors = Array.from(
        { length: result.embeddings.count },
        (_, r) =>
          Array.from(
            result.embeddings.data.subarray(r * result.embeddings.dim, (r + 1) * result.embeddings.dim),
          ),
      );
      await commitFiles([{ path: out, content: JSON.stringify({ ...manifest, vectors }) + "\n" }]);
    }
    report();
    if (!values.quiet) {
      console.error(
        `embedded ${result.embeddings.count}/${paths.length} images with ${result.model} (${result.embeddings.dim}-d, ` +
          `${result.cacheHits} from cache) → ${displayText(out)}`,
      );
    }
  });
}
