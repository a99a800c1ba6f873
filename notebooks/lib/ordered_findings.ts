/**
 * The findings of notebook 03 (ordered views), written from its tables so they stay true for
 * another model, seed or shift: the worked example view by view ({@link orderedExampleFinding}),
 * what shuffling the views does to ordered and unordered methods ({@link orderedShuffleFinding}),
 * and how Recall@1 follows the view shift δ ({@link orderedShiftFinding}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orderedShiftFinding } from "./ordered_findings.ts";
 * const row = (delta: number, method: string, r1: number) => ({
 *   delta, method, recall_at_1: r1, recall_at_1_lo: r1 - 0.05, recall_at_1_hi: Math.min(1, r1 + 0.05),
 * });
 * const text = orderedShiftFinding([row(10, "ordered", 1), row(10, "greedy", 1), row(10, "optimal", 1)]);
 * assert.match(text, /δ = 10°: ordered 1\.00, greedy 1\.00, optimal 1\.00 \(level\)/);
 * assert.match(text, /Ordered matching holds up to the largest shift tried here \(10°\)/);
 * ```
 * @module
 */

import { formatMetricInterval } from "../../lib/evaluation/format.ts";
import type { OrderedViewRow } from "../../lib/evaluation/views.ts";

/** The fields of a `compareMethods` row the findings read (Recall@1 with its interval columns, mAP). */
export interface OrderedMethodRow {
  method: string;
  recall_at_1: number;
  recall_at_1_lo?: number;
  recall_at_1_hi?: number;
  map?: number;
}

function methodRow<R extends OrderedMethodRow>(rows: readonly R[], method: string, where: string): R {
  const found = rows.find((r) => r.method === method);
  if (!found) throw new RangeError(`${where}: no row for method ${method}`);
  return found;
}

/** Everything {@link orderedExampleFinding} reads. */
export interface OrderedExampleInput {
  views: readonly string[];
  /** The shift of the candidates' views, in degrees. */
  delta: number;
  /** The target object's label and its nearest other objects with their centroid cosine. */
  target: string;
  neighbours: readonly { label: string; similarity: number }[];
  /** `orderedViewTable` of the candidates, the same object first; and of their shuffled views. */
  perView: readonly OrderedViewRow[];
  perViewShuffled: readonly OrderedViewRow[];
}

/**
 * The worked example: how many views the same object wins, the narrowest margin, the pick, and
 * whether the same object still wins once its views are shuffled.
 */
