/**
 * NumPy `.npy` (format 1.0) for little-endian float32 matrices: what `embed --out x.npy`
 * writes, and a strict reader for tests and tools.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 * const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3);
 * assert.equal(new TextDecoder().decode(bytes.subarray(1, 6)), "NUMPY"); // magic "\x93NUMPY"
 * const m = decodeNpy(bytes);
 * assert.deepEqual([m.rows, m.cols], [2, 3]);
 * assert.deepEqual(m.data, new Float32Array([1, 2, 3, 4, 5, 6]));
 * ```
 * @module
 */

/** NumPy `.npy` v1.0 bytes for a little-endian float32 matrix (header padded to 64 bytes). */
export function encodeNpy(data: Float32Array, rows: number, cols: number): Uint8Array {
  if (data.length !== rows * cols) {
    throw new RangeError(`encodeNpy: ${data.length} values do not fill ${rows}×${cols}`);
  }
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

/** A float32 matrix read from `.npy` bytes. */
export interface NpyMatrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Read `.npy` bytes written by {@link encodeNpy}; anything else (or a truncated file) throws. */
export function decodeNpy(bytes: Uint8Array): NpyMatrix {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new SyntaxError("not a .npy file");
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  const m = /'descr': '<f4', 'fortran_order': False, 'shape': \((\d+), (\d+)\)/.exec(header);
  if (!m) throw new SyntaxError(`unsupported .npy header ${header.trim()}`);
  const [rows, cols] = [Number(m[1]), Number(m[2])];
  const offset = 10 + headerLength;
  if (bytes.length !== offset + rows * cols * 4) {
    throw new SyntaxError(
      `.npy holds ${bytes.length - offset} data bytes, its header says ${rows}×${cols} float32`,
    );
  }
  const data = new Float32Array(rows * cols);
  new Uint8Array(data.buffer).set(bytes.subarray(offset));
  return { data, rows, cols };
}
