/**
 * The findings of notebook 06 (text and image together), written from its tables so they stay true
 * for another model, seed or sample: how strong text alone is, the best fusion weight with its
 * interval and how flat the sweep is around it, where text fixes the image ranking, the gain per
 * type, and what category restriction does.
 *
 * "Flat" is the range of weights whose mAP lies inside the best weight's 95% interval; the
 * *equal-spread weight* is the w at which w · (text spread) = (1 − w) · (image spread), spreads being
 * the 2nd–98th percentiles of the off-diagonal similarities ({@link equalSpreadWeight}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bestWeightRow, equalSpreadWeight, flatWeights } from "./fusion_findings.ts";
 * const cell = (weight: number, map: number) => ({
 *   setting: { weight, restricted: false },
 *   metrics: { map: { value: map, lo: map - 0.02, hi: map + 0.02 }, precision_at_5: { value: map } },
 *   n_queries: 10,
 * });
 * const cells = [cell(0, 0.5), cell(0.5, 0.6), cell(1, 0.59)];
 * assert.equal(bestWeightRow("use", cells).best_w_by_map, 0.5);
 * assert.equal(bestWeightRow("use", cells).map_ci, "0.580–0.620");
 * assert.deepEqual(flatWeights(cells), [0.5, 1]); // 0.59 ≥ 0.58
 * assert.equal(equalSpreadWeight([0.6, 0.9], [0.2, 0.5]), 0.5);
 * ```
 * @module
 */

import { bestCell, type Estimate, formatEstimate, hasInterval } from "../../lib/evaluation/estimate.ts";
import type { SimilarityMatrix } from "../../lib/matching/types.ts";
import { offDiagonalQuantiles, percent, sharedFirstWordRate } from "../../lib/retrieval/describe.ts";
import type { TopK } from "../../lib/retrieval/neighbours.ts";
import type { FusionCell } from "../../lib/fusion/sweep.ts";

/** The row of the best-weight table (`best-weight.csv`) of one text model's sweep. */
export interface BestWeightRow {
  text_model: string;
  best_w_by_map: number;
  map_at_best: number;
  /**
   * The ends of the best weight's mAP interval, "lo–hi" with 3 decimals (the committed column's
   * spelling, kept as it was); empty for a sweep without resamples (no interval).
   */
  map_ci: string;
  map_image_only: number;
  map_text_only: number;
  p5_at_best: number;
  p5_image_only: number;
  p5_text_only: number;
}

function cellAt(cells: readonly FusionCell[], weight: number): FusionCell {
  const found = cells.find((c) => c.setting.weight === weight);
  if (!found) throw new RangeError(`the sweep has no weight ${weight}`);
  return found;
}

/** The weight with the highest mAP (the first of equal ones), as in {@link bestCell} without a tie-break. */
function bestWeight(cells: readonly FusionCell[]): FusionCell {
  const best = bestCell(cells, "map", "map");
  if (!best) throw new RangeError("the sweep has no weight with a finite mAP");
  return best;
}

/** The best-weight row of one text model: the best weight by mAP against the image-only (w = 0) and title-only (w = 1) ends. */
export function bestWeightRow(textModel: string, cells: readonly FusionCell[]): BestWeightRow {
  const top = bestWeight(cells), image = cellAt(cells, 0), textOnly = cellAt(cells, 1);
  const p5 = (c: FusionCell) => c.metrics.precision_at_5.value;
  return {
    text_model: textModel,
    best_w_by_map: top.setting.weight,
    map_at_best: top.metrics.map.value,
    map_ci: hasInterval(top.metrics.map)
      ? `${top.metrics.map.lo.toFixed(3)}–${top.metrics.map.hi.toFixed(3)}`
      : "",
    map_image_only: image.metrics.map.value,
    map_text_only: textOnly.metrics.map.value,
    p5_at_best: p5(top),
    p5_image_only: p5(image),
    p5_text_only: p5(textOnly),
  };
}

function interval(e: Estimate, what: string): { lo: number; hi: number } {
  if (!hasInterval(e)) {
    throw new RangeError(`${what} has no interval (bootstrap 0): the findings compare intervals`);
  }
  return e;
}

/** The weights whose mAP lies inside the best weight's 95% interval (at or above its lower end), in sweep order. */
export function flatWeights(cells: readonly FusionCell[]): number[] {
  const { lo } = interval(bestWeight(cells).metrics.map, "the best weight's mAP");
  return cells.filter((c) => c.metrics.map.value >= lo).map((c) => c.setting.weight);
}

/**
 * The w at which text and image move the fused score by the same amount: w · (tHi − tLo) =
 * (1 − w) · (iHi − iLo), i.e. w = image spread / (image spread + text spread).
 */
export function equalSpreadWeight(
  image: readonly [number, number] | number[],
  text: readonly [number, number] | number[],
): number {
  const [iLo, iHi] = image, [tLo, tHi] = text;
  return (iHi - iLo) / (iHi - iLo + tHi - tLo);
}