export function orderedExampleFinding(input: OrderedExampleInput): string {
  const { views, perView, perViewShuffled } = input;
  if (perView.length < 2) {
    throw new RangeError("orderedExampleFinding: needs the same object and another candidate");
  }
  const ownRow = perView[0], others = perView.slice(1);
  const at = (row: OrderedViewRow, v: string) => row[v] as number;
  const viewsWon = views.filter((v) => others.every((o) => at(ownRow, v) > at(o, v)));
  const closest = views.map((v) => ({ v, gap: at(ownRow, v) - Math.max(...others.map((o) => at(o, v))) }))
    .sort((a, b) => a.gap - b.gap)[0];
  const ownShuffled = perViewShuffled.find((r) => r.candidate.startsWith(ownRow.candidate));
  if (!ownShuffled) throw new RangeError(`orderedExampleFinding: no shuffled row for ${ownRow.candidate}`);
  return `- **The example.** The object with the most look-alikes is \`${input.target}\`; its two nearest objects are ` +
    `${
      input.neighbours.map((n) => `\`${n.label}\` (centroid cosine ${n.similarity.toFixed(3)})`).join(" and ")
    }. ` +
    `View by view the same object turned by ${input.delta}° wins ${viewsWon.length} of ${views.length} views (${
      views.map((v) => at(ownRow, v).toFixed(3)).join(" / ")
    }, ` +
    `mean ${ownRow.mean.toFixed(3)}) against means of ${
      others.map((o) => o.mean.toFixed(3)).join(" and ")
    }; the pick (k = 1) is ` +
    `${ownRow.pick ? "right" : "wrong"}. The narrowest margin is on the *${closest.v}* view (${
      closest.gap.toFixed(3)
    }), so a single view is a ` +
    `weaker signal than the mean over labelled views. After shuffling the views the same object ${
      ownShuffled.pick ? "still wins" : "loses"
    } ` +
    `(mean ${ownShuffled.mean.toFixed(3)} vs ${
      perViewShuffled.filter((r) => r !== ownShuffled).map((r) => r.mean.toFixed(3)).join(" and ")
    }).`;
}

/**
 * All objects with views in order and shuffled: every method's Recall@1, ordered matching's drop
 * with its interval, and whether the unordered methods are unchanged (they must be).
 */
export function orderedShuffleFinding(
  input: {
    objects: number;
    delta: number;
    inOrder: readonly OrderedMethodRow[];
    shuffled: readonly OrderedMethodRow[];
  },
): string {
  const { inOrder, shuffled } = input;
  const perfect = (rows: readonly OrderedMethodRow[]) =>
    rows.filter((r) => r.recall_at_1 === 1).map((r) => r.method);
  const orderedShuffled = methodRow(shuffled, "ordered", "orderedShuffleFinding (shuffled)");
  const unorderedShuffled = shuffled.filter((r) => r.method !== "ordered");
  const unchanged = unorderedShuffled.every((r) =>
    r.recall_at_1 === methodRow(inOrder, r.method, "orderedShuffleFinding (in order)").recall_at_1
  );
  return `- **All ${input.objects} objects, views in order (δ = ${input.delta}°):** ` +
    inOrder.map((r) => `${r.method} ${r.recall_at_1.toFixed(3)}`).join(", ") + ` (Recall@1)` +
    `${
      perfect(inOrder).length === inOrder.length
        ? ": with labelled views this close every method is perfect"
        : ""
    }.\n` +
    `- **Shuffled views:** ordered matching gets Recall@1 ${
      formatMetricInterval({ ...orderedShuffled }, "recall_at_1")
    } (mAP ${(orderedShuffled.map ?? NaN).toFixed(3)}), ` +
    `because it now compares e.g. the target's right view with the candidate's top view; the unordered methods get ` +
    `${unorderedShuffled.map((r) => `${r.method} ${r.recall_at_1.toFixed(3)}`).join(", ")} — ` +
    `${
      unchanged
        ? "unchanged, since they never relied on the order"
        : "changed, which they should not be (check the protocol)"
    }.`;
}

/**
 * Recall@1 of ordered, greedy and optimal at each shift δ (rows `{ delta, method, recall_at_1… }`
 * in δ order), which is best at each, and — if ordered matching falls behind at the largest shift —
 * the most the order ever gained.
 */
export function orderedShiftFinding(rows: readonly (OrderedMethodRow & { delta: number })[]): string {
  const deltas = [...new Set(rows.map((r) => r.delta))];
  if (deltas.length === 0) throw new RangeError("orderedShiftFinding: no rows");
  const at = (delta: number, method: string) =>
    methodRow(rows.filter((r) => r.delta === delta), method, `δ = ${delta}`);
  const r1 = (delta: number, method: string) => at(delta, method).recall_at_1;
  const bestUnordered = (d: number) => Math.max(r1(d, "greedy"), r1(d, "optimal"));
  const deltaLines = deltas.map((d) => {
    const o = r1(d, "ordered");
    const verdict = o > bestUnordered(d)
      ? "ordered is best"
      : o < bestUnordered(d)
      ? "an unordered method is better"
      : "level";
    return `δ = ${d}°: ordered ${o.toFixed(2)}, greedy ${r1(d, "greedy").toFixed(2)}, optimal ${
      r1(d, "optimal").toFixed(2)
    } (${verdict})`;
  });
  const last = deltas.at(-1)!, oLast = at(last, "ordered");
  const gain = Math.max(...deltas.map((d) => r1(d, "ordered") - bestUnordered(d)));
  const unorderedLast = bestUnordered(last);
  return `- **The shift δ:** ${deltaLines.join("; ")}. ` +
    (oLast.recall_at_1 < unorderedLast
      ? `At the largest shift ordered matching falls to ${
        formatMetricInterval({ ...oLast }, "recall_at_1", 2)
      } while the unordered methods keep ${unorderedLast.toFixed(2)}: ` +
        `an unordered method can pair a turned view with whichever of the other object's views it now resembles most. Using the order gains at most ` +
        `${
          Math.max(0, gain).toFixed(2)
        } Recall@1 at any δ tried; when the order or the viewpoints are not trustworthy it costs a lot, so the unordered methods are the safer default.`
      : `Ordered matching holds up to the largest shift tried here (${last}°), so on this data using the order costs nothing as long as it is trustworthy.`);
}
