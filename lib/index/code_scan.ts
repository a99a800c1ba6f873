/**
 * The int8 code scan of the vector file's first stage: a segment's PCA codes quantised to 8 bits
 * per value (per-dimension scales; derived in memory from `codes.f32` on first use, a quarter of
 * its bytes), scored against the query images' codes by onnxruntime's `MatMulInteger` (MLAS: u8×s8
 * dot products, VNNI where the CPU has it), and each query image's best rows picked by `TopK` in
 * the same graph, so no per-row work is left to TypeScript:
 *
 *   Y = MatMulInteger(A: codes [n, r] u8 (zero point 128), B: query codes [r, m] s8) → int32 [n, m]
 *   Z = Cast(Y, float) + bias [n, 1]     (bias: 0, or −∞ for rows a search must not return)
 *   values, rows = TopK(Zᵀ, K)           → [m, K]
 *
 * A row's score is c(x)·q up to one positive factor per query image (its quantisation step), so
 * each query image's ranking is that of the float codes up to the rounding of 8-bit values; the
 * exact re-scoring of the best rows (`vector_file.ts`, stage 2) absorbs it.
 * @module
 */

import { attr, encodeModel, GraphBuilder } from "../embedding/onnx/mod.ts";

/** A segment's codes at 8 bits: `codes[row · r + c] = round(c_c(x) / scales[c]) + 128`. */
export interface QuantizedCodes {
  codes: Uint8Array;
  /** Per code dimension: the value of one step. */
  scales: Float32Array;
  rows: number;
  dim: number;
}

/**
 * Quantise float codes (rows × dim, row-major) to 8 bits with one scale per dimension (its largest
 * magnitude ↦ 127).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantizeCodes } from "./code_scan.ts";
 * const q = quantizeCodes(new Float32Array([1, -0.5, -2, 0.25]), 2, 2);
 * assert.deepEqual([...q.codes], [128 + 64, 128 - 127, 128 - 127, 128 + 64]);
 * assert.deepEqual([...q.scales], [Math.fround(2 / 127), Math.fround(0.5 / 127)]);
 * ```
 */
export function quantizeCodes(codes: Float32Array, rows: number, dim: number): QuantizedCodes {
  if (codes.length !== rows * dim) {
    throw new RangeError(`quantizeCodes: ${codes.length} values are not ${rows} × ${dim}`);
  }
  const max = new Float32Array(dim);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    for (let c = 0; c < dim; c++) {
      const v = codes[base + c];
      if (v !== v) throw new RangeError(`quantizeCodes: row ${r} holds a NaN`);
      if (v > max[c]) max[c] = v;
      else if (-v > max[c]) max[c] = -v;
    }
  }
  const scales = Float32Array.from(max, (m) => m > 0 ? m / 127 : 1);
  const inverse = Float32Array.from(scales, (s) => 1 / s);
  // A clamped array rounds (half to even) and clamps on store: one plain loop, no Math calls.
  const clamped = new Uint8ClampedArray(rows * dim);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    for (let c = 0; c < dim; c++) clamped[base + c] = 128 + codes[base + c] * inverse[c];
  }
  const out = new Uint8Array(clamped.buffer);
  return { codes: out, scales, rows, dim };
}

/**
 * The query side: each query image's float code (m rows × dim) times the scales, quantised to 8
 * bits with its own step, laid out [dim, m] (the `B` of the scan).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantizeQueries } from "./code_scan.ts";
 * const b = quantizeQueries(new Float32Array([1, 2, -4, 0]), 2, new Float32Array([1, 0.5]));
 * assert.deepEqual([...b], [127, -127, 127, 0]); // [dim 0: q0, q1], [dim 1: q0, q1]
 * ```
 */
