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
 * - A cache that cannot be used (disk full, read-only or missing folder, permissions) never
 *   fails the work it serves and never throws computed vectors away: the failure is reported
 *   once (naming the cache file and suggesting `--no-cache`), and the cache turns itself off —
 *   lookups become misses when reading fails, stores are dropped when writing fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EmbeddingCache } from "./cache.ts";
 * const cache = EmbeddingCache.open(`${await Deno.makeTempDir()}/embeddings.sqlite`);
 * cache.put("model", "prep", [{ hash: "abc", vector: new Float32Array([0.6, 0.8]) }]);
 * const found = cache.get("model", "prep", ["abc", "unseen"]);
 * assert.deepEqual(found.get("abc"), new Float32Array([0.6, 0.8]));
 * assert.equal(found.has("unseen"), false); // a miss is absent, not an empty vector
 * cache.close();
 * ```
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolveConfig } from "../config/mod.ts";
import { displayText } from "../io/display.ts";

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
  /** Told once when the cache turns itself off (default: a line on stderr). */
  onWarning?: (message: string) => void;
  /** Throw on open/read/write failures instead of continuing without the cache (default false). */
  strict?: boolean;
}

/** SQLite's and the OS's wording for the failures people can act on, in plain words. */
function describeFailure(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  const m = message.toLowerCase();
  const plain = m.includes("disk is full") || m.includes("no space left")
    ? "the disk is full"
    : m.includes("readonly") || m.includes("read-only") || m.includes("permission denied")
    ? "its folder is read-only"
    : m.includes("unable to open database file")
    ? "the file cannot be opened (missing or read-only folder?)"
    : undefined;
  return plain ? `${plain}: ${message}` : message;
}

/** The SQLite embedding cache. */
export class EmbeddingCache {
  /** Path of the SQLite file. */
  readonly path: string;
  /** Set when the file was found damaged on open and rebuilt; holds where the old file went. */
  readonly rebuiltFrom?: string;
  private db: DatabaseSync | undefined;
  private readonly options: CacheOptions;
  /** Why lookups (`read`) or stores (`write`) are off, once they failed. */
  #off: { read?: string; write?: string } = {};
  /** Rows dropped because their checksum failed, since open. */
  corruptRowsDropped = 0;

  private constructor(
    path: string,
    db: DatabaseSync | undefined,
    options: CacheOptions,
    rebuiltFrom?: string,
  ) {
    this.path = path;
    this.db = db;
    this.options = options;
    this.rebuiltFrom = rebuiltFrom;
  }

  /** Default location: `<cacheDir>/embeddings.sqlite`. */
  static defaultPath(cacheDir = resolveConfig().cacheDir): string {
    return join(cacheDir, "embeddings.sqlite");
  }

  /**
   * Open (creating if needed) the cache at `path`; rebuild it if it is damaged. If it cannot be
   * opened at all, the returned cache is off (see {@link EmbeddingCache.disabled}) unless `strict`.
   */
  static open(path: string = EmbeddingCache.defaultPath(), options: CacheOptions = {}): EmbeddingCache {
    try {
      return EmbeddingCache.#open(path, options);
    } catch (error) {
      if (options.strict) throw error;
      const cache = new EmbeddingCache(path, undefined, options);
      cache.#turnOff("both", error);
      return cache;
    }
  }

  static #open(path: string, options: CacheOptions): EmbeddingCache {
    mkdirSync(dirname(path), { recursive: true });
    try {
      return new EmbeddingCache(path, openChecked(path, options), options);
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
      return new EmbeddingCache(path, openChecked(path, options), options, aside);
    }
  }

  /** Why the cache is (partly) off, or undefined while it works. */
  get disabled(): { read?: string; write?: string } | undefined {
    return this.#off.read === undefined && this.#off.write === undefined ? undefined : { ...this.#off };
  }

  #turnOff(what: "read" | "write" | "both", error: unknown): void {
    if (this.options.strict) throw error;
    const reason = describeFailure(error);
    const first = this.disabled === undefined;
    if (what !== "write") this.#off.read ??= reason;
    if (what !== "read") this.#off.write ??= reason;
    if (!first) return;
    const effect = what === "write"
      ? "new vectors are computed but not stored"
      : "every image is embedded without it and nothing is stored";
    (this.options.onWarning ?? ((m) => console.error(m)))(
      `warning: embedding cache ${displayText(this.path)} cannot be used (${displayText(reason)}); ` +
        `continuing without it: ${effect}. Free space or fix the folder, point SETSIM_CACHE_DIR ` +
        `at a writable folder, or skip the cache (\`deno task embed --no-cache\`).`,
    );
  }

  /** Look up vectors by image content hash; misses and damaged rows are absent from the result. */
  get(model: string, preprocess: string, hashes: string[]): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    if (this.db === undefined || this.#off.read !== undefined) return out;
    try {
      const select = this.db.prepare(
        "SELECT dim, vector, checksum FROM embeddings WHERE model = ? AND preprocess = ? AND content = ?",
      );
      for (const hash of new Set(hashes)) {
        const row = select.get(model, preprocess, hash) as Record<string, unknown> | undefined;
        if (row === undefined) continue;
        const blob = row.vector as Uint8Array;
        const dim = Number(row.dim);
        if (
          !(blob instanceof Uint8Array) || blob.length !== dim * 4 ||
          Number(row.checksum) !== rowChecksum(model, preprocess, hash, blob)
        ) {
          this.corruptRowsDropped++;
          this.#drop(model, preprocess, hash);
          continue;
        }
        const vector = new Float32Array(dim);
        new Uint8Array(vector.buffer).set(blob);
        out.set(hash, vector);
      }
    } catch (error) {
      this.#turnOff(
        "read",
        isDamage(error) ? new Error(`the file is damaged: ${(error as Error).message}`) : error,
      );
    }
    return out;
  }

  #drop(model: string, preprocess: string, hash: string): void {
    if (this.#off.write !== undefined) return;
    try {
      this.db!.prepare("DELETE FROM embeddings WHERE model = ? AND preprocess = ? AND content = ?")
        .run(model, preprocess, hash);
    } catch (error) {
      this.#turnOff("write", error);
    }
  }

  /** Store vectors (one transaction); a failure turns storing off instead of throwing. */
  put(model: string, preprocess: string, entries: { hash: string; vector: Float32Array }[]): void {
    if (entries.length === 0 || this.db === undefined || this.#off.write !== undefined) return;
    const db = this.db;
    try {
      const insert = db.prepare(
        "INSERT OR REPLACE INTO embeddings (model, preprocess, content, dim, vector, checksum) VALUES (?, ?, ?, ?, ?, ?)",
      );
      db.exec("BEGIN IMMEDIATE");
      try {
        for (const { hash, vector } of entries) {
          const blob = new Uint8Array(
            vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength),
          );
          insert.run(
            model,
            preprocess,
            hash,
            vector.length,
            blob,
            rowChecksum(model, preprocess, hash, blob),
          );
        }
        db.exec("COMMIT");
      } catch (error) {
        try {
          if (db.isTransaction) db.exec("ROLLBACK");
        } catch {
          // SQLite may already have rolled back (SQLITE_FULL does)
        }
        throw error;
      }
    } catch (error) {
      this.#turnOff("write", error);
    }
  }

  /** Number of stored vectors (optionally for one model); 0 when the cache is off. */
  count(model?: string): number {
    if (this.db === undefined || this.#off.read !== undefined) return 0;
    const row = model === undefined
      ? this.db.prepare("SELECT COUNT(*) AS n FROM embeddings").get()
      : this.db.prepare("SELECT COUNT(*) AS n FROM embeddings WHERE model = ?").get(model);
    return Number((row as { n: number }).n);
  }

  /** Close the database (safe to call twice). */
  close(): void {
    try {
      if (this.db?.isOpen) this.db.close();
    } catch (error) {
      // closing checkpoints the WAL, which can fail on a full disk; the data is already safe
      if (this.options.strict) throw error;
    }
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
