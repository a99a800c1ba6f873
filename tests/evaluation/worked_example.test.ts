import assert from "node:assert/strict";
import {
  ARTICLE_BOOTS,
  describeWorkedExample,
  greedyStepRows,
  workedExample,
} from "../../lib/evaluation/worked_example.ts";

Deno.test("the article's boots: greedy order (1)–(4), B2 unused, mean 0.82925 (by hand)", () => {
  const example = workedExample(ARTICLE_BOOTS);
  // (1) 0.881 is the largest entry; removing row A4 and column B5 leaves 0.838 (A2–B3), then 0.837
  // (A1–B1), then row A3 against B2 or B4: 0.761 > 0.752.
  assert.deepEqual(greedyStepRows(example), [
    { step: "(1)", pair: "A4–B5", similarity: 0.881 },
    { step: "(2)", pair: "A2–B3", similarity: 0.838 },
    { step: "(3)", pair: "A1–B1", similarity: 0.837 },
    { step: "(4)", pair: "A3–B4", similarity: 0.761 },
  ]);
  assert.deepEqual(example.unusedB, [1]);
  assert.ok(Math.abs(example.greedyMean - (0.881 + 0.838 + 0.837 + 0.761) / 4) < 1e-12);
});

Deno.test("the article's boots: linear optimization swaps A3/A4 between B4 and B5 for a larger total", () => {
  const example = workedExample();
  // 0.866 + 0.796 = 1.662 > 0.881 + 0.761 = 1.642; the other two pairs are shared.
  assert.deepEqual(example.onlyGreedy.map((p) => [p.a, p.b]), [[2, 3], [3, 4]]);
  assert.deepEqual(example.onlyOptimal.map((p) => [p.a, p.b]), [[2, 4], [3, 3]]);
  assert.ok(Math.abs(example.optimalMean - (0.866 + 0.838 + 0.837 + 0.796) / 4) < 1e-12);
  const text = describeWorkedExample(example);
  assert.match(text, /\(1\) A4–B5 \(0\.881\).*\(4\) A3–B4 \(0\.761\); view B2 of B stays unused/);
  assert.match(
    text,
    /\*\*0\.8293\*\*.*chooses differently.*A3–B5 \(0\.796\) and A4–B4 \(0\.866\).*\*\*0\.8342\*\*/,
  );
});

Deno.test("a table where both agree says so", () => {
  const example = workedExample({ rows: 2, cols: 2, data: new Float64Array([0.9, 0.1, 0.2, 0.8]) });
  assert.deepEqual(example.onlyOptimal, []);
  assert.match(describeWorkedExample(example), /takes the same pairs/);
});
