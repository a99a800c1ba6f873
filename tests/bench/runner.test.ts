import assert from "node:assert/strict";
import { join } from "node:path";
import { benchmarkNames, parseReport, quickArgs, selectBenchmark } from "../../scripts/bench.ts";
import { UsageError } from "../../lib/cli/mod.ts";
import { figure, formatFigure, interleave, median } from "../../lib/bench/mod.ts";

Deno.test("bench: a name selects exactly one benchmark, never by prefix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-bench-names-" });
  for (const f of ["embedding.ts", "embedding-layers.ts", "matching.ts", "notes.md"]) {
    await Deno.writeTextFile(join(dir, f), "");
  }
  const names = benchmarkNames(dir);
  assert.deepEqual(names, ["embedding", "embedding-layers", "matching"]);
  assert.equal(selectBenchmark("embedding", names), "embedding");
  assert.equal(selectBenchmark("embedding-layers", names), "embedding-layers");
  assert.throws(() => selectBenchmark("embed", names), UsageError);
  assert.throws(
    () => selectBenchmark("embedding.ts", names),
    /no benchmark named "embedding.ts" \(have: embedding, /,
  );
  assert.deepEqual(benchmarkNames().filter((n) => n.startsWith("embedding")), [
    "embedding",
    "embedding-layers",
  ]);
  assert.deepEqual(quickArgs("embedding"), ["--quick", "--json"]);
});

Deno.test("bench: an unknown name is a usage error (exit 2) that lists the benchmarks", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../scripts/bench.ts", import.meta.url).pathname, "embed"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /no benchmark named "embed" \(have: .*embedding, embedding-layers/,
  );
});

Deno.test("bench: the JSON report is found after any text a benchmark printed", () => {
  assert.deepEqual(parseReport('{"a": 1}'), { a: 1 });
  assert.deepEqual(parseReport('warming up\n{\n  "a": {"b": 2}\n}\n'), { a: { b: 2 } });
  assert.equal(parseReport("no json here\n"), undefined);
  assert.equal(parseReport("[1, 2]"), undefined);
});

Deno.test("bench figures: targets are checked in the right direction, medians, interleaving", async () => {
  assert.equal(figure("r", 0.95, { target: 0.9 }).met, true);
  assert.equal(figure("r", 0.85, { target: 0.9 }).met, false);
  assert.equal(figure("t", 1.2, { target: 1, atLeast: false }).met, false);
  assert.equal(figure("x", 3).met, undefined);
  assert.match(formatFigure(figure("ratio", 0.85, { target: 0.9 })), /0\.85×\s+target ≥ 0\.9×: NOT MET/);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.throws(() => median([]), RangeError);
  const order: string[] = [];
  const t = await interleave(2, () => order.push("a"), () => order.push("b"));
  assert.deepEqual(order, ["a", "b", "a", "b", "a", "b"], "one warm-up each, then alternating");
  assert.equal(t.a.length, 2);
  assert.equal(t.b.length, 2);
});
