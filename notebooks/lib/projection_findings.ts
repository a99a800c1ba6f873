/**
 * The findings of notebook 02 (a map of the shoe embeddings), written from its tables so they stay
 * true for another model or seed: how trustworthy each map is, whether the types cluster in the map
 * as much as in the embedding, and the article's reading of the t-SNE map.
 *
 * A map shows "about as much type structure as the embedding" when its same-type share among the 5
 * nearest shoes is within ±0.02 of the embedding's ({@link structureVersusEmbedding}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { structureVersusEmbedding, trustworthinessAt, valueSpan } from "./projection_findings.ts";
 * assert.equal(valueSpan([0.9161, 0.9282]), "0.916–0.928");
 * assert.equal(valueSpan([0.81]), "0.810");
 * assert.match(structureVersusEmbedding(0.60, 0.631), /^less type structure/);
 * const points = { data: Float32Array.from([0, 0, 1, 0, 5, 5, 6, 5]), count: 4, dim: 2 };
 * assert.deepEqual(trustworthinessAt(points, [0, 0, 1, 0, 5, 5, 6, 5], [1]), { "T(1)": 1 });
 * ```
 * @module
 */

import { percent } from "../../lib/retrieval/describe.ts";
import type { Embeddings } from "../../lib/types.ts";
import { trustworthiness } from "../../lib/projection/trustworthiness.ts";

/** The trustworthiness T(k) of a 2-D map for each k, as table columns `T(k)`. */
export function trustworthinessAt(
  points: Embeddings,
  coords: ArrayLike<number>,
  ks: readonly number[],
): Record<string, number> {
  return Object.fromEntries(ks.map((k) => [`T(${k})`, trustworthiness(points, coords, { k })]));
}

/** "lo–hi" of `values` with 3 decimals, or the one value when both round alike. */
export function valueSpan(values: readonly number[]): string {
  if (values.length === 0) throw new RangeError("valueSpan needs at least one value");
  const [lo, hi] = [Math.min(...values).toFixed(3), Math.max(...values).toFixed(3)];
  return lo === hi ? lo : `${lo}–${hi}`;
}

/** How a map's type structure compares with the embedding's (same-type share, tolerance ±0.02). */
export function structureVersusEmbedding(map: number, embedding: number): string {
  const d = map - embedding;
  return d > 0.02
    ? "more type structure than the embedding has: it exaggerates the clusters"
    : d < -0.02
    ? "less type structure than the embedding has"
    : "about as much type structure as the embedding has: it does not invent clusters";
}

/** Everything the findings of notebook 02 read; rows are named as the notebook names them. */
export interface MapFindingsInput {
  model: string;
  seed: number;
  /** Number of shoes. */
  n: number;
  tsneIterations: number;
  umapEpochs: number;
  /** The seeds of the trustworthiness table. */
  seeds: readonly number[];
  perplexities: readonly number[];
  /** The shoe types. */
  types: readonly string[];
  /** Rows `{ method, seed, "T(k)"… }`; methods "t-SNE (perplexity 30)", "UMAP (15 neighbours)", "PCA". */
  trust: readonly Record<string, unknown>[];
  /** Rows `{ perplexity, "T(5)"… }` of the t-SNE perplexity sweep. */
  perplexity: readonly Record<string, unknown>[];
  /** Rows `{ space, <type>…, all }`: same-type share among the 5 nearest shoes per space. */
  agreement: readonly Record<string, unknown>[];
  /** Rows `{ space, query_label, neighbour_label, fraction }` among the 5 nearest shoes. */
  mix: readonly { space: string; query_label: string; neighbour_label: string; fraction: number }[];
  /** Whether a re-run with the same seed gave bit-identical maps. */
  repeatable: boolean;
}

const TSNE = "t-SNE (perplexity 30)", UMAP = "UMAP (15 neighbours)", EMB = "embedding (cosine)";
const lower = (type: string) => type.replace(" Shoes", "").toLowerCase();

function found<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new RangeError(`mapFindings: no row for ${what}`);
  return row;
}

