import assert from "node:assert/strict";
import {
  keepApart,
  meanByLabel,
  sameLabelChance,
  silhouetteScale,
  singleImageFindings,
  type SingleImageFindingsInput,
} from "../../../notebooks/lib/retrieval_findings.ts";

const C = "Casual Shoes", F = "Formal Shoes", S = "Sports Shoes";
const TYPES = [C, F, S];

// Six shoes, two per type; only the neighbours of the examples (4, 2) and the casual shoes (0, 1) are read.
function input(): SingleImageFindingsInput {
  const top = [[1, 2, 4], [0, 4, 5], [3, 0, 4], [2, 1, 5], [5, 0, 1], [4, 3, 0]];
  const mix = (q: string, shares: number[]) =>
    TYPES.map((c, k) => ({ query_label: q, neighbour_label: c, fraction: shares[k] }));
  const block = (from: string, to: string) => ({
    from,
    to,
    mean_distance: from !== to ? 0.25 : from === C ? 0.2 : from === F ? 0.1 : 0.15,
  });
  const split = (type: string, silhouette: number, min: number) => ({
    type,
    k: 2,
    silhouette,
    ari_min_over_seeds: min,
    ari_mean_over_seeds: 0.95,
  });
  return {
    model: "m",
    dim: 8,
    seed: 0,
    bootstrap: 10,
    types: TYPES,
    labels: [C, C, F, F, S, S],
    ids: [10, 11, 12, 13, 14, 15],
    examples: [4, 2],
    top3: {
      k: 3,
      rows: 6,
      indices: Int32Array.from(top.flat()),
      scores: new Float64Array(18),
    },
    precision: [
      { type: C, precision_at_3: 0.4, ci_lo: 0.1, ci_hi: 0.5, chance: 0.2 },
      { type: F, precision_at_3: 0.9, ci_lo: 0.8, ci_hi: 1, chance: 0.2 },
      { type: S, precision_at_3: 0.5, ci_lo: 0.3, ci_hi: 0.6, chance: 0.2 },
      { type: "all", precision_at_3: 0.6, ci_lo: 0.5, ci_hi: 0.7, chance: 0.2 },
    ],
    mix: [...mix(C, [0.4, 0.3, 0.3]), ...mix(F, [0.05, 0.9, 0.05]), ...mix(S, [0.4, 0.05, 0.55])],
    blocks: TYPES.flatMap((a) => TYPES.map((b) => block(a, b))),
    splits: [split(C, 0.3, 0.85), split(F, 0.1, 0.5), split(S, 0.35, 1)],
    kmeansSeeds: 3,
    casual: {
      members: [0, 1],
      clusters: [0, 1],
      colours: [{ cluster: 0, value: "Black", share: 1 }, { cluster: 1, value: "White", share: 1 }],
      words: [{ cluster: 0, word: "black" }, { cluster: 1, word: "white" }],
    },
  };
}

