import assert from "node:assert/strict";
import { ModelUnavailableError } from "../../lib/embedding/clip/mod.ts";
import { DEFAULT_TEXT_MODEL, loadTextModel, OFFLINE_TEXT_MODELS } from "../../lib/embedding/text/mod.ts";

Deno.test("loadTextModel: default is the offline USE encoder", async () => {
  assert.equal(DEFAULT_TEXT_MODEL, "use");
  assert.deepEqual(OFFLINE_TEXT_MODELS, ["use", "tfidf"]);
  const model = await loadTextModel();
  try {
    assert.equal(model.name, "use");
    assert.equal(model.dim, 512);
  } finally {
    await model.dispose?.();
  }
});

Deno.test("loadTextModel('tfidf') fits on options.corpus and refuses to guess one", async () => {
  const model = await loadTextModel("tfidf", {
    corpus: ["red shoe", "blue heels"],
    tfidf: { ngram: [2, 2] },
  });
  assert.equal(model.name, "tfidf");
  // " red ": 4 bigrams, " shoe ": 5, " blue ": 5, " heels ": 6; "e " occurs twice → 19 distinct.
  assert.equal(model.dim, 19);
  await assert.rejects(loadTextModel("tfidf"), /"tfidf" is fitted on a corpus: pass options\.corpus/);
});

Deno.test("loadTextModel: unknown names list every valid name", async () => {
  const error = await loadTextModel("bert-base").catch((e) => e);
  assert.ok(error instanceof RangeError);
  for (const name of ['"use"', '"tfidf"', '"clip:<hub id>"']) {
    assert.ok(error.message.includes(name), error.message);
  }
  await assert.rejects(loadTextModel(42 as unknown as string), /text model name must be a string/);
});

Deno.test("loadTextModel('clip') means the default CLIP checkpoint; missing offline is a clear error", async () => {
  const modelsDir = await Deno.makeTempDir({ prefix: "setsim-empty-models-" });
  try {
    const error = await loadTextModel("clip", { modelsDir, allowRemote: false }).catch((e) => e);
    assert.ok(error instanceof ModelUnavailableError, String(error));
    assert.match(error.message, /"Xenova\/clip-vit-base-patch32"/);
    assert.match(error.message, /Available offline: .*use \(text\), tfidf \(text\)/);
  } finally {
    await Deno.remove(modelsDir, { recursive: true });
  }
});
