/**
 * Sweep cells: one configuration each, identified by a stable hash of everything that can change
 * its result, and grouped by what they share (one similarity matrix per dataset/protocol/seed/model).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellHash, expandCells } from "./cell.ts";
 * const cells = expandCells({
 *   datasets: ["coil100"], protocols: { coil100: ["views"] }, methods: ["greedy"],
 *   s: [null, 0.5], m: [1, null], seed: 0, model: "mobilenet-v2", bootstrap: 1000, options: {},
 * });
 * assert.deepEqual(cells.map((c) => [c.s, c.m]), [[null, 1], [null, null], [0.5, 1], [0.5, null]]); // s, then m
 * // The hash is part of every journal: it must not change between versions (format v1).
 * assert.equal(cellHash(cells[0]), "91d087bc209f6b55");
 * ```
 * @module
 */

import { createHash } from "node:crypto";
import type { MatchCap, Threshold } from "./grid.ts";

/** A JSON value (options that enter the cell hash must be plain JSON). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What the cells of one group share: the data, the drawn sets, the embeddings, the similarity. */
export interface GroupSpec {
  dataset: string;
  protocol: string;
  seed: number;
  model: string;
  /** Options that change the prepared data or the evaluation (protocol options, fingerprints). */
  options: { [key: string]: JsonValue };
}

/** One grid cell: a group, a matching method and its (s, m) hyperparameters. */
export interface SweepCell extends GroupSpec {
  method: string;
  /** Similarity threshold; `null` = none. */
  s: Threshold;
  /** Number of best matches averaged; `null` = all. */
  m: MatchCap;
  /** Bootstrap resamples for the confidence intervals (0 = none). */
  bootstrap: number;
}

/** The grid as the user asked for it, after parsing and validation. */
export interface SweepPlan {
  datasets: string[];
  /** Protocols to run per dataset. */
  protocols: Record<string, string[]>;
  methods: string[];
  s: Threshold[];
  m: MatchCap[];
  seed: number;
  model: string;
  bootstrap: number;
  options: { [key: string]: JsonValue };
}

/** Serialise JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new RangeError(`canonicalJson: ${value} is not representable in JSON`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}

function cellConfig(cell: SweepCell): JsonValue {
  return {
    dataset: cell.dataset,
    protocol: cell.protocol,
    seed: cell.seed,
    model: cell.model,
    options: cell.options,
    method: cell.method,
    s: cell.s === null ? "none" : cell.s,
    m: cell.m === null ? "all" : cell.m,
    bootstrap: cell.bootstrap,
  };
}

/**
 * Stable identifier of a cell: the first 16 hex digits of SHA-256 over its canonical JSON
 * (format version `v1` included, so a change of result semantics can invalidate old journals).
 */
export function cellHash(cell: SweepCell): string {
  return createHash("sha256").update(`setsim-sweep-cell/v1 ${canonicalJson(cellConfig(cell))}`).digest("hex")
    .slice(0, 16);
}

/** Key of the group a cell belongs to (cells with equal keys share one prepared similarity). */
export function groupKey(group: GroupSpec): string {
  return canonicalJson({
    dataset: group.dataset,
    protocol: group.protocol,
    seed: group.seed,
    model: group.model,
    options: group.options,
  });
}

/**
 * Every cell of the plan, in the fixed order dataset → protocol → method → s → m (the row order of
 * every output file).
 */
export function expandCells(plan: SweepPlan): SweepCell[] {
  const cells: SweepCell[] = [];
  for (const dataset of plan.datasets) {
    const protocols = plan.protocols[dataset];
    if (!protocols || protocols.length === 0) throw new Error(`no protocol given for dataset "${dataset}"`);
    for (const protocol of protocols) {
      for (const method of plan.methods) {
        for (const s of plan.s) {
          for (const m of plan.m) {
            cells.push({
              dataset,
              protocol,
              seed: plan.seed,
              model: plan.model,
              options: plan.options,
              method,
              s,
              m,
              bootstrap: plan.bootstrap,
            });
          }
        }
      }
    }
  }
  return cells;
}
