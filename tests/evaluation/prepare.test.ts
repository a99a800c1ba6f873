import assert from "node:assert/strict";
import { join } from "node:path";
import { prepareProtocol } from "../../lib/evaluation/prepare.ts";
import { evaluateScores, runEvaluation } from "../../lib/evaluation/run.ts";
import { fakeEmbed, makeTinyDataDir } from "../fixtures/data/tiny.ts";

const dataDir = await makeTinyDataDir({ corruptCoilView: "obj1__0" });
const base = { config: { dataDir }, embed: fakeEmbed, progress: false };

Deno.test("prepareProtocol unordered: sets index one similarity matrix, relevance = same object", async () => {
  const prepared = await prepareProtocol({ ...base, dataset: "coil100", protocol: "unordered", seed: 1 });
  assert.equal(prepared.querySets.length, 3);
  assert.equal(prepared.gallerySets.length, 3);
  assert.equal(prepared.similarity.rows, prepared.queryEmbeddings.count);
  assert.equal(prepared.similarity.cols, prepared.galleryEmbeddings.count);
  assert.deepEqual([...prepared.relevance], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.equal(prepared.excluded, null);
  assert.equal(prepared.fingerprint, "fake-1");
  const rows = prepared.querySets.flat();
  assert.deepEqual(rows, [...rows.keys()], "query sets cover the rows once, in order");
});

Deno.test("prepareProtocol: a corrupt image is reported and dropped (ordered: replaced by the nearest view)", async () => {
  const prepared = await prepareProtocol({
    ...base,
    dataset: "coil100",
    protocol: "unordered",
    seed: 0,
    a: 30,
    b: 40,
  });
  assert.equal(prepared.failures.length, 1);
  assert.match(prepared.failures[0].input, /obj1__0\.png$/);
  const obj1 = prepared.querySets[0].length + prepared.gallerySets[0].length;
  assert.equal(obj1, 69, "obj1 lost its corrupt view");
  assert.equal(prepared.querySets[1].length + prepared.gallerySets[1].length, 70);
  const ordered = await prepareProtocol({ ...base, dataset: "coil100", protocol: "ordered" });
  assert.equal(ordered.failures.length, 1);
  assert.equal(ordered.querySets[0].length, 4, "positions stay aligned");
  assert.match(ordered.queries[0].images[0], /obj1__5\.png$/, "0° is replaced by the nearest view, 5°");
  assert.deepEqual(ordered.meta.substitutions, ["obj1: 0° → 5°"]);
});

Deno.test("prepareProtocol single: the query itself is excluded; grocery has coarse relevance", async () => {
  const single = await prepareProtocol({ ...base, dataset: "footwear", protocol: "single", perCategory: 4 });
  assert.equal(single.querySets.length, 12);
  for (let q = 0; q < 12; q++) assert.equal(single.excluded![q * 12 + q], 1);
  assert.equal(single.excluded!.reduce((a, b) => a + b, 0), 12);
  const grocery = await prepareProtocol({ ...base, dataset: "grocery_store", a: 2, b: 3 });
  assert.equal(grocery.protocol, "grocery");
  assert.equal(grocery.querySets.length, 6);
  const coarse = grocery.relevanceLevels.coarse;
  // Golden-Delicious (q0) vs Granny-Smith gallery sets: not fine-relevant, coarse-relevant (both apples)
  const granny = grocery.gallery.findIndex((g) => g.label === "Granny-Smith");
  assert.equal(grocery.relevance[granny], 0);
  assert.equal(coarse[granny], 1);
});

Deno.test("prepareProtocol: augmentation adds transformed copies to every set", async () => {
  const prepared = await prepareProtocol({
    ...base,
    dataset: "coil100",
    protocol: "unordered",
    seed: 2,
    augment: ["rot90", "flop"],
  });
  assert.equal(prepared.querySets[1].length, 4 * 3);
  assert.equal(prepared.gallerySets[1].length, 5 * 3);
  assert.deepEqual(prepared.meta.augment, ["rot90", "flop"]);
  const unordered = await prepareProtocol({
    ...base,
    dataset: "coil100",
    protocol: "unordered",
    augment: ["rot180"],
    a: 30,
    b: 40,
  });
  assert.deepEqual(unordered.failures.map((f) => f.input.replace(/^.*\//, "")), [
    "obj1__0.png",
    "obj1__0.png#rot180",
  ]);
  assert.equal(unordered.querySets[0].length + unordered.gallerySets[0].length, 69 * 2);
});

Deno.test("prepareProtocol: clear errors for wrong protocol, dataset, or missing data", async () => {
  await assert.rejects(
    prepareProtocol({ ...base, dataset: "coil100", protocol: "single" }),
    /does not apply/,
  );
  await assert.rejects(prepareProtocol({ ...base, dataset: "imagenet" }), /unknown dataset "imagenet"/);
  const empty = await Deno.makeTempDir();
  await assert.rejects(
    prepareProtocol({ ...base, dataset: "grocery", config: { dataDir: empty } }),
    /deno task data grocery/,
  );
});

Deno.test("evaluateScores and runEvaluation: metrics, greedy-vs-optimal, appended JSON line", async () => {
  const prepared = await prepareProtocol({ ...base, dataset: "coil100", protocol: "unordered", seed: 1 });
  // An oracle score matrix: relevance itself ranks every relevant gallery set first.
  const oracle = Float64Array.from(prepared.relevance);
  const perfect = evaluateScores(oracle, prepared, { bootstrap: 100 });
  assert.equal(perfect.recall_at_1, 1);
  assert.equal(perfect.map, 1);
  assert.deepEqual(perfect.ci95.map, [1, 1]);

  const record = join(await Deno.makeTempDir(), "eval", "runs.jsonl");
  const result = await runEvaluation({
    ...base,
    dataset: "coil100",
    method: "greedy",
    seed: 1,
    record,
    bootstrap: 50,
  });
  assert.equal(result.n_queries, 3);
  assert.ok(result.recall_at_1 >= 0 && result.recall_at_1 <= 1);
  assert.ok(result.greedy_vs_optimal);
  assert.ok(result.greedy_vs_optimal.same_top1_rate >= 0);
  await runEvaluation({
    ...base,
    dataset: "grocery",
    method: "centroid",
    seed: 1,
    record,
    bootstrap: 50,
    a: 2,
    b: 3,
  });
  const lines = (await Deno.readTextFile(record)).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[0].config.method, "greedy");
  assert.equal(lines[1].dataset, "grocery");
  // A superset of relevant candidates can only raise the hit rate (not necessarily AP).
  assert.ok(lines[1].levels.coarse.recall_at_1 >= lines[1].recall_at_1 - 1e-12);
  assert.ok(lines[1].levels.coarse.recall_at_5 >= lines[1].recall_at_5 - 1e-12);
});
