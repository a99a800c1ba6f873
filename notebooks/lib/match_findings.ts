/**
 * Findings of notebooks 04 and 05 about set pairs, written from the computed examples so they stay
 * true for another model or seed: the hardest negative of the draw matched greedily
 * ({@link hardNegativeFinding}), the failure mode of the smallest cap ({@link failureModeFinding}),
 * and how greedy and the optimal assignment disagree over all pairs ({@link assignmentContrastFinding}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hardNegativeFinding } from "./match_findings.ts";
 * const text = hardNegativeFinding({
 *   example: { queryId: "a", galleryId: "b", rowLabels: ["a1"], colLabels: ["b1", "b2"] },
 *   greedy: { pairs: [{ similarity: 0.9 }], unmatchedB: [1], score: 0.9 },
 *   ownScore: 0.8,
 *   pairGrid: [{ same_object: 0.8, different_object: 0.9 }],
 * });
 * assert.match(text, /greedy takes 0\.900 in that order, leaves `b2` unused and scores \*\*0\.900\*\*, above the 0\.800/);
 * ```
 * @module
 */

import { compareWord } from "../../lib/evaluation/format.ts";
import type { AssignmentContrast, StrictFailureRow } from "../../lib/evaluation/failures.ts";

/** Everything {@link hardNegativeFinding} reads. */
export interface HardNegativeInput {
  /** The pair's ids and image labels (a `setPairBlock`). */
  example: { queryId: string; galleryId: string; rowLabels: readonly string[]; colLabels: readonly string[] };
  /** Greedy's result on the pair: the similarities in the order taken, B's unused images, the score. */
  greedy: { pairs: readonly { similarity: number }[]; unmatchedB: readonly number[]; score: number | null };
  /** Greedy's score of the query against its own gallery set. */
  ownScore: number;
  /** The pair's scores under each (s, m) (`pairThresholdGrid`; null = no match passed s). */
  pairGrid: readonly { same_object: number | null; different_object: number | null }[];
}

/**
 * The hardest negative matched greedily: the similarities in the order taken, B's unused images, the
 * score against the own set's, and in how many (s, m) settings the own object and the look-alike win.
 */
export function hardNegativeFinding(input: HardNegativeInput): string {
  const { example, greedy, ownScore, pairGrid } = input;
  if (greedy.score === null) {
    throw new RangeError("hardNegativeFinding: greedy scored no match on the example");
  }
  const score = (v: number | null) => v ?? -Infinity;
  const wins = (who: "same_object" | "different_object") =>
    pairGrid.filter((r) =>
      score(r[who]) > score(r[who === "same_object" ? "different_object" : "same_object"])
    )
      .length;
  return `- **The example.** The hardest negative of the seeded draw is \`${example.queryId}\` (${example.rowLabels.length} views) ` +
    `against \`${example.galleryId}\` (${example.colLabels.length} views): greedy takes ${
      greedy.pairs.map((p) => p.similarity.toFixed(3)).join(", ")
    } in that order, leaves ` +
    `${greedy.unmatchedB.map((b) => `\`${example.colLabels[b]}\``).join(", ")} unused and scores **${
      greedy.score.toFixed(3)
    }**, ` +
    `${compareWord(greedy.score, ownScore, ["above", "level with", "below"], 5e-4)} the ${
      ownScore.toFixed(3)
    } of the query's own gallery set. ` +
    `Of the ${pairGrid.length} (s, m) settings of section 3 the own object wins ${
      wins("same_object")
    } and the look-alike ${wins("different_object")} ` +
    `(the rest are ties or unscored).`;
}

/** Everything {@link failureModeFinding} reads. */
export interface FailureModeInput {
  /** Each scanned dataset: its name, number of query sets and `strictFailureScan` rows (no threshold first). */
  scanned: readonly { dataset: string; queries: number; scan: readonly StrictFailureRow[] }[];
  /** The dataset and row `pickFailureSetting` chose; null when no different item ever outranks. */
  demo: { dataset: string; row: StrictFailureRow } | null;
  /** Greedy scores of the demo query against its own set and the winner, strict (s, m = 1) and loose (s = none, m = all). */
  scores?: {
    own: { query: string; strict: number; loose: number };
    winner: { id: string; strict: number; loose: number };
  };
}

/**
 * The failure mode of m = 1: where a different item outranks the right one most often, against the
 * count without a threshold, what higher thresholds add (unscored own items), and the demo query's
 * strict and loose scores.
 */
export function failureModeFinding(input: FailureModeInput): string {
  const { demo, scanned } = input;
  const head = `- **The failure mode (m = 1).** `;
  if (!demo) {
    return head +
      "No different item ever outranks a correctly ranked query on our data; strict settings only lose queries whose own item is unscored.";
  }
  const own = scanned.find((d) => d.dataset === demo.dataset);
  if (!own || own.scan.length === 0) throw new RangeError(`failureModeFinding: no scan of ${demo.dataset}`);
  if (!input.scores) throw new RangeError("failureModeFinding: the demo needs its scores");
  const { own: o, winner: w } = input.scores;
  const plain = own.scan[0].outranked, outranked = demo.row.outranked;
  const strictest = own.scan.at(-1)!.s ?? "none";
  return head +
    `A different item outranks or ties the right one most often on ${demo.dataset} at s = ${
      demo.row.s ?? "none"
    } ` +
    `(${outranked} ${outranked === 1 ? "query" : "queries"}), but that count is ${
      compareWord(outranked, plain, ["larger than", "the same as", "smaller than"])
    } ` +
    `with m = 1 and no threshold (${plain}): the single best match, i.e. the small \`m\`, causes the confusion, and a higher \`s\` ` +
    `mostly adds queries whose own item is left unscored (at s = ${strictest}: ${
      scanned.map((d) => `${d.dataset} ${d.scan.at(-1)!.own_unscored} of ${d.queries}`).join(", ")
    }). On \`${o.query}\` the own set scores ${o.strict.toFixed(3)} from one pair and ` +
    `\`${w.id}\` ${w.strict.toFixed(3)} (all matches averaged: ${o.loose.toFixed(3)} vs ${
      w.loose.toFixed(3)
    }) — ` +
    `${
      w.strict > o.strict
        ? `the look-alike's single best match outweighs the own set's better overall agreement`
        : "a tie decided by one detail each"
    }.`;
}

/**
 * Greedy against the optimal assignment over every set pair (notebook 05, from
 * `greedyOptimalContrast`): how often the optimum is strictly better, and whether giving up the
 * single best pair — the article's observation — is the typical disagreement.
 */
export function assignmentContrastFinding(label: string, contrast: AssignmentContrast): string {
  const pct = (k: number, n: number) => `${(100 * k / n).toFixed(1)}%`;
  const head =
    `- **Over all ${contrast.pairs} ${label} set pairs** the optimum is strictly better than greedy on ${contrast.differ} `;
  if (contrast.differ === 0) return head + `(greedy is optimal on every pair).`;
  return head +
    `(${pct(contrast.differ, contrast.pairs)}; largest saving ${
      contrast.max_saving.toFixed(3)
    } in total distance). Of those, it has the better worst match ` +
    `in ${pct(contrast.better_worst, contrast.differ)} and gives up the single best pair in ${
      pct(contrast.drops_best_pair, contrast.differ)
    }: ` +
    `${
      contrast.drops_best_pair > contrast.differ / 2
        ? "the article's observation describes the typical disagreement"
        : "giving up the best pair happens, but is not the typical disagreement"
    }.`;
}