/** The markdown findings of notebook 02: an intro line and four bullets. */
export function mapFindings(input: MapFindingsInput): string {
  const { types, seeds } = input;
  const trust = (method: string, k: number) => {
    const values = input.trust.filter((r) => r.method === method).map((r) => r[`T(${k})`] as number);
    if (values.length === 0) throw new RangeError(`mapFindings: no row for ${method}`);
    return values;
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [tsneT5, umapT5, pcaT5] = [mean(trust(TSNE, 5)), mean(trust(UMAP, 5)), trust("PCA", 5)[0]];
  const perplexityT5 = input.perplexity.map((r) => r["T(5)"] as number);
  const bestPerplexity = input.perplexity[perplexityT5.indexOf(Math.max(...perplexityT5))].perplexity;
  const agree = (space: string, t = "all") =>
    found(input.agreement.find((r) => r.space === space), space)[t] as number;
  const versus = (space: string) => structureVersusEmbedding(agree(space), agree(EMB));
  const mixShare = (space: string, q: string, c: string) =>
    found(
      input.mix.find((r) => r.space === space && r.query_label === q && r.neighbour_label === c),
      `${space}: ${q} → ${c}`,
    ).fraction;
  const typeShift = types.map((t) =>
    `${lower(t)} ${percent(agree(EMB, t))} → ${percent(agree("t-SNE map", t))}`
  );
  const casualMix = types.map((c) => `${percent(mixShare("t-SNE map", "Casual Shoes", c))} ${lower(c)}`).join(
    ", ",
  );
  const tsneShare = (q: string, c: string) => percent(mixShare("t-SNE map", q, c));
  return `Measured with \`${input.model}\`, the \`single\` protocol with seed ${input.seed} (${input.n} shoes), ` +
    `t-SNE ${input.tsneIterations} iterations, UMAP ${input.umapEpochs} epochs, seeds ${seeds.join(", ")}:

- **Trustworthiness.** t-SNE: T(5) = **${valueSpan(trust(TSNE, 5))}** over ${
      seeds.length > 1 ? "the seeds" : `seed ${seeds[0]}`
    } (T(10) ${valueSpan(trust(TSNE, 10))}, T(20) ` +
    `${valueSpan(trust(TSNE, 20))}). UMAP: T(5) = ${valueSpan(trust(UMAP, 5))}. PCA: ${pcaT5.toFixed(3)}. ` +
    `${
      Math.min(tsneT5, umapT5) > pcaT5
        ? "Both non-linear maps keep local neighbourhoods better than the linear baseline"
        : "The non-linear maps do not both beat the linear baseline"
    }` +
    `, and ${
      tsneT5 > umapT5 ? "t-SNE keeps them better than UMAP" : "UMAP keeps them at least as well as t-SNE"
    } here ` +
    `(mean T(5) ${tsneT5.toFixed(3)} vs ${umapT5.toFixed(3)}). Over perplexities ${
      input.perplexities.join(", ")
    }, t-SNE's T(5) spans ` +
    `${valueSpan(perplexityT5)}, highest at perplexity ${bestPerplexity}.
- **Do the types cluster?** A shoe's 5 nearest shoes share its type ${
      percent(agree(EMB), 1)
    } of the time in the embedding ` +
    `and ${percent(agree("t-SNE map"), 1)} in the t-SNE map, so the t-SNE map shows ${
      versus("t-SNE map")
    }. UMAP ` +
    `(${percent(agree("UMAP map"), 1)}) shows ${versus("UMAP map")}; PCA (${
      percent(agree("PCA map"), 1)
    }) shows ${versus("PCA map")}. ` +
    `Same-type neighbours per type, embedding → t-SNE map: ${typeShift.join(", ")}.
- **The article's reading**, checked in the t-SNE map: formal shoes' neighbours are ${
      tsneShare("Formal Shoes", "Formal Shoes")
    } ` +
    `formal and ${tsneShare("Formal Shoes", "Sports Shoes")} sports; sports shoes' are ` +
    `${tsneShare("Sports Shoes", "Sports Shoes")} sports and ${
      tsneShare("Sports Shoes", "Formal Shoes")
    } formal. ` +
    `Casual shoes' neighbours are ${casualMix}. So the types occupy overlapping regions rather than separate islands, ` +
    `and casual shoes ${
      mixShare("t-SNE map", "Casual Shoes", "Casual Shoes") < 0.5
        ? "are spread over the other types' regions, as the article said"
        : "mostly keep to their own region"
    }.
- **Software.** Re-running both with the same seed gives ${
      input.repeatable ? "bit-identical maps" : "DIFFERENT maps (a reproducibility bug)"
    } (their run times go to the git-ignored \`results/timings/\`: they change from ` +
    `run to run). The npm \`tsne-js\` package was not used: it takes its random numbers from \`Math.random\`, so its runs cannot be repeated.`;
}