export function quantizeQueries(queries: Float32Array, m: number, scales: Float32Array): Int8Array {
  const dim = scales.length;
  const out = new Int8Array(dim * m);
  const row = new Float32Array(dim);
  for (let j = 0; j < m; j++) {
    let max = 0;
    for (let c = 0; c < dim; c++) {
      row[c] = queries[j * dim + c] * scales[c];
      max = Math.max(max, Math.abs(row[c]));
    }
    const step = max > 0 ? 127 / max : 0;
    for (let c = 0; c < dim; c++) out[c * m + j] = Math.round(row[c] * step);
  }
  return out;
}

/** The ONNX graph of the scan (see the module doc). */
export function codeScanModel(): Uint8Array {
  const g = new GraphBuilder("setsim_code_scan");
  const A = g.input("A", "uint8", ["n", "r"]);
  const B = g.input("B", "int8", ["r", "m"]);
  const zero = g.input("A_zero", "uint8", []);
  const bias = g.input("bias", "float32", ["n", 1]);
  const K = g.input("K", "int64", [1]);
  const [Y] = g.node("MatMulInteger", [A, B, zero], {}, ["Y"], { name: "scores" });
  const [F] = g.node("Cast", [Y], { to: attr.int(1) }, ["F"], { name: "to_float" });
  const [Z] = g.node("Add", [F, bias], {}, ["Z"], { name: "mask" });
  const [T] = g.node("Transpose", [Z], { perm: attr.ints([1, 0]) }, ["T"], { name: "by_query" });
  const [values, rows] = g.node("TopK", [T, K], { axis: attr.int(1) }, ["values", "rows"], { name: "best" });
  g.output(values, "float32", ["m", "k"]);
  g.output(rows, "int64", ["m", "k"]);
  return encodeModel({ graph: g.build(), opsetImports: [{ domain: "", version: 13 }] });
}

// deno-lint-ignore no-explicit-any
type Ort = any;

/** The onnxruntime session of {@link codeScanModel}, created on first use, owned by a vector file. */
export class CodeScanSession {
  private session?: Promise<{ ort: Ort; session: Ort }>;
  private readonly zero = new Uint8Array([128]);

  private get(): Promise<{ ort: Ort; session: Ort }> {
    this.session ??= (async () => {
      const ort = await import("onnxruntime-node");
      return { ort, session: await ort.InferenceSession.create(codeScanModel()) };
    })();
    return this.session;
  }

  /**
   * Per query image (m of them, float codes m × dim), the `k` best rows of `codes` by score plus
   * `bias` (−∞ excludes a row): rows[j] best first (fewer when fewer rows have a finite score).
   */
  async best(
    codes: QuantizedCodes,
    queries: Float32Array,
    m: number,
    bias: Float32Array,
    k: number,
  ): Promise<number[][]> {
    const { rows: n, dim } = codes;
    if (queries.length !== m * dim) {
      throw new RangeError(`code scan: ${queries.length} query values are not ${m} × ${dim}`);
    }
    if (bias.length !== n) throw new RangeError(`code scan: ${bias.length} biases for ${n} rows`);
    const K = Math.min(k, n);
    if (K === 0 || m === 0) return Array.from({ length: m }, () => []);
    const { ort, session } = await this.get();
    const out = await session.run({
      A: new ort.Tensor("uint8", codes.codes, [n, dim]),
      B: new ort.Tensor("int8", quantizeQueries(queries, m, codes.scales), [dim, m]),
      A_zero: new ort.Tensor("uint8", this.zero, []),
      bias: new ort.Tensor("float32", bias, [n, 1]),
      K: new ort.Tensor("int64", BigInt64Array.of(BigInt(K)), [1]),
    });
    const values = out.values.data as Float32Array;
    const rows = out.rows.data as BigInt64Array;
    return Array.from({ length: m }, (_, j) => {
      const kept: number[] = [];
      for (let t = 0; t < K; t++) {
        if (values[j * K + t] === -Infinity) break;
        kept.push(Number(rows[j * K + t]));
      }
      return kept;
    });
  }

  /** Release the onnxruntime session. */
  async dispose(): Promise<void> {
    const pending = this.session;
    this.session = undefined;
    if (pending) await (await pending).session.release?.();
  }
}
