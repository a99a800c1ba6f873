import assert from "node:assert/strict";
import { embeddingsFromRows } from "../../lib/types.ts";
import { useBackend } from "../../lib/learning/backend.ts";
import {
  encodeSetsTf,
  infoNceTf,
  initHeadWeights,
  resolveHeadConfig,
  softChamferTf,
} from "../../lib/learning/heads.ts";
import { HeadSession, headToOnnx } from "../../lib/learning/onnx.ts";
import { forwardTf } from "../../lib/learning/train.ts";
import { createRng } from "../../lib/random/mod.ts";

function randomRows(n: number, d: number, seed: number): number[][] {
  const rng = createRng(seed, "test");
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng() - 0.5));
}

Deno.test("resolveHeadConfig rejects bad shapes with the field's name", () => {
  assert.throws(
    () => resolveHeadConfig({ kind: "attention", inputDim: 8, outputDim: 6, heads: 4 }),
    /heads must divide/,
  );
  assert.throws(() => resolveHeadConfig({ kind: "projection", inputDim: 0 }), /inputDim/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => resolveHeadConfig({ kind: "mlp" as any, inputDim: 4 }), /unknown head "mlp"/);
});

Deno.test("initHeadWeights: same seed → identical bytes, other seed → different", () => {
  const config = resolveHeadConfig({ kind: "attention", inputDim: 6, outputDim: 8, heads: 2 });
  const a = initHeadWeights(config, 3), b = initHeadWeights(config, 3), c = initHeadWeights(config, 4);
  for (const name of Object.keys(a)) assert.deepEqual(a[name].data, b[name].data);
  assert.notDeepEqual(a.w_in.data, c.w_in.data);
});

Deno.test("soft Chamfer approaches the hard Chamfer as τ → 0; InfoNCE is log B for equal scores", async () => {
  const tf = await useBackend("cpu");
  // Two items, sets of 2 unit vectors in 2-D.
  const q = tf.tensor3d([[[1, 0], [0, 1]], [[1, 0], [1, 0]]]);
  const g = tf.tensor3d([[[1, 0], [0.6, 0.8]], [[0, 1], [0, 1]]]);
  const soft = await softChamferTf(tf, q, g, 1e-3).array() as number[][];
  // Hard: A→B mean of row maxima, B→A mean of column maxima, averaged.
  // (0,0): rows max [1, 0.8] → 0.9; cols max [1, 0.8] → 0.9 → 0.9
  // (0,1): S = [[0,0],[1,1]]: rows [0,1] → 0.5; cols [1,1] → 1 → 0.75
  assert.ok(Math.abs(soft[0][0] - 0.9) < 2e-3, `${soft[0][0]}`);
  assert.ok(Math.abs(soft[0][1] - 0.75) < 2e-3, `${soft[0][1]}`);
  const loss = await infoNceTf(tf, tf.zeros([4, 4]), 0.1).data();
  assert.ok(Math.abs(loss[0] - Math.log(4)) < 1e-6);
});

Deno.test("attention pooling is invariant to the order of a set's images", async () => {
  const tf = await useBackend("cpu");
  const config = resolveHeadConfig({ kind: "attention", inputDim: 5, outputDim: 4, heads: 2 });
  const w = Object.fromEntries(
    Object.entries(initHeadWeights(config, 1)).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]),
  );
  const rows = randomRows(3, 5, 1);
  const z1 = await encodeSetsTf(tf, w, tf.tensor3d([rows]), 2).data();
  const z2 = await encodeSetsTf(tf, w, tf.tensor3d([[rows[2], rows[0], rows[1]]]), 2).data();
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(z1[i] - z2[i]) < 1e-6);
});

for (const kind of ["projection", "attention"] as const) {
  for (const hidden of kind === "projection" ? [0, 6] : [0]) {
    Deno.test(`ONNX ${kind} head (hidden ${hidden}) loads in onnxruntime and matches the TF.js forward pass`, async () => {
      const config = resolveHeadConfig({ kind, inputDim: 7, outputDim: 8, hidden, heads: 2 });
      const weights = initHeadWeights(config, 5);
      const bytes = headToOnnx(config, weights);
      assert.deepEqual(bytes, headToOnnx(config, weights), "encoding is deterministic");
      const e = embeddingsFromRows(randomRows(5, 7, 2));
      const expected = await forwardTf(config, weights, e, "cpu");
      const session = await HeadSession.create(bytes, config);
      try {
        const got = kind === "projection" ? (await session.project(e)).data : await session.encodeSet(e);
        assert.equal(got.length, expected.length);
        for (let i = 0; i < got.length; i++) {
          assert.ok(Math.abs(got[i] - expected[i]) < 1e-5, `${i}: ${got[i]} vs ${expected[i]}`);
        }
        await assert.rejects(
          () => session.perImage(embeddingsFromRows([[1, 2]])),
          /dimension 2, but the head expects 7/,
        );
      } finally {
        await session.dispose();
      }
    });
  }
}