/** A row of the category-restriction table (`sweep.ts` {@link restrictionRows}). */
export interface RestrictionRowLike {
  precision_at_5: number;
  map: number;
}

/** Everything the findings of notebook 06 read. */
export interface FusionFindingsInput {
  model: string;
  seed: number;
  bootstrap: number;
  /** The text models swept, the default first ("use", "tfidf", maybe a CLIP text tower). */
  textModels: readonly string[];
  /** The shoes' titles and types, and the types in table order. */
  titles: readonly string[];
  labels: readonly string[];
  types: readonly string[];
  image: SimilarityMatrix;
  text: Readonly<Record<string, SimilarityMatrix>>;
  /** Each text model's weight sweep. */
  sweep: Readonly<Record<string, readonly FusionCell[]>>;
  /** Rows of the cross-validation table: chosen weights per fold joined by " / ". */
  crossValidation: readonly {
    text_model: string;
    in_sample_map: number;
    held_out_map: number;
    chosen_w_per_fold: string;
  }[];
  /** The default text model's best weight, where the fixes, per-type rows and restrictions were measured. */
  weight: number;
  fixes: {
    improved: number;
    worse: number;
    unchanged: number;
    /** Non-sports shoes with sports-shoe image neighbours that fusion improved. */
    sportyFixed: number;
    /** The improved queries and the 3 nearest shoes by image and by the fusion. */
    queries: readonly number[];
    imageTop: TopK;
    fusedTop: TopK;
  };
  /** precision@5 per type at weights 0 and {@link FusionFindingsInput.weight}. */
  perType: readonly { w: number; type: string; precision_at_5: number }[];
  /** For how many of the shoes `usage` names the `articleType` ("Casual" for "Casual Shoes"). */
  usageAgrees: number;
  /** The restriction tables: (a) the shoes by usage, (b) the wide sample by subCategory, rows in the notebook's order. */
  restriction: {
    a: readonly RestrictionRowLike[];
    b: readonly RestrictionRowLike[];
    wideItems: number;
    wideTypes: number;
  };
}

const named = (m: string) => (m === "use" ? "USE" : m === "tfidf" ? "TF-IDF" : m);
const pm = (r: RestrictionRowLike) => `${r.precision_at_5.toFixed(3)} / ${r.map.toFixed(3)}`;
const cellPm = (c: FusionCell) =>
  pm({ precision_at_5: c.metrics.precision_at_5.value, map: c.metrics.map.value });

