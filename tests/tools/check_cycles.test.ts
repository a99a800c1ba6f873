import assert from "node:assert/strict";
import { concernGraph, cyclePath, importCycles, type ImportGraph } from "../../scripts/check-cycles.ts";

const graph = (edges: Record<string, string[]>): ImportGraph =>
  new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

Deno.test("importCycles finds every cycle and nothing in a DAG", () => {
  assert.deepEqual(importCycles(graph({ a: ["b"], b: ["c"], c: [] })), []);
  const g = graph({ a: ["b"], b: ["c"], c: ["a", "d"], d: ["e"], e: ["d"], f: ["f"], g: ["a"] });
  assert.deepEqual(importCycles(g), [["a", "b", "c"], ["d", "e"], ["f"]]);
  assert.deepEqual(cyclePath(g, ["a", "b", "c"]), ["a", "b", "c", "a"]);
  assert.deepEqual(cyclePath(g, ["f"]), ["f", "f"]);
});

Deno.test("importCycles handles a long chain without recursion", () => {
  const edges: Record<string, string[]> = {};
  for (let i = 0; i < 20_000; i++) edges[`n${i}`] = [`n${i + 1}`];
  edges.n20000 = ["n0"];
  const [cycle] = importCycles(graph(edges));
  assert.equal(cycle.length, 20_001);
});

Deno.test("concernGraph lifts file imports to lib folders (the fusion ↔ retrieval case)", () => {
  const modules = graph({
    "lib/fusion/sweep.ts": ["lib/retrieval/neighbours.ts", "lib/fusion/fuse.ts"],
    "lib/retrieval/shoes.ts": ["lib/fusion/fuse.ts"],
    "lib/mod.ts": ["lib/fusion/mod.ts"],
    "scripts/x.ts": ["lib/mod.ts"],
  });
  const concerns = concernGraph(modules);
  assert.deepEqual([...concerns.get("lib/fusion")!], ["lib/retrieval"]);
  assert.deepEqual(importCycles(concerns), [["lib/fusion", "lib/retrieval"]]);
  assert.equal(concerns.has("scripts/x.ts"), false);
});
