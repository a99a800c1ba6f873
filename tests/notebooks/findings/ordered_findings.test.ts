import assert from "node:assert/strict";
import { orderedViewTable } from "../../../lib/evaluation/mod.ts";
import {
  orderedExampleFinding,
  orderedShiftFinding,
  orderedShuffleFinding,
} from "../../../notebooks/lib/ordered_findings.ts";

// 2 views; the same object wins "right" by 0.2 and "top" by 0.05.
const matrix = (a: number, b: number) => ({ rows: 2, cols: 2, data: Float64Array.from([a, 0, 0, b]) });
const perView = orderedViewTable(["right", "top"], [
  { name: "obj1 (same object)", similarity: matrix(0.9, 0.8) },
  { name: "obj2", similarity: matrix(0.7, 0.75) },
]);

Deno.test("orderedExampleFinding: views won, narrowest margin, pick, after shuffling", () => {
  const shuffled = orderedViewTable(["right", "top"], [
    { name: "obj1 (same object)", similarity: matrix(0.6, 0.6) },
    { name: "obj2", similarity: matrix(0.7, 0.7) },
  ]);
  const text = orderedExampleFinding({
    views: ["right", "top"],
    delta: 10,
    target: "obj1",
    neighbours: [{ label: "obj2", similarity: 0.9512 }, { label: "obj3", similarity: 0.9 }],
    perView,
    perViewShuffled: shuffled,
  });
  assert.match(
    text,
    /most look-alikes is `obj1`; its two nearest objects are `obj2` \(centroid cosine 0\.951\) and `obj3`/,
  );
  assert.match(
    text,
    /turned by 10° wins 2 of 2 views \(0\.900 \/ 0\.800, mean 0\.850\) against means of 0\.725; the pick \(k = 1\) is right\./,
  );
  assert.match(text, /narrowest margin is on the \*top\* view \(0\.050\)/);
  assert.match(text, /the same object loses \(mean 0\.600 vs 0\.700\)\.$/);
  assert.throws(
    () =>
      orderedExampleFinding({
        views: ["right"],
        delta: 10,
        target: "x",
        neighbours: [],
        perView: perView.slice(0, 1),
        perViewShuffled: [],
      }),
    /needs the same object and another candidate/,
  );
});

const row = (method: string, r1: number, lo = r1, hi = r1) => ({
  method,
  recall_at_1: r1,
  recall_at_1_lo: lo,
  recall_at_1_hi: hi,
  map: r1,
});

Deno.test("orderedShuffleFinding: ordered drops with its interval, unordered unchanged", () => {
  const inOrder = [row("ordered", 1), row("greedy", 1)];
  const text = orderedShuffleFinding({
    objects: 100,
    delta: 10,
    inOrder,
    shuffled: [row("ordered", 0.73, 0.63, 0.81), row("greedy", 1)],
  });
  assert.match(
    text,
    /All 100 objects, views in order \(δ = 10°\):\*\* ordered 1\.000, greedy 1\.000 \(Recall@1\): with labelled views this close every method is perfect\./,
  );
  assert.match(text, /ordered matching gets Recall@1 0\.730 \[0\.630, 0\.810\] \(mAP 0\.730\)/);
  assert.match(
    text,
    /the unordered methods get greedy 1\.000 — unchanged, since they never relied on the order\.$/,
  );
  const changed = orderedShuffleFinding({
    objects: 2,
    delta: 10,
    inOrder,
    shuffled: [row("ordered", 0.5), row("greedy", 0.9)],
  });
  assert.match(changed, /changed, which they should not be/);
  assert.throws(
    () => orderedShuffleFinding({ objects: 2, delta: 10, inOrder, shuffled: [row("greedy", 1)] }),
    /no row for method ordered/,
  );
});

Deno.test("orderedShiftFinding: the verdict per δ and at the largest shift", () => {
  const at = (delta: number, o: number, g: number, p: number) => [
    { delta, ...row("ordered", o, o - 0.1, Math.min(1, o + 0.05)) },
    { delta, ...row("greedy", g) },
    { delta, ...row("optimal", p) },
  ];
  const text = orderedShiftFinding([
    ...at(30, 0.96, 0.94, 0.95),
    ...at(45, 0.9, 0.89, 0.9),
    ...at(60, 0.74, 0.95, 0.96),
  ]);
  assert.match(
    text,
    /δ = 30°: ordered 0\.96, greedy 0\.94, optimal 0\.95 \(ordered is best\); δ = 45°: .* \(level\); δ = 60°: .* \(an unordered method is better\)\./,
  );
  assert.match(text, /falls to 0\.74 \[0\.64, 0\.79\] while the unordered methods keep 0\.96/);
  assert.match(text, /Using the order gains at most 0\.01 Recall@1/);
  assert.throws(() => orderedShiftFinding([]), /no rows/);
  assert.throws(() => orderedShiftFinding(at(10, 1, 1, 1).slice(0, 2)), /δ = 10: no row for method optimal/);
});
