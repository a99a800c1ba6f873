/**
 * A persistent embedding cache in SQLite (`node:sqlite`), so a second run over the same images
 * never runs the model.
 *
 * Key: (model fingerprint, preprocessing fingerprint, SHA-256 of the image file's bytes). The
 * model fingerprint already holds the model name, layer and a hash of the ONNX file, so a
 * rebuilt or different model can never return stale vectors.
 *
 * Safety:
 * - Several processes may share one cache: WAL journal, a generous busy timeout, and each
 *   batch of writes in one `BEGIN IMMEDIATE` transaction.
 * - Every row carries a checksum of its key and vector bytes; a row that fails it is deleted
 *   and reported as a miss, never returned.
 * - On open, `PRAGMA quick_check` and a schema check run; a damaged file (or one that is not
 *   SQLite) is moved aside to `<path>.damaged-<time>` and a fresh cache is created.
 *
 * @example
 * ```ts
 * import { EmbeddingCache } from "./cache.ts";
 * const cache = EmbeddingCache.open("/tmp/setsim-example.sqlite");
 * cache.put("model", "prep", [{ hash: "abc", vector: new Float32Array([0.6, 0.8]) }]);
 * console.log(cache.get("model", "prep", ["abc"]).get("abc")); // Float32Array [0.6, 0.8]
 * cache.close();
 * ```
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolveConfig } from "../config/mod.ts";

const SCHEMA_VERSION = "1";

/** FNV-1a (32-bit) over several byte arrays; cheap and enough to catch damaged rows. */
export function fnv1a32(...parts: Uint8Array[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      h ^= p[i];
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

const encoder = new TextEncoder();

function rowChecksum(model: string, preprocess: string, hash: string, blob: Uint8Array): number {
  return fnv1a32(encoder.encode(`${model}\u0000${preprocess}\u0000${hash}\u0000`), blob);
}

/** Options for {@link EmbeddingCache.open}. */
export interface CacheOptions {
  /** Milliseconds to wait for another process's write lock (default 30 000). */
  busyTimeoutMs?: number;
  /** Skip `PRAGMA quick_check` on open (faster for huge caches; rows are still checksummed). */
  skipIntegrityCheck?: boolean;
}

/** The SQLite embedding cache. */
export class EmbeddingCache {
  /** Path of the SQLite file. */
  readonly path: string;
  /** Set when the file was found damaged on open and rebuilt; holds where the old file went. */
  readonly rebuiltFrom?: string;
  private db: DatabaseSync;
  /** Rows dropped because their checksum failed, since open. */
  corruptRowsDropped = 0;

  private constructor(path: string, db: DatabaseSync, rebuiltFrom?: string) {
    this.path = path;
    this.db = db;
    this.rebuiltFrom = rebuiltFrom;
  }

  /** Default location: `<cacheDir>/embeddings.sqlite`. */
  static defaultPath(cacheDir = resolveConfig().cacheDir): string {
    return join(cacheDir, "embeddings.sqlite");
  }

  /** Open (creating if needed) the cache at `path`; rebuild it if it is damaged. */
  static open(path: string = EmbeddingCache.defaultPath(), options: CacheOptions = {}): EmbeddingCache {
    mkdirSync(dirname(path), { recursive: true });
    try {
      return new EmbeddingCache(path, openChecked(path, options));
    } catch (error) {
      if (!isDamage(error)) throw error;
      const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}-${Deno.pid}`;
      for (const suffix of ["", "-wal", "-shm"]) {
        if (existsSync(path + suffix)) {
          try {
            renameSync(path + suffix, aside + suffix);
          } catch {
            // another process moved it first
          }
        }
      }
      return new EmbeddingCache(path, openChecked(path, options), aside);
    }
  }

  /** Look up vectors by image content hash; misses and damaged rows are absent from the result. */
  get(model: string, preprocess: string, hashes: string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    const select = this.db.prepare(
      "SELECT dim, vector, checksum FROM embeddings WHERE model = ? AND preprocess = ? AND content = ?",
    );
    const drop = this.db.prepare("DELETE FROM embeddings WHERE model = ? AND preprocess = ? AND content = ?");
    for (const hash of new Set(hashes)) {
      let row: Record<string, unknown> | undefined;
      try {
        row = select.get(model, preprocess, hash) as Record<string, unknown> | undefined;
      } catch (error) {
        if (isDamage(error)) throw new Error(`embedding cache ${this.path} is damaged; delete it or reopen`);
        throw error;
      }
      if (row === undefined) continue;
      const blob = row.vector as Uint8Array;
      const dim = Number(row.dim);
      if (
        !(blob instanceof Uint8Array) || blob.length !== dim * 4 ||
        Number(row.checksum) !== rowChecksum(model, preprocess, hash, blob)
      ) {
        this.corruptRowsDropped++;
        drop.run(model, preprocess, hash);
        continue;
      }
      const vector = new Float32Array(dim);
      new Uint8Array(vector.buffer).set(blob);
      out.set(hash, vector);
    }
    return out;
  }

  /** Store vectors (one transaction). */
  put(model: string, preprocess: string, entries: { hash: string; vector: Float32Array }[]): void {
    if (entries.length === 0) return;
    const insert = this.db.prepare(
      "INSERT OR REPLACE INTO embeddings (model, preprocess, content, dim, vector, checksum) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const { hash, vector } of entries) {
        const blob = new Uint8Array(
          vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength),
        );
        insert.run(model, preprocess, hash, vector.length, blob, rowChecksum(model, preprocess, hash, blob));
      }
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Number of stored vectors (optionally for one model). */
  count(model?: string): number {
    const row = model === undefined
      ? this.db.prepare("SELECT COUNT(*) AS n FROM embeddings").get()
      : this.db.prepare("SELECT COUNT(*) AS n FROM embeddings WHERE model = ?").get(model);
    return Number((row as { n: number }).n);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

function isDamage(error: unknown): boolean {
  const m = String((error as Error)?.message ?? error).toLowerCase();
  return m.includes("not a database") || m.includes("malformed") || m.includes("corrupt") ||
    m.includes("damaged cache") || m.includes("file is encrypted");
}

function openChecked(path: string, options: CacheOptions): DatabaseSync {
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 30_000}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    if (!options.skipIntegrityCheck) {
      const rows = db.prepare("PRAGMA quick_check").all() as Record<string, unknown>[];
      const verdict = rows.map((r) => Object.values(r)[0]).join("; ");
      if (verdict !== "ok") throw new Error(`damaged cache: quick_check says ${verdict}`);
    }
    db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    db.exec(`CREATE TABLE IF NOT EXISTS embeddings (
      model TEXT NOT NULL, preprocess TEXT NOT NULL, content TEXT NOT NULL,
      dim INTEGER NOT NULL, vector BLOB NOT NULL, checksum INTEGER NOT NULL,
      PRIMARY KEY (model, preprocess, content)) WITHOUT ROWID`);
    db.exec(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '${SCHEMA_VERSION}')`);
    const schema = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string };
    if (schema.value !== SCHEMA_VERSION) {
      throw new Error(`damaged cache: schema ${schema.value}, expected ${SCHEMA_VERSION}`);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
