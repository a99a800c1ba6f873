/**
 * What the sweep engine needs from the rest of setsim, as an interface: prepare a group's shared
 * data once, optionally precompute per-method state once, then evaluate any (s, m) cell cheaply.
 *
 * The engine may run {@link SweepBackend.evaluate} in Deno Workers, so a backend lives in a module
 * that exports it as `backend`, and what `prepare`/`prepareMethod` return must survive
 * `structuredClone` (typed arrays over `SharedArrayBuffer`s are shared, not copied). The real
 * backend is `./setsim_backend.ts`; tests use a synthetic one.
 *
 * @module
 */

import type { GroupSpec, SweepCell } from "./cell.ts";

/** Point estimates and 95% confidence intervals of one cell. */
export interface CellMetrics {
  /** Metric name → value, e.g. `recall_at_1`, `recall_at_5`, `map` (all in [0, 1]). */
  metrics: Record<string, number>;
  /** Metric name → [low, high] bounds of the 95% bootstrap interval (absent when bootstrap is 0). */
  ci95: Record<string, [number, number]>;
  /** Where the numbers came from (model fingerprint, query count); journaled and written to JSON. */
  provenance?: Record<string, string | number>;
}

/** Context handed to the main-thread preparation steps. */
export interface PrepareContext {
  /** Report a status line on stderr (never stdout). */
  log(message: string): void;
  /** Silence progress output. */
  quiet: boolean;
}

/** The operations the sweep engine runs; see the module documentation. */
export interface SweepBackend<Shared = unknown, MethodShared = unknown> {
  /** Names accepted by `--dataset`. */
  readonly datasets: readonly string[];
  /** Names accepted by `--method`. */
  readonly methods: readonly string[];
  /** Names of the metrics `evaluate` reports (accepted by `--metric`). */
  readonly metrics: readonly string[];
  /** Canonical name of a dataset given on the command line (aliases); default: unchanged. */
  resolveDataset?(name: string): string;
  /** Protocols accepted for a dataset. */
  protocols(dataset: string): readonly string[];
  /** The protocol used when `--protocol` is not given. */
  defaultProtocol(dataset: string): string;
  /**
   * Options that identify the embeddings without computing them (e.g. the model fingerprint);
   * merged into every cell's options and so into its hash. Called once per run, before any work.
   */
  identify?(model: string): Promise<Record<string, string>> | Record<string, string>;
  /** Main thread, once per group: load data, draw sets, embed, build the similarity matrix. */
  prepare(group: GroupSpec, context: PrepareContext): Promise<Shared>;
  /** Main thread, once per group and method: state every (s, m) cell of the method reuses. */
  prepareMethod?(shared: Shared, method: string, context: PrepareContext): Promise<MethodShared>;
  /** Any thread: evaluate one cell. Must be deterministic (same cell → same numbers). */
  evaluate(shared: Shared, methodShared: MethodShared, cell: SweepCell): Promise<CellMetrics> | CellMetrics;
}
