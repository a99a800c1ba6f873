/**
 * Which files are catalog images, and a cheap check that one is readable: it exists, is a
 * non-empty regular file, and starts with the signature of a format the image pipeline (sharp)
 * decodes. Reading 32 bytes per file keeps the check at a few ms per thousand images; a file
 * whose body is damaged past its header still fails later, at embedding, and is reported there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isImageFile, sniffImageFormat } from "./images.ts";
 * assert.equal(isImageFile("shoe.JPG"), true);
 * assert.equal(isImageFile("notes.txt"), false);
 * assert.equal(sniffImageFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "png");
 * ```
 * @module
 */

import { extname } from "node:path";
import { sha256File } from "../io/hash.ts";
import { createProgress } from "../progress/mod.ts";
import { mapLimited } from "../workers/limit.ts";
import type { CatalogProblem } from "./types.ts";

/** File extensions (lower case, with the dot) of the image formats setsim decodes. */
export const IMAGE_EXTENSIONS: readonly string[] = [
  ".jpg",
  ".jpeg",
  ".png",
  ".webp",
  ".gif",
  ".avif",
  ".tif",
  ".tiff",
];

/** Is `path` named like a supported image? */
export function isImageFile(path: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());
}

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/** The format whose signature `head` (the first bytes of a file) starts with, or `null`. */
export function sniffImageFormat(head: Uint8Array): string | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.length >= 8 && ascii(head, 1, 4) === "PNG" && head[0] === 0x89) return "png";
  if (head.length >= 6 && /^GIF8[79]a$/.test(ascii(head, 0, 6))) return "gif";
  if (head.length >= 12 && ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "webp";
  if (head.length >= 4 && (ascii(head, 0, 4) === "II*\0" || ascii(head, 0, 4) === "MM\0*")) return "tiff";
  if (
    head.length >= 12 && ascii(head, 4, 8) === "ftyp" &&
    /^(avif|avis|heic|heix|mif1)$/.test(ascii(head, 8, 12))
  ) {
    return "avif";
  }
  return null;
}

/**
 * Check one image file; returns `null` when it looks readable, else the problem
 * (`missing-file` or `unreadable-image`) naming the path and, when given, the item and line.
 */
export async function checkImageFile(
  path: string,
  where: { item?: string; line?: number } = {},
): Promise<CatalogProblem | null> {
  const at = where.line !== undefined ? ` (manifest line ${where.line})` : "";
  const of = where.item !== undefined ? ` of item "${where.item}"` : "";
  const unreadable = (why: string): CatalogProblem => ({
    kind: "unreadable-image",
    path,
    ...where,
    message: `image ${path}${of}${at} ${why}; left out`,
  });
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return {
        kind: "missing-file",
        path,
        ...where,
        message: `image ${path}${of}${at} does not exist; left out`,
      };
    }
    return unreadable(`cannot be opened (${(error as Error).message})`);
  }
  try {
    const info = await file.stat();
    if (!info.isFile) return unreadable("is not a regular file");
    if (info.size === 0) return unreadable("is empty");
    const head = new Uint8Array(32);
    let filled = 0;
    while (filled < head.length) {
      const n = await file.read(head.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    if (sniffImageFormat(head.subarray(0, filled)) === null) {
      return unreadable("is not a JPEG, PNG, WebP, GIF, AVIF or TIFF image (its first bytes say otherwise)");
    }
    return null;
  } catch (error) {
    return unreadable(`cannot be read (${(error as Error).message})`);
  } finally {
    file.close();
  }
}

/**
 * SHA-256 (hex) of every distinct image file, read `concurrency` at a time (default 8): the
 * content key that makes protocols independent of file names and that the index stores.
 * A file that cannot be read maps to `null` (it fails again, with its reason, at embedding).
 */
export async function hashImages(
  paths: readonly string[],
  options: { concurrency?: number; progress?: boolean } = {},
): Promise<Map<string, string | null>> {
  const distinct = [...new Set(paths)];
  const progress = createProgress({ label: "hash", total: distinct.length, silent: !options.progress });
  const digests = await mapLimited(distinct, options.concurrency ?? 8, async (path) => {
    try {
      return await sha256File(path);
    } catch {
      return null;
    } finally {
      progress.tick();
    }
  });
  progress.done();
  return new Map(distinct.map((path, k) => [path, digests[k]]));
}
