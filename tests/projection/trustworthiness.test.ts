import { strict as assert } from "node:assert";
import { trustworthiness } from "../../lib/projection/mod.ts";

const X = {
  data: Float32Array.from([0, 0, 0, 1, 0, 0, 0, 2, 0, 3, 1, 0, 0, 0, 4, 2, 2, 2, 5, 0, 1, 1, 4, 1]),
  count: 8,
  dim: 3,
};
const line = Array.from({ length: 8 }, (_, i) => [i, 0]).flat();
const scrambled = [0, 1, 3, 3, 1, 0, 2, 2, 5, 1, 0, 4, 4, 4, 1, 1];

Deno.test("trustworthiness matches a numpy transcription of sklearn's formula", () => {
  // Reference values from /usr/bin/python3 + numpy (sklearn.manifold.trustworthiness's algorithm,
  // stable argsort), computed while writing this test.
  const expected: [number[], number, number][] = [
    [line, 1, 0.5625],
    [line, 2, 0.5555555555555556],
    [line, 3, 0.5555555555555556],
    [scrambled, 1, 0.6458333333333334],
    [scrambled, 2, 0.6527777777777778],
    [scrambled, 3, 0.5972222222222223],
  ];
  for (const [coords, k, value] of expected) {
    assert.ok(Math.abs(trustworthiness(X, coords, { k }) - value) < 1e-12, `k=${k}`);
  }
});

Deno.test("trustworthiness is 1 for a map that keeps the space (isometry) and for the identity", () => {
  const points = { data: Float32Array.from([0, 0, 1, 0.2, 3, 1, 7, 2, 4, 4, 10, 0, 2, 9]), count: 7, dim: 2 };
  assert.equal(trustworthiness(points, points.data, { k: 2 }), 1);
  const rotated = Array.from({ length: 7 }, (_, i) => {
    const [x, y] = [points.data[2 * i], points.data[2 * i + 1]];
    return [-y + 5, x - 3];
  }).flat();
  assert.ok(Math.abs(trustworthiness(points, rotated, { k: 3 }) - 1) < 1e-12);
});

Deno.test("trustworthiness by hand: one intruder", () => {
  // 1-D points 0,1,2,3,10 (n = 5, k = 1). In the map, point 4 moves next to point 0 (at −0.1):
  // point 0's map neighbour becomes 4, whose original rank for 0 is 4 → penalty 4 − 1 = 3;
  // point 4's map neighbour is 0, original rank 4 → 3. Others keep their neighbour.
  // T = 1 − 2/(5·1·(10 − 3 − 1)) · 6 = 1 − 12/30 = 0.6.
  const points = { data: Float32Array.from([0, 1, 2, 3, 10]), count: 5, dim: 1 };
  const t = trustworthiness(points, [0, 1, 2, 3, -0.1], { k: 1, mapDim: 1 });
  assert.ok(Math.abs(t - 0.6) < 1e-12);
});

Deno.test("trustworthiness rejects bad input, naming it", () => {
  assert.throws(() => trustworthiness(X, line.slice(1), { k: 1 }), /coords has 15 values/);
  assert.throws(() => trustworthiness(X, line, { k: 4 }), /k must be an integer with 1 ≤ k < n \/ 2/);
  assert.throws(
    () => trustworthiness({ data: Float32Array.from([0, NaN]), count: 1, dim: 2 }, [0, 0]),
    /points: value NaN at row 0, column 1/,
  );
});
