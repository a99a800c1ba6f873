/**
 * Deno Worker entry point of the sweep's cell pool (see `./pool.ts`, served by `lib/workers`). It
 * imports the backend module named in its `init` payload, keeps the shared states the pool
 * broadcasts (typed arrays over `SharedArrayBuffer`s arrive without copying), and evaluates one cell
 * per task.
 *
 * Messages are handled strictly in arrival order, so a state is always installed before the cells
 * that use it.
 * @module
 */
/// <reference lib="deno.worker" />

import { serveTasks } from "../workers/serve.ts";
import type { CellMetrics, SweepBackend } from "./backend.ts";
import type { SweepCell } from "./cell.ts";

/** A state the pool installs in (or removes from) every worker. */
export type StateNote = { type: "state"; key: string; value: unknown } | { type: "drop"; key: string };

/** One cell to evaluate with the states stored under its two keys. */
export interface CellTask {
  sharedKey: string;
  methodKey: string;
  cell: SweepCell;
}

let backend: SweepBackend | undefined;
const states = new Map<string, unknown>();

serveTasks<CellTask, CellMetrics, StateNote>({
  async init(backendUrl) {
    const module = await import(backendUrl as string);
    backend = module.backend as SweepBackend;
    if (!backend || typeof backend.evaluate !== "function") {
      throw new Error(`${backendUrl} does not export a sweep backend named "backend"`);
    }
  },
  broadcast(note) {
    if (note.type === "state") states.set(note.key, note.value);
    else states.delete(note.key);
  },
  async task({ sharedKey, methodKey, cell }) {
    if (!backend) throw new Error("sweep worker received a cell before init");
    if (!states.has(sharedKey)) throw new Error("sweep worker has no state for the cell's group");
    return await backend.evaluate(states.get(sharedKey), states.get(methodKey), cell);
  },
});
