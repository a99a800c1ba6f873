import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/mod.ts";
import { expandRange, parseMatchCapGrid, parseNameList, parseThresholdGrid } from "../../lib/sweep/grid.ts";

Deno.test("s range 0.5:0.95:0.05 has exactly the ten written values, end included", () => {
  const values = parseThresholdGrid("0.5:0.95:0.05");
  assert.deepEqual(values, [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
  // Values equal what parsing the decimal text gives, not 0.5 + k·0.05 with float drift.
  assert.ok(values.includes(Number("0.95")) && values.includes(Number("0.7")));
});

Deno.test("ranges whose span is not a float multiple of the step still reach the end", () => {
  // (0.3 - 0.1) / 0.1 = 1.9999999999999998 in binary floating point.
  assert.deepEqual(expandRange("s", "0.1:0.3:0.1"), [0.1, 0.2, 0.3]);
  assert.deepEqual(expandRange("s", "0:1:0.1").length, 11);
  assert.deepEqual(expandRange("s", "-1:1:0.5"), [-1, -0.5, 0, 0.5, 1]);
  // An end between steps is not reached: 0.5, 0.7 (0.9 > 0.8).
  assert.deepEqual(expandRange("s", "0.5:0.8:0.2"), [0.5, 0.7]);
  assert.deepEqual(expandRange("m", "1:5"), [1, 2, 3, 4, 5]);
});

Deno.test("none and all are placed first/last; duplicates and order do not matter", () => {
  assert.deepEqual(parseThresholdGrid("0.9, none, 0.5:0.6:0.1, 0.5"), [null, 0.5, 0.6, 0.9]);
  assert.deepEqual(parseThresholdGrid("NONE"), [null]);
  assert.deepEqual(parseMatchCapGrid("all,3,1,2,1"), [1, 2, 3, null]);
  assert.deepEqual(parseMatchCapGrid("1:5,all"), parseMatchCapGrid("1,2,3,4,5,all"));
  assert.deepEqual(parseThresholdGrid("-0"), [0]);
  assert.ok(Object.is(parseThresholdGrid("-0")[0], 0));
});

Deno.test("bad grids are usage errors naming the flag and the value", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => parseThresholdGrid("1.5"), /--s: threshold 1\.5 .*outside \[-1, 1\]/],
    [() => parseThresholdGrid("-1.01"), /--s: threshold -1\.01/],
    [() => parseThresholdGrid("0.5:1.2:0.1"), /--s: threshold 1\.1 \(from "0\.5:1\.2:0\.1"\)/],
    [() => parseThresholdGrid("0.9:0.5:0.05"), /--s: range "0\.9:0\.5:0\.05" is empty/],
    [() => parseThresholdGrid("0.5:0.9:0"), /--s: range .* step > 0/],
    [() => parseThresholdGrid("0.5:0.9:-0.1"), /--s: range .* step > 0/],
    [() => parseThresholdGrid("abc"), /--s: "abc" in "abc" is not a finite number/],
    [() => parseThresholdGrid(""), /--s: "" has an empty item/],
    [() => parseThresholdGrid("0.5,,0.6"), /--s: .* empty item/],
    [() => parseThresholdGrid("0:1:1e-9"), /--s: range .* values \(at most/],
    [() => parseThresholdGrid("0.5:0.6:0.1:2"), /--s: range .* start:end or start:end:step/],
    [() => parseMatchCapGrid("0"), /--m: 0 \(from "0"\) must be an integer ≥ 1/],
    [() => parseMatchCapGrid("-2"), /--m: -2/],
    [() => parseMatchCapGrid("1.5"), /--m: 1\.5/],
    [() => parseMatchCapGrid("1:3:0.5"), /--m: 1\.5 \(from "1:3:0\.5"\)/],
    [() => parseMatchCapGrid("none"), /--m: "none" in "none" is not a finite number/],
    [() => parseNameList("method", "greedy,nope", ["greedy", "optimal"]), /--method: unknown "nope"/],
  ];
  for (const [run, message] of cases) {
    assert.throws(run, (e: unknown) => e instanceof UsageError && message.test((e as Error).message));
  }
});
