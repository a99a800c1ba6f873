import assert from "node:assert/strict";
import type { StrictFailureRow } from "../../../lib/evaluation/mod.ts";
import {
  assignmentContrastFinding,
  failureModeFinding,
  hardNegativeFinding,
} from "../../../notebooks/lib/match_findings.ts";

Deno.test("hardNegativeFinding: greedy's order, B's unused images, the verdict against the own set, the wins", () => {
  const input = {
    example: { queryId: "obj1/q", galleryId: "obj2/g", rowLabels: ["a", "b"], colLabels: ["x", "y", "z"] },
    greedy: { pairs: [{ similarity: 0.95 }, { similarity: 0.9 }], unmatchedB: [1], score: 0.925 },
    ownScore: 0.9252, // within 5e-4: level
    pairGrid: [
      { same_object: 0.9, different_object: 0.8 }, // own wins
      { same_object: null, different_object: 0.85 }, // look-alike wins (own unscored)
      { same_object: null, different_object: null }, // tie: unscored
      { same_object: 0.7, different_object: 0.7 }, // tie
    ],
  };
  const text = hardNegativeFinding(input);
  assert.match(
    text,
    /is `obj1\/q` \(2 views\) against `obj2\/g` \(3 views\): greedy takes 0\.950, 0\.900 in that order/,
  );
  assert.match(
    text,
    /leaves `y` unused and scores \*\*0\.925\*\*, level with the 0\.925 of the query's own gallery set\./,
  );
  assert.match(
    text,
    /Of the 4 \(s, m\) settings of section 3 the own object wins 1 and the look-alike 1 \(the rest/,
  );
  assert.match(hardNegativeFinding({ ...input, ownScore: 0.95 }), /, below the 0\.950 of/);
  assert.throws(
    () => hardNegativeFinding({ ...input, greedy: { ...input.greedy, score: null } }),
    /greedy scored no match/,
  );
});

const row = (s: number | null, outranked: number, own_unscored: number): StrictFailureRow => ({
  s,
  m: 1,
  lost: outranked + own_unscored,
  own_unscored,
  outranked,
  changes: [],
});

Deno.test("failureModeFinding: the demo setting against no threshold, unscored own items, the demo's scores", () => {
  const scanned = [
    { dataset: "coil100", queries: 100, scan: [row(null, 1, 0), row(0.9, 1, 0), row(0.95, 1, 3)] },
    { dataset: "grocery", queries: 80, scan: [row(null, 0, 0), row(0.9, 0, 2), row(0.95, 0, 9)] },
  ];
  const scores = {
    own: { query: "obj91/q", strict: 0.95, loose: 0.9 },
    winner: { id: "obj60/g", strict: 0.96, loose: 0.85 },
  };
  const text = failureModeFinding({ scanned, demo: { dataset: "coil100", row: scanned[0].scan[1] }, scores });
  assert.match(
    text,
    /most often on coil100 at s = 0\.9 \(1 query\), but that count is the same as with m = 1 and no threshold \(1\)/,
  );
  assert.match(text, /\(at s = 0\.95: coil100 3 of 100, grocery 9 of 80\)/);
  assert.match(
    text,
    /On `obj91\/q` the own set scores 0\.950 from one pair and `obj60\/g` 0\.960 \(all matches averaged: 0\.900 vs 0\.850\)/,
  );
  assert.match(
    text,
    /the look-alike's single best match outweighs the own set's better overall agreement\.$/,
  );
  const tie = failureModeFinding({
    scanned,
    demo: { dataset: "coil100", row: scanned[0].scan[1] },
    scores: { ...scores, winner: { ...scores.winner, strict: 0.95 } },
  });
  assert.match(tie, /a tie decided by one detail each\.$/);
  assert.match(
    failureModeFinding({ scanned, demo: null }),
    /No different item ever outranks a correctly ranked query/,
  );
  assert.throws(
    () => failureModeFinding({ scanned, demo: { dataset: "x", row: row(0.9, 1, 0) }, scores }),
    /no scan of x/,
  );
  assert.throws(
    () => failureModeFinding({ scanned, demo: { dataset: "coil100", row: row(0.9, 1, 0) } }),
    /needs its scores/,
  );
});

Deno.test("assignmentContrastFinding: shares of the pairs and the verdict on the article's observation", () => {
  const contrast = { pairs: 200, differ: 8, drops_best_pair: 5, better_worst: 6, max_saving: 0.0123 };
  const text = assignmentContrastFinding("COIL-100", contrast);
  assert.match(
    text,
    /Over all 200 COIL-100 set pairs\*\* the optimum is strictly better than greedy on 8 \(4\.0%; largest saving 0\.012/,
  );
  assert.match(
    text,
    /better worst match in 75\.0% and gives up the single best pair in 62\.5%: the article's observation describes/,
  );
  assert.match(
    assignmentContrastFinding("x", { ...contrast, drops_best_pair: 4 }),
    /happens, but is not the typical/,
  );
  assert.match(
    assignmentContrastFinding("x", { ...contrast, differ: 0 }),
    /on 0 \(greedy is optimal on every pair\)\.$/,
  );
});
