/**
 * Cosine-similarity matrices through onnxruntime's MatMul (MLAS: SIMD and multithreaded), for large
 * matrices such as a whole gallery against itself. Same result as `cosineSimilarityMatrix` up to
 * float32 rounding; rows are normalised in TypeScript, then Y = Â B̂ᵀ runs as a one-node ONNX `Gemm`
 * graph whose protobuf bytes are written here (no model file needed).
 *
 * @example
 * ```ts
 * import { cosineSimilarityMatrixOnnx } from "./similarity_onnx.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * const S = await cosineSimilarityMatrixOnnx(embeddingsFromRows([[1, 0]]), embeddingsFromRows([[3, 4]]));
 * // S.data ≈ [0.6]
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";
import { type CosineOptions, mirrorUpperTriangle, prepareCosineInputs } from "./similarity.ts";
import type { SimilarityMatrix } from "./types.ts";

// --- A minimal protobuf writer: just enough of onnx.proto for one node. ---

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
const encoder = new TextEncoder();
const intField = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
const bytesField = (field: number, bytes: number[] | Uint8Array) => [
  ...varint((field << 3) | 2),
  ...varint(bytes.length),
  ...bytes,
];
const stringField = (field: number, text: string) => bytesField(field, encoder.encode(text));

/** ValueInfoProto for a 2-D float tensor with symbolic dimensions. */
function floatMatrixInfo(name: string, dim0: string, dim1: string): number[] {
  const dim = (param: string) => bytesField(1, stringField(2, param)); // TensorShapeProto.Dimension.dim_param
  const shape = [...dim(dim0), ...dim(dim1)];
  const tensorType = [...intField(1, 1 /* FLOAT */), ...bytesField(2, shape)];
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** The bytes of an ONNX model computing Y = A Bᵀ with A: [n, d], B: [m, d] (float32). */
export function gemmTransposeBModel(): Uint8Array {
  const transB = [...stringField(1, "transB"), ...intField(3, 1), ...intField(20, 2 /* INT */)];
  const node = [
    ...stringField(1, "A"),
    ...stringField(1, "B"),
    ...stringField(2, "Y"),
    ...stringField(3, "similarity"),
    ...stringField(4, "Gemm"),
    ...bytesField(5, transB),
  ];
  const graph = [
    ...bytesField(1, node),
    ...stringField(2, "setsim_cosine"),
    ...bytesField(11, floatMatrixInfo("A", "n", "d")),
    ...bytesField(11, floatMatrixInfo("B", "m", "d")),
    ...bytesField(12, floatMatrixInfo("Y", "n", "m")),
  ];
  const opset = [...stringField(1, ""), ...intField(2, 13)];
  return new Uint8Array([
    ...intField(1, 8 /* IR version */),
    ...bytesField(8, opset),
    ...bytesField(7, graph),
  ]);
}

// deno-lint-ignore no-explicit-any
let sessionPromise: Promise<any> | undefined;

/** The cached onnxruntime session (explicit module-level cache: creating one costs ~10 ms). */
async function gemmSession() {
  sessionPromise ??= (async () => {
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(gemmTransposeBModel());
    return { ort, session };
  })();
  return await sessionPromise;
}

/**
 * The |A| × |B| cosine-similarity matrix computed by onnxruntime. Same checks and options as
 * `cosineSimilarityMatrix`.
 */
export async function cosineSimilarityMatrixOnnx(
  a: Embeddings,
  b: Embeddings,
  options: CosineOptions = {},
): Promise<SimilarityMatrix> {
  const { an, bn } = prepareCosineInputs(a, b, options);
  const { ort, session } = await gemmSession();
  const d = a.dim;
  const gemm = async (x: Float32Array, nx: number, y: Float32Array, ny: number) => {
    const { Y } = await session.run({
      A: new ort.Tensor("float32", x, [nx, d]),
      B: new ort.Tensor("float32", y, [ny, d]),
    });
    return Y.data as Float32Array;
  };
  const n = a.count;
  if ((b === a || b.data === a.data) && n >= 2 * SYMMETRIC_BLOCK_ROWS) {
    // A set against itself: one Gemm per block of rows against itself and every later row, then mirror
    // the upper triangle — (k + 1) / 2k of the arithmetic for k blocks, as numpy's syrk for A @ A.T.
    const data = new Float32Array(n * n);
    const blocks = Math.ceil(n / SYMMETRIC_BLOCK_ROWS);
    for (let p = 0; p < blocks; p++) {
      const r0 = Math.floor(n * p / blocks), r1 = Math.floor(n * (p + 1) / blocks);
      // Copies, not views: onnxruntime-node reads a tensor's whole underlying buffer.
      const rows = an.data.slice(r0 * d, r1 * d);
      const rest = p === 0 ? an.data : an.data.slice(r0 * d);
      const block = await gemm(rows, r1 - r0, rest, n - r0);
      const width = n - r0;
      for (let i = 0; i < r1 - r0; i++) {
        data.set(block.subarray(i * width, (i + 1) * width), (r0 + i) * n + r0);
      }
    }
    mirrorUpperTriangle(data, n);
    return { rows: n, cols: n, data };
  }
  const data = await gemm(an.data, a.count, bn.data, b.count);
  return { rows: a.count, cols: b.count, data };
}

/** Rows per block in the symmetric (set against itself) path. */
const SYMMETRIC_BLOCK_ROWS = 1536;
