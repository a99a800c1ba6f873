import assert from "node:assert/strict";
import {
  cosineSimilarityMatrix,
  cosineSimilarityMatrixOnnx,
  gemmTransposeBModel,
  normalizeRows,
  OnnxSimilarityCache,
} from "../../lib/matching/mod.ts";
import { embeddingsFromRows } from "../../lib/types.ts";
import { assertClose, seededRandom } from "./helpers.ts";

function randomEmbeddings(rand: () => number, count: number, dim: number) {
  return { data: Float32Array.from({ length: count * dim }, () => rand() * 2 - 1), count, dim };
}

function naiveCosine(
  a: ReturnType<typeof randomEmbeddings>,
  b: ReturnType<typeof randomEmbeddings>,
  i: number,
  j: number,
) {
  let dot = 0, na = 0, nb = 0;
  for (let k = 0; k < a.dim; k++) {
    const x = a.data[i * a.dim + k], y = b.data[j * b.dim + k];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

Deno.test("cosineSimilarityMatrix equals the definition, for sizes around the 4 × 4 tiles and panels", () => {
  const rand = seededRandom(21);
  for (const [n, m, d] of [[1, 1, 1], [3, 5, 7], [9, 6, 33], [17, 70, 1000], [5, 4, 3]]) {
    const a = randomEmbeddings(rand, n, d), b = randomEmbeddings(rand, m, d);
    const S = cosineSimilarityMatrix(a, b);
    assert.equal(S.rows, n);
    assert.equal(S.cols, m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        assertClose(S.data[i * m + j], naiveCosine(a, b, i, j), 2e-6, `S[${i}][${j}]`);
      }
    }
    const self = cosineSimilarityMatrix(a, a);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        assertClose(self.data[i * n + j], naiveCosine(a, a, i, j), 2e-6, `self[${i}][${j}]`);
      }
    }
  }
});

Deno.test("normalize: false uses the rows as given (for already unit vectors)", () => {
  const a = embeddingsFromRows([[2, 0]]), b = embeddingsFromRows([[3, 0]]);
  assert.equal(cosineSimilarityMatrix(a, b, { normalize: false }).data[0], 6);
  assert.equal(cosineSimilarityMatrix(a, b).data[0], 1);
  const unit = normalizeRows(embeddingsFromRows([[3, 4]]));
  assert.deepEqual(Array.from(unit.data), [Math.fround(0.6), Math.fround(0.8)]);
});

Deno.test("the onnxruntime backend agrees with the TypeScript kernel", async () => {
  const rand = seededRandom(22);
  const a = randomEmbeddings(rand, 37, 129), b = randomEmbeddings(rand, 23, 129);
  const js = cosineSimilarityMatrix(a, b);
  const ort = await cosineSimilarityMatrixOnnx(a, b);
  assert.equal(ort.rows, 37);
  assert.equal(ort.cols, 23);
  for (let k = 0; k < js.data.length; k++) assertClose(ort.data[k], js.data[k], 1e-5, `entry ${k}`);
  await assert.rejects(
    () => cosineSimilarityMatrixOnnx(a, randomEmbeddings(rand, 2, 5)),
    /dimension mismatch/,
  );
});

Deno.test("a set against itself: the symmetric paths equal the general product", async () => {
  const rand = seededRandom(23);
  const a = randomEmbeddings(rand, 3100, 8); // ≥ 2 symmetric blocks in the onnxruntime path
  const copy = { ...a, data: a.data.slice() };
  const general = cosineSimilarityMatrix(a, copy);
  const self = cosineSimilarityMatrix(a, a);
  assert.deepEqual(self.data, general.data);
  const ortSelf = await cosineSimilarityMatrixOnnx(a, a);
  let worst = 0;
  for (let k = 0; k < general.data.length; k++) {
    worst = Math.max(worst, Math.abs(ortSelf.data[k] - general.data[k]));
  }
  assert.ok(worst < 1e-5, `max |onnx − ts| = ${worst}`);
  for (const [i, j] of [[0, 3099], [3099, 0], [1600, 20], [20, 1600], [3000, 3001]]) {
    assert.equal(ortSelf.data[i * 3100 + j], ortSelf.data[j * 3100 + i]);
  }
});

Deno.test("the Gemm graph comes from the project's ONNX writer, and sessions live in caller-owned caches", async () => {
  const { GraphBuilder, encodeModel, attr } = await import("../../lib/embedding/onnx/mod.ts");
  const g = new GraphBuilder("setsim_cosine");
  const [Y] = g.node(
    "Gemm",
    [g.input("A", "float32", ["n", "d"]), g.input("B", "float32", ["m", "d"])],
    {
      transB: attr.int(1),
    },
    ["Y"],
    { name: "similarity" },
  );
  g.output(Y, "float32", ["n", "m"]);
  assert.deepEqual(
    gemmTransposeBModel(),
    encodeModel({ graph: g.build(), opsetImports: [{ domain: "", version: 13 }] }),
    "same bytes as the writer builds",
  );
  // No module-level state in the source: the session is held by an OnnxSimilarityCache instance.
  const source = await Deno.readTextFile(new URL("../../lib/matching/similarity_onnx.ts", import.meta.url));
  assert.doesNotMatch(source, /^let /m);
  assert.doesNotMatch(source, /function varint|protobuf writer/);
  const rand = seededRandom(5);
  const a = randomEmbeddings(rand, 5, 7), b = randomEmbeddings(rand, 4, 7);
  const one = new OnnxSimilarityCache(), two = new OnnxSimilarityCache();
  try {
    const first = await one.get();
    assert.equal(await one.get(), first, "a cache reuses its session");
    assert.notEqual((await two.get()).session, first.session, "caches do not share sessions");
    const cached = await cosineSimilarityMatrixOnnx(a, b, { cache: one });
    const fresh = await cosineSimilarityMatrixOnnx(a, b);
    assert.deepEqual(cached.data, fresh.data);
    await one.dispose();
    const again = await cosineSimilarityMatrixOnnx(a, b, { cache: one }); // a disposed cache starts over
    assert.deepEqual(again.data, fresh.data);
  } finally {
    await one.dispose();
    await two.dispose();
  }
});