Deno.test("singleImageFindings reads a hand-built sample", () => {
  const text = singleImageFindings(input());
  assert.match(
    text,
    /^Measured with `m` \(8-d\), the `single` protocol with seed 0 \(2 shoes per type\), 10 bootstrap/,
  );
  // Examples: shoe 4 (sports) → 5 sports, 0 and 1 casual; shoe 2 (formal) → 3 formal, 0 casual, 4 sports.
  assert.match(text, /In the 2 examples, 2 of the 6 nearest shoes have the query's type\./);
  assert.match(
    text,
    /The sports shoe #14 finds 2 casual, 1 sports\. The formal shoe #12 finds 1 casual, 1 formal, 1 sports\./,
  );
  assert.match(text, /over all 6 shoes is \*\*0\.600 \[0\.500, 0\.700\]\*\*, against 0\.20 by chance/);
  assert.match(
    text,
    /By type: formal \*\*0\.900 \[0\.800, 1\.000\]\*\*, sports .*, casual .*\. The casual interval includes chance\./,
  );
  // Only formal–sports take < 0.2 / 2 from each other.
  assert.match(
    text,
    /Pairs that keep apart: formal–sports; pairs that do not: casual–formal, casual–sports\./,
  );
  assert.match(text, /"sports shoes separate from formal and casual ones" holds only in part here/);
  assert.match(
    text,
    /most clearly is \*\*formal\*\* \(90% same-type neighbours\), the least \*\*casual\*\* \(40%\)\./,
  );
  assert.match(text, /tightest block is formal \(mean within-type distance 0\.100\)/);
  assert.match(text, /block means 0\.100–0\.250/);
  assert.match(text, /silhouette of \*\*0\.300\*\* \(weak structure\); formal 0\.100, sports 0\.350/);
  assert.match(text, /clearest 2-way split is that of the \*\*sports\*\* shoes\. Across 3 k-means seeds/);
  // Cluster 0 = shoe 0: 1 of its 3 neighbours (4) is a sports shoe; cluster 1 = shoe 1: 2 of 3 (4, 5).
  assert.match(
    text,
    /cluster 0: 1 shoes; base colours black 100%; distinctive title words \*black\*; 33% of their/,
  );
  assert.match(
    text,
    /cluster 1: 1 shoes; base colours white 100%; distinctive title words \*white\*; 67% of their/,
  );
  assert.match(
    text,
    /holds in a weak sense: the split is stable but not well separated, and casual is not special \(sports splits more clearly\)\./,
  );
});

Deno.test("singleImageFindings: other verdicts, and a missing row is named", () => {
  const unstable = input();
  unstable.splits = [
    { ...unstable.splits[0], silhouette: 0.6, ari_min_over_seeds: 0.5 },
    ...unstable.splits.slice(1),
  ];
  const text = singleImageFindings(unstable);
  assert.match(text, /\(reasonable structure\)/);
  assert.match(text, /is not supported: the split is not stable across seeds, and it is the clearest split/);
  const noFormal = input();
  noFormal.precision = noFormal.precision.filter((r) => r.type !== "all");
  assert.throws(() => singleImageFindings(noFormal), /no row for type all/);
});

Deno.test("sameLabelChance, keepApart and silhouetteScale, hand-checked", () => {
  const labels = ["a", "a", "a", "b"];
  assert.equal(sameLabelChance(labels, ["a", "b"], "a"), 2 / 3);
  assert.equal(sameLabelChance(labels, ["a", "b"], "b"), 0);
  assert.equal(sameLabelChance(labels, ["a", "b"], "all"), 6 / 12);
  assert.throws(() => sameLabelChance(labels, ["a", "b"], "c"), /"c" is not one of a, b/);
  assert.throws(() => sameLabelChance(["a"], ["a"], "a"), /at least 2/);
  assert.deepEqual([0.5, 0.49, 0.25, 0.24].map(silhouetteScale), ["reasonable", "weak", "weak", "no"]);
  const mix = [
    { query_label: "a", neighbour_label: "b", fraction: 0.1 },
    { query_label: "b", neighbour_label: "a", fraction: 0.1 },
  ];
  assert.equal(keepApart(mix, "a", "b", 0.2), false, "0.1 is not below 0.2 / 2");
  assert.equal(keepApart(mix, "a", "b", 0.21), true);
  assert.throws(() => keepApart(mix, "a", "c", 0.2), /a → c/);
});

Deno.test("meanByLabel averages per label and over all items, in table order", () => {
  const row = meanByLabel([1, 0, 0.5, 1], ["a", "b", "a", "a"], ["a", "b"]);
  assert.deepEqual(Object.keys(row), ["a", "b", "all"]);
  assert.deepEqual(row, { a: 2.5 / 3, b: 0, all: 2.5 / 4 });
  assert.throws(() => meanByLabel([1], ["a", "b"], ["a"]), /1 values for 2 labels/);
  assert.throws(() => meanByLabel([1, 2], ["a", "a"], ["a", "c"]), /no item has label "c"/);
});
