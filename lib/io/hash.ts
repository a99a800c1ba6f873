/**
 * SHA-256 digests as lowercase hex, of bytes in memory, of a file streamed from disk, or of a
 * sequence of parts (text, bytes, files) for checksums of downloads, converted models, model
 * fingerprints and cache keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Hex, sha256Parts } from "./hash.ts";
 * // The FIPS 180-2 test vector for "abc".
 * const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
 * assert.equal(await sha256Hex(new TextEncoder().encode("abc")), abc);
 * // Parts are hashed one after another, with nothing between them.
 * assert.equal(await sha256Parts(["a", new TextEncoder().encode("b"), "c"]), abc);
 * ```
 * @module
 */

import { createHash, type Hash } from "node:crypto";

/**
 * Something a digest covers: text (hashed as UTF-8), bytes, or the contents of a file (streamed,
 * so a model of several hundred MB is never held in memory for its fingerprint).
 */
export type HashPart = string | Uint8Array | { readonly file: string };

/** SHA-256 of `bytes` as 64 lowercase hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of the file at `path` as 64 lowercase hex digits, read in chunks (files may be GBs). */
export async function sha256File(path: string): Promise<string> {
  return await sha256Parts([{ file: path }]);
}

/**
 * SHA-256 of `parts` one after another (no separators: put names or lengths in the parts where
 * order alone would be ambiguous), as 64 lowercase hex digits. The model fingerprints that key
 * the embedding cache are built with it, so the bytes each part contributes must never change.
 */
export async function sha256Parts(parts: Iterable<HashPart>): Promise<string> {
  const hash = createHash("sha256");
  for (const part of parts) {
    if (typeof part === "string" || part instanceof Uint8Array) hash.update(part);
    else await updateWithFile(hash, part.file);
  }
  return hash.digest("hex");
}

/** {@link sha256Parts} of parts in memory, synchronously (for a fingerprint set in a constructor). */
export function sha256PartsSync(parts: Iterable<string | Uint8Array>): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

async function updateWithFile(hash: Hash, path: string): Promise<void> {
  // The readable stream closes the file when it ends or errors.
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk);
}
