import assert from "node:assert/strict";
import { join } from "node:path";
import type { SweepCell, SweepPlan } from "../../lib/sweep/cell.ts";
import {
  bestCells,
  type CellResult,
  describeBest,
  toCsv,
  toJson,
  writeFileAtomic,
} from "../../lib/sweep/output.ts";

const base: SweepCell = {
  dataset: "coil100",
  protocol: "unordered",
  method: "greedy",
  s: null,
  m: 1,
  seed: 0,
  model: "mobilenet-v2",
  bootstrap: 10,
  options: {},
};

const row = (cell: Partial<SweepCell>, map: number, r1: number): CellResult => ({
  hash: `h${map}${r1}${cell.method ?? ""}`,
  setting: { ...base, ...cell },
  metrics: {
    map: { value: map, lo: map - 0.05, hi: map + 0.05 },
    recall_at_1: { value: r1, lo: r1 - 0.1, hi: r1 + 0.1 },
  },
});

Deno.test("best cell: max metric, ties to the higher second metric, then to grid order", () => {
  const rows = [
    row({ s: null, m: 1 }, 0.5, 0.4),
    row({ s: 0.5, m: 1 }, 0.7, 0.5),
    row({ s: 0.5, m: null }, 0.7, 0.6), // tie on map, higher recall@1
    row({ s: 0.6, m: null }, 0.7, 0.6), // full tie: the earlier cell stays
    row({ method: "optimal", s: 0.9, m: 2 }, 0.1, 0.1),
  ];
  const best = bestCells(rows, "map");
  assert.equal(best.length, 2);
  assert.deepEqual([best[0].row.setting.s, best[0].row.setting.m], [0.5, null]);
  assert.equal(best[1].method, "optimal");
  assert.deepEqual(bestCells(rows, "recall_at_1")[0].row.setting, rows[2].setting);
  assert.match(
    describeBest(best[0]),
    /^coil100\/unordered greedy: s=0\.5 m=all \| recall_at_1 0\.600 \[0\.500, 0\.700\] \| map 0\.700 \[0\.650, 0\.750\]$/,
  );
});

Deno.test("CSV: fixed columns, none/all spelled out, CIs as _lo/_hi, fields quoted when needed", () => {
  const csv = toCsv([row({ s: null, m: null, model: "org/model,v2" }, 0.5, 0.25)]);
  const [header, line] = csv.trimEnd().split("\n");
  assert.equal(
    header,
    "dataset,protocol,method,s,m,seed,model,bootstrap,recall_at_1,recall_at_1_lo,recall_at_1_hi,map,map_lo,map_hi,hash",
  );
  assert.equal(
    line,
    'coil100,unordered,greedy,none,all,0,"org/model,v2",10,0.25,0.15,0.35,0.5,0.45,0.55,h0.50.25',
  );
});

Deno.test("JSON: deterministic text with grid, best and cells", () => {
  const plan: SweepPlan = {
    datasets: ["coil100"],
    protocols: { coil100: ["unordered"] },
    methods: ["greedy"],
    s: [null, 0.5],
    m: [1, null],
    seed: 0,
    model: "mobilenet-v2",
    bootstrap: 10,
    options: {},
  };
  const rows = [row({ s: null, m: 1 }, 0.5, 0.4), row({ s: 0.5, m: null }, 0.6, 0.5)];
  const text = toJson(plan, rows, "map");
  assert.equal(text, toJson(plan, structuredClone(rows), "map"));
  const doc = JSON.parse(text);
  assert.equal(doc.format, "setsim-sweep/1");
  assert.deepEqual(doc.grid.s, ["none", 0.5]);
  assert.deepEqual(doc.grid.m, [1, "all"]);
  assert.deepEqual(doc.best[0].s, 0.5);
  assert.deepEqual(doc.best[0].ci95.map, [0.6 - 0.05, 0.6 + 0.05]);
  assert.equal(doc.cells.length, 2);
  assert.equal(doc.cells[0].s, "none");
});

Deno.test("writeFileAtomic replaces the file and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "sub", "a.csv");
  await writeFileAtomic(path, "one\n");
  await writeFileAtomic(path, "two\n");
  assert.equal(await Deno.readTextFile(path), "two\n");
  assert.deepEqual([...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name), ["a.csv"]);
  await Deno.remove(dir, { recursive: true });
});
