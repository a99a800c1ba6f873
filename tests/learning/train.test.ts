import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import { exists } from "../../lib/data/datasets.ts";
import { loadCoil100 } from "../../lib/data/loaders.ts";
import { loadImageModel } from "../../lib/embedding/registry.ts";
import {
  drawPair,
  HeadSession,
  loadHead,
  prepareTest,
  runTraining,
  saveHead,
  splitCoilUnseenObjects,
  trainHead,
  type TrainingData,
  validationSets,
  weightsSha256,
} from "../../lib/learning/mod.ts";
import { createRng } from "../../lib/random/mod.ts";
import { fakeEmbed, makeTinyDataDir } from "../fixtures/data/tiny.ts";

/** Clustered unit vectors: `items` clusters of `perItem` noisy copies of a random centre. */
function clustered(items: number, perItem: number, dim: number, noise: number, seed = 1): TrainingData {
  const rng = createRng(seed, "clusters");
  const data = new Float32Array(items * perItem * dim);
  const all = [];
  for (let c = 0; c < items; c++) {
    const centre = Array.from({ length: dim }, () => rng() - 0.5);
    const rows = [];
    for (let k = 0; k < perItem; k++) {
      const r = c * perItem + k;
      const v = centre.map((x) => x + noise * (rng() - 0.5));
      const n = Math.hypot(...v);
      v.forEach((x, j) => (data[r * dim + j] = x / n));
      rows.push(r);
    }
    all.push({ id: `item${c}`, rows });
  }
  return {
    embeddings: { data, count: items * perItem, dim },
    train: all.slice(0, items - 3),
    validation: all.slice(items - 3),
  };
}

const quick = { epochs: 3, passes: 2, a: 2, b: 3, outputDim: 8, batchItems: 6, progress: false } as const;

for (const backend of ["cpu", "wasm"] as const) {
  for (const head of ["projection", "attention"] as const) {
    Deno.test(`${head} head on ${backend}: same seed → byte-identical weights, another seed → different`, async () => {
      const data = clustered(10, 6, 12, 0.8);
      const options = { ...quick, head, backend, heads: 2, patience: 10 };
      const a = await trainHead(data, { ...options, seed: 7 });
      const b = await trainHead(data, { ...options, seed: 7 });
      const c = await trainHead(data, { ...options, seed: 8 });
      assert.equal(a.history.length, 3);
      assert.equal(await weightsSha256(a.config, a.weights), await weightsSha256(b.config, b.weights));
      assert.deepEqual(a.history.map((h) => h.loss), b.history.map((h) => h.loss));
      assert.notEqual(await weightsSha256(a.config, a.weights), await weightsSha256(c.config, c.weights));
      for (const h of a.history) {
        assert.ok(Number.isFinite(h.loss) && h.validationMap >= 0 && h.validationMap <= 1);
      }
    });
  }
}

Deno.test("training lowers the loss and early stopping keeps the best validation epoch", async () => {
  const data = clustered(12, 6, 16, 1.6, 2);
  const head = await trainHead(data, {
    ...quick,
    head: "projection",
    epochs: 12,
    patience: 3,
    backend: "cpu",
    learningRate: 0.01,
  });
  assert.ok(head.history.at(-1)!.loss < head.history[0].loss, JSON.stringify(head.history));
  const maps = [head.initialValidationMap, ...head.history.map((h) => h.validationMap)];
  assert.equal(Math.max(...maps), maps[head.bestEpoch]);
  if (head.stoppedEarly) assert.equal(head.history.length - head.bestEpoch, 3);
});

Deno.test("trainHead names bad input", async () => {
  const data = clustered(4, 3, 5, 0.5);
  await assert.rejects(
    () => trainHead({ ...data, train: data.train.slice(0, 1) }, { head: "projection" }),
    /≥ 2 items/,
  );
  await assert.rejects(
    () => trainHead({ ...data, train: [{ id: "x", rows: [0] }, ...data.train] }, { head: "projection" }),
    /item "x" has 1 image/,
  );
  await assert.rejects(
    () => trainHead(data, { head: "projection", epochs: 0 }),
    /epochs must be an integer ≥ 1/,
  );
  await assert.rejects(() => trainHead(data, { head: "projection", learningRate: -1 }), /learningRate/);
});

