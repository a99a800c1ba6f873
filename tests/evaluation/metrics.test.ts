import assert from "node:assert/strict";
import {
  bootstrapIntervals,
  compareScores,
  evaluateRanking,
  METRIC_NAMES,
  type MetricName,
  perQueryMetrics,
  quantileSorted,
  queryMetrics,
} from "../../lib/evaluation/metrics.ts";
import { createRng } from "../../lib/random/mod.ts";

const close = (actual: number, expected: number, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≠ ${expected}`);

Deno.test("queryMetrics: a perfect and a worst ranking", () => {
  const perfect = queryMetrics([0.9, 0.5, 0.1], [1, 0, 0])!;
  assert.equal(perfect.recall_at_1, 1);
  assert.equal(perfect.map, 1);
  assert.equal(perfect.precision_at_5, 1 / 5);
  const worst = queryMetrics([0.1, 0.5, 0.9], [1, 0, 0])!;
  assert.equal(worst.recall_at_1, 0);
  assert.equal(worst.recall_at_5, 1);
  close(worst.map, 1 / 3);
});

Deno.test("queryMetrics: hand-checked average precision with two relevant", () => {
  // ranking: R N R N → AP = (1/1 + 2/3) / 2
  const m = queryMetrics([4, 3, 2, 1], [1, 0, 1, 0])!;
  close(m.map, (1 + 2 / 3) / 2);
  close(m.precision_at_5, 2 / 5);
});

Deno.test("queryMetrics: ties count as the expectation over tie orders", () => {
  // two tied candidates, one relevant: R@1 = 1/2, AP = (1 + 1/2)/2
  const m = queryMetrics([0.5, 0.5], [1, 0])!;
  close(m.recall_at_1, 0.5);
  close(m.map, 0.75);
  // all "no match" (−Infinity) tie as one group
  const none = queryMetrics([-Infinity, -Infinity, -Infinity, -Infinity], [0, 1, 0, 0])!;
  close(none.recall_at_1, 0.25);
});

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)])
  );
}

Deno.test("queryMetrics: equals the brute-force mean over all tie-breaking orders", () => {
  const rng = createRng(7, "test");
  for (let trial = 0; trial < 40; trial++) {
    const n = 2 + Math.floor(rng() * 6);
    const scores = Array.from({ length: n }, () => Math.floor(rng() * 3));
    const relevant = Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0));
    if (!relevant.some((r) => r)) relevant[0] = 1;
    const expected = queryMetrics(scores, relevant)!;
    // Every permutation used as a tie-breaker yields a strict ranking; average the strict metrics.
    const perms = permutations(n);
    const sums = Object.fromEntries(METRIC_NAMES.map((k) => [k, 0])) as Record<string, number>;
    for (const perm of perms) {
      const strict = scores.map((s, i) => s * 100 + perm[i]);
      const m = queryMetrics(strict, relevant)!;
      for (const k of METRIC_NAMES) sums[k] += m[k];
    }
    for (const k of METRIC_NAMES) close(expected[k], sums[k] / perms.length, 1e-9);
  }
});

Deno.test("queryMetrics: null without relevant candidates, error on NaN", () => {
  assert.equal(queryMetrics([1, 2], [0, 0]), null);
  assert.throws(() => queryMetrics([1, NaN], [1, 0]), /NaN/);
});

Deno.test("perQueryMetrics: excluded candidates are not ranked", () => {
  // The excluded entry (score 1) is not ranked; the non-relevant 0.5 then outranks the relevant 0.2
  const m = perQueryMetrics({
    scores: Float64Array.from([1, 0.2, 0.5]),
    relevant: Uint8Array.from([0, 1, 0]),
    excluded: Uint8Array.from([1, 0, 0]),
    nQuery: 1,
    nGallery: 3,
  });
  close(m.recall_at_1[0], 0);
  close(m.map[0], 0.5);
  const kept = perQueryMetrics({
    scores: Float64Array.from([1, 0.6, 0.5]),
    relevant: Uint8Array.from([0, 1, 0]),
    excluded: Uint8Array.from([1, 0, 0]),
    nQuery: 1,
    nGallery: 3,
  });
  close(kept.recall_at_1[0], 1);
});

Deno.test("evaluateRanking: means, per-category values and shape errors", () => {
  const input = {
    scores: Float64Array.from([0.9, 0.1, 0.9, 0.1]),
    relevant: Uint8Array.from([1, 0, 0, 1]),
    nQuery: 2,
    nGallery: 2,
    categories: ["a", "b"],
  };
  const m = evaluateRanking(input, { seed: 0, bootstrap: 200 });
  close(m.recall_at_1, 0.5);
  close(m.map, 0.75);
  assert.equal(m.n_queries, 2);
  close(m.per_category.a.recall_at_1, 1);
  close(m.per_category.b.recall_at_1, 0);
  assert.throws(
    () => evaluateRanking({ ...input, scores: new Float64Array(3) }, { seed: 0 }),
    /scores has 3/,
  );
  assert.throws(
    () => evaluateRanking({ ...input, relevant: new Uint8Array(4) }, { seed: 0 }),
    /no query has a relevant/,
  );
});

Deno.test("bootstrap intervals: seeded, contain the mean, shrink with more queries", () => {
  const rng = createRng(3, "test");
  const make = (n: number) => {
    const values = Float64Array.from({ length: n }, () => (rng() < 0.6 ? 1 : 0));
    const perQuery = Object.fromEntries(METRIC_NAMES.map((k) => [k, values])) as never;
    return {
      perQuery,
      rows: Array.from({ length: n }, (_, i) => i),
      mean: values.reduce((a, b) => a + b, 0) / n,
    };
  };
  const small = make(50);
  // With resamples every metric has its interval.
  const all = (ci: ReturnType<typeof bootstrapIntervals>) => ci as Record<MetricName, [number, number]>;
  const a = all(bootstrapIntervals(small.perQuery, small.rows, { seed: 1, bootstrap: 500 }));
  const b = bootstrapIntervals(small.perQuery, small.rows, { seed: 1, bootstrap: 500 });
  const c = all(bootstrapIntervals(small.perQuery, small.rows, { seed: 2, bootstrap: 500 }));
  assert.deepEqual(Object.keys(a), [...METRIC_NAMES]);
  assert.deepEqual(a, b);
  // 0/1 values put the percentiles on a 1/50 grid; continuous values show the seed matters.
  const continuous = Object.fromEntries(
    METRIC_NAMES.map((k) => [k, Float64Array.from(small.rows, () => rng())]),
  );
  assert.notDeepEqual(
    bootstrapIntervals(continuous as never, small.rows, { seed: 1, bootstrap: 500 }),
    bootstrapIntervals(continuous as never, small.rows, { seed: 2, bootstrap: 500 }),
  );
  assert.ok(c.map[0] <= small.mean && small.mean <= c.map[1]);
  assert.ok(a.map[0] <= small.mean && small.mean <= a.map[1]);
  const large = make(2000);
  const d = all(bootstrapIntervals(large.perQuery, large.rows, { seed: 1, bootstrap: 500 }));
  assert.ok(d.map[1] - d.map[0] < a.map[1] - a.map[0]);
  // binomial standard error check: width ≈ 2·1.96·sqrt(p(1−p)/n)
  const expectedWidth = 2 * 1.96 * Math.sqrt((large.mean * (1 - large.mean)) / 2000);
  assert.ok(Math.abs(d.map[1] - d.map[0] - expectedWidth) < 0.3 * expectedWidth);
  // No resamples, no interval (issue 10 case 8), rather than [mean, mean].
  const none = bootstrapIntervals(small.perQuery, small.rows, { seed: 1, bootstrap: 0 });
  assert.deepEqual(none, {});
});

Deno.test("quantileSorted: type-7 interpolation", () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([1, 2, 3, 4], 0), 1);
  assert.equal(quantileSorted([1, 2, 3, 4], 1), 4);
});

Deno.test("compareScores: same top-1 rate and gaps", () => {
  const greedy = Float64Array.from([0.8, 0.7, 0.1, 0.6]);
  const optimal = Float64Array.from([0.7, 0.9, 0.1, 0.6]);
  const agreement = compareScores(greedy, optimal, { nQuery: 2, nGallery: 2 });
  close(agreement.same_top1_rate, 0.5);
  close(agreement.mean_score_gap, (-0.1 + 0.2 + 0 + 0) / 4);
  close(agreement.max_abs_score_gap, 0.2);
  close(agreement.mean_top1_score_gap, (0.2 + 0) / 2);
  const noMatch = compareScores(Float64Array.from([-Infinity, 0.5]), Float64Array.from([0.4, 0.5]), {
    nQuery: 1,
    nGallery: 2,
  });
  assert.equal(noMatch.n_finite_pairs, 1);
});
