import assert from "node:assert/strict";
import {
  mapFindings,
  type MapFindingsInput,
  structureVersusEmbedding,
  trustworthinessAt,
  valueSpan,
} from "../../../notebooks/lib/projection_findings.ts";
import { trustworthiness } from "../../../lib/projection/mod.ts";

const C = "Casual Shoes", F = "Formal Shoes", S = "Sports Shoes";

function input(): MapFindingsInput {
  const trust = (method: string, seed: number | string, t5: number, t10: number, t20: number) => ({
    method,
    seed,
    "T(5)": t5,
    "T(10)": t10,
    "T(20)": t20,
  });
  const agreement = (space: string, casual: number, formal: number, sports: number, all: number) => ({
    space,
    [C]: casual,
    [F]: formal,
    [S]: sports,
    all,
  });
  const mix = (q: string, shares: number[]) =>
    [C, F, S].map((c, k) => ({
      space: "t-SNE map",
      query_label: q,
      neighbour_label: c,
      fraction: shares[k],
    }));
  return {
    model: "m",
    seed: 0,
    n: 6,
    tsneIterations: 100,
    umapEpochs: 50,
    seeds: [0, 1],
    perplexities: [10, 30],
    types: [C, F, S],
    trust: [
      trust("t-SNE (perplexity 30)", 0, 0.9, 0.88, 0.85),
      trust("UMAP (15 neighbours)", 0, 0.85, 0.8, 0.8),
      trust("t-SNE (perplexity 30)", 1, 0.92, 0.88, 0.86),
      trust("UMAP (15 neighbours)", 1, 0.87, 0.8, 0.8),
      trust("PCA", "-", 0.8, 0.8, 0.8),
    ],
    perplexity: [{ perplexity: 10, "T(5)": 0.9 }, { perplexity: 30, "T(5)": 0.95 }],
    agreement: [
      agreement("embedding (cosine)", 0.4, 0.8, 0.6, 0.6),
      agreement("t-SNE map", 0.5, 0.7, 0.6, 0.61),
      agreement("UMAP map", 0.5, 0.8, 0.65, 0.65),
      agreement("PCA map", 0.3, 0.6, 0.6, 0.5),
    ],
    mix: [...mix(C, [0.48, 0.23, 0.29]), ...mix(F, [0.19, 0.76, 0.05]), ...mix(S, [0.33, 0.07, 0.6])],
    repeatable: false,
  };
}

Deno.test("mapFindings reads hand-built tables", () => {
  const text = mapFindings(input());
  assert.match(
    text,
    /^Measured with `m`, the `single` protocol with seed 0 \(6 shoes\), t-SNE 100 iterations, UMAP 50 epochs, seeds 0, 1:/,
  );
  assert.match(
    text,
    /t-SNE: T\(5\) = \*\*0\.900–0\.920\*\* over the seeds \(T\(10\) 0\.880, T\(20\) 0\.850–0\.860\)\./,
  );
  assert.match(
    text,
    /UMAP: T\(5\) = 0\.850–0\.870\. PCA: 0\.800\. Both non-linear maps keep local neighbourhoods better/,
  );
  assert.match(text, /t-SNE keeps them better than UMAP here \(mean T\(5\) 0\.910 vs 0\.860\)/);
  assert.match(text, /perplexities 10, 30, t-SNE's T\(5\) spans 0\.900–0\.950, highest at perplexity 30\./);
  // 0.61 vs 0.60: within ±0.02; UMAP 0.65: above; PCA 0.50: below.
  assert.match(
    text,
    /60\.0% of the time in the embedding and 61\.0% in the t-SNE map, so the t-SNE map shows about as much/,
  );
  assert.match(
    text,
    /UMAP \(65\.0%\) shows more type structure than the embedding has: it exaggerates the clusters; PCA \(50\.0%\) shows less/,
  );
  assert.match(text, /embedding → t-SNE map: casual 40% → 50%, formal 80% → 70%, sports 60% → 60%\./);
  assert.match(
    text,
    /formal shoes' neighbours are 76% formal and 5% sports; sports shoes' are 60% sports and 7% formal\./,
  );
  assert.match(text, /Casual shoes' neighbours are 48% casual, 23% formal, 29% sports\./);
  assert.match(text, /casual shoes are spread over the other types' regions, as the article said\./);
  assert.match(
    text,
    /\*\*Software\.\*\* Re-running both with the same seed gives DIFFERENT maps \(a reproducibility bug\)/,
  );
});

Deno.test("mapFindings: one seed, other verdicts, and a missing row is named", () => {
  const one = input();
  one.seeds = [0];
  one.trust = one.trust.map((r) => r.method === "PCA" ? { ...r, "T(5)": 0.95 } : r);
  one.repeatable = true;
  const text = mapFindings(one);
  assert.match(text, /over seed 0 /);
  assert.match(text, /The non-linear maps do not both beat the linear baseline/);
  assert.match(text, /gives bit-identical maps/);
  const noPca = input();
  noPca.agreement = noPca.agreement.filter((r) => r.space !== "PCA map");
  assert.throws(() => mapFindings(noPca), /no row for PCA map/);
});

Deno.test("valueSpan, structureVersusEmbedding and trustworthinessAt, hand-checked", () => {
  assert.equal(valueSpan([0.8804, 0.8796]), "0.880", "both round to 0.880");
  assert.equal(valueSpan([0.3, 0.1, 0.2]), "0.100–0.300");
  assert.throws(() => valueSpan([]), /at least one/);
  assert.match(structureVersusEmbedding(0.615, 0.6), /^about as much/);
  assert.match(structureVersusEmbedding(0.63, 0.6), /^more/);
  assert.match(structureVersusEmbedding(0.57, 0.6), /^less/);
  // Two tight pairs far apart: a map that keeps them is perfectly trustworthy at k = 1.
  const points = { data: Float32Array.from([0, 0, 1, 0, 9, 9, 10, 9]), count: 4, dim: 2 };
  const coords = [0, 0, 1, 0, 9, 9, 10, 9];
  assert.deepEqual(trustworthinessAt(points, coords, [1]), { "T(1)": 1 });
  const swapped = [0, 0, 9, 9, 1, 0, 10, 9];
  assert.deepEqual(trustworthinessAt(points, swapped, [1]), {
    "T(1)": trustworthiness(points, swapped, { k: 1 }),
  });
  assert.ok(trustworthinessAt(points, swapped, [1])["T(1)"] < 1);
});