Deno.test("drawPair: disjoint sides of the requested sizes, padded from each side's own rows", () => {
  const rng = createRng(0, "t");
  for (const rows of [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2]]) {
    const [q, g] = drawPair(rows, 4, 5, rng);
    assert.equal(q.length, 4);
    assert.equal(g.length, 5);
    assert.ok(q.every((r) => !g.includes(r)));
  }
  const v = validationSets(
    [{ id: "a", rows: Array.from({ length: 20 }, (_, i) => i) }, { id: "b", rows: [20, 21, 22] }],
    4,
    5,
  );
  assert.deepEqual(v.queryItem, [0, 0, 1]);
  assert.equal(v.gallery[2].length, 2);
});

Deno.test("tiny end-to-end run on fixtures: split → embed → train → save → load in onnxruntime → test", async () => {
  const dataDir = await makeTinyDataDir({ coilObjects: 6 });
  const modelsDir = await Deno.makeTempDir({ prefix: "setsim-heads-" });
  try {
    const views = await loadCoil100({ dataDir });
    const split = splitCoilUnseenObjects(views, { trainObjects: (id) => id <= 4, validationFraction: 0.5 });
    const config = { dataDir, modelsDir };
    const run = await runTraining({
      protocol: split.protocol,
      split,
      head: "projection",
      out: "tiny",
      config,
      embed: fakeEmbed,
      ...quick,
      batchItems: 2,
      bootstrap: 50,
      backend: "cpu",
    });
    assert.equal(run.data.train.length, 2);
    assert.ok(run.test !== undefined && run.test.map > 0 && run.test.map <= 1);
    const { manifest, onnx } = await loadHead("tiny", { modelsDir });
    assert.equal(manifest.protocol, "coil100-unseen-objects");
    assert.equal(manifest.baseFingerprint, "fake-1");
    assert.equal(manifest.weightsSha256, await weightsSha256(run.head.config, run.head.weights));
    const session = await HeadSession.create(onnx, manifest.config);
    const prepared = await prepareTest(split, { config, embed: fakeEmbed, progress: false });
    const projected = await session.project(prepared.queryEmbeddings);
    assert.equal(projected.dim, 8);
    await session.dispose();
    for (const file of ["head.onnx", "image.onnx", "head.json"]) {
      assert.ok(await exists(join(modelsDir, "heads", "tiny", file)));
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(modelsDir, { recursive: true });
  }
});

Deno.test("saveHead writes all files or none: a failed save leaves the previous head intact", async () => {
  const modelsDir = await Deno.makeTempDir({ prefix: "setsim-heads-" });
  try {
    const data = clustered(6, 4, 6, 0.5);
    const head = await trainHead(data, { ...quick, head: "projection", epochs: 1, backend: "cpu" });
    const provenance = {
      baseModel: "fake",
      baseFingerprint: "fake-1|p",
      dataset: "x",
      protocol: "catalog-items",
    };
    const first = await saveHead("h", head, provenance, { modelsDir });
    // A head whose weights cannot be encoded (NaN) fails before anything is renamed into place.
    const broken = {
      ...head,
      weights: { ...head.weights, b1: { shape: head.weights.b1.shape, data: new Float32Array(8).fill(NaN) } },
    };
    await assert.rejects(() => saveHead("h", broken, provenance, { modelsDir }), /not finite/);
    const again = await loadHead("h", { modelsDir });
    assert.equal(again.manifest.weightsSha256, first.manifest.weightsSha256);
    const leftovers = [...Deno.readDirSync(join(modelsDir, "heads"))].map((e) => e.name);
    assert.deepEqual(leftovers, ["h"]);
    // A damaged graph is refused by its hash.
    await Deno.writeFile(join(modelsDir, "heads", "h", "head.onnx"), new Uint8Array([1, 2, 3]));
    await assert.rejects(() => loadHead("h", { modelsDir }), /does not match the hash/);
    await assert.rejects(() => loadHead("missing", { modelsDir }), /not found .*saved heads: h/);
    await assert.rejects(() => saveHead("../x", head, provenance, { modelsDir }), /invalid head name/);
  } finally {
    await Deno.remove(modelsDir, { recursive: true });
  }
});

const modelsDir = resolveConfig().modelsDir;
const modelReady = await exists(join(modelsDir, "mobilenet-v2-1.4", "onnx", "model.onnx"));

Deno.test({
  name: "`mobilenet-v2+head:NAME` loads as an image model: base vectors through the head's ONNX graph",
  ignore: !modelReady,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "setsim-head-models-" });
    try {
      await Deno.symlink(join(modelsDir, "mobilenet-v2-1.4"), join(dir, "mobilenet-v2-1.4"));
      const base = await loadImageModel("mobilenet-v2", { modelsDir: dir });
      const data = clustered(6, 4, base.dim, 0.5);
      for (const kind of ["projection", "attention"] as const) {
        const head = await trainHead(data, { ...quick, head: kind, heads: 2, epochs: 1, backend: "wasm" });
        await saveHead(`t-${kind}`, head, {
          baseModel: "mobilenet-v2",
          baseFingerprint: `${base.fingerprint}|prep`,
          dataset: "x",
          protocol: "catalog-items",
        }, { modelsDir: dir });
        const model = await loadImageModel(`mobilenet-v2+head:t-${kind}`, { modelsDir: dir });
        const image = {
          data: new Uint8Array(224 * 224 * 3).fill(128),
          width: 224,
          height: 224,
          channels: 3 as const,
        };
        const out = await model.embedImages([image]);
        assert.equal(model.dim, 8);
        assert.equal(model.name, `mobilenet-v2+head:t-${kind}`);
        assert.ok(model.fingerprint.startsWith(base.fingerprint + "|head:"));
        const x = await base.embedImages([image]);
        const { onnx, manifest } = await loadHead(`t-${kind}`, { modelsDir: dir });
        const session = await HeadSession.create(onnx, manifest.config);
        const expected = (await session.perImage({ data: x, count: 1, dim: base.dim })).data;
        for (let i = 0; i < 8; i++) assert.ok(Math.abs(out[i] - expected[i]) < 1e-5);
        await session.dispose();
        await model.dispose?.();
      }
      await saveHead(
        "other",
        await trainHead(clustered(6, 4, base.dim, 0.5), { ...quick, head: "projection", epochs: 1 }),
        {
          baseModel: "x",
          baseFingerprint: "another-model|prep",
          dataset: "x",
          protocol: "catalog-items",
        },
        { modelsDir: dir },
      );
      await assert.rejects(
        () => loadImageModel("mobilenet-v2+head:other", { modelsDir: dir }),
        /trained on other embeddings/,
      );
      await assert.rejects(
        () => loadImageModel("mobilenet-v2+head:nope", { modelsDir: dir }),
        /learned head "nope" is not in/,
      );
      await base.dispose?.();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("catalog-items on a user catalog (manifest with group labels): leakage-free split, trained end to end", async () => {
  const dataDir = await makeTinyDataDir({ coilObjects: 8 });
  const modelsDir = await Deno.makeTempDir({ prefix: "setsim-heads-" });
  try {
    const views = await loadCoil100({ dataDir });
    const rows = views.filter((v) => v.angleDeg % 30 === 0).map((v) =>
      `obj${v.objectId},${v.path},g${v.objectId}`
    );
    const manifest = join(dataDir, "catalog.csv");
    await Deno.writeTextFile(manifest, ["item_id,image,group", ...rows].join("\n") + "\n");
    const { loadLearningSplit } = await import("../../lib/learning/mod.ts");
    const split = await loadLearningSplit("catalog-items", {
      catalog: manifest,
      config: { dataDir },
      validationFraction: 0.5,
    });
    assert.equal(split.test.querySets.length, 4);
    const trained = new Set([...split.train, ...split.validation].map((i) => i.id));
    for (const s of split.test.querySets) assert.ok(!trained.has(s.label));
    const run = await runTraining({
      protocol: "catalog-items",
      split,
      head: "attention",
      heads: 2,
      out: "cat",
      config: { dataDir, modelsDir },
      embed: fakeEmbed,
      ...quick,
      batchItems: 2,
      bootstrap: 20,
      backend: "cpu",
    });
    assert.ok(run.test !== undefined && run.test.n_queries === 4);
    assert.equal((await loadHead("cat", { modelsDir })).manifest.dataset, split.params.catalog);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(modelsDir, { recursive: true });
  }
});
