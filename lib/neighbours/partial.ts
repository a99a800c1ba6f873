/**
 * The progress journal of a neighbours run, next to its output: `OUT.partial/` holds
 * `plan.json` (what the run computes: a key over the index version, the search options, the
 * items and the chunking) and one `chunk-NNNNNN.jsonl` per finished chunk, each written
 * atomically (lib/io), so a chunk file on disk is always whole. A run killed at any moment
 * finds the plan, keeps the finished chunks and computes only the others; a plan for other
 * settings (another index version, other flags) is discarded. The run removes the folder after
 * the output is committed.
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../io/mod.ts";
import { decodeRows, type NeighbourRow, rowJson } from "./rows.ts";

/** The journal folder of the output `out`. */
export function partialDir(out: string): string {
  return `${out}.partial`;
}

function chunkFile(dir: string, chunk: number): string {
  return join(dir, `chunk-${String(chunk).padStart(6, "0")}.jsonl`);
}

/** An open journal: which chunks are done, and how to record one. */
export interface Journal {
  dir: string;
  /** Chunks found finished when the journal was opened. */
  resumed: Set<number>;
  /** Record a finished chunk (atomically; writing the same chunk again gives the same bytes). */
  write(chunk: number, rows: readonly NeighbourRow[]): Promise<void>;
  /** The rows of a finished chunk. */
  read(chunk: number): Promise<NeighbourRow[]>;
  /** Remove the folder (after the output is committed). */
  remove(): Promise<void>;
}

/**
 * Open (or start) the journal of `out` for the plan `key`. `onDiscard` hears about a journal left
 * by a run with other settings, which is removed.
 */
export async function openJournal(
  out: string,
  key: string,
  chunks: number,
  onDiscard: (message: string) => void = () => {},
): Promise<Journal> {
  const dir = partialDir(out);
  const planPath = join(dir, "plan.json");
  let previous: { key?: string } | undefined;
  try {
    previous = JSON.parse(await Deno.readTextFile(planPath));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound || error instanceof SyntaxError)) throw error;
  }
  if (previous?.key !== key) {
    if (previous !== undefined) onDiscard(`${dir}: left by a run with other settings; starting over`);
    await Deno.remove(dir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.mkdir(dir, { recursive: true });
    await writeFileAtomic(
      planPath,
      JSON.stringify({ format: "setsim-neighbours-plan/1", key, chunks }) + "\n",
    );
  }
  const resumed = new Set<number>();
  for (const entry of Deno.readDirSync(dir)) {
    const m = /^chunk-(\d{6})\.jsonl$/.exec(entry.name);
    if (m && Number(m[1]) < chunks) resumed.add(Number(m[1]));
  }
  return {
    dir,
    resumed,
    write: (chunk, rows) =>
      writeFileAtomic(chunkFile(dir, chunk), rows.map((r) => rowJson(r) + "\n").join("")),
    read: async (chunk) => {
      const path = chunkFile(dir, chunk);
      return decodeRows(await Deno.readFile(path), "jsonl", path);
    },
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}