/** The markdown findings of notebook 06: an intro line and six bullets. */
export function fusionFindings(input: FusionFindingsInput): string {
  const { textModels, titles, labels, types, fixes } = input;
  const n = labels.length, W = input.weight;
  const sweep = (m: string) => {
    const cells = input.sweep[m];
    if (!cells) throw new RangeError(`fusionFindings: no sweep for text model ${m}`);
    return cells;
  };
  const at = (m: string, w: number) => cellAt(sweep(m), w);
  const map = (c: FusionCell) => c.metrics.map;
  const imageOnly = at(textModels[0], 0);
  const typeWordShare =
    titles.filter((t, i) => t.toLowerCase().includes(labels[i].split(" ")[0].toLowerCase())).length / n;
  const imageSpread = offDiagonalQuantiles(input.image, [0.02, 0.98]);
  const fusionLines = textModels.map((m) => {
    const top = bestWeight(sweep(m)), textEnd = at(m, 1);
    const cv = input.crossValidation.find((r) => r.text_model === m);
    if (!cv) throw new RangeError(`fusionFindings: no cross-validation row for ${m}`);
    const flat = flatWeights(sweep(m));
    const chosen = cv.chosen_w_per_fold.split(" / ").map(Number);
    const textSpread = offDiagonalQuantiles(input.text[m], [0.02, 0.98]);
    const topMap = interval(map(top), `${m}'s best mAP`),
      imageMap = interval(map(imageOnly), "image-only mAP");
    const textMap = interval(map(textEnd), `${m}'s title-only mAP`);
    return `  - **${named(m)}**: best w = ${top.setting.weight}, mAP ${
      formatEstimate(map(top))
    }, precision@5 ` +
      `${top.metrics.precision_at_5.value.toFixed(3)}; ${
        topMap.lo > imageMap.hi ? "clearly above" : "not clearly above"
      } image only, and ` +
      `${map(top).value > textMap.hi ? "above" : "inside"} the title-only interval, ${
        formatEstimate(map(textEnd))
      }. ` +
      `Flat for w ∈ [${Math.min(...flat)}, ${Math.max(...flat)}]. 5-fold cross-validation picks w = ${
        Math.min(...chosen)
      }–${Math.max(...chosen)}; ` +
      `held-out mAP ${cv.held_out_map.toFixed(3)} vs in-sample ${
        cv.in_sample_map.toFixed(3)
      }. Title similarities spread ` +
      `${textSpread[0].toFixed(2)}–${textSpread[1].toFixed(2)}, so the equal-spread weight is ${
        equalSpreadWeight(imageSpread, textSpread).toFixed(2)
      }.`;
  });
  const brandImage = sharedFirstWordRate(titles, fixes.imageTop, fixes.queries);
  const brandFused = sharedFirstWordRate(titles, fixes.fusedTop, fixes.queries);
  const typeAt = (w: number, t: string) => {
    const row = input.perType.find((r) => r.w === w && r.type === t);
    if (!row) throw new RangeError(`fusionFindings: no per-type row for w = ${w}, ${t}`);
    return row.precision_at_5;
  };
  const rises = types.filter((t) => typeAt(W, t) > typeAt(0, t));
  const { a: rowsA, b: rowsB } = input.restriction;
  const addsUp = rowsB[3].precision_at_5 > Math.max(rowsB[1].precision_at_5, rowsB[2].precision_at_5) &&
    rowsB[3].map > Math.max(rowsB[1].map, rowsB[2].map);
  const lexical = textModels.includes("tfidf")
    ? ` The lexical baseline ${
      map(at("tfidf", 1)).value > map(at("use", 1)).value ? "beats" : "does not beat"
    } the ` +
      `sentence encoder on mAP${
        map(at("tfidf", 1)).value > map(at("use", 1)).value
          ? ": the deciding words only need to match literally"
          : ""
      }.`
    : "";
  return `Measured with \`${input.model}\` images, seed ${input.seed}, the ${n} shoes (plus ${input.restriction.wideItems} footwear for ` +
    `restriction (b)), ${input.bootstrap} bootstrap resamples; precision@5 / mAP unless said otherwise:

- **Text alone is strong, because the titles often name the type**: ${
      percent(typeWordShare)
    } of the titles contain their ` +
    `type's word (casual / formal / sports). Image only: ${cellPm(imageOnly)}. ` +
    textModels.map((m) => `Title only with ${named(m)}: ${cellPm(at(m, 1))}.`).join(" ") + lexical + `
- **Fusion by weight** (image similarities spread ${imageSpread[0].toFixed(2)}–${imageSpread[1].toFixed(2)}):
${fusionLines.join("\n")}

  Because the two similarities spread differently, w is not a balance of contributions; we report the article's plain
  average (normalising each similarity first would move the flat range, not the conclusion).
- **Where text fixes the image.** At w = ${W} (USE), precision@3 improves for ${fixes.improved} shoes, gets worse for ` +
    `${fixes.worse} and stays the same for ${fixes.unchanged}. For ${fixes.sportyFixed} non-sports shoes the image-only ` +
    `neighbours included sports shoes and fusion improved the ranking: the article's "looks sporty" case. Among all improved shoes, ` +
    `the share of the 3 nearest shoes whose title starts with the query's first word (usually the brand) goes from ` +
    `${percent(brandImage)} (image only) to ${percent(brandFused)} (fused)${
      brandFused > brandImage + 0.1 ? ", so brand words do much of the fixing" : ""
    }.
- **Per type** (USE, w = ${W} vs image only), precision@5 ${
      rises.length === types.length
        ? "rises for every type"
        : `rises for ${rises.length} of ${types.length} types`
    }: ` +
    types.map((t) =>
      `${t.replace(" Shoes", "").toLowerCase()} ${typeAt(0, t).toFixed(3)} → ${typeAt(W, t).toFixed(3)}`
    )
      .join(", ") +
    `.
- **Category restriction depends on the field.** (a) On the ${n} shoes, \`usage\` agrees with \`articleType\` for ${input.usageAgrees} of ` +
    `${n} shoes, so restricting by it is nearly restricting by the answer: image precision@5 ${
      rowsA[0].precision_at_5.toFixed(3)
    } → ` +
    `${rowsA[1].precision_at_5.toFixed(3)} (mAP ${rowsA[0].map.toFixed(3)} → ${
      rowsA[1].map.toFixed(3)
    }). That is an ` +
    `upper bound, not evidence about images. (b) On ${input.restriction.wideTypes} footwear types restricted by \`subCategory\` (weight from the ${n} shoes, not re-tuned):
  image only ${pm(rowsB[0])}; restricted ${pm(rowsB[1])}; image + USE text ${pm(rowsB[2])}; both ${
      pm(rowsB[3])
    }. ` +
    `${
      addsUp
        ? "Restriction and text fusion help in different ways (restriction removes cross-category mistakes, text ranks within them) and their gains add up."
        : "Combining restriction and text fusion does not beat the better of the two on both metrics."
    }
- ${
      textModels.some((m) => m.startsWith("clip"))
        ? "With the configured CLIP image model, the same cells also swept CLIP's own text tower."
        : "With a CLIP image model configured (`SETSIM_MODEL`), the same cells also sweep CLIP's text tower. This run used a CNN, so only USE and TF-IDF appear."
    }`;
}
