import assert from "node:assert/strict";
import * as setsim from "../../lib/mod.ts";

Deno.test("lib/mod.ts exposes the core flat and every concern as a namespace", () => {
  for (const name of ["matchSets", "cosineSimilarityMatrix", "embedImages", "embedTexts", "resolveConfig"]) {
    assert.equal(typeof (setsim as Record<string, unknown>)[name], "function", name);
  }
  for (
    const ns of ["data", "embedding", "evaluation", "figures", "matching", "sweep", "projection", "fusion"]
  ) {
    assert.equal(typeof (setsim as Record<string, unknown>)[ns], "object", ns);
  }
  assert.deepEqual([...setsim.MATCH_METHODS].sort(), [
    "centroid",
    "chamfer",
    "greedy",
    "hausdorff",
    "lp",
    "optimal",
    "ordered",
    "sinkhorn",
  ]);
});

Deno.test("the module example: greedy and optimal on a 4 × 5 pair", () => {
  const A = setsim.embeddingsFromRows([[1, 0], [0.8, 0.6], [0, 1], [0.6, 0.8]]);
  const B = setsim.embeddingsFromRows([[0.6, 0.8], [1, 0], [0, 1], [0.7, 0.7], [0.9, 0.1]]);
  const greedy = setsim.matchSets(A, B, { method: "greedy" });
  const optimal = setsim.matchSets(A, B, { method: "optimal" });
  assert.equal(greedy.pairs.length, 4);
  assert.equal(greedy.unmatchedB.length, 1);
  // The optimum maximises total similarity, so its mean is never below greedy's.
  assert.ok(optimal.score! >= greedy.score! - 1e-12);
});
