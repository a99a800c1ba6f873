/**
 * Presenting a {@link SetMatchResult}: the CLI's JSON contract and a readable table.
 * @module
 */

import type { SetMatchResult } from "./types.ts";

/** The JSON shape of the `match` CLI (`--json`). */
export interface MatchJson {
  /** The method used. */
  method: string;
  /** The set similarity; null when no match passed s. */
  score: number | null;
  /** The matches, 0-based, in the order taken (greedy) or best first (others). */
  pairs: { a: number; b: number; similarity: number; counted: boolean; excludedBy?: "s" | "m" }[];
  /** Rows of A in no pair. */
  unmatchedA: number[];
  /** Columns of B in no pair. */
  unmatchedB: number[];
  /** Present when score is null. */
  reason?: string;
  /** `sinkhorn`: whether the marginal error fell below the tolerance (false: the score is not final). */
  converged?: boolean;
  /** `sinkhorn`: iterations run. */
  iterations?: number;
  /** `sinkhorn`: L1 error of the plan's column marginals (rows are exact). */
  marginal_error?: number;
}

/**
 * The CLI's JSON object: `method`, `score` (null when no match passed s), `pairs` (0-based `a`, `b`,
 * `similarity`, plus `counted` and `excludedBy`, in the order taken for greedy and best first
 * otherwise), `unmatchedA`, `unmatchedB`, and `reason` when the score is null; sinkhorn adds
 * `converged`, `iterations` and `marginal_error`.
 */
export function resultToJson(result: SetMatchResult): MatchJson {
  const json: MatchJson = {
    method: result.method,
    score: result.score,
    pairs: result.pairs.map((p) => ({
      a: p.a,
      b: p.b,
      similarity: p.similarity,
      counted: p.counted,
      ...(p.excludedBy ? { excludedBy: p.excludedBy } : {}),
    })),
    unmatchedA: result.unmatchedA,
    unmatchedB: result.unmatchedB,
  };
  if (result.reason) json.reason = result.reason;
  if (result.converged !== undefined) {
    json.converged = result.converged;
    json.iterations = result.iterations;
    json.marginal_error = result.marginalError;
  }
  return json;
}

/**
 * A warning for a result that is not final (sinkhorn stopped at its iteration limit), or undefined.
 * CLIs print it on stderr so a script reading the JSON still sees `converged: false`.
 */
export function convergenceWarning(result: SetMatchResult, maxIterations?: number): string | undefined {
  if (result.converged !== false) return undefined;
  return `warning: ${result.method} did not converge: marginal error ${result.marginalError} after ` +
    `${result.iterations} iterations${maxIterations ? ` (limit ${maxIterations})` : ""}; the score is ` +
    `not final and may exceed the transport optimum — raise --max-iterations, or --epsilon ` +
    `(below ~1e-7, float64 precision limits the attainable error; relax --tolerance)`;
}

/** Labels for rows and columns (indices when absent). */
export interface Labels {
  /** Names of the rows (set A). */
  rowLabels?: string[];
  /** Names of the columns (set B). */
  colLabels?: string[];
}

/** A plain-text report: score line, one line per pair, then the unmatched items. */
export function formatResultTable(result: SetMatchResult, labels: Labels = {}): string {
  const rowName = (i: number) => labels.rowLabels?.[i] ?? `A${i}`;
  const colName = (j: number) => labels.colLabels?.[j] ?? `B${j}`;
  const lines: string[] = [];
  const settings = [
    result.s !== undefined ? `s = ${result.s}` : "",
    result.m !== undefined ? `m = ${result.m}` : "",
  ].filter(Boolean).join(", ");
  const scoreText = result.score === null ? `none (${result.reason})` : result.score.toFixed(6);
  lines.push(`method: ${result.method}${settings ? ` (${settings})` : ""}`);
  lines.push(`score:  ${scoreText}`);
  if (result.converged !== undefined) {
    lines.push(
      `${result.converged ? "converged" : "NOT converged"} after ${result.iterations} iterations ` +
        `(marginal error ${result.marginalError?.toExponential(2)})`,
    );
  }
  if (result.pairs.length > 0) {
    lines.push(`counted ${result.countedCount} of ${result.pairs.length} matches`);
    const order = result.method === "greedy" ? "order taken" : "best first";
    const hasDirection = result.pairs.some((p) => p.direction);
    const hasWeight = result.pairs.some((p) => p.weight !== undefined);
    const header = ["#", "a", "b", "similarity", "counted"];
    if (hasDirection) header.push("direction");
    if (hasWeight) header.push("share of a's mass");
    const rows = result.pairs.map((p, k) => {
      const cells = [
        String(k + 1),
        rowName(p.a),
        colName(p.b),
        p.similarity.toFixed(6),
        p.counted ? "yes" : `no (${p.excludedBy === "s" ? "below s" : "beyond m"})`,
      ];
      if (hasDirection) cells.push(p.direction === "BtoA" ? "B→A" : "A→B");
      if (hasWeight) cells.push((p.weight ?? 0).toFixed(3));
      return cells;
    });
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
    lines.push("", `pairs (${order}):`, line(header), line(widths.map((w) => "-".repeat(w))));
    for (const r of rows) lines.push(line(r));
  }
  lines.push("");
  lines.push(
    `unmatched in A: ${result.unmatchedA.length ? result.unmatchedA.map(rowName).join(", ") : "none"}`,
  );
  lines.push(
    `unmatched in B: ${result.unmatchedB.length ? result.unmatchedB.map(colName).join(", ") : "none"}`,
  );
  return lines.join("\n");
}
