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
 * files named explicitly are always tried. Unreadable images are listed with their reason; the
 * exit code is 1 only if nothing could be embedded.
 *
 * Options: `--batch-size N`, `--size 240x180`, `--fit pad|crop|stretch`, `--pad-color 255,255,255`,
 * `--augment rot90|rot180|rot270|flip|flop`, `--no-cache`, `--quiet`, `--list-models`.
 * @module
 */

import { extname, join, resolve } from "node:path";
import { writeFileAtomic } from "../lib/io/mod.ts";
import {
  applyConfigFlags,
  CONFIG_FLAGS,
  parseFlags,
  parseIntegerFlag,
  parseListFlag,
  runCli,
  UsageError,
} from "../lib/cli/mod.ts";
import {
  AUGMENT_KINDS,
  type AugmentKind,
  embedImages,
  type FitMode,
  listImageModels,
  loadImageModel,
  resolvePreprocess,
} from "../lib/embedding/mod.ts";

const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif"]);

async function collect(args: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.isFile && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(path);
    }
  };
  for (const arg of args) {
    const path = resolve(arg);
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isDirectory) await walk(path);
    else out.push(path); // missing files are reported as failures, like unreadable ones
  }
  return out;
}

/** NumPy `.npy` v1.0 bytes for a little-endian float32 matrix. */
export function encodeNpy(data: Float32Array, rows: number, cols: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const bytes = new Uint8Array(10 + header.length + data.byteLength);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY v1.0
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), 10);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return bytes;
}

if (import.meta.main) {
  await runCli(async (argv) => {
    const { values, positionals } = parseFlags(argv, {
      ...CONFIG_FLAGS,
      out: { type: "string" },
      "batch-size": { type: "string" },
      size: { type: "string" },
      fit: { type: "string" },
      "pad-color": { type: "string" },
      augment: { type: "string" },
      "no-cache": { type: "boolean" },
      quiet: { type: "boolean" },
      "list-models": { type: "boolean" },
    }, true);
    const config = applyConfigFlags(values);
    if (values["list-models"]) {
      for (const m of await listImageModels(config.modelsDir)) {
        console.log(`${m.name.padEnd(30)} ${m.offline ? "offline" : "not built"}  ${m.description}`);
      }
      return;
    }
    if (positionals.length === 0) {
      throw new UsageError("usage: deno task embed <dir|files...> [--model name] [--out file]");
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
    const augment = values.augment as AugmentKind | undefined;
    if (augment !== undefined && !AUGMENT_KINDS.includes(augment)) {
      throw new UsageError(`--augment must be one of ${AUGMENT_KINDS.join(", ")}, got "${augment}"`);
    }
    const out = resolve(values.out ?? "embeddings.npy");
    if (![".npy", ".json"].includes(extname(out))) {
      throw new UsageError(`--out must end in .npy or .json, got "${out}"`);
    }

    // Load first so a bad --model fails before a long folder walk.
    const model = await loadImageModel(config.model, { modelsDir: config.modelsDir });
    const paths = await collect(positionals);
    if (paths.length === 0) throw new UsageError(`no image files found in ${positionals.join(", ")}`);
    const result = await embedImages(paths, {
      model,
      config,
      batchSize: parseIntegerFlag("batch-size", values["batch-size"], 1),
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
    };
    if (result.embeddings.count === 0) {
      for (const f of result.failures) console.error(`skipped ${f.input}: ${f.reason}`);
      // Nothing to write: an empty .npy would look like a successful run to the next tool.
      throw new Error(`no image could be embedded (${result.failures.length} failed); nothing written`);
    }
    if (extname(out) === ".npy") {
      await writeFileAtomic(
        out,
        encodeNpy(result.embeddings.data, result.embeddings.count, result.embeddings.dim),
      );
      await writeFileAtomic(
        out.replace(/\.npy$/, ".manifest.json"),
        JSON.stringify(manifest, null, 2) + "\n",
      );
    } else {
      const vectors = Array.from(
        { length: result.embeddings.count },
        (_, r) =>
          Array.from(
            result.embeddings.data.subarray(r * result.embeddings.dim, (r + 1) * result.embeddings.dim),
          ),
      );
      await writeFileAtomic(out, JSON.stringify({ ...manifest, vectors }) + "\n");
    }
    for (const f of result.failures) console.error(`skipped ${f.input}: ${f.reason}`);
    if (!values.quiet) {
      console.error(
        `embedded ${result.embeddings.count}/${paths.length} images with ${result.model} (${result.embeddings.dim}-d, ` +
          `${result.cacheHits} from cache) → ${out}`,
      );
    }
  });
}
