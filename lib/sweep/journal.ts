/**
 * The cell journal: an append-only JSON Lines file with one finished cell per line, flushed to
 * disk (fsync) before the next cell is reported done. It is what makes a sweep resumable: a run
 * killed at any instant loses at most the cells still being computed, and a rerun reuses every
 * journaled cell by its config hash.
 *
 * A kill during a write can leave a torn last line; opening the journal drops it (and anything
 * else that does not parse) so appends always start on a fresh line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CellJournal } from "./journal.ts";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * const journal = CellJournal.open(path);
 * journal.append({ hash: "abc", cell: {}, metrics: { map: 0.5 }, ci95: {} });
 * journal.close();
 * assert.equal(CellJournal.open(path).get("abc")?.metrics.map, 0.5);
 * ```
 * @module
 */

/** One journaled cell. */
export interface CellRecord {
  /** {@link cellHash} of the cell. */
  hash: string;
  /** The cell's configuration, as JSON (s `null` = none, m `null` = all). */
  cell: Record<string, unknown>;
  metrics: Record<string, number>;
  ci95: Record<string, [number, number]>;
  /** See `CellMetrics.provenance`. */
  provenance?: Record<string, string | number>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isRecord(value: unknown): value is CellRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.hash === "string" && typeof r.cell === "object" && r.cell !== null &&
    typeof r.metrics === "object" && r.metrics !== null && typeof r.ci95 === "object" && r.ci95 !== null;
}

/** An open journal file (see the module documentation). */
export class CellJournal {
  readonly #records = new Map<string, CellRecord>();
  #file: Deno.FsFile | undefined;
  /** Lines dropped when opening (torn or unreadable). */
  readonly dropped: number;

  private constructor(readonly path: string, file: Deno.FsFile, dropped: number) {
    this.#file = file;
    this.dropped = dropped;
  }

  /**
   * Open (creating if needed) the journal at `path`, load its records and repair a torn tail.
   * When a hash appears twice, the later line wins.
   */
  static open(path: string): CellJournal {
    let text = "";
    try {
      text = decoder.decode(Deno.readFileSync(path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const records: CellRecord[] = [];
    let dropped = 0;
    let rewrite = false;
    // Only newline-terminated lines are complete; the bytes after the last newline are torn.
    const lastNewline = text.lastIndexOf("\n");
    const complete = lastNewline >= 0 ? text.slice(0, lastNewline + 1) : "";
    if (complete.length < text.length) dropped++;
    for (const line of complete.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const parsed = JSON.parse(line);
        if (isRecord(parsed)) {
          records.push(parsed);
          continue;
        }
      } catch {
        // fall through: an unreadable line is dropped, and the file rewritten without it
      }
      dropped++;
      rewrite = true;
    }
    if (rewrite) {
      const body = records.map((r) => JSON.stringify(r) + "\n").join("");
      // Flushed before the rename, so a crash leaves the old journal or the repaired one, never an
      // empty file under the journal's name.
      const tmp = `${path}.${Deno.pid}.tmp`;
      const out = Deno.openSync(tmp, { write: true, create: true, truncate: true });
      try {
        const bytes = encoder.encode(body);
        for (let at = 0; at < bytes.length;) at += out.writeSync(bytes.subarray(at));
        out.syncDataSync();
      } finally {
        out.close();
      }
      Deno.renameSync(tmp, path);
    } else if (complete.length < text.length) {
      Deno.truncateSync(path, encoder.encode(complete).length);
    }
    // Append mode: each record is one write at the end of the file, even if another process
    // appends to the same journal.
    const file = Deno.openSync(path, { append: true, create: true });
    const journal = new CellJournal(path, file, dropped);
    for (const record of records) journal.#records.set(record.hash, record);
    return journal;
  }

  /** The journaled record for a cell hash, if any. */
  get(hash: string): CellRecord | undefined {
    return this.#records.get(hash);
  }

  /** Number of distinct cells journaled. */
  get size(): number {
    return this.#records.size;
  }

  /** Append a record and flush it to disk before returning. */
  append(record: CellRecord): void {
    if (!this.#file) throw new Error(`journal ${this.path} is closed`);
    const bytes = encoder.encode(JSON.stringify(record) + "\n");
    let written = 0;
    while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
    this.#file.syncDataSync();
    this.#records.set(record.hash, record);
  }

  /** Close the file (records stay readable through {@link get}). */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}
