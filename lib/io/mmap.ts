/**
 * Read-only memory maps of files, so that a process can search a file of several gigabytes while
 * holding only the pages it touches (the page cache is shared by every process that maps the file,
 * and pages are dropped under memory pressure instead of being swapped). Deno has no mmap of its
 * own; this calls the C library's `open`/`mmap`/`munmap` through Deno's FFI. Where FFI or mmap is
 * not available (another OS, `--allow-ffi` not granted) the file is read into memory instead, with
 * the same interface — slower to open and resident, but correct.
 *
 * @example
 * ```ts
 * import { mapFile } from "./mmap.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array(new Float32Array([1.5, -2]).buffer));
 * const mapped = await mapFile(path);
 * try {
 *   assert.deepEqual([...new Float32Array(mapped.buffer)], [1.5, -2]);
 * } finally {
 *   mapped.close();
 *   await Deno.remove(path);
 * }
 * ```
 * @module
 */

/** A file's bytes as an ArrayBuffer (mapped or read), valid until `close`. */
export interface MappedFile {
  path: string;
  buffer: ArrayBuffer;
  /** Whether the bytes are memory-mapped (false: read into memory). */
  mapped: boolean;
  /** Unmap (the buffer must not be used afterwards). */
  close(): void;
}

const PROT_READ = 1;
const MAP_SHARED = 1;
const O_RDONLY = 0;

type Libc = Deno.DynamicLibrary<{
  open: { parameters: ["buffer", "i32"]; result: "i32" };
  close: { parameters: ["i32"]; result: "i32" };
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"]; result: "pointer" };
  munmap: { parameters: ["pointer", "usize"]; result: "i32" };
}>;

let libc: Libc | null | undefined;

/** The C library, opened once per process (null when FFI is unavailable). */
function openLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (Deno.build.os !== "linux" && Deno.build.os !== "darwin") return libc;
  try {
    libc = Deno.dlopen(Deno.build.os === "linux" ? "libc.so.6" : "libSystem.dylib", {
      open: { parameters: ["buffer", "i32"], result: "i32" },
      close: { parameters: ["i32"], result: "i32" },
      mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
      munmap: { parameters: ["pointer", "usize"], result: "i32" },
    });
  } catch {
    // No --allow-ffi, or no C library under that name: fall back to reading.
  }
  return libc;
}

/** Map `path` read-only (or read it when mapping is unavailable). An empty file gives an empty buffer. */
export async function mapFile(path: string): Promise<MappedFile> {
  const size = (await Deno.stat(path)).size;
  const c = size > 0 ? openLibc() : null;
  if (c !== null) {
    const fd = c.symbols.open(new TextEncoder().encode(path + "\0"), O_RDONLY);
    if (fd >= 0) {
      try {
        const pointer = c.symbols.mmap(null, BigInt(size), PROT_READ, MAP_SHARED, fd, 0n);
        // MAP_FAILED is (void*)-1.
        if (pointer !== null && Deno.UnsafePointer.value(pointer) !== 0xffffffffffffffffn) {
          const buffer = Deno.UnsafePointerView.getArrayBuffer(pointer, size);
          let open = true;
          return {
            path,
            buffer,
            mapped: true,
            close() {
              if (open) c.symbols.munmap(pointer, BigInt(size));
              open = false;
            },
          };
        }
      } finally {
        // The mapping keeps the file alive; the descriptor is not needed any more.
        c.symbols.close(fd);
      }
    }
  }
  const bytes = await Deno.readFile(path);
  return { path, buffer: bytes.buffer as ArrayBuffer, mapped: false, close() {} };
}
