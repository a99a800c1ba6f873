/**
 * The sidecar of a neighbours output, `OUT.setsim.json`, committed together with the output: the
 * index version it was computed from, the search options, and per item a digest of its vectors
 * with whether it was a candidate and/or had its list computed. `--incremental` reads it to tell
 * what changed since (see `incremental.ts`). Holds no clock time, so a resumed run writes the
 * same bytes as an undisturbed one.
 * @module
 */

import { createHash } from "node:crypto";
import type { SearchSession } from "../search/mod.ts";
import type { NeighbourSearch } from "./search.ts";

/** Flags of a sidecar entry. */
export const CANDIDATE = 1;
export const QUERY = 2;

/** What `OUT.setsim.json` holds. */
export interface Sidecar {
  format: "setsim-neighbours/1";
  /** The output file's name and row count. */
  output: { file: string; rows: number };
  index: {
    dir: string;
    versions: { images: number; items: number };
    fingerprint: string;
    committedAt: string;
  };
  search: NeighbourSearch;
  /** Whether the lists were computed for an `--items` subset (else for every item). */
  subset: boolean;
  /** `[item_id, digest of its vectors, CANDIDATE | QUERY flags]`, sorted by item id. */
  items: [string, string, number][];
}

/** The sidecar path of an output. */
export function sidecarPath(out: string): string {
  return `${out}.setsim.json`;
}

/**
 * A digest of each item's vectors (count, dim and float32 bytes, SHA-256 cut to 16 hex digits):
 * equal digests ⇒ equal vectors ⇒ equal scores against any other item. Read in batches of 500.
 */
export async function itemDigests(
  session: SearchSession,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let start = 0; start < ids.length; start += 500) {
    const batch = ids.slice(start, start + 500);
    const vectors = await session.itemVectors(batch);
    for (const id of batch) {
      const entry = vectors.get(id);
      if (entry === undefined) throw new RangeError(`no item "${id}" in the index`);
      const { data, count, dim } = entry.vectors;
      const hash = createHash("sha256").update(`${count}x${dim}:`);
      hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      out.set(id, hash.digest("hex").slice(0, 16));
    }
  }
  return out;
}

/** Read and check a sidecar; a clear error naming the file when it is missing or not one. */
export async function readSidecar(path: string): Promise<Sidecar> {
  let value: Sidecar;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new RangeError(`${path}: cannot read the previous run's sidecar (${(error as Error).message})`);
  }
  if (value?.format !== "setsim-neighbours/1" || !Array.isArray(value.items)) {
    throw new RangeError(
      `${path}: not a setsim neighbours sidecar (format ${JSON.stringify(value?.format)})`,
    );
  }
  return value;
}
