import assert from "node:assert/strict";
import { canonicalJson, cellHash, expandCells, groupKey, type SweepPlan } from "../../lib/sweep/cell.ts";

const plan: SweepPlan = {
  datasets: ["coil100", "grocery"],
  protocols: { coil100: ["unordered", "ordered"], grocery: ["grocery"] },
  methods: ["greedy", "optimal"],
  s: [null, 0.5, 0.6],
  m: [1, 2, null],
  seed: 3,
  model: "mobilenet-v2",
  bootstrap: 100,
  options: { fingerprint: "abc" },
};

Deno.test("cells come in dataset → protocol → method → s → m order", () => {
  const cells = expandCells(plan);
  assert.equal(cells.length, (2 + 1) * 2 * 3 * 3);
  assert.deepEqual(
    cells.slice(0, 4).map((c) => [c.dataset, c.protocol, c.method, c.s, c.m]),
    [
      ["coil100", "unordered", "greedy", null, 1],
      ["coil100", "unordered", "greedy", null, 2],
      ["coil100", "unordered", "greedy", null, null],
      ["coil100", "unordered", "greedy", 0.5, 1],
    ],
  );
  assert.deepEqual(cells.at(-1), { ...cells.at(-1), dataset: "grocery", method: "optimal", s: 0.6, m: null });
});

Deno.test("cell hashes are stable, distinct, and change with every config field", () => {
  const cells = expandCells(plan);
  const hashes = cells.map(cellHash);
  assert.equal(new Set(hashes).size, cells.length);
  assert.match(hashes[0], /^[0-9a-f]{16}$/);
  const base = cells[4];
  // Key order of the options must not matter.
  assert.equal(
    cellHash({ ...base, options: { b: 1, a: 2 } }),
    cellHash({ ...base, options: { a: 2, b: 1 } }),
  );
  for (
    const change of [
      { seed: 4 },
      { model: "clip" },
      { bootstrap: 0 },
      { options: { fingerprint: "abd" } },
      { s: 0.55 },
      { m: 3 },
      { method: "lp" },
      { protocol: "ordered" },
      { dataset: "grocery" },
    ]
  ) {
    assert.notEqual(cellHash({ ...base, ...change }), cellHash(base), JSON.stringify(change));
  }
  // s = none and s = -1 are different cells (a threshold of -1 still drops nothing, but is written differently).
  assert.notEqual(cellHash({ ...base, s: null }), cellHash({ ...base, s: -1 }));
});

Deno.test("a pinned hash guards against accidental changes of the key format", () => {
  // Changing this value orphans every journal on disk: only do it on purpose (bump the v1 prefix).
  const pinned = {
    dataset: "coil100",
    protocol: "unordered",
    seed: 0,
    model: "mobilenet-v2",
    options: {},
    method: "greedy",
    s: 0.5,
    m: null,
    bootstrap: 1000,
  };
  assert.equal(cellHash(pinned), "92ff1697588d6ae1");
  const cell = expandCells(plan)[0];
  assert.equal(cellHash(cell), cellHash(structuredClone(cell)));
  assert.equal(
    canonicalJson({ b: [1, { d: null, c: "x" }], a: 0.5 }),
    '{"a":0.5,"b":[1,{"c":"x","d":null}]}',
  );
  assert.equal(groupKey(cell), groupKey({ ...cell, method: "optimal", s: 0.9 } as typeof cell));
  assert.throws(() => canonicalJson(NaN), /not representable/);
});
