/**
 * A row spill: float32 rows of one width appended to a temporary file and read back by range, so
 * that a build of 10^6 × 1792 vectors (7 GB) holds one chunk of rows at a time instead of every
 * vector. The rows sit in the page cache, which the kernel shares and drops under pressure, and
 * which does not count in the build process's resident memory (a memory map would: its touched
 * pages are the process's).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RowSpill } from "./row_spill.ts";
 * const dir = await Deno.makeTempDir();
 * const spill = RowSpill.create(`${dir}/rows.f32`, 2);
 * spill.append(new Float32Array([1, 2, 3, 4]));
 * spill.append(new Float32Array([5, 6]));
 * assert.equal(spill.rows, 3);
 * assert.deepEqual([...spill.read(1, 3)], [3, 4, 5, 6]);
 * assert.deepEqual([...spill.row(0)], [1, 2]);
 * spill.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

/** Rows buffered in memory before they are written (bounded: a few MB). */
const BUFFER_BYTES = 4 * 1024 * 1024;

/** Prefix of spill files inside an index folder (a build removes leftovers of dead builds). */
export const SPILL_PREFIX = ".spill-";

/** An append-then-read file of float32 rows; {@link close} removes it. */
export class RowSpill {
  private written = 0;
  private buffered = 0;
  private readonly buffer: Float32Array;
  private closed = false;

  private constructor(readonly path: string, readonly width: number, private readonly file: Deno.FsFile) {
    this.buffer = new Float32Array(Math.max(width, Math.floor(BUFFER_BYTES / 4 / width) * width));
  }

  /** Create (truncate) the spill file at `path` for rows of `width` values. */
  static create(path: string, width: number): RowSpill {
    if (!Number.isInteger(width) || width < 1) {
      throw new RangeError(`row spill ${path}: width must be an integer ≥ 1, got ${width}`);
    }
    const file = Deno.openSync(path, { read: true, write: true, create: true, truncate: true });
    return new RowSpill(path, width, file);
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.written + this.buffered / this.width;
  }

  /** Append whole rows (`values.length` a multiple of the width). */
  append(values: Float32Array): void {
    if (values.length % this.width !== 0) {
      throw new RangeError(
        `row spill ${this.path}: ${values.length} values are not whole rows of ${this.width}`,
      );
    }
    for (let k = 0; k < values.length;) {
      const take = Math.min(values.length - k, this.buffer.length - this.buffered);
      this.buffer.set(values.subarray(k, k + take), this.buffered);
      this.buffered += take;
      k += take;
      if (this.buffered === this.buffer.length) this.flush();
    }
  }

  /** Rows `r0 … r1` (a fresh array). */
  read(r0: number, r1: number): Float32Array {
    if (!(Number.isInteger(r0) && Number.isInteger(r1) && 0 <= r0 && r0 <= r1 && r1 <= this.rows)) {
      throw new RangeError(`row spill ${this.path}: rows ${r0}…${r1} outside 0…${this.rows}`);
    }
    this.flush();
    return readRows(this.file, r0, r1, this.width);
  }

  /** Row `r` (a fresh array). */
  row(r: number): Float32Array {
    return this.read(r, r + 1);
  }

  /** Write the buffered rows to the file. */
  private flush(): void {
    if (this.buffered === 0) return;
    const bytes = new Uint8Array(this.buffer.buffer, 0, this.buffered * 4);
    this.file.seekSync(this.written * this.width * 4, Deno.SeekMode.Start);
    for (let at = 0; at < bytes.length;) at += this.file.writeSync(bytes.subarray(at));
    this.written += this.buffered / this.width;
    this.buffered = 0;
  }

  /** Close and remove the file (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.file.close();
    try {
      Deno.removeSync(this.path);
    } catch {
      // Already gone: nothing to clean.
    }
  }
}

/** Remove spill files left in `dir` by builds that died (call holding the writer lock). */
export async function removeSpills(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.startsWith(SPILL_PREFIX)) {
      await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
    }
  }
}

/**
 * Rows `r0 … r1` of `width` float32 values from an open file of row-major rows, read (not mapped),
 * so a pass over a file of several GB holds one range at a time.
 */
export function readRows(file: Deno.FsFile, r0: number, r1: number, width: number): Float32Array {
  const out = new Float32Array((r1 - r0) * width);
  const bytes = new Uint8Array(out.buffer);
  file.seekSync(r0 * width * 4, Deno.SeekMode.Start);
  for (let at = 0; at < bytes.length;) {
    const n = file.readSync(bytes.subarray(at));
    if (n === null || n === 0) throw new Error(`rows ${r0}…${r1} of ${width} values: the file ends early`);
    at += n;
  }
  return out;
}

/** Call `each` with the bytes of the file at `path` in order, `chunkBytes` at a time (read, not mapped). */
export async function forEachChunk(
  path: string,
  chunkBytes: number,
  each: (bytes: Uint8Array) => void,
): Promise<void> {
  const file = await Deno.open(path, { read: true });
  try {
    const buffer = new Uint8Array(chunkBytes);
    for (;;) {
      let filled = 0;
      while (filled < chunkBytes) {
        const n = await file.read(buffer.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      if (filled > 0) each(buffer.subarray(0, filled));
      if (filled < chunkBytes) return;
    }
  } finally {
    file.close();
  }
}
