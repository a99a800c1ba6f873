import assert from "node:assert/strict";
import {
  listMethods,
  MATCH_METHODS,
  MatchBuffer,
  matrixMethods,
  METHOD_REGISTRY,
  methodSpec,
  methodsWithOption,
  optionsFor,
  resolveOptions,
  scoreSimilarityMatrix,
  sequenceMethods,
  thresholdableMethods,
  unusedOptions,
  validateOptions,
} from "../../lib/matching/mod.ts";
import { assertClose, randomMatrix, seededRandom } from "./helpers.ts";

Deno.test("the registry has one entry per method, in documentation order", () => {
  assert.deepEqual(Object.keys(METHOD_REGISTRY), [...MATCH_METHODS]);
  for (const name of MATCH_METHODS) assert.equal(METHOD_REGISTRY[name].name, name);
  assert.deepEqual(listMethods(), [...MATCH_METHODS]);
  assert.deepEqual(matrixMethods(), [
    "ordered",
    "greedy",
    "optimal",
    "lp",
    "chamfer",
    "hausdorff",
    "sinkhorn",
  ]);
  assert.deepEqual(thresholdableMethods(), ["ordered", "greedy", "optimal", "lp", "chamfer"]);
  assert.deepEqual(sequenceMethods(), ["ordered", "greedy", "optimal", "lp", "chamfer"]);
  assert.deepEqual(methodsWithOption("symmetric"), ["chamfer", "hausdorff"]);
  assert.deepEqual(methodsWithOption("epsilon"), ["sinkhorn"]);
  assert.throws(
    () => methodSpec("hungarian"),
    /method must be one of ordered, greedy, optimal, lp, centroid/,
  );
});

Deno.test("every spec is complete for its kind of input", () => {
  for (const spec of Object.values(METHOD_REGISTRY)) {
    if (spec.needsEmbeddings) {
      assert.ok(
        spec.scoreEmbeddings && spec.scoreEmbeddingSets && !spec.score && !spec.blockScore,
        spec.name,
      );
    } else {
      assert.ok(
        spec.score && spec.blockScore && !spec.scoreEmbeddings && !spec.scoreEmbeddingSets,
        spec.name,
      );
    }
    // A list kernel is what makes s and m meaningful: the two always go together.
    assert.equal(spec.listKernel !== undefined, spec.thresholdable, spec.name);
    assert.equal(spec.listLength !== undefined, spec.listKernel !== undefined, spec.name);
    for (const key of Object.keys(spec.defaults)) assert.ok(spec.options.includes(key as never), spec.name);
  }
});

Deno.test("defaults live in the registry and are filled in once", () => {
  assert.deepEqual(resolveOptions({ method: "sinkhorn" }), {
    method: "sinkhorn",
    epsilon: 0.05,
    maxIterations: 10000,
    tolerance: 1e-9,
  });
  assert.deepEqual(resolveOptions({ method: "hausdorff" }), { method: "hausdorff", symmetric: true });
  assert.deepEqual(resolveOptions({ method: "chamfer", s: 0.5 }), {
    method: "chamfer",
    s: 0.5,
    symmetric: false,
  });
  // Options a method does not read are dropped, so one object can serve several methods.
  assert.deepEqual(resolveOptions({ method: "greedy", epsilon: 0.1, m: 2 }), { method: "greedy", m: 2 });
  assert.deepEqual(unusedOptions({ method: "greedy", epsilon: 0.1, symmetric: true }), [
    { option: "symmetric", usedBy: ["chamfer", "hausdorff"] },
    { option: "epsilon", usedBy: ["sinkhorn"] },
  ]);
  assert.deepEqual(unusedOptions({ method: "sinkhorn", epsilon: 0.1 }), []);
});

Deno.test("option validation names the option and the rule", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ method: "sinkhorn", epsilon: -1 }, /options\.epsilon must be a finite number > 0; got -1/],
    [{ method: "sinkhorn", maxIterations: 2.5 }, /options\.maxIterations must be an integer ≥ 1/],
    [{ method: "sinkhorn", tolerance: 0 }, /options\.tolerance must be a finite number > 0/],
    [{ method: "chamfer", symmetric: "yes" }, /options\.symmetric must be true or false/],
    [{ method: "hausdorff", m: 1 }, /apply only to ordered, greedy, optimal, lp, chamfer/],
    [{ method: "nope" }, /options\.method must be one of/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => validateOptions(options as never), message, JSON.stringify(options));
  }
  assert.throws(() => validateOptions(null as never), /options must be an object/);
});

Deno.test("a list method's block score is the mean of the counted prefix of its list, and its result lists the same matches", () => {
  const rand = seededRandom(5);
  const out = new MatchBuffer();
  for (let trial = 0; trial < 30; trial++) {
    const r = 1 + Math.floor(rand() * 5), c = 1 + Math.floor(rand() * 5);
    for (const name of sequenceMethods()) {
      if (name === "ordered" && r !== c) continue;
      const spec = METHOD_REGISTRY[name];
      const S = randomMatrix(rand, r, c, trial % 2 ? 4 : undefined);
      const s = trial % 3 === 0 ? undefined : rand() * 2 - 1;
      const m = trial % 4 === 0 ? undefined : 1 + Math.floor(rand() * 3);
      const options = resolveOptions({ method: name, s, m });
      const n = spec.listKernel!(options)!(S.data, r, c, out);
      assert.equal(n, spec.listLength!(r, c), `${name} list length`);
      const list = Array.from(out.similarity.subarray(0, n));
      for (let k = 1; k < n; k++) assert.ok(list[k] <= list[k - 1], `${name} list is non-increasing`);
      const counted = list.filter((v, k) => (s === undefined || v >= s) && (m === undefined || k < m));
      const result = scoreSimilarityMatrix(S, options);
      assert.deepEqual(result.pairs.map((p) => p.similarity), list, `${name}: same list`);
      const expected = counted.length ? counted.reduce((t, v) => t + v, 0) / counted.length : null;
      if (expected === null) {
        assert.equal(result.score, null);
        assert.equal(spec.blockScore!(S.data, r, c, out, options), -Infinity);
      } else {
        assertClose(result.score!, expected, 1e-12, name);
        assertClose(spec.blockScore!(S.data, r, c, out, options), expected, 1e-12, `${name} block`);
      }
    }
  }
});

Deno.test("optionsFor keeps what each method reads, so one options object serves every method", () => {
  const shared = { s: 0.5, m: 2, epsilon: 0.1, symmetric: false, maxIterations: 50 };
  for (const method of MATCH_METHODS) {
    const options = optionsFor(method, shared);
    assert.doesNotThrow(() => validateOptions(options), method);
    assert.deepEqual(unusedOptions(options), [], method);
    assert.equal(options.s !== undefined, METHOD_REGISTRY[method].thresholdable, method);
  }
  assert.deepEqual(optionsFor("hausdorff", shared), { method: "hausdorff", symmetric: false });
  assert.throws(() => optionsFor("nope" as never, shared), /method must be one of/);
});
