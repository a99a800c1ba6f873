/**
 * The real-data backend on the real datasets (`resolveConfig().dataDir`), with a small
 * deterministic embedder standing in for the network: every cell must equal what the evaluation
 * module reports for the same method, s and m through its own path (`scoreSetPairs` +
 * `evaluateScores`).
 */
import assert from "node:assert/strict";
import { evaluateScores, prepareProtocol } from "../../lib/evaluation/mod.ts";
import { scoreSetPairs } from "../../lib/matching/batch.ts";
import type { SweepCell } from "../../lib/sweep/cell.ts";
import { createSetsimBackend, SWEEP_METRICS } from "../../lib/sweep/setsim_backend.ts";
import { embed } from "./fake_embedding_backend.ts";

const context = { log: () => {}, quiet: true };

for (const [dataset, protocol] of [["coil100", "unordered"], ["grocery", "grocery"]] as const) {
  Deno.test(`${dataset}: sweep cells equal evaluateScores(scoreSetPairs(...)) for the same (s, m)`, async () => {
    const backend = createSetsimBackend({ embed });
    assert.deepEqual(
      backend.protocols(dataset),
      dataset === "coil100" ? ["unordered", "ordered", "items", "group"] : ["grocery", "items", "group"],
    );
    assert.equal(backend.defaultProtocol(dataset), protocol);
    const group = { dataset, protocol, seed: 1, model: "fake", options: {} };
    const shared = await backend.prepare(group, context);
    assert.ok(shared.similarity.data.buffer instanceof SharedArrayBuffer);
    const prepared = await prepareProtocol({
      dataset,
      protocol,
      seed: 1,
      model: "fake",
      embed,
      progress: false,
    });
    for (const method of ["greedy", "optimal"]) {
      const lists = await backend.prepareMethod!(shared, method, context);
      assert.ok(lists.values.buffer instanceof SharedArrayBuffer);
      for (const [s, m] of [[null, null], [0.3, 1], [0.5, 3], [0.95, null]] as const) {
        const cell: SweepCell = { ...group, method, s, m, bootstrap: 200 };
        const got = await backend.evaluate(shared, lists, structuredClone(cell));
        const scores = scoreSetPairs(prepared, {
          method: method as "greedy",
          s: s ?? undefined,
          m: m ?? undefined,
        });
        const want = evaluateScores(scores.data, prepared, { seed: 1, bootstrap: 200 });
        for (const name of SWEEP_METRICS) {
          assert.equal(got.metrics[name], want[name], `${method} s=${s} m=${m} ${name}`);
          assert.deepEqual(got.ci95[name], want.ci95[name], `${method} s=${s} m=${m} ci95 ${name}`);
        }
        assert.equal(got.provenance?.fingerprint, "fake-16");
        assert.equal(got.provenance?.n_queries, want.n_queries);
      }
    }
  });
}
