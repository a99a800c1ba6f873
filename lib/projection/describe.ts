/**
 * Describe clusters by their members' metadata: how each categorical field is distributed per
 * cluster, and which title words are most over-represented in a cluster compared with the
 * others — the evidence for reading "two kinds of casual shoes" from an embedding clustering.
 *
 * Word scores are log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi &
 * Quinn 2008), z-scored: for word w, cluster i vs the rest j, with counts y and totals n and
 * prior α_w = α₀ · (overall frequency of w),
 * δ = log((y_iw + α_w) / (n_i + α₀ − y_iw − α_w)) − log((y_jw + α_w) / (n_j + α₀ − y_jw − α_w)),
 * σ² ≈ 1/(y_iw + α_w) + 1/(y_jw + α_w), z = δ / σ. A word is counted once per title.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { distinctiveWords } from "./describe.ts";
 * const titles = ["Red Canvas Sneaker", "Blue Canvas Sneaker", "Brown Leather Loafer", "Black Leather Loafer"];
 * // minCount 2: a word must appear in two titles of the cluster (the default, 3, suits real catalogs).
 * const words = distinctiveWords(titles, [0, 0, 1, 1], { top: 2, minCount: 2 });
 * assert.deepEqual(words.map((w) => [w.cluster, w.word, w.share]), [
 *   [0, "canvas", 1],
 *   [0, "sneaker", 1],
 *   [1, "leather", 1],
 *   [1, "loafer", 1],
 * ]);
 * assert.equal(distinctiveWords(titles, [0, 0, 1, 1]).length, 0); // no word reaches 3 titles
 * ```
 * @module
 */

/** Lower-case word tokens of a title, each once. */
export function titleWords(title: string): string[] {
  return [...new Set(title.toLowerCase().match(/[a-z][a-z'-]*[a-z]|[a-z]/g) ?? [])];
}

/** The `top` most over-represented words of each cluster, with their z-scores and counts. */
export function distinctiveWords(
  titles: readonly string[],
  labels: readonly number[],
  options: { top?: number; prior?: number; minCount?: number } = {},
): { cluster: number; word: string; z: number; count: number; share: number }[] {
  if (titles.length !== labels.length) {
    throw new RangeError(`titles has ${titles.length} entries but labels has ${labels.length}`);
  }
  const top = options.top ?? 8;
  const alpha0 = options.prior ?? 100;
  const minCount = options.minCount ?? 3;
  const clusters = [...new Set(labels)].sort((a, b) => a - b);
  const counts = new Map<number, Map<string, number>>(clusters.map((c) => [c, new Map()]));
  const sizes = new Map<number, number>();
  const overall = new Map<string, number>();
  let totalWords = 0;
  titles.forEach((title, i) => {
    const words = titleWords(title);
    const c = labels[i];
    sizes.set(c, (sizes.get(c) ?? 0) + words.length);
    for (const w of words) {
      counts.get(c)!.set(w, (counts.get(c)!.get(w) ?? 0) + 1);
      overall.set(w, (overall.get(w) ?? 0) + 1);
      totalWords++;
    }
  });
  const members = new Map<number, number>();
  for (const c of labels) members.set(c, (members.get(c) ?? 0) + 1);
  const out: { cluster: number; word: string; z: number; count: number; share: number }[] = [];
  for (const c of clusters) {
    const ni = sizes.get(c) ?? 0;
    const nj = totalWords - ni;
    const scored: { word: string; z: number; count: number }[] = [];
    for (const [w, total] of overall) {
      const yi = counts.get(c)!.get(w) ?? 0;
      if (yi < minCount) continue;
      const yj = total - yi;
      const a = (alpha0 * total) / totalWords;
      const delta = Math.log((yi + a) / (ni + alpha0 - yi - a)) - Math.log((yj + a) / (nj + alpha0 - yj - a));
      const z = delta / Math.sqrt(1 / (yi + a) + 1 / (yj + a));
      scored.push({ word: w, z, count: yi });
    }
    scored.sort((x, y) => y.z - x.z || (x.word < y.word ? -1 : 1));
    for (const s of scored.slice(0, top)) out.push({ cluster: c, ...s, share: s.count / members.get(c)! });
  }
  return out;
}

/** Per cluster, the share of each value of a categorical field: rows `{cluster, value, count, share}`. */
export function fieldMix(
  values: readonly string[],
  labels: readonly number[],
): { cluster: number; value: string; count: number; share: number }[] {
  if (values.length !== labels.length) {
    throw new RangeError(`values has ${values.length} entries but labels has ${labels.length}`);
  }
  const out: { cluster: number; value: string; count: number; share: number }[] = [];
  for (const c of [...new Set(labels)].sort((a, b) => a - b)) {
    const mine = values.filter((_, i) => labels[i] === c);
    const tally = new Map<string, number>();
    for (const v of mine) tally.set(v, (tally.get(v) ?? 0) + 1);
    for (const [value, count] of [...tally].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))) {
      out.push({ cluster: c, value, count, share: count / mine.length });
    }
  }
  return out;
}

/** Indices of the `m` members of each cluster closest to its centre (Euclidean), closest first. */
export function closestToCenters(
  points: { data: ArrayLike<number>; count: number; dim: number },
  labels: readonly number[],
  centers: ArrayLike<number>,
  m: number,
  options: { normalize?: boolean } = {},
): number[][] {
  const { data, count, dim } = points;
  if (labels.length !== count) {
    throw new RangeError(`labels has ${labels.length} entries for ${count} points`);
  }
  const k = centers.length / dim;
  if (!Number.isInteger(k)) {
    throw new RangeError(`centers length ${centers.length} is not a multiple of dim ${dim}`);
  }
  const out: number[][] = Array.from({ length: k }, () => []);
  const dist = (i: number, c: number) => {
    let norm = 1;
    if (options.normalize) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += data[i * dim + d] ** 2;
      norm = Math.sqrt(s) || 1;
    }
    let s = 0;
    for (let d = 0; d < dim; d++) s += (data[i * dim + d] / norm - centers[c * dim + d]) ** 2;
    return s;
  };
  for (let c = 0; c < k; c++) {
    const members = labels.flatMap((l, i) => (l === c ? [i] : []));
    members.sort((a, b) => dist(a, c) - dist(b, c) || a - b);
    out[c] = members.slice(0, m);
  }
  return out;
}
